import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_PASSWORD, DEMO_USER, DEMO_USERNAME, VEOLIA_CLIENT_IDS, VeoliaEmulator } from '../../src/emulator/veolia';
import type { NodeAPI } from 'node-red';
import { TokenFile } from '../../src/lib/cognito/token-file';
import { keptTokensFile } from '../../src/nodes/veolia-account/kept-tokens';
import { ApiError } from '../../src/lib/http/errors';
import { createVeoliaSession, VeoliaSession } from '../../src/lib/veolia/water';

/** Spec §8.1 against the Veolia emulator: codes, refresh-token sign-in, login economy, kept tokens. */
describe('Veolia logins', () => {
  let clock = Date.parse('2026-11-23T06:00:00Z');
  let emu: VeoliaEmulator;
  let url: string;

  const connect = (extra: { password?: string; refreshToken?: string } = {}): VeoliaSession =>
    createVeoliaSession({
      portal: 'custom',
      apiUrl: url,
      authUrl: `${url}/`,
      clientId: VEOLIA_CLIENT_IDS[1],
      username: DEMO_USERNAME,
      password: extra.password ?? DEMO_PASSWORD,
      refreshToken: extra.refreshToken,
      now: () => clock,
      water: { retry: { sleep: () => Promise.resolve() } },
    });
  const passwordLogins = () => emu.server.log.filter((r) => (r.body as { AuthFlow?: string } | undefined)?.AuthFlow === 'USER_PASSWORD_AUTH').length;

  async function code(promise: Promise<unknown>): Promise<string> {
    try {
      await promise;
    } catch (err) {
      assert.ok(err instanceof ApiError);
      return err.code;
    }
    return 'ok';
  }

  beforeEach(async () => {
    emu = new VeoliaEmulator({ now: () => clock, users: [DEMO_USER] });
    url = await emu.start();
  });
  afterEach(() => emu.stop());

  it('Toulouse SMS_MFA: the sync fails with AUTH_CHALLENGE, the code unlocks it, and days come without another password login', async () => {
    emu.requireCode(DEMO_USERNAME, 'SMS_MFA');
    const session = connect();
    assert.equal(await code(session.water.sync(undefined, { historyDays: 3 })), 'AUTH_CHALLENGE');
    assert.equal(await code(session.water.sync(undefined, { historyDays: 3 })), 'AUTH_CHALLENGE');
    assert.equal(passwordLogins(), 1, 'one password login, whatever the number of syncs after it');
    await session.auth.answerChallenge(emu.lastCode(DEMO_USERNAME) ?? '');
    const result = await session.water.sync(undefined, { historyDays: 3 });
    assert.ok(result.days.length > 0);
    assert.equal(passwordLogins(), 1);
  });

  it('one password login per daily sync at most, over a week of daily syncs with 1 h refresh tokens', async () => {
    const session = connect();
    for (let day = 0; day < 7; day++) {
      await session.water.sync(undefined, { historyDays: 3 });
      await session.water.sync(undefined, { historyDays: 3 });
      clock += 86_400_000;
    }
    assert.equal(passwordLogins(), 7);
  });

  it('with a refresh token: REFRESH_TOKEN_AUTH only, the password never sent (not even an empty one)', async () => {
    const donor = connect();
    await donor.water.sync(undefined, { historyDays: 3 });
    const token = donor.auth.saved()?.refreshToken ?? assert.fail('no refresh token');
    emu.server.clearLog();
    emu.requireCode(DEMO_USERNAME, 'SMS_MFA', { acceptsNoCode: true });
    const session = connect({ password: '', refreshToken: token });
    assert.ok((await session.water.sync(undefined, { historyDays: 3 })).days.length > 0);
    const logins = emu.server.log.filter((r) => r.method === 'POST');
    assert.ok(logins.length >= 1);
    for (const r of logins) {
      const body = JSON.stringify(r.body);
      assert.ok(!body.includes(DEMO_PASSWORD) && !body.includes('PASSWORD') && body.includes('REFRESH_TOKEN_AUTH'), body);
    }
    clock += 3601_000;
    assert.equal(await code(session.water.sync(undefined, { historyDays: 3 })), 'AUTH_FAILED');
    assert.match(session.auth.problem?.message ?? '', /refresh token expired: paste a new one/);
    assert.equal(passwordLogins(), 0);
  });

  it('a session without a password is accepted only with a refresh token', () => {
    assert.throws(() => connect({ password: '' }), (err: ApiError) => err.code === 'AUTH_FAILED');
    assert.ok(connect({ password: '', refreshToken: 'pasted' }));
  });

  describe('tokens kept in a sealed file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qv-tokens-'));
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('gives them back to the same credentials only, and never holds them in plain text', () => {
      const path = join(dir, 'a.tokens');
      const tokens = { accessToken: 'access-abcdef123456', expiresAt: 42, refreshToken: 'refresh-abcdef123456', refreshTokenAt: 41 };
      new TokenFile(path, 'secret-1', ['me@example.com', 'pw']).write(tokens);
      const raw = readFileSync(path, 'utf8');
      for (const secret of ['access-abcdef123456', 'refresh-abcdef123456', 'me@example.com', 'pw"']) assert.ok(!raw.includes(secret), secret);
      assert.deepEqual(new TokenFile(path, 'secret-1', ['me@example.com', 'pw']).read(), tokens);
      assert.equal(new TokenFile(path, 'secret-1', ['me@example.com', 'new password']).read(), undefined, 'credentials changed');
      assert.equal(new TokenFile(path, 'secret-2', ['me@example.com', 'pw']).read(), undefined, 'another credential secret');
      new TokenFile(path, 'secret-1', ['me@example.com', 'pw']).write(undefined);
      assert.equal(new TokenFile(path, 'secret-1', ['me@example.com', 'pw']).read(), undefined);
    });

    it("keys the file with settings.js's credentialSecret, else the runtime's generated one; none with credentialSecret: false", () => {
      const red = (settings: Record<string, unknown>) => ({ settings }) as unknown as NodeAPI;
      const tokens = { accessToken: 'a', expiresAt: 1 };
      const own = keptTokensFile(red({ userDir: dir, credentialSecret: 'mine' }), 'acct-1', ['x']);
      own?.write(tokens);
      assert.equal(own?.path, join(dir, '.qivivo-veolia', 'veolia-acct-1.tokens'));
      assert.deepEqual(new TokenFile(own?.path ?? '', 'mine', ['x']).read(), tokens);
      const generated = keptTokensFile(red({ userDir: dir, get: (key: string) => (key === '_credentialSecret' ? 'generated' : undefined) }), 'acct-2', ['x']);
      generated?.write(tokens);
      assert.deepEqual(new TokenFile(generated?.path ?? '', 'generated', ['x']).read(), tokens);
      assert.equal(keptTokensFile(red({ userDir: dir, credentialSecret: false, get: () => 'generated' }), 'acct-3', ['x']), undefined);
      assert.equal(keptTokensFile(red({ credentialSecret: 'mine' }), 'acct-4', ['x']), undefined, 'no user directory');
      assert.equal(keptTokensFile(red({ userDir: dir, get: () => { throw new Error('Settings not available'); } }), 'acct-5', ['x']), undefined);
    });
  });
});
