import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer as createHttpsServer, get as httpsGet, globalAgent, Server as HttpsServer } from 'node:https';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { NodeRedRuntime, until } from '../../scripts/shared/node-red-runtime';
import { ComapEmulator, comapFixture, COMAP_IDS } from '../../src/emulator/comap';
import { EmulatorServer, json } from '../../src/emulator/http-server';
import { DEMO_USER, MAIN_CONTRACT, REFCOMMUNES_PREFIX, VeoliaEmulator } from '../../src/emulator/veolia';
import { CognitoAuth } from '../../src/lib/cognito/auth';
import { ApiError } from '../../src/lib/http/errors';
import { Transport } from '../../src/lib/http/transport';
import { adminToken, bcryptHash, bearer, ConnectionWatch, deployWithToken, LogCapture, safeJson, selfSignedCertificate, tokensIn, watchCognito } from './support-security/secured';

/**
 * product-spec §5 in a real Node-RED runtime with adminAuth on (the package as built by
 * `npm run build`): credentials and tokens stay out of everything a user or another node can
 * see, admin endpoints check permissions, http only to loopback, cookies per account and host,
 * TLS verification always on.
 */

const ROOT = join(__dirname, '..', '..');
const COMAP_CLIENT = '56jcvrtejpracljtirq7qnob44';
const VEOLIA_CLIENT = '3kghade1fg54739kj8pkbova8j';
const GOOD = { username: 'demo@example.com', password: 'demo-password' };
const BAD_HEATING = { username: 'intruder.heat@example.org', password: 'Wr0ng-heat-Secret!' };
const BAD_WATER = { username: 'intruder.water@example.org', password: 'Wr0ng-water-Secret!' };
/** A Veolia user whose logins ask for an e-mail code (spec §8.1). */
const CODED_WATER = { username: 'coded.water@example.org', password: 'C0ded-water-Secret!' };
const ADMIN = { username: 'admin', password: 'admin-Pa55word' };
const READER = { username: 'reader', password: 'reader-Pa55word' };
const FLOWS_ONLY = { username: 'flowsonly', password: 'flows-Pa55word' };
/** Documentation address (RFC 5737): never reached, the rule refuses it before any socket. */
const REMOTE_HTTP = 'http://192.0.2.1';
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

/** The nodes whose messages, errors and statuses are captured, with what each must produce. */
const EXPECTED: Record<string, string[]> = {
  th: ['debug', 'state'],
  thv: ['values'],
  zo: ['ok', 'INVALID_INPUT', 'NOT_FOUND'],
  st: ['ok', 'INVALID_INPUT'],
  pr: ['ok', 'NOT_FOUND'],
  wa: ['values'],
  'th-bad': ['AUTH_FAILED'],
  // Its error output is not wired: its errors go to the Catch node, with their code (spec §4.1).
  'st-bad': [],
  'wa-bad': ['AUTH_FAILED'],
  'th-http': ['INVALID_INPUT'],
  'st-http': ['INVALID_INPUT'],
  'wa-http': ['INVALID_INPUT'],
  // Challenged, then given its code through the admin endpoint: data comes (spec §8.1).
  'wa-code': ['AUTH_CHALLENGE'],
  // Signs in with a pasted refresh token only.
  'wa-rt': ['ok'],
};

interface Captured {
  node: string;
  msg: { topic?: unknown; payload?: unknown; error?: { code?: string; message?: string; source?: { id?: string } }; status?: { text?: string } };
}

describe('reliability: security (product-spec §5)', function () {
  this.timeout(90_000);
  const comap = new ComapEmulator();
  const veolia = new VeoliaEmulator({ users: [DEMO_USER, { ...CODED_WATER, challenge: 'EMAIL_OTP', contracts: [MAIN_CONTRACT] }] });
  const log = new LogCapture();
  const connections = new ConnectionWatch();
  const comapIssued = watchCognito(comap.cognito, 'comap_sid');
  const veoliaIssued = watchCognito(veolia.cognito, 'veolia_sid');
  let runtime: NodeRedRuntime;
  let token: string;
  let captured: Captured[] = [];
  /** The refresh token pasted into the `vrt` account's credentials. */
  let pastedRefreshToken = '';

  /** Every secret of the run: passwords, e-mail addresses, and the tokens the emulators issued. */
  function secrets(): Map<string, string> {
    const found = new Map<string, string>();
    for (const account of [GOOD, BAD_HEATING, BAD_WATER]) {
      found.set(account.password, 'a password');
      found.set(account.username, 'an e-mail address');
    }
    for (const user of [ADMIN, READER, FLOWS_ONLY]) found.set(user.password, 'an admin password');
    for (const value of [...comapIssued.tokens, ...veoliaIssued.tokens]) {
      found.set(value, 'a token');
      found.set(value.slice(0, 16), 'the start of a token');
    }
    for (const cookie of [...comapIssued.cookies, ...veoliaIssued.cookies]) found.set(cookie.split('=')[1], 'a session cookie');
    found.set(CODED_WATER.password, 'a password');
    for (const session of veoliaIssued.sessions) found.set(session, 'a challenge Session');
    found.set(pastedRefreshToken, 'a pasted refresh token');
    return found;
  }

  function assertClean(where: string, text: string, options: { emails?: boolean } = {}): void {
    assert.ok(text.length > 0, `${where}: nothing captured`);
    const leaks = [...secrets()].filter(([secret]) => text.includes(secret)).map(([secret, what]) => `${what} (${secret.slice(0, 6)}…)`);
    if (options.emails !== false) leaks.push(...[...text.matchAll(EMAIL)].map((m) => `an e-mail address (${m[0]})`));
    // Login codes are 6 digits: only a whole number counts (not the middle of a timestamp).
    for (const { code } of veolia.cognito.sentCodes) if (new RegExp(`(?<![0-9])${code}(?![0-9])`).test(text)) leaks.push(`a login code (${code.slice(0, 2)}…)`);
    assert.deepEqual(leaks, [], `${where} shows ${leaks.join(', ')}`);
  }

  const api = (path: string, init: RequestInit = {}) => runtime.api(path, { ...init, headers: { ...bearer(token), ...(init.headers as Record<string, string>) } });

  const inject = (id: string, target: string, payload: string, payloadType: string, topic = '') => ({
    id,
    type: 'inject',
    z: 'tabS',
    once: true,
    onceDelay: 0.2,
    repeat: '',
    topic,
    payload,
    payloadType,
    props: [{ p: 'payload' }, { p: 'topic', vt: 'str' }],
    wires: [[target]],
  });

  function flows(): Record<string, unknown>[] {
    const qivivo = (id: string, apiUrl: string, authUrl: string, credentials: typeof GOOD) => ({
      id,
      type: 'qivivo-account',
      name: `heating ${id}`,
      pollInterval: 0.01,
      apiUrl,
      authUrl,
      clientId: COMAP_CLIENT,
      credentials,
    });
    const water = (id: string, apiUrl: string, authUrl: string, credentials: typeof GOOD) => ({
      id,
      type: 'veolia-account',
      name: `water ${id}`,
      portal: 'custom',
      apiUrl,
      authUrl,
      clientId: VEOLIA_CLIENT,
      credentials,
    });
    const wired = (id: string) => [[`cap-${id}`, 'dbg'], [`cap-${id}`, 'dbg']];
    const nodes: Record<string, unknown>[] = [
      { id: 'tabS', type: 'tab', label: 'Security' },
      qivivo('qacct', comap.apiUrl, comap.authUrl, GOOD),
      qivivo('qbad', comap.apiUrl, comap.authUrl, BAD_HEATING),
      qivivo('qhttp', REMOTE_HTTP, `${REMOTE_HTTP}/`, GOOD),
      water('vacct', veolia.url, `${veolia.url}/`, GOOD),
      water('vbad', veolia.url, `${veolia.url}/`, BAD_WATER),
      water('vhttp', REMOTE_HTTP, `${REMOTE_HTTP}/`, GOOD),
      water('vcode', veolia.url, `${veolia.url}/`, CODED_WATER),
      { ...water('vrt', veolia.url, `${veolia.url}/`, GOOD), credentials: { username: GOOD.username, password: '', refreshToken: pastedRefreshToken } },
      { id: 'th', type: 'qivivo-thermostat-in', z: 'tabS', account: 'qacct', housing: '', output: 'state', onlyChanges: false, wires: wired('th') },
      { id: 'thv', type: 'qivivo-thermostat-in', z: 'tabS', account: 'qacct', housing: COMAP_IDS.maison, output: 'values', onlyChanges: true, wires: wired('thv') },
      { id: 'zo', type: 'qivivo-zone-order', z: 'tabS', account: 'qacct', housing: '', zone: '', duration: 60, retries: 0, retryDelay: 1, wires: wired('zo') },
      { id: 'st', type: 'qivivo-set-temperature', z: 'tabS', account: 'qacct', housing: '', duration: 60, debounce: 0, retries: 0, retryDelay: 1, wires: wired('st') },
      { id: 'pr', type: 'qivivo-program', z: 'tabS', account: 'qacct', housing: '', retries: 0, retryDelay: 1, wires: wired('pr') },
      { id: 'wa', type: 'veolia-water-consumption', z: 'tabS', account: 'vacct', contract: '', syncTime: '07:00', historyDays: 3, output: 'values', wires: wired('wa') },
      { id: 'th-bad', type: 'qivivo-thermostat-in', z: 'tabS', account: 'qbad', housing: '', output: 'state', wires: wired('th-bad') },
      { id: 'st-bad', type: 'qivivo-set-temperature', z: 'tabS', account: 'qbad', housing: '', duration: 60, debounce: 0, retries: 0, retryDelay: 1, wires: [wired('st-bad')[0]] },
      { id: 'wa-bad', type: 'veolia-water-consumption', z: 'tabS', account: 'vbad', contract: '', syncTime: '07:00', historyDays: 3, output: 'days', wires: wired('wa-bad') },
      { id: 'th-http', type: 'qivivo-thermostat-in', z: 'tabS', account: 'qhttp', housing: '', output: 'state', wires: wired('th-http') },
      { id: 'st-http', type: 'qivivo-set-temperature', z: 'tabS', account: 'qhttp', housing: '', duration: 60, debounce: 0, retries: 0, retryDelay: 1, wires: wired('st-http') },
      { id: 'wa-http', type: 'veolia-water-consumption', z: 'tabS', account: 'vhttp', contract: '', syncTime: '07:00', historyDays: 3, output: 'days', wires: wired('wa-http') },
      { id: 'wa-code', type: 'veolia-water-consumption', z: 'tabS', account: 'vcode', contract: '', syncTime: '07:00', historyDays: 3, output: 'days', wires: wired('wa-code') },
      { id: 'wa-rt', type: 'veolia-water-consumption', z: 'tabS', account: 'vrt', contract: '', syncTime: '07:00', historyDays: 3, output: 'days', wires: wired('wa-rt') },
      inject('i1', 'th', '', 'date', 'debug'),
      inject('i2', 'th', '', 'date'),
      inject('i3', 'zo', JSON.stringify({ zone: COMAP_IDS.zones.chambres }), 'json'), // not an order: INVALID_INPUT
      inject('i4', 'st', '21', 'num'),
      inject('i5', 'st', 'very warm', 'str'),
      inject('i6', 'pr', 'Semaine', 'str'),
      inject('i7', 'pr', 'Grasse matinée', 'str'),
      inject('i8', 'wa', '', 'date'),
      inject('i9', 'th-bad', '', 'date'),
      inject('i10', 'st-bad', '20', 'num'),
      inject('i11', 'wa-bad', '', 'date'),
      inject('i12', 'th-http', '', 'date'),
      inject('i13', 'st-http', '20', 'num'),
      inject('i14', 'wa-http', '', 'date'),
      // Zone orders carry their zone in msg.zone: a function node sets it.
      { id: 'i15', type: 'inject', z: 'tabS', once: true, onceDelay: 0.2, repeat: '', topic: '', payload: 'eco', payloadType: 'str', props: [{ p: 'payload' }], wires: [['zone-ok']] },
      { id: 'zone-ok', type: 'function', z: 'tabS', func: `msg.zone = ${JSON.stringify(COMAP_IDS.zones.chambres)}; return msg;`, outputs: 1, wires: [['zo']] },
      { id: 'i16', type: 'inject', z: 'tabS', once: true, onceDelay: 0.2, repeat: '', topic: '', payload: 'eco', payloadType: 'str', props: [{ p: 'payload' }], wires: [['zone-missing']] },
      { id: 'zone-missing', type: 'function', z: 'tabS', func: 'msg.zone = "Grenier"; return msg;', outputs: 1, wires: [['zo']] },
      { id: 'n-catch', type: 'catch', z: 'tabS', scope: null, uncaught: false, wires: [['cap-catch']] },
      { id: 'n-status', type: 'status', z: 'tabS', scope: null, wires: [['cap-status']] },
      { id: 'dbg', type: 'debug', z: 'tabS', active: true, tosidebar: true, console: true, tostatus: false, complete: 'true', targetType: 'full', wires: [] },
      { id: 'cap-in', type: 'http in', z: 'tabS', url: '/captured', method: 'get', wires: [['cap-read']] },
      { id: 'cap-read', type: 'function', z: 'tabS', func: 'msg.payload = global.get("captured") || []; return msg;', outputs: 1, wires: [['cap-out']] },
      { id: 'cap-out', type: 'http response', z: 'tabS', wires: [] },
    ];
    for (const id of [...Object.keys(EXPECTED), 'catch', 'status']) {
      const func = `const all = global.get("captured") || []; all.push({ node: ${JSON.stringify(id)}, msg: RED.util.cloneMessage(msg) }); global.set("captured", all); return null;`;
      nodes.push({ id: `cap-${id}`, type: 'function', z: 'tabS', func, outputs: 1, wires: [[]] });
    }
    return nodes;
  }

  /** What a captured message shows: a topic kind, or an error code. */
  function kinds(node: string): Set<string> {
    const found = new Set<string>();
    for (const { msg } of captured.filter((c) => c.node === node)) {
      if (msg.error?.code) found.add(msg.error.code);
      else if (msg.topic === 'debug') found.add('debug');
      else if (node === 'thv' || node === 'wa') found.add('values');
      else if (node === 'th') found.add('state');
      else found.add('ok');
    }
    return found;
  }

  before(async () => {
    connections.start();
    await comap.start();
    await veolia.start();
    runtime = new NodeRedRuntime({
      settings: {
        logging: log.settings(),
        veoliaRefcommunesUrl: `${veolia.url}${REFCOMMUNES_PREFIX}`,
        adminAuth: {
          type: 'credentials',
          users: [
            { username: ADMIN.username, password: bcryptHash(ADMIN.password), permissions: '*' },
            { username: READER.username, password: bcryptHash(READER.password), permissions: 'read' },
            { username: FLOWS_ONLY.username, password: bcryptHash(FLOWS_ONLY.password), permissions: ['flows.read'] },
          ],
        },
      },
    });
    await runtime.start();
    token = await adminToken(runtime, ADMIN.username, ADMIN.password);
    // A refresh token from an earlier login, as a user would paste it.
    const donor = new CognitoAuth(new Transport({ service: 'Test' }), { authUrl: `${veolia.url}/`, clientId: VEOLIA_CLIENT, ...GOOD });
    await donor.accessToken();
    pastedRefreshToken = donor.saved()?.refreshToken ?? '';
    assert.ok(pastedRefreshToken);
    await deployWithToken(runtime, token, flows());
    captured = await until(
      async () => {
        const response = await fetch(`${runtime.url}/api/captured`);
        captured = response.ok ? ((await response.json()) as Captured[]) : [];
        const missing = Object.entries(EXPECTED).filter(([node, want]) => want.some((k) => !kinds(node).has(k)));
        const caught = captured.some((c) => c.node === 'catch' && c.msg.error?.code === 'AUTH_FAILED');
        return missing.length === 0 && caught ? captured : undefined;
      },
      20_000,
      'a message of every expected kind from every node',
    ).catch((err: Error) => {
      const seen = Object.keys(EXPECTED).map((node) => `${node}: ${[...kinds(node)].join('/')}`);
      throw new Error(`${err.message}; got ${seen.join(', ')}; first: ${safeJson(captured.slice(0, 3))}`);
    });
    // The challenged account gets a wrong code, then the one "sent", through the editor's endpoint.
    const sendCode = (code: string) => api('/veolia-account/vcode/code', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ code }) });
    const sent = veolia.cognito.lastCode(CODED_WATER.username) ?? '';
    assert.equal((await sendCode(sent === '000000' ? '111111' : '000000')).status, 400);
    assert.equal((await sendCode(sent)).status, 200);
    await until(
      async () => ((await (await fetch(`${runtime.url}/api/captured`)).json()) as Captured[]).some((c) => c.node === 'wa-code' && !c.msg.error) || undefined,
      10_000,
      'the challenged account synced after its code',
    );
    // A few poll cycles more (token reuse, refreshes) before anything is read.
    await new Promise((r) => setTimeout(r, 1500));
    captured = (await (await fetch(`${runtime.url}/api/captured`)).json()) as Captured[];
  });

  after(async () => {
    await runtime?.stop();
    await comap.stop();
    await veolia.stop();
    connections.stop();
  });

  describe('credentials and tokens stay out of sight', () => {
    it('the emulators issued tokens, which the accounts used', () => {
      assert.ok(comapIssued.tokens.size >= 2 && veoliaIssued.tokens.size >= 2, 'tokens issued');
      const sent = [...comap.server.log, ...veolia.server.log]
        .map((r) => /^Bearer (.+)$/.exec(String(r.headers.authorization ?? ''))?.[1])
        .filter((t): t is string => t !== undefined);
      assert.ok(sent.length > 0, 'authorised requests');
      for (const value of sent) assert.ok(comapIssued.tokens.has(value) || veoliaIssued.tokens.has(value), 'every bearer was issued by an emulator');
    });

    it('GET /flows and the exported flow file hold no credential', async () => {
      for (const version of ['v1', 'v2']) {
        const response = await api('/flows', { headers: { 'Node-RED-API-Version': version } });
        assert.equal(response.status, 200);
        const text = await response.text();
        assert.ok(text.includes('qivivo-account') && text.includes('veolia-account'), 'the accounts are exported');
        assertClean(`GET /flows (${version})`, text);
      }
      for (const file of readdirSync(runtime.userDir).filter((f) => /^\.?flows.*\.json$/.test(f))) {
        assertClean(`${file} on disk`, readFileSync(join(runtime.userDir, file), 'utf8'));
      }
      // Tokens kept across restarts (spec §8.1) are sealed: nothing readable in their files.
      const kept = readdirSync(join(runtime.userDir, '.qivivo-veolia'));
      assert.ok(kept.includes('veolia-vcode.tokens'), `kept: ${kept.join(', ')}`);
      for (const file of kept) assertClean(`${file} on disk`, readFileSync(join(runtime.userDir, '.qivivo-veolia', file), 'utf8'));
    });

    it("the editor's credentials endpoint never returns a password", async () => {
      for (const [type, id] of [['qivivo-account', 'qacct'], ['veolia-account', 'vacct']]) {
        const body = (await (await api(`/credentials/${type}/${id}`)).json()) as Record<string, unknown>;
        assert.equal(body.has_password, true, `${id} has a password`);
        assert.equal(body.password, undefined);
        assert.ok(!safeJson(body).includes(GOOD.password));
      }
    });

    it('no message of any node shows one: outputs, debug dump, error outputs, Catch', () => {
      for (const [node, want] of Object.entries(EXPECTED)) assert.deepEqual([...kinds(node)].filter((k) => want.includes(k)).sort(), [...want].sort(), node);
      const dump = captured.find((c) => c.node === 'th' && c.msg.topic === 'debug');
      assert.ok(dump && safeJson(dump.msg.payload).length > 500, 'the debug dump has the raw data');
      assert.ok(
        captured.some((c) => c.node === 'catch' && c.msg.error?.code === 'AUTH_FAILED' && c.msg.error.source?.id === 'st-bad'),
        'the error of a node without a wired error output reached the Catch node, with its code',
      );
      assertClean('messages', safeJson(captured.filter((c) => c.node !== 'status')));
    });

    it('no status text shows one', () => {
      const texts = captured.filter((c) => c.node === 'status').map((c) => c.msg.status?.text ?? '');
      assert.ok(texts.length >= Object.keys(EXPECTED).length, `${texts.length} statuses`);
      assertClean('status texts', texts.join('\n'));
    });

    it('the runtime log (every level, audit, debug nodes to console) shows none', () => {
      const text = log.lines.join('\n');
      assert.ok(/AUTH_FAILED/.test(text) && /INVALID_INPUT/.test(text), 'errors were logged');
      assert.ok(text.includes('"topic":"debug"') || text.includes("topic: 'debug'"), 'debug nodes wrote messages to the log');
      assertClean('runtime log', text);
    });
  });

  describe('the debug dump keeps no location or owner of the housing', () => {
    const FIELDS = ['address', 'zip_code', 'city', 'latitude', 'longitude', 'ip_address', 'user_id'];
    const records = () => comapFixture().housings.map((h) => h.housing);

    /** Where the emulator's housings are and whose they are, as its seed data says. */
    function locationAndOwner(): Map<string, string> {
      const found = new Map<string, string>();
      for (const housing of records()) {
        for (const key of FIELDS) {
          const value = housing[key];
          assert.ok((typeof value === 'string' && value !== '') || typeof value === 'number', `the fixture gives ${housing.id} a ${key}`);
          if (!found.has(String(value))) found.set(String(value), `the ${key} of ${housing.id}`);
        }
      }
      return found;
    }

    it('the search finds each of those values in the housing records, as numbers or as strings', () => {
      const wanted = locationAndOwner();
      assert.equal(tokensIn(safeJson(records()), wanted).length, wanted.size);
      const asStrings = records().map((h) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k, String(v)])));
      assert.equal(tokensIn(safeJson(asStrings), wanted).length, wanted.size);
    });

    it('the dump shows neither the address, zip code, city, coordinates, IP address nor user id', () => {
      const dump = captured.find((c) => c.node === 'th' && c.msg.topic === 'debug');
      assert.ok(dump, 'a debug dump');
      const text = safeJson(dump.msg);
      assert.ok(text.includes(COMAP_IDS.maison) && text.includes(COMAP_IDS.zones.sejour), 'the dump is of the first housing, with its zones');
      assert.deepEqual(tokensIn(text, locationAndOwner()), []);
    });

    it('nor does any other message, or the runtime log (where debug nodes print the dump)', () => {
      assert.deepEqual(tokensIn(safeJson(captured), locationAndOwner()), [], 'messages');
      assert.deepEqual(tokensIn(log.lines.join('\n'), locationAndOwner()), [], 'runtime log');
    });
  });

  describe('admin endpoints', () => {
    it('portal look-up: POST with veolia-account.write only (a read-only user gets 401), nothing sent for a refused caller', async () => {
      const reader = await adminToken(runtime, READER.username, READER.password, 'read');
      const lookup = (headers: Record<string, string>) =>
        runtime.api('/veolia-account/portal-lookup', { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify({ q: '00100' }) });
      const asked = () => veolia.server.requests('/communes-nationales').length;
      const before = asked();
      assert.equal((await lookup({})).status, 401, 'without a token');
      assert.equal((await lookup(bearer(reader))).status, 401, 'read permission only');
      assert.equal(asked(), before, 'nothing sent for a refused caller');
      const ok = await lookup(bearer(token));
      assert.equal(ok.status, 200);
      assert.equal(((await ok.json()) as Array<{ portal: string }>)[0].portal, 'toulouse');
      assert.equal(asked(), before + 1);
    });

    const endpoints = [
      '/qivivo-account/qacct/housings',
      `/qivivo-account/qacct/housings/${COMAP_IDS.maison}/zones`,
      '/qivivo-account/qacct/housings/_/programs',
      '/veolia-account/portals',
      '/veolia-account/vacct/contracts',
      '/veolia-account/vcode/login',
    ];

    it('refuse a caller without a token, or with a token lacking the permission (401)', async () => {
      const flowsOnly = await adminToken(runtime, FLOWS_ONLY.username, FLOWS_ONLY.password, 'flows.read');
      for (const path of endpoints) {
        assert.equal((await runtime.api(path)).status, 401, `${path} without a token`);
        assert.equal((await runtime.api(path, { headers: bearer('not-a-token') })).status, 401, `${path} with a made-up token`);
        assert.equal((await runtime.api(path, { headers: bearer(flowsOnly) })).status, 401, `${path} with flows.read only`);
      }
    });

    it('answer a user with the permission, without credentials or tokens', async () => {
      const reader = await adminToken(runtime, READER.username, READER.password, 'read');
      for (const user of [token, reader]) {
        for (const path of endpoints) {
          const response = await runtime.api(path, { headers: bearer(user) });
          assert.equal(response.status, 200, path);
          const text = await response.text();
          assert.ok(text.length > 2, `${path} answered ${text}`);
          assertClean(path, text);
        }
      }
    });

    it('take a login code only from a user with veolia-account.write, never echoing it', async () => {
      const reader = await adminToken(runtime, READER.username, READER.password, 'read');
      const post = (headers: Record<string, string>) =>
        runtime.api('/veolia-account/vcode/code', { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify({ code: '123456' }) });
      const answers = veolia.cognito.stats.challengeAnswers;
      assert.equal((await post({})).status, 401, 'without a token');
      assert.equal((await post(bearer(reader))).status, 401, 'with read only');
      assert.equal(veolia.cognito.stats.challengeAnswers, answers, 'nothing sent for a refused caller');
      const allowed = await post(bearer(token));
      assert.equal(allowed.status, 400, 'no code awaited any more');
      const text = await allowed.text();
      assert.equal((JSON.parse(text) as { error: { code: string } }).error.code, 'INVALID_INPUT');
      assertClean('POST code', text);
      const login = (await (await api('/veolia-account/vcode/login')).json()) as { problem: unknown };
      assert.deepEqual(login, { deployed: true, problem: null });
      const credentials = (await (await api('/credentials/veolia-account/vrt')).json()) as Record<string, unknown>;
      assert.equal(credentials.has_refreshToken, true);
      assert.equal(credentials.refreshToken, undefined);
    });

    it("Connect from the dialog: POST with …write only (a read-only user gets 401), nothing sent for a refused caller; the listing holds no credential", async () => {
      const reader = await adminToken(runtime, READER.username, READER.password, 'read');
      const forms: Array<[string, Record<string, unknown>]> = [
        ['/qivivo-account/connect', { id: 'sec-q', settings: { apiUrl: comap.apiUrl, authUrl: comap.authUrl, clientId: COMAP_CLIENT }, credentials: GOOD }],
        ['/veolia-account/connect', { id: 'sec-v', settings: { portal: 'custom', apiUrl: veolia.url, authUrl: `${veolia.url}/`, clientId: VEOLIA_CLIENT }, credentials: GOOD }],
      ];
      for (const [path, form] of forms) {
        const post = (headers: Record<string, string>) => runtime.api(path, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(form) });
        const logins = comap.cognito.stats.passwordLogins + veolia.cognito.stats.passwordLogins;
        assert.equal((await post({})).status, 401, `${path} without a token`);
        assert.equal((await post(bearer(reader))).status, 401, `${path} with read only`);
        assert.equal(comap.cognito.stats.passwordLogins + veolia.cognito.stats.passwordLogins, logins, 'nothing sent for a refused caller');
        const allowed = await post(bearer(token));
        assert.equal(allowed.status, 200, path);
        const text = await allowed.text();
        assert.ok(/housings|contracts/.test(text), text);
        assertClean(`POST ${path}`, text);
      }
    });

    it('answer an account with an http:// address with its config error, sending nothing', async () => {
      const before = connections.seen.length;
      const response = await api('/qivivo-account/qhttp/housings');
      assert.equal(response.status, 400);
      assert.equal(((await response.json()) as { code: string }).code, 'INVALID_INPUT');
      const contracts = await api('/veolia-account/vhttp/contracts');
      assert.equal(contracts.status, 400);
      assert.deepEqual(connections.seen.slice(before).filter((c) => c.host.includes('192.0.2.1')), []);
    });
  });

  describe('network rules', () => {
    it('plain http to another machine is refused before any socket is opened', async () => {
      const errors = captured.filter((c) => c.node.endsWith('-http')).map((c) => c.msg.error);
      assert.equal(errors.length, 3);
      for (const error of errors) {
        assert.equal(error?.code, 'INVALID_INPUT');
        assert.match(error?.message ?? '', /https/);
      }
      const before = connections.seen.length;
      const transport = new Transport({ service: 'Test' });
      for (const url of [`${REMOTE_HTTP}/park/housings`, 'http://example.com/', 'http://[2001:db8::1]/', 'ftp://127.0.0.1/']) {
        await assert.rejects(transport.request({ method: 'GET', url }), (err: ApiError) => err.code === 'INVALID_INPUT', url);
      }
      assert.deepEqual(connections.seen.slice(before), [], 'no request, no socket');
    });

    it('no connection of the whole run left this machine', () => {
      assert.ok(connections.seen.length > 20, `${connections.seen.length} connections watched`);
      assert.deepEqual(connections.remote(), []);
    });

    it('cookies are kept per account and sent only to the service that set them', () => {
      assert.ok(comapIssued.cookies.size > 0 && veoliaIssued.cookies.size > 0, 'cookies set');
      const cookiesOf = (server: EmulatorServer) => server.log.map((r) => String(r.headers.cookie ?? ''));
      const comapCookies = cookiesOf(comap.server);
      const veoliaCookies = cookiesOf(veolia.server);
      assert.ok(comapCookies.some((c) => c.includes('comap_sid=')), 'the Comap account sent back its cookie');
      assert.ok(veoliaCookies.some((c) => c.includes('veolia_sid=')), 'the Veolia account sent back its cookie');
      assert.ok(!comapCookies.some((c) => c.includes('veolia_sid')), 'no Veolia cookie went to Comap');
      assert.ok(!veoliaCookies.some((c) => c.includes('comap_sid')), 'no Comap cookie went to Veolia');
      // The accounts with a wrong password share the emulators' host but not the cookie jar.
      const intruders = [...comap.server.log, ...veolia.server.log].filter((r) => safeJson(r.body).includes('intruder.'));
      assert.ok(intruders.length >= 2);
      for (const r of intruders) assert.equal(r.headers.cookie, undefined, 'a login of another account carried a cookie');
    });

    it('a cookie of localhost is not sent to 127.0.0.1, nor the other way round', async () => {
      const server = new EmulatorServer((req) => {
        if (req.path === '/set') return { status: 200, body: {}, headers: { 'Set-Cookie': `host_cookie=${req.query.v}; Path=/` } };
        return json(200, { cookie: req.headers.cookie ?? null });
      });
      const port = new URL(await server.start()).port;
      try {
        const transport = new Transport({ service: 'Test' });
        const cookieAt = async (host: string) => ((await transport.request({ method: 'GET', url: `http://${host}:${port}/echo` })).data as { cookie: string | null }).cookie;
        await transport.request({ method: 'GET', url: `http://localhost:${port}/set`, params: { v: 'from-localhost' } });
        assert.equal(await cookieAt('localhost'), 'host_cookie=from-localhost');
        assert.equal(await cookieAt('127.0.0.1'), null);
        await transport.request({ method: 'GET', url: `http://127.0.0.1:${port}/set`, params: { v: 'from-ip' } });
        assert.equal(await cookieAt('127.0.0.1'), 'host_cookie=from-ip');
        assert.equal(await cookieAt('localhost'), 'host_cookie=from-localhost');
      } finally {
        await server.stop();
      }
    });
  });

  describe('TLS verification cannot be turned off', () => {
    let server: HttpsServer;
    let url = '';
    let served = 0;
    const saved = { env: process.env.NODE_TLS_REJECT_UNAUTHORIZED, global: globalAgent.options.rejectUnauthorized };

    before(async () => {
      server = createHttpsServer(selfSignedCertificate(), (_req, res) => {
        served++;
        res.setHeader('Content-Type', 'application/json');
        res.end('{"ok":true}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/park/housings`;
    });

    afterEach(() => {
      if (saved.env === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = saved.env;
      globalAgent.options.rejectUnauthorized = saved.global;
    });

    after(async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    });

    async function plainHttpsGet(): Promise<number> {
      return new Promise((resolve, reject) => {
        httpsGet(url, { agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', reject);
      });
    }

    async function assertRefused(): Promise<void> {
      const before = served;
      await assert.rejects(
        new Transport({ service: 'Test' }).request({ method: 'GET', url }),
        (err: ApiError) => err.code === 'UNAVAILABLE' && /SELF_SIGNED|CERT|certificate/i.test(err.message),
      );
      assert.equal(served, before, 'the self-signed server answered nothing');
    }

    it('refuses a self-signed certificate by default', async () => {
      await assertRefused();
    });

    it('still refuses it with NODE_TLS_REJECT_UNAUTHORIZED=0, which does switch Node itself off', async () => {
      process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
      const originalEmit = process.emitWarning;
      process.emitWarning = () => undefined; // Node's warning about the variable, once per process
      try {
        assert.equal(await plainHttpsGet(), 200, 'a plain https.get accepts the certificate now');
        await assertRefused();
      } finally {
        process.emitWarning = originalEmit;
      }
    });

    it("still refuses it with https.globalAgent's rejectUnauthorized set to false", async () => {
      globalAgent.options.rejectUnauthorized = false;
      await assertRefused();
    });

    it('no source file turns verification off', () => {
      const forbidden = [
        /rejectUnauthorized\s*[:=]\s*(false|0|!1)/,
        /NODE_TLS_REJECT_UNAUTHORIZED['"`]?\]?\s*=(?!=)/,
        /checkServerIdentity\s*[:=]\s*(\(\)|function\s*\(\))/,
      ];
      // The patterns catch what they are meant to catch.
      const samples = ["{ rejectUnauthorized: false }", "process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'", "process.env['NODE_TLS_REJECT_UNAUTHORIZED']='0'", 'checkServerIdentity: () => undefined'];
      for (const sample of samples) assert.ok(forbidden.some((p) => p.test(sample)), sample);
      const offending: string[] = [];
      const walk = (dir: string): void => {
        for (const name of readdirSync(dir)) {
          const path = join(dir, name);
          if (statSync(path).isDirectory()) walk(path);
          else if (/\.(ts|js|mjs|cjs|html)$/.test(name)) {
            readFileSync(path, 'utf8')
              .split('\n')
              .forEach((line, i) => {
                if (forbidden.some((p) => p.test(line))) offending.push(`${path.slice(ROOT.length + 1)}:${i + 1}: ${line.trim()}`);
              });
          }
        }
      };
      walk(join(ROOT, 'src'));
      assert.deepEqual(offending, []);
    });
  });
});
