import assert from 'node:assert/strict';
import { CognitoEmulator } from '../../src/emulator/cognito';
import { EmulatorServer, json } from '../../src/emulator/http-server';
import { CognitoAuth } from '../../src/lib/cognito/auth';
import { ApiError } from '../../src/lib/http/errors';
import { Transport } from '../../src/lib/http/transport';

/** Product-spec §4.1: wrong credentials stop automatic logins until the user acts. */
describe('Cognito auth: logins stop after a refused one', () => {
  const cognito = new CognitoEmulator(['client-1'], [{ username: 'me@example.com', password: 'secret' }], () => Date.now());
  const server = new EmulatorServer((req) => (CognitoEmulator.handles(req) ? cognito.handle(req) : json(404, {})));
  let base: string;
  const make = (password: string) => new CognitoAuth(new Transport({ service: 'Test' }), { authUrl: `${base}/`, clientId: 'client-1', username: 'me@example.com', password });

  before(async () => {
    base = await server.start();
  });
  after(() => server.stop());
  beforeEach(() => server.clearLog());

  it('makes no further password login after AUTH_FAILED until resume(), and tells its watchers', async () => {
    const auth = make('wrong');
    const told: Array<string | undefined> = [];
    auth.watch((problem) => told.push(problem?.code));
    for (let i = 0; i < 5; i++) {
      await assert.rejects(auth.accessToken(), (err: ApiError) => err.code === 'AUTH_FAILED');
    }
    assert.equal(server.log.length, 1, 'one login, whatever the number of callers after it');
    assert.equal(auth.problem?.code, 'AUTH_FAILED');
    auth.resume();
    await assert.rejects(auth.accessToken(), (err: ApiError) => err.code === 'AUTH_FAILED');
    assert.equal(server.log.length, 2, 'resume allows one new attempt');
    assert.deepEqual(told, ['AUTH_FAILED', undefined, 'AUTH_FAILED']);
  });

  it('also stops after a challenge, and not after a passing trouble', async () => {
    cognito.setUser({ username: 'me@example.com', password: 'secret', challenge: 'EMAIL_OTP' });
    const challenged = make('secret');
    await assert.rejects(challenged.accessToken(), (err: ApiError) => err.code === 'AUTH_CHALLENGE');
    await assert.rejects(challenged.accessToken(), (err: ApiError) => err.code === 'AUTH_CHALLENGE');
    assert.equal(server.log.length, 1);
    cognito.setUser({ username: 'me@example.com', password: 'secret' });
    cognito.knobs.htmlBodyCount = 1;
    const troubled = make('secret');
    await assert.rejects(troubled.accessToken(), (err: ApiError) => err.code === 'UNAVAILABLE');
    assert.equal(troubled.problem, undefined);
    assert.ok(await troubled.accessToken());
  });
});
