import assert from 'node:assert/strict';
import { CognitoEmulator } from '../../src/emulator/cognito';
import { EmulatorServer, json } from '../../src/emulator/http-server';
import { CognitoAuth } from '../../src/lib/cognito/auth';
import { ApiError } from '../../src/lib/http/errors';
import { Transport } from '../../src/lib/http/transport';

describe('Cognito auth', () => {
  let now = 1_000_000;
  const cognito = new CognitoEmulator(['client-1'], [{ username: 'me@example.com', password: 'secret' }], () => now);
  const server = new EmulatorServer((req) => {
    if (CognitoEmulator.handles(req)) return cognito.handle(req);
    const check = cognito.check(req.headers.authorization);
    return check.ok ? json(200, { user: check.username }) : json(401, { message: 'Unauthorized' });
  });
  let base: string;
  const make = (password = 'secret', username = 'me@example.com') =>
    new CognitoAuth(new Transport({ service: 'Test' }), { authUrl: `${base}/`, clientId: 'client-1', username, password, now: () => now });

  before(async () => {
    base = await server.start();
  });
  after(() => server.stop());
  beforeEach(() => {
    server.clearLog();
    cognito.knobs = { expiresInS: 3600, emptyBodyCount: 0, htmlBodyCount: 0, refreshDisabled: false };
    cognito.setUser({ username: 'me@example.com', password: 'secret' });
  });

  const flows = () => server.log.map((r) => (r.body as { AuthFlow?: string } | undefined)?.AuthFlow).filter(Boolean);

  it('logs in once and reuses the token until 60 s before expiry, then refreshes', async () => {
    const auth = make();
    const first = await auth.accessToken();
    assert.equal(await auth.accessToken(), first);
    now += 3540_001;
    const second = await auth.accessToken();
    assert.notEqual(second, first);
    assert.deepEqual(flows(), ['USER_PASSWORD_AUTH', 'REFRESH_TOKEN_AUTH']);
    assert.deepEqual(auth.stats, { passwordLogins: 1, refreshes: 1, challengeAnswers: 0 });
  });

  it('sends the documented headers and never the password elsewhere', async () => {
    await make().accessToken();
    const login = server.log[0];
    assert.equal(login.headers['x-amz-target'], 'AWSCognitoIdentityProviderService.InitiateAuth');
    assert.equal(login.headers['content-type'], 'application/x-amz-json-1.1');
    assert.deepEqual(login.body, { AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'me@example.com', PASSWORD: 'secret' }, ClientId: 'client-1' });
  });

  it('shares one login between concurrent callers', async () => {
    const auth = make();
    const tokens = await Promise.all(Array.from({ length: 20 }, () => auth.accessToken()));
    assert.equal(new Set(tokens).size, 1);
    assert.equal(cognito.stats.passwordLogins > 0, true);
    assert.deepEqual(flows(), ['USER_PASSWORD_AUTH']);
  });

  it('renews once when the service refuses a token, for all concurrent callers', async () => {
    const auth = make();
    await auth.accessToken();
    cognito.revokeAll();
    server.clearLog();
    const call = (token: string) =>
      new Transport({ service: 'Test' }).request({ method: 'GET', url: `${base}/data`, headers: { Authorization: `Bearer ${token}` } });
    const results = await Promise.all(Array.from({ length: 20 }, () => auth.authorised(call)));
    assert.equal(results.length, 20);
    assert.deepEqual(flows(), ['REFRESH_TOKEN_AUTH']);
  });

  it('falls back to the password when the refresh token is refused', async () => {
    const auth = make();
    await auth.accessToken();
    cognito.knobs.refreshDisabled = true;
    now += 3600_000;
    await auth.accessToken();
    assert.deepEqual(flows(), ['USER_PASSWORD_AUTH', 'REFRESH_TOKEN_AUTH', 'USER_PASSWORD_AUTH']);
  });

  async function loginError(auth: CognitoAuth): Promise<ApiError> {
    try {
      await auth.accessToken();
    } catch (err) {
      assert.ok(err instanceof ApiError);
      return err;
    }
    assert.fail('login should fail');
  }

  it('does not offer a refresh token older than the lifetime the service is known to give', async () => {
    const auth = new CognitoAuth(new Transport({ service: 'Test' }), { authUrl: `${base}/`, clientId: 'client-1', username: 'me@example.com', password: 'secret', refreshTokenMaxAgeMs: 3_600_000, now: () => now });
    await auth.accessToken();
    now += 3_600_000 + 1;
    await auth.accessToken();
    assert.deepEqual(flows(), ['USER_PASSWORD_AUTH', 'USER_PASSWORD_AUTH'], 'no request spent on a refresh token known to be dead');
  });

  it('maps wrong password and unknown user to AUTH_FAILED without echoing them', async () => {
    const wrong = await loginError(make('bad-password'));
    assert.equal(wrong.code, 'AUTH_FAILED');
    assert.ok(!wrong.message.includes('bad-password') && !wrong.message.includes('me@example.com'));
    assert.equal((await loginError(make('secret', 'nobody@example.com'))).code, 'AUTH_FAILED');
  });

  it('maps a challenge to AUTH_CHALLENGE', async () => {
    cognito.setUser({ username: 'me@example.com', password: 'secret', challenge: 'EMAIL_OTP' });
    const err = await loginError(make());
    assert.equal(err.code, 'AUTH_CHALLENGE');
    assert.match(err.message, /browser/);
  });

  it('treats an empty or HTML body as a transient failure', async () => {
    cognito.knobs.emptyBodyCount = 1;
    const empty = await loginError(make());
    assert.equal(empty.code, 'UNAVAILABLE');
    cognito.knobs.htmlBodyCount = 1;
    assert.equal((await loginError(make())).code, 'UNAVAILABLE');
    assert.ok(await make().accessToken());
  });
});

describe('Cognito auth behind a gateway page', () => {
  const server = new EmulatorServer((req) =>
    req.path === '/ok-html' ? { status: 200, raw: '<html>WAF</html>' } : { status: 403, raw: '<html>Forbidden</html>', headers: { 'Content-Type': 'text/html' } },
  );
  let base: string;
  before(async () => {
    base = await server.start();
  });
  after(() => server.stop());

  for (const path of ['/ok-html', '/forbidden-html']) {
    it(`treats an HTML answer (${path}) as UNAVAILABLE, not as a wrong password`, async () => {
      const auth = new CognitoAuth(new Transport({ service: 'Test' }), { authUrl: `${base}${path}`, clientId: 'c', username: 'u', password: 'p' });
      await assert.rejects(auth.accessToken(), (e: ApiError) => e.code === 'UNAVAILABLE');
    });
  }
});
