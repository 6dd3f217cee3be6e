import assert from 'node:assert/strict';
import type { NodeStatus } from 'node-red';
import { MAIN_CONTRACT, SECOND_CONTRACT, VEOLIA_CLIENT_IDS, VeoliaEmulator } from '../../src/emulator/veolia';
import { collect, DEMO, during, FlowNode, freshEmulatorEach, load, node } from '../support/flow';

interface AlertsMsg {
  topic?: string;
  payload: {
    contract: { id: string };
    daily: { enabled: boolean; litres: number | null };
    monthly: { enabled: boolean; m3: number | null };
    emptyHome: boolean;
    sms: boolean;
    email: boolean;
  };
}
interface ErrorMsg {
  error: { code: string; message: string; attempts: number };
}

const ID = MAIN_CONTRACT.id;
const OFF = { contract: { id: ID }, daily: { enabled: false, litres: null }, monthly: { enabled: false, m3: null }, emptyHome: false, sms: false, email: true };
const creds = { vacct: DEMO };
type Spied = { status: { args: NodeStatus[][] } };
const statuses = (id: string): NodeStatus[] => (node(id) as unknown as Spied).status.args.map((a) => a[0]);

/** veolia-alerts over HTTP against the emulator (product-spec §8.4, §4). */
describe('veolia-alerts', function () {
  this.timeout(20_000);
  let emulator: VeoliaEmulator;

  freshEmulatorEach(() => (emulator = new VeoliaEmulator()));

  function flow(extra: Record<string, unknown> = {}): FlowNode[] {
    return [
      { id: 'tab', type: 'tab' },
      { id: 'vacct', type: 'veolia-account', z: 'tab', portal: 'custom', apiUrl: emulator.url, authUrl: `${emulator.url}/`, clientId: VEOLIA_CLIENT_IDS[0] },
      { id: 'a1', type: 'veolia-alerts', z: 'tab', account: 'vacct', contract: '', retries: 1, retryDelay: 90, wires: [['out'], ['err']], ...extra },
      { id: 'out', type: 'helper', z: 'tab' },
      { id: 'err', type: 'helper', z: 'tab' },
    ];
  }

  async function send(payload: unknown, extra: Record<string, unknown> = {}): Promise<AlertsMsg> {
    const out = collect<AlertsMsg>('out', 1, 8000);
    node('a1').receive({ payload, topic: 'alerts', ...extra });
    return (await out)[0];
  }

  const posts = () => emulator.server.requests('/alertes', 'POST').map((r) => r.body as Record<string, { seuil?: number } | string | undefined>);
  const api = () => emulator.server.log.filter((r) => r.path !== '/').map((r) => `${r.method} ${r.path}`);

  it('reads no alert (204) as all off, on "get" and on any non-object', async () => {
    await load(flow(), creds);
    const msg = await send('get');
    assert.deepEqual(msg.payload, OFF);
    assert.equal(msg.topic, 'alerts', 'the input message goes on');
    emulator.server.clearLog();
    assert.deepEqual((await send(Date.now())).payload, OFF);
    assert.deepEqual(api(), [`GET /alertes/${MAIN_CONTRACT.pds}`], 'a read is one request once the contract is known');
    // The test runtime shows catalog keys: the texts themselves are checked by the e2e suite.
    assert.deepEqual(statuses('a1').at(-1), { fill: 'green', shape: 'dot', text: 'veolia-alerts.status.none' });
  });

  it('reads the thresholds Veolia holds', async () => {
    emulator.alerts.set(ID, { dailyLitres: 180, monthlyM3: 9, sms: true });
    await load(flow(), creds);
    const msg = await send('get');
    assert.deepEqual(msg.payload, { ...OFF, daily: { enabled: true, litres: 180 }, monthly: { enabled: true, m3: 9 }, sms: true });
    assert.equal(statuses('a1').at(-1)?.text, '180 L · 9 m³');
  });

  it('sets the daily alert only and keeps the monthly one (read, post the whole set, read back)', async () => {
    emulator.alerts.set(ID, { monthlyM3: 5 });
    await load(flow(), creds);
    await send('get');
    emulator.server.clearLog();
    const msg = await send({ daily: { enabled: true, litres: 250 } });
    assert.deepEqual(msg.payload, { ...OFF, daily: { enabled: true, litres: 250 }, monthly: { enabled: true, m3: 5 } });
    // The contract's contact and tier come from the contract list the account already holds: no second listing.
    assert.deepEqual(api(), [`GET /alertes/${MAIN_CONTRACT.pds}`, `POST /alertes/${MAIN_CONTRACT.pds}`, `GET /alertes/${MAIN_CONTRACT.pds}`]);
    const [body] = posts();
    assert.equal((body.alerte_mensuelle as { seuil: number }).seuil, 5, 'the monthly alert is posted again, or Veolia would switch it off');
    assert.equal((body.alerte_journaliere as { seuil: number }).seuil, 250);
    assert.equal(emulator.alerts.settings(ID)?.seuils?.mensuel?.valeur, 5);
  });

  it('marks the home empty (daily alert at 0 L) and back', async () => {
    emulator.alerts.set(ID, { dailyLitres: 300, monthlyM3: 4 });
    await load(flow(), creds);
    const empty = await send({ emptyHome: true });
    assert.deepEqual(empty.payload, { ...OFF, emptyHome: true, monthly: { enabled: true, m3: 4 } });
    assert.equal((posts()[0].alerte_journaliere as { seuil: number }).seuil, 0);
    assert.equal(statuses('a1').at(-1)?.text, '⌂ · 4 m³');
    const back = await send({ emptyHome: false, daily: { litres: 200 } });
    assert.deepEqual(back.payload, { ...OFF, daily: { enabled: true, litres: 200 }, monthly: { enabled: true, m3: 4 } });
  });

  it('sets another contract than the first when the node names it', async () => {
    emulator.state.addContract();
    await load(flow({ contract: SECOND_CONTRACT.id }), creds);
    const msg = await send({ monthly: { enabled: true, m3: 3 }, sms: true });
    assert.deepEqual(msg.payload, { ...OFF, contract: { id: SECOND_CONTRACT.id }, monthly: { enabled: true, m3: 3 }, sms: true });
    assert.equal(emulator.alerts.settings(ID), undefined, 'the first contract is untouched');
  });

  for (const bad of [{ daily: { enabled: true, litres: 50 } }, { monthly: { m3: 0 } }, { email: false }, { daily: { enabled: true } }, { bogus: true }, {}, [1], { emptyHome: true, daily: { litres: 200 } }]) {
    it(`refuses ${JSON.stringify(bad)} with INVALID_INPUT and posts nothing`, async () => {
      await load(flow(), creds);
      const err = collect<ErrorMsg>('err', 1);
      node('a1').receive({ payload: bad });
      const [msg] = await err;
      assert.equal(msg.error.code, 'INVALID_INPUT');
      assert.equal(msg.error.attempts, 1);
      assert.deepEqual(await during('out', 100), []);
      assert.deepEqual(posts(), []);
      assert.equal(emulator.server.log.length, 0, 'no request at all');
    });
  }

  it('retries a change hit by a 503 burst after the retry delay, then succeeds', async () => {
    await load(flow({ retries: 2, retryDelay: 1 }), creds);
    await send('get');
    emulator.burst(503, 2, '/alertes');
    const msg = await send({ daily: { litres: 120 } });
    assert.deepEqual(msg.payload.daily, { enabled: true, litres: 120 });
    assert.ok(statuses('a1').some((s) => s.fill === 'yellow' && s.shape === 'ring'), 'yellow ring while waiting');
    assert.equal(posts().length, 1, 'posted once, after the failed reads');
  });

  it('reports UNAVAILABLE once its retries are spent', async () => {
    await load(flow({ retries: 1, retryDelay: 1 }), creds);
    await send('get');
    emulator.burst(503, 10, '/alertes');
    const err = collect<ErrorMsg>('err', 1, 8000);
    node('a1').receive({ payload: { sms: true } });
    const [msg] = await err;
    assert.equal(msg.error.code, 'UNAVAILABLE');
    assert.equal(msg.error.attempts, 2);
  });

  it('says NOT_FOUND for a contract the account does not have, posting nothing', async () => {
    await load(flow({ contract: '1999999' }), creds);
    const err = collect<ErrorMsg>('err', 1);
    node('a1').receive({ payload: { sms: true } });
    assert.equal((await err)[0].error.code, 'NOT_FOUND');
    assert.deepEqual(posts(), []);
  });

  it('answers a login challenge with msg.payload {code}, then reads as usual without a new password login', async () => {
    emulator.requireEmailCode(DEMO.username);
    await load(flow(), creds);
    const challenged = collect<ErrorMsg & { error: { challenge?: string } }>('err', 1);
    node('a1').receive({ payload: 'get' });
    assert.equal((await challenged)[0].error.code, 'AUTH_CHALLENGE');
    const code = emulator.lastCode(DEMO.username);
    assert.ok(code, 'the emulator "sent" a code');
    emulator.requireEmailCode(DEMO.username, false);
    node('a1').receive({ payload: { code } });
    assert.deepEqual(await during('out', 300), [], 'a code reads nothing');
    assert.deepEqual(posts(), []);
    assert.deepEqual((await send('get')).payload, OFF);
    assert.equal(emulator.cognito.stats.passwordLogins, 1, 'no new password login after the code');
  });

  it('refuses a malformed code with INVALID_INPUT, sending nothing', async () => {
    await load(flow(), creds);
    const err = collect<ErrorMsg>('err', 1);
    node('a1').receive({ payload: { code: 'abc' } });
    assert.equal((await err)[0].error.code, 'INVALID_INPUT');
    assert.equal(emulator.server.log.length, 0);
  });

  it('after a refused login makes no further login; msg.topic "login" lets it try again', async () => {
    await load(flow(), { vacct: { username: DEMO.username, password: 'wrong' } });
    const logins = () => emulator.cognito.stats.passwordLogins;
    const first = collect<ErrorMsg>('err', 1);
    node('a1').receive({ payload: 'get' });
    assert.equal((await first)[0].error.code, 'AUTH_FAILED');
    const second = collect<ErrorMsg>('err', 1);
    node('a1').receive({ payload: 'get' });
    assert.equal((await second)[0].error.code, 'AUTH_FAILED');
    assert.equal(logins(), 1, 'no login for an ordinary message');
    node('a1').receive({ topic: 'login' });
    assert.deepEqual(await during('out', 100), [], 'nothing is read for "login"');
    const third = collect<ErrorMsg>('err', 1);
    node('a1').receive({ payload: 'get' });
    assert.equal((await third)[0].error.code, 'AUTH_FAILED');
    assert.equal(logins(), 2, '"login" allowed one new attempt');
  });
});
