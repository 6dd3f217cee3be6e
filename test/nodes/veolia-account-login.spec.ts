import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeStatus } from 'node-red';
import { DEMO_USERNAME, VEOLIA_CLIENT_IDS, VeoliaEmulator } from '../../src/emulator/veolia';
import { collect, DEMO, during, FlowNode, freshEmulatorEach, helper, load, node } from '../support/flow';

/** Spec §8.1 in Node-RED: a challenged Veolia login, its code from the dialog or a flow, kept tokens. */

interface ErrorMsg {
  error: { code: string; message: string; challenge?: string; cause?: { challenge?: string } };
}
interface DayMsg {
  payload: { date: string; litres: number };
}

const creds = { vacct: DEMO };
type Spied = { status: { lastCall?: { args: NodeStatus[] } } };
const lastStatus = (id: string): NodeStatus | undefined => (node(id) as unknown as Spied).status.lastCall?.args[0];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('veolia-account: challenged logins and codes', function () {
  this.timeout(20_000);
  let emulator: VeoliaEmulator;

  const flow = (): FlowNode[] => [
    { id: 'tab', type: 'tab' },
    { id: 'vacct', type: 'veolia-account', z: 'tab', portal: 'custom', apiUrl: emulator.url, authUrl: `${emulator.url}/`, clientId: VEOLIA_CLIENT_IDS[1] },
    { id: 'w1', type: 'veolia-water-consumption', z: 'tab', account: 'vacct', contract: '', syncTime: '03:33', historyDays: 3, output: 'latest', wires: [['out1'], ['err1']] },
    // No error output wired: its failures go to the Catch node.
    { id: 'w2', type: 'veolia-water-consumption', z: 'tab', account: 'vacct', contract: '', syncTime: '03:33', historyDays: 3, output: 'latest', wires: [['out2']] },
    { id: 'out1', type: 'helper', z: 'tab' },
    { id: 'err1', type: 'helper', z: 'tab' },
    { id: 'out2', type: 'helper', z: 'tab' },
    { id: 'catcher', type: 'catch', z: 'tab', scope: ['w2'], uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'tab' },
    { id: 'completer', type: 'complete', z: 'tab', scope: ['w1'], uncaught: false, wires: [['completed']] },
    { id: 'completed', type: 'helper', z: 'tab' },
  ];
  const passwordLogins = () => emulator.server.log.filter((r) => (r.body as { AuthFlow?: string } | undefined)?.AuthFlow === 'USER_PASSWORD_AUTH').length;
  const answers = () => emulator.server.log.filter((r) => String(r.headers['x-amz-target']).endsWith('RespondToAuthChallenge')).length;

  /** Loads the flow with a challenged user and waits for both nodes' first (refused) sync. */
  async function challenged(challenge = 'EMAIL_OTP'): Promise<{ err: ErrorMsg; caught: ErrorMsg }> {
    emulator.requireCode(DEMO_USERNAME, challenge);
    await load(flow(), creds);
    // The first sync waits a second after start.
    const err = collect<ErrorMsg>('err1', 1, 8000);
    const caught = collect<ErrorMsg>('caught', 1, 8000);
    return { err: (await err)[0], caught: (await caught)[0] };
  }

  freshEmulatorEach(() => (emulator = new VeoliaEmulator()));

  for (const [challenge, channel] of [
    ['EMAIL_OTP', 'email'],
    ['SMS_MFA', 'sms'],
  ] as const) {
    it(`${challenge}: "code needed (${channel})" on every node, AUTH_CHALLENGE with msg.error.challenge on the error output and to Catch`, async () => {
      const { err, caught } = await challenged(challenge);
      assert.equal(err.error.code, 'AUTH_CHALLENGE');
      assert.equal(err.error.challenge, challenge);
      assert.equal(err.error.message, `veolia-account.login.challenge${channel === 'email' ? 'Email' : 'Sms'}`);
      assert.equal(caught.error.code, 'AUTH_CHALLENGE');
      assert.equal(caught.error.cause?.challenge, challenge, 'Node-RED hands Catch nodes `cause`, not other fields');
      for (const id of ['w1', 'w2']) assert.deepEqual(lastStatus(id), { fill: 'red', shape: 'ring', text: `shared.status.code.${channel}` }, id);
      assert.equal(passwordLogins(), 1);
      const res = await helper.request().get('/veolia-account/vacct/login').expect(200);
      assert.deepEqual(res.body, { deployed: true, problem: { code: 'AUTH_CHALLENGE', challenge, message: err.error.message } });
    });
  }

  it('the dialog\'s code (POST …/code) logs in and every water node syncs at once, without another password login', async () => {
    await challenged();
    const days1 = collect<DayMsg>('out1', 1, 8000);
    const days2 = collect<DayMsg>('out2', 1, 8000);
    const res = await helper.request().post('/veolia-account/vacct/code').send({ code: emulator.lastCode(DEMO_USERNAME) }).expect(200);
    assert.deepEqual(res.body, { ok: true });
    assert.ok((await days1)[0].payload.litres > 0);
    assert.ok((await days2)[0].payload.litres > 0);
    assert.equal(passwordLogins(), 1);
    assert.equal(answers(), 1);
    await until(() => lastStatus('w1')?.fill === 'green' && lastStatus('w2')?.fill === 'green', 'green statuses');
    assert.deepEqual((await helper.request().get('/veolia-account/vacct/login').expect(200)).body, { deployed: true, problem: null });
    // An account not deployed yet answers plainly (the dialog opens before the first deploy).
    assert.deepEqual((await helper.request().get('/veolia-account/not-deployed/login').expect(200)).body, { deployed: false, problem: null });
  });

  it('a wrong code is refused with its reason, the right one still works; more than 5 a minute are refused unsent', async () => {
    await challenged();
    const right = emulator.lastCode(DEMO_USERNAME) ?? '';
    const wrong = right === '000000' ? '111111' : '000000';
    const res = await helper.request().post('/veolia-account/vacct/code').send({ code: wrong }).expect(400);
    assert.deepEqual(res.body, { error: { code: 'AUTH_CHALLENGE', message: 'veolia-account.login.codeWrong', challenge: 'EMAIL_OTP' } });
    assert.equal((await helper.request().post('/veolia-account/vacct/code').send({ code: 'abc' }).expect(400)).body.error.code, 'INVALID_INPUT');
    await helper.request().post('/veolia-account/vacct/code').send({ code: right }).expect(200);
    // No challenge now: INVALID_INPUT, nothing sent.
    assert.equal((await helper.request().post('/veolia-account/vacct/code').send({ code: right }).expect(400)).body.error.code, 'INVALID_INPUT');
    assert.equal(answers(), 2);
    assert.equal((await helper.request().post('/veolia-account/unknown/code').send({ code: right }).expect(404)).body.error.code, 'NOT_DEPLOYED');
  });

  it('refuses the sixth code within a minute without sending it', async () => {
    emulator.requireCode(DEMO_USERNAME, 'SMS_MFA', { acceptsNoCode: true });
    emulator.cognito.maxCodeAttempts = 10;
    await load(flow(), creds);
    await collect<ErrorMsg>('err1', 1, 8000);
    for (let i = 0; i < 5; i++) await helper.request().post('/veolia-account/vacct/code').send({ code: '123456' }).expect(400);
    const res = await helper.request().post('/veolia-account/vacct/code').send({ code: '123456' }).expect(429);
    assert.equal(res.body.error.code, 'RATE_LIMITED');
    assert.equal(answers(), 5);
  });

  it('msg.payload = {code} from a flow answers the challenge: done() once, both nodes sync, one sync each', async () => {
    await challenged();
    const days1 = collect<DayMsg>('out1', 1, 8000);
    const days2 = collect<DayMsg>('out2', 1, 8000);
    const completed = collect('completed', 1, 8000);
    node('w1').receive({ payload: { code: emulator.lastCode(DEMO_USERNAME) } });
    await Promise.all([days1, days2, completed]);
    assert.equal(passwordLogins(), 1);
    const extra = await during<DayMsg>('out1', 300);
    assert.equal(extra.length, 0, 'the code message starts no sync of its own');
  });

  it('an invalid code from a flow is INVALID_INPUT on the error output, nothing sent', async () => {
    await challenged();
    const requests = emulator.server.log.length;
    for (const code of ['12ab56', '', 123]) {
      const err = collect<ErrorMsg>('err1', 1);
      node('w1').receive({ payload: { code } });
      assert.equal((await err)[0].error.code, 'INVALID_INPUT', String(code));
    }
    assert.equal(emulator.server.log.length, requests);
  });

  describe('tokens across restarts', () => {
    let userDir: string;
    beforeEach(() => {
      userDir = mkdtempSync(join(tmpdir(), 'qv-userdir-'));
      helper.settings({ userDir, credentialSecret: 'test-credential-secret' });
    });
    afterEach(() => {
      helper.settings({});
      rmSync(userDir, { recursive: true, force: true });
    });

    it('after a code, a restart makes no new password login while the token lives; deleting the account removes its file', async () => {
      await challenged();
      const days = collect<DayMsg>('out1', 1, 8000);
      await helper.request().post('/veolia-account/vacct/code').send({ code: emulator.lastCode(DEMO_USERNAME) }).expect(200);
      await days;
      const files = readdirSync(join(userDir, '.qivivo-veolia'));
      assert.deepEqual(files, ['veolia-vacct.tokens']);
      const raw = readFileSync(join(userDir, '.qivivo-veolia', files[0]), 'utf8');
      assert.ok(!raw.includes('"accessToken"') && !raw.includes(DEMO_USERNAME));
      // Restart: the runtime stops, a new one loads the same flow and credentials.
      await helper.unload();
      const logins = passwordLogins();
      await load(flow(), creds);
      await collect<DayMsg>('out1', 1, 8000);
      assert.equal(passwordLogins(), logins, 'no password login after the restart');
      // Its tokens go with it.
      // Deleted from the flow (Node-RED closes a removed node with removed = true).
      await (node('vacct') as unknown as { close(removed: boolean): Promise<void> }).close(true);
      await until(() => !existsSync(join(userDir, '.qivivo-veolia', files[0])), 'the token file removed');
    });

    it('new credentials do not take the old tokens', async () => {
      await challenged();
      await helper.request().post('/veolia-account/vacct/code').send({ code: emulator.lastCode(DEMO_USERNAME) }).expect(200);
      await helper.unload();
      emulator.requireCode(DEMO_USERNAME, undefined);
      const logins = passwordLogins();
      await load(flow(), { vacct: { ...DEMO, refreshToken: '', username: DEMO.username.toUpperCase() } });
      await collect<DayMsg>('out1', 1, 8000);
      assert.equal(passwordLogins(), logins + 1);
    });
  });
});
