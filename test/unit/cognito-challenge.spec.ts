import assert from 'node:assert/strict';
import { CognitoEmulator } from '../../src/emulator/cognito';
import { EmulatorServer, json } from '../../src/emulator/http-server';
import { CognitoAuth, CognitoSettings } from '../../src/lib/cognito/auth';
import { ApiError } from '../../src/lib/http/errors';
import { Transport } from '../../src/lib/http/transport';

/** Product-spec §8.1: a challenged login waits for its code; a refresh token replaces the password. */
describe('Cognito auth: challenges, codes and refresh-token sign-in', () => {
  let now = 5_000_000;
  const USER = 'me@example.com';
  const cognito = new CognitoEmulator(['client-1'], [{ username: USER, password: 'secret' }], () => now, { refreshTokenLifetimeS: 3600 });
  const server = new EmulatorServer((req) => (CognitoEmulator.handles(req) ? cognito.handle(req) : json(404, {})));
  let base: string;
  const make = (extra: Partial<CognitoSettings> = {}) =>
    new CognitoAuth(new Transport({ service: 'Test' }), { authUrl: `${base}/`, clientId: 'client-1', username: USER, password: 'secret', now: () => now, ...extra });
  const targets = () => server.log.map((r) => String(r.headers['x-amz-target']).split('.').pop());
  const flows = () => server.log.map((r) => (r.body as { AuthFlow?: string }).AuthFlow ?? 'answer');
  const challengeWith = (challenge: string, acceptsNoCode = false) => cognito.setUser({ username: USER, password: 'secret', challenge, acceptsNoCode });

  async function failure(promise: Promise<unknown>): Promise<ApiError> {
    try {
      await promise;
    } catch (err) {
      assert.ok(err instanceof ApiError);
      return err;
    }
    return assert.fail('should have failed');
  }

  before(async () => {
    base = await server.start();
  });
  after(() => server.stop());
  beforeEach(() => {
    server.clearLog();
    cognito.setUser({ username: USER, password: 'secret' });
  });

  for (const [challenge, key] of [
    ['EMAIL_OTP', 'EMAIL_OTP_CODE'],
    ['SMS_MFA', 'SMS_MFA_CODE'],
  ] as const) {
    it(`keeps a ${challenge} challenge, answers it with ${key} and logs in without a second password login`, async () => {
      challengeWith(challenge);
      const auth = make();
      const err = await failure(auth.accessToken());
      assert.equal(err.code, 'AUTH_CHALLENGE');
      assert.equal(err.challenge, challenge);
      assert.match(err.message, new RegExp(challenge));
      assert.equal(auth.pendingChallenge?.name, challenge);
      assert.equal(auth.pendingChallenge?.at, now);
      // Logins stay stopped while the code is awaited.
      assert.equal((await failure(auth.accessToken())).code, 'AUTH_CHALLENGE');
      await auth.answerChallenge(cognito.lastCode(USER) ?? '');
      const answer = server.log[1];
      assert.equal(answer.headers['x-amz-target'], 'AWSCognitoIdentityProviderService.RespondToAuthChallenge');
      const body = answer.body as { ChallengeName: string; ClientId: string; Session: string; ChallengeResponses: Record<string, string> };
      assert.equal(body.ChallengeName, challenge);
      assert.equal(body.ClientId, 'client-1');
      assert.ok(body.Session.length > 20);
      assert.deepEqual(body.ChallengeResponses, { USERNAME: USER, [key]: cognito.lastCode(USER) });
      assert.equal(auth.problem, undefined);
      assert.equal(auth.pendingChallenge, undefined);
      assert.ok(await auth.accessToken());
      // After the access token expires, the refresh token from the code login is used.
      now += 3550_000;
      await auth.accessToken();
      assert.deepEqual(flows(), ['USER_PASSWORD_AUTH', 'answer', 'REFRESH_TOKEN_AUTH']);
      assert.deepEqual(auth.stats, { passwordLogins: 1, refreshes: 1, challengeAnswers: 1 });
    });
  }

  it('keeps the challenge after a wrong code, so the right one still works', async () => {
    challengeWith('EMAIL_OTP');
    const auth = make();
    await failure(auth.accessToken());
    const code = cognito.lastCode(USER) ?? '';
    const wrong = await failure(auth.answerChallenge(code === '000000' ? '111111' : '000000'));
    assert.equal(wrong.code, 'AUTH_CHALLENGE');
    assert.equal(wrong.challenge, 'EMAIL_OTP');
    assert.match(wrong.message, /wrong/);
    assert.equal(auth.pendingChallenge?.name, 'EMAIL_OTP');
    await auth.answerChallenge(code);
    assert.ok(await auth.accessToken());
    assert.equal(auth.stats.passwordLogins, 1);
  });

  it('drops a stale challenge (Session over 3 min): "too old, ask for a new login", and no login until then', async () => {
    challengeWith('SMS_MFA');
    const auth = make();
    await failure(auth.accessToken());
    now += 181_000;
    const stale = await failure(auth.answerChallenge(cognito.lastCode(USER) ?? ''));
    assert.equal(stale.code, 'AUTH_CHALLENGE');
    assert.match(stale.message, /too old.*new login/);
    assert.equal(auth.pendingChallenge, undefined);
    assert.equal(auth.problem, stale);
    const requests = server.log.length;
    assert.equal((await failure(auth.accessToken())).code, 'AUTH_CHALLENGE');
    assert.equal((await failure(auth.answerChallenge('123456'))).code, 'INVALID_INPUT');
    assert.equal(server.log.length, requests, 'no request after a stale code until the user asks for a new login');
    auth.resume();
    await failure(auth.accessToken());
    assert.deepEqual(flows(), ['USER_PASSWORD_AUTH', 'answer', 'USER_PASSWORD_AUTH']);
  });

  it('with a challenge that accepts no code: every code refused, never a password login in between', async () => {
    challengeWith('SMS_MFA', true);
    const auth = make();
    await failure(auth.accessToken());
    for (let i = 0; i < 3; i++) assert.equal((await failure(auth.answerChallenge(cognito.lastCode(USER) ?? ''))).code, 'AUTH_CHALLENGE');
    // The emulated pool takes 3 wrong codes per Session, then calls it over.
    assert.match((await failure(auth.answerChallenge('123456'))).message, /too old/);
    assert.deepEqual(flows(), ['USER_PASSWORD_AUTH', 'answer', 'answer', 'answer', 'answer']);
  });

  it('refuses a malformed code or one nobody asked for, without a request', async () => {
    const auth = make();
    assert.equal((await failure(auth.answerChallenge('123456'))).code, 'INVALID_INPUT');
    challengeWith('EMAIL_OTP');
    await failure(auth.accessToken());
    for (const bad of ['', '12', 'abcdef', '123456789', '12 34 56 78 9']) assert.equal((await failure(auth.answerChallenge(bad))).code, 'INVALID_INPUT', bad);
    assert.deepEqual(targets(), ['InitiateAuth']);
  });

  describe('with a pasted refresh token', () => {
    async function pastedToken(): Promise<string> {
      const donor = make();
      await donor.accessToken();
      const token = donor.saved()?.refreshToken;
      assert.ok(token);
      server.clearLog();
      return token;
    }

    it('signs in with REFRESH_TOKEN_AUTH only and never sends the password, even when challenged', async () => {
      const token = await pastedToken();
      challengeWith('SMS_MFA', true);
      const auth = make({ password: '', refreshToken: token });
      assert.ok(await auth.accessToken());
      now += 3600_000 - 30_000;
      assert.ok(await auth.accessToken());
      assert.deepEqual(flows(), ['REFRESH_TOKEN_AUTH', 'REFRESH_TOKEN_AUTH']);
      for (const r of server.log) {
        assert.deepEqual(r.body, { AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: token }, ClientId: 'client-1' });
        assert.ok(!JSON.stringify(r.body).includes('secret'));
      }
      assert.equal(auth.stats.passwordLogins, 0);
    });

    it('says the refresh token expired when it is refused, and stops logins until the user acts', async () => {
      const token = await pastedToken();
      now += 3601_000;
      const auth = make({ refreshToken: token });
      const err = await failure(auth.accessToken());
      assert.equal(err.code, 'AUTH_FAILED');
      assert.match(err.message, /the refresh token expired: paste a new one/);
      await failure(auth.accessToken());
      assert.deepEqual(flows(), ['REFRESH_TOKEN_AUTH'], 'one refused attempt, no password fallback');
    });
  });

  it('gives its tokens to keep and takes them back without a request', async () => {
    const auth = make();
    const seen: unknown[] = [];
    auth.watchTokens((t) => seen.push(t));
    const token = await auth.accessToken();
    const saved = auth.saved();
    assert.equal(saved?.accessToken, token);
    assert.deepEqual(seen, [saved]);
    server.clearLog();
    const again = make();
    again.restore(saved ?? assert.fail());
    assert.equal(await again.accessToken(), token);
    now += 3550_000;
    await again.accessToken();
    assert.deepEqual(flows(), ['REFRESH_TOKEN_AUTH']);
  });
});
