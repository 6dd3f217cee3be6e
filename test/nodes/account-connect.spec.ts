import assert from 'node:assert/strict';
import { ComapEmulator, COMAP_CLIENT_IDS, COMAP_IDS } from '../../src/emulator/comap';
import { DEMO_USERNAME, MAIN_CONTRACT, VEOLIA_CLIENT_IDS, VeoliaEmulator } from '../../src/emulator/veolia';
import { accountConfig, collect, DEMO, FlowNode, freshEmulatorEach, helper, load } from '../support/flow';

/** Spec §9: Connect from the account dialog, and the flow nodes' lists before the first deploy. */

interface Listing {
  housings: Array<{ id: string; name: string; zones: Array<{ id: string; name: string; kind: string }>; programs: Array<{ id: string; name: string }>; schedules: Array<{ id: string; name: string }> }>;
}
interface Failure {
  error: { code: string; message: string; reason?: string; challenge?: string };
}

const passwordLogins = (log: Array<{ body?: unknown }>): number => log.filter((r) => (r.body as { AuthFlow?: string } | undefined)?.AuthFlow === 'USER_PASSWORD_AUTH').length;
/** No answer of the editor's endpoints holds a password, a token or a Session. */
function assertNoSecret(text: string, ...secrets: string[]): void {
  for (const secret of [DEMO.password, ...secrets]) assert.ok(!text.includes(secret), `the answer shows a secret (${secret.slice(0, 4)}…)`);
  assert.ok(!/AccessToken|RefreshToken|Session|IdToken/i.test(text), 'the answer shows a token');
}

describe('qivivo-account: Connect from the dialog (POST /qivivo-account/connect)', function () {
  this.timeout(20_000);
  let emulator: ComapEmulator;
  const settings = () => {
    const { apiUrl, authUrl, clientId, pollInterval } = accountConfig(emulator);
    return { apiUrl, authUrl, clientId, pollInterval, timeout: 20 };
  };
  const connect = (body: Record<string, unknown>) => helper.request().post('/qivivo-account/connect').send(body);
  const logins = () => passwordLogins(emulator.server.log);

  freshEmulatorEach(() => (emulator = new ComapEmulator()));

  it('an account not deployed, typed credentials: lists both housings with their zones, programs and schedules, no credential echoed', async () => {
    await load([{ id: 'tab', type: 'tab' }], {});
    const res = await connect({ id: 'new-acct', settings: settings(), credentials: DEMO }).expect(200);
    const body = res.body as Listing;
    assert.deepEqual(
      body.housings.map((h) => h.name),
      ['Maison', 'Chalet'],
    );
    const maison = body.housings.find((h) => h.id === COMAP_IDS.maison);
    assert.ok(maison);
    assert.ok(maison.zones.some((z) => z.kind === 'thermostat') && maison.zones.some((z) => z.kind === 'pilot-wire'), JSON.stringify(maison.zones));
    assert.ok(maison.zones.every((z) => z.id && z.name));
    assert.ok(maison.programs.length > 0);
    assert.ok(maison.schedules.length > 0);
    assertNoSecret(res.text);
    assert.ok(!res.text.includes(DEMO.username), 'not even the e-mail address');
    assert.equal(logins(), 1);
  });

  it('the saved password serves when the form says it is unchanged (absent or __PWRD__)', async () => {
    await load([{ id: 'tab', type: 'tab' }, accountConfig(emulator)]);
    for (const credentials of [{ username: DEMO.username }, { username: DEMO.username, password: '__PWRD__' }, {}]) {
      const res = await connect({ id: 'acct', settings: settings(), credentials }).expect(200);
      assert.equal((res.body as Listing).housings.length, 2, JSON.stringify(credentials));
      assertNoSecret(res.text);
    }
  });

  it('a saved password is not sent to another login or API URL: the form must type it (nothing sent)', async () => {
    await load([{ id: 'tab', type: 'tab' }, accountConfig(emulator)]);
    const before = emulator.server.log.length;
    for (const moved of [{ authUrl: 'http://localhost:1/' }, { apiUrl: 'http://localhost:1' }]) {
      const res = await connect({ id: 'acct', settings: { ...settings(), ...moved }, credentials: { username: DEMO.username } }).expect(400);
      assert.equal((res.body as Failure).error.code, 'INVALID_INPUT');
      assert.equal((res.body as Failure).error.reason, 'password');
    }
    assert.equal(emulator.server.log.length, before);
  });

  it('a wrong password: AUTH_FAILED, with no credential in the answer', async () => {
    await load([{ id: 'tab', type: 'tab' }], {});
    const res = await connect({ id: 'x1', settings: settings(), credentials: { username: DEMO.username, password: 'Wr0ng-Secret' } }).expect(400);
    assert.equal((res.body as Failure).error.code, 'AUTH_FAILED');
    assertNoSecret(res.text, 'Wr0ng-Secret');
  });

  it('a wrong URL (plain http to another machine): INVALID_INPUT, nothing sent', async () => {
    await load([{ id: 'tab', type: 'tab' }], {});
    const before = emulator.server.log.length;
    const res = await connect({ id: 'x2', settings: { ...settings(), apiUrl: 'http://192.0.2.1' }, credentials: DEMO }).expect(400);
    assert.equal((res.body as Failure).error.code, 'INVALID_INPUT');
    assert.equal((res.body as Failure).error.reason, 'settings');
    assert.equal(emulator.server.log.length, before);
    const missing = await connect({ id: 'x3', settings: settings(), credentials: { username: DEMO.username, password: '' } }).expect(400);
    assert.deepEqual([(missing.body as Failure).error.code, (missing.body as Failure).error.reason], ['AUTH_FAILED', 'missing']);
  });

  it('refuses the sixth editor login of an account within a minute (429 RATE_LIMITED), unsent; other accounts are not held up', async () => {
    await load([{ id: 'tab', type: 'tab' }], {});
    const wrong = { username: DEMO.username, password: 'Wr0ng-Secret' };
    for (let i = 0; i < 5; i++) await connect({ id: 'rl', settings: settings(), credentials: wrong }).expect(400);
    const res = await connect({ id: 'rl', settings: settings(), credentials: wrong }).expect(429);
    assert.equal((res.body as Failure).error.code, 'RATE_LIMITED');
    assert.equal(logins(), 5);
    await connect({ id: 'rl-other', settings: settings(), credentials: DEMO }).expect(200);
  });

  it('the account deployed right after Connect with the same values takes its login: one password login in all', async () => {
    await load([{ id: 'tab', type: 'tab' }], {});
    await connect({ id: 'acct', settings: settings(), credentials: DEMO }).expect(200);
    // A second Connect with the same values (the dialog's dropdowns) costs no login either.
    await connect({ id: 'acct', settings: settings(), credentials: DEMO }).expect(200);
    assert.equal(logins(), 1);
    const flow: FlowNode[] = [
      { id: 'tab', type: 'tab' },
      accountConfig(emulator),
      { id: 'th', type: 'qivivo-thermostat-in', z: 'tab', account: 'acct', housing: '', wires: [['out']] },
      { id: 'out', type: 'helper', z: 'tab' },
    ];
    await helper.setFlows(flow, 'full', { acct: DEMO });
    const state = collect('out', 1, 8000);
    (helper.getNode('th') as unknown as { receive(msg: object): void }).receive({ topic: 'refresh' });
    await state;
    assert.equal(logins(), 1, 'the deployed account logged in again');
  });

  it('Connect on a running account with the same values is answered by its own session: no second live login', async () => {
    const flow: FlowNode[] = [
      { id: 'tab', type: 'tab' },
      accountConfig(emulator),
      { id: 'th', type: 'qivivo-thermostat-in', z: 'tab', account: 'acct', housing: '', wires: [['out']] },
      { id: 'out', type: 'helper', z: 'tab' },
    ];
    await load(flow);
    const state = collect('out', 1, 8000);
    (helper.getNode('th') as unknown as { receive(msg: object): void }).receive({ topic: 'refresh' });
    await state;
    assert.equal(logins(), 1);
    for (const credentials of [DEMO, { username: DEMO.username }]) {
      const res = await connect({ id: 'acct', settings: settings(), credentials }).expect(200);
      assert.equal((res.body as Listing).housings.length, 2);
    }
    assert.equal(logins(), 1, 'the editor logged in beside the running account');
    // Other values (another password typed) are a login of their own, closed at once.
    await connect({ id: 'acct', settings: settings(), credentials: { username: DEMO.username, password: 'Wr0ng-Secret' } }).expect(400);
    assert.equal(logins(), 2);
  });

  it('an account deployed with other values than the Connect logs in on its own', async () => {
    await load([{ id: 'tab', type: 'tab' }], {});
    await connect({ id: 'acct', settings: { ...settings(), timeout: 30 }, credentials: DEMO }).expect(200);
    const flow: FlowNode[] = [
      { id: 'tab', type: 'tab' },
      accountConfig(emulator, { clientId: COMAP_CLIENT_IDS[1] }),
      { id: 'th', type: 'qivivo-thermostat-in', z: 'tab', account: 'acct', housing: '', wires: [['out']] },
      { id: 'out', type: 'helper', z: 'tab' },
    ];
    await helper.setFlows(flow, 'full', { acct: DEMO });
    const state = collect('out', 1, 8000);
    (helper.getNode('th') as unknown as { receive(msg: object): void }).receive({ topic: 'refresh' });
    await state;
    assert.equal(logins(), 2);
  });
});

/** Every data request of the Veolia emulator answers 503 for a while (the login still works). */
function veolia5xx(emulator: VeoliaEmulator): void {
  emulator.burst(503, 10, '/espace-client');
}

describe('veolia-account: Connect from the dialog (POST /veolia-account/connect, …/connect/code)', function () {
  this.timeout(20_000);
  let emulator: VeoliaEmulator;
  const settings = () => ({ portal: 'custom', apiUrl: emulator.url, authUrl: `${emulator.url}/`, clientId: VEOLIA_CLIENT_IDS[1], timeout: 20 });
  const connect = (body: Record<string, unknown>) => helper.request().post('/veolia-account/connect').send(body);
  const code = (body: Record<string, unknown>) => helper.request().post('/veolia-account/connect/code').send(body);
  const logins = () => passwordLogins(emulator.server.log);
  const answers = () => emulator.server.log.filter((r) => String(r.headers['x-amz-target']).endsWith('RespondToAuthChallenge')).length;

  freshEmulatorEach(() => (emulator = new VeoliaEmulator()));

  it('lists the contracts with their meter, no credential echoed', async () => {
    await load([{ id: 'tab', type: 'tab' }], {});
    const res = await connect({ id: 'vnew', settings: settings(), credentials: DEMO }).expect(200);
    assert.deepEqual(res.body, { contracts: [{ id: MAIN_CONTRACT.id, meter: MAIN_CONTRACT.meter, label: MAIN_CONTRACT.label }] });
    assertNoSecret(res.text);
  });

  it('a wrong password: AUTH_FAILED; saved credentials serve when unchanged', async () => {
    const account = { id: 'vacct', type: 'veolia-account', z: 'tab', ...settings() };
    await load([{ id: 'tab', type: 'tab' }, account], { vacct: DEMO });
    const bad = await connect({ id: 'vacct', settings: settings(), credentials: { username: DEMO.username, password: 'Wr0ng-Secret' } }).expect(400);
    assert.equal((bad.body as Failure).error.code, 'AUTH_FAILED');
    const res = await connect({ id: 'vacct', settings: settings(), credentials: { username: DEMO.username, password: '__PWRD__', refreshToken: '__PWRD__' } }).expect(200);
    assert.equal((res.body as { contracts: unknown[] }).contracts.length, 1);
  });

  it('a challenged login: AUTH_CHALLENGE, a wrong code refused, the right one lists the contracts; the account deployed next needs no login and no code', async () => {
    emulator.requireCode(DEMO_USERNAME, 'EMAIL_OTP');
    await load([{ id: 'tab', type: 'tab' }], {});
    const form = { id: 'vacct', settings: settings(), credentials: DEMO };
    const asked = await connect(form).expect(400);
    assert.deepEqual([(asked.body as Failure).error.code, (asked.body as Failure).error.challenge], ['AUTH_CHALLENGE', 'EMAIL_OTP']);
    assertNoSecret(asked.text);
    const right = emulator.lastCode(DEMO_USERNAME) ?? '';
    const wrong = await code({ ...form, code: right === '000000' ? '111111' : '000000' }).expect(400);
    assert.deepEqual([(wrong.body as Failure).error.code, (wrong.body as Failure).error.reason], ['AUTH_CHALLENGE', 'code']);
    assert.equal((await code({ ...form, code: 'abc' }).expect(400)).body.error.reason, 'code');
    const res = await code({ ...form, code: right }).expect(200);
    assert.equal((res.body as { contracts: Array<{ meter: string }> }).contracts[0].meter, MAIN_CONTRACT.meter);
    assertNoSecret(res.text, right);
    assert.equal((await code({ ...form, code: right }).expect(400)).body.error.reason, 'noChallenge');
    assert.deepEqual([logins(), answers()], [1, 2]);

    const flow: FlowNode[] = [
      { id: 'tab', type: 'tab' },
      { id: 'vacct', type: 'veolia-account', z: 'tab', ...settings() },
      { id: 'w1', type: 'veolia-water-consumption', z: 'tab', account: 'vacct', contract: '', syncTime: '03:33', historyDays: 3, output: 'latest', wires: [['out'], ['err']] },
      { id: 'out', type: 'helper', z: 'tab' },
      { id: 'err', type: 'helper', z: 'tab' },
    ];
    await helper.setFlows(flow, 'full', { vacct: DEMO });
    // The first sync runs a second after start.
    await collect('out', 1, 8000);
    assert.deepEqual([logins(), answers()], [1, 2], 'the deployed account logged in or asked for a code again');
  });

  it('a running account waiting for its code answers Connect with AUTH_CHALLENGE (reason "deployed"), sending nothing', async () => {
    emulator.requireCode(DEMO_USERNAME, 'EMAIL_OTP');
    const flow: FlowNode[] = [
      { id: 'tab', type: 'tab' },
      { id: 'vacct', type: 'veolia-account', z: 'tab', ...settings() },
      { id: 'w1', type: 'veolia-water-consumption', z: 'tab', account: 'vacct', contract: '', syncTime: '03:33', historyDays: 3, output: 'latest', wires: [['out'], ['err']] },
      { id: 'out', type: 'helper', z: 'tab' },
      { id: 'err', type: 'helper', z: 'tab' },
    ];
    await load(flow, { vacct: DEMO });
    await collect('err', 1, 8000);
    const requests = emulator.server.log.length;
    const res = await connect({ id: 'vacct', settings: settings(), credentials: { username: DEMO.username } }).expect(400);
    assert.deepEqual([(res.body as Failure).error.code, (res.body as Failure).error.reason, (res.body as Failure).error.challenge], ['AUTH_CHALLENGE', 'deployed', 'EMAIL_OTP']);
    assert.equal(emulator.server.log.length, requests);
  });

  it('the service down: UNAVAILABLE (502) at once, not retried', async () => {
    await load([{ id: 'tab', type: 'tab' }], {});
    veolia5xx(emulator);
    const res = await connect({ id: 'vdown', settings: settings(), credentials: DEMO }).expect(502);
    assert.equal((res.body as Failure).error.code, 'UNAVAILABLE');
    assert.equal(emulator.server.requests('/espace-client').length, 1, 'the dialog waited for retries');
  });

  it('a code for another editor session or with no Connect first is refused (INVALID_INPUT), nothing sent', async () => {
    await load([{ id: 'tab', type: 'tab' }], {});
    const res = await code({ id: 'nobody', settings: settings(), credentials: DEMO, code: '123456' }).expect(400);
    assert.deepEqual([(res.body as Failure).error.code, (res.body as Failure).error.reason], ['INVALID_INPUT', 'noChallenge']);
    assert.equal(answers(), 0);
  });
});
