import assert from 'node:assert/strict';
import { ComapEmulator, DEMO_PASSWORD, DEMO_USERNAME } from '../../src/emulator/comap';
import { comapEditorSession } from '../../src/lib/comap/editor-listing';
import type { SavedTokens } from '../../src/lib/cognito/auth';
import { connectEditorSession } from '../../src/lib/editor/connect';
import { EditorLogins } from '../../src/lib/editor/editor-logins';
import { AttemptLimit } from '../../src/lib/schedule/attempt-limit';
import { SessionClosedError } from '../../src/lib/http/errors';

/** The editor's logins (spec §9): no session left open, tokens handed to the deployed account only with the same values. */
describe('editor Connect: session, hand-over, rate limit', () => {
  const tokens: SavedTokens = { accessToken: 'synthetic-access', expiresAt: Date.now() + 3_600_000 };

  it('closes the session once it answered: no request can go out on it, no token stays in it', async () => {
    const emulator = new ComapEmulator();
    await emulator.start();
    try {
      const session = comapEditorSession({ apiUrl: emulator.apiUrl, authUrl: emulator.authUrl, username: DEMO_USERNAME, password: DEMO_PASSWORD });
      const outcome = await connectEditorSession(session);
      assert.ok('listing' in outcome && outcome.listing.housings.length > 0);
      assert.ok('tokens' in outcome && outcome.tokens?.accessToken, 'the tokens are given to the caller');
      assert.equal(session.auth.saved(), undefined, 'the session still holds tokens');
      await assert.rejects(session.transport.request({ method: 'GET', url: `${emulator.apiUrl}/` }), SessionClosedError);
      // A failed login closes it too.
      const refused = comapEditorSession({ apiUrl: emulator.apiUrl, authUrl: emulator.authUrl, username: DEMO_USERNAME, password: 'Wr0ng-Secret' });
      await assert.rejects(connectEditorSession(refused), { code: 'AUTH_FAILED' });
      await assert.rejects(refused.transport.request({ method: 'GET', url: `${emulator.apiUrl}/` }), SessionClosedError);
    } finally {
      await emulator.stop();
    }
  });

  it('hands the tokens to the account deployed with the same values, once; other values get none', () => {
    let now = 0;
    const store = new EditorLogins<unknown>(600_000, () => now);
    store.keep('acct', 'h1', tokens);
    assert.deepEqual(store.tokens('acct', 'h1'), tokens);
    assert.equal(store.tokens('acct', 'h2'), undefined);
    assert.equal(store.take('acct', 'h2'), undefined, 'other values');
    assert.equal(store.tokens('acct', 'h1'), undefined, 'dropped once the account deployed with other values');
    store.keep('acct', 'h1', tokens);
    assert.deepEqual(store.take('acct', 'h1'), tokens);
    assert.equal(store.take('acct', 'h1'), undefined, 'taken once');
    store.keep('acct', 'h1', tokens);
    now += 600_000;
    assert.equal(store.take('acct', 'h1'), undefined, 'expired');
  });

  it('keeps a challenged login for its own editor user only', () => {
    const store = new EditorLogins<string>();
    assert.equal(store.wait('acct', 'h', 'alice', 'session-1'), undefined);
    assert.equal(store.pending('acct', 'bob'), undefined);
    assert.equal(store.pending('acct', 'alice'), 'session-1');
    assert.equal(store.wait('acct', 'h', 'alice', 'session-2'), 'session-1', 'the replaced login is given back for closing');
    assert.equal(store.take('acct', 'h'), undefined, 'no tokens while a code is awaited');
  });

  it('allows 5 attempts a minute per key', () => {
    let now = 0;
    const attempts = new AttemptLimit(5, 60_000, () => now);
    for (let i = 0; i < 5; i++) assert.ok(attempts.take('a'));
    assert.equal(attempts.take('a'), false);
    assert.ok(attempts.take('b'));
    now += 60_000;
    assert.ok(attempts.take('a'));
  });
});
