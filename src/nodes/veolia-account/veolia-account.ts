import type { Node, NodeAPI, NodeDef } from 'node-red';
import { ChallengeChannel, normaliseCode } from '../../lib/cognito/challenge';
import type { SavedTokens } from '../../lib/cognito/auth';
import type { LoginTexts } from '../../lib/cognito/login-texts';
import { ApiError, toApiError } from '../../lib/http/errors';
import { createVeoliaSession, VeoliaSession } from '../../lib/veolia/water';
import { AccountUsers, SharedAccount } from '../shared/account-users';
import { settingNumber } from '../shared/input';
import { registerVeoliaAdminRoutes } from './admin-routes';
import { AttemptLimit } from '../../lib/schedule/attempt-limit';
import { keptTokensFile } from './kept-tokens';
import { veoliaLoginIdentity } from '../../lib/veolia/editor-listing';
import { loginHash } from '../../lib/editor/editor-logins';
import { editorLoginsOf } from '../shared/editor-logins';

export interface VeoliaAccountDef extends NodeDef {
  portal: string;
  apiUrl: string;
  authUrl: string;
  clientId: string;
  /** Request timeout in seconds (Advanced). */
  timeout?: number | string;
}

interface VeoliaCredentials {
  username?: string;
  password?: string;
  /** Optional: sign in with this refresh token only, never the password (spec §8.1). */
  refreshToken?: string;
}

/** What the editor is told of a stopped login: never a credential, a code or a Session. */
export interface LoginProblemView {
  code: ApiError['code'];
  /** The challenge waiting for a code (the dialog then shows its Code field). */
  challenge?: string;
  message: string;
}

/** What flow nodes use of their account. */
export interface VeoliaAccountNode extends Node<VeoliaCredentials>, SharedAccount {
  configError?: ApiError;
  session?: VeoliaSession;
  /** Digest of the values it logs in with: the dialog's Connect with the same values is answered by this session. */
  editorLoginHash?: string;
  /** Lets logins start again after a refused one (a flow node got `msg.topic = "login"`). */
  resumeLogins(): void;
  /**
   * Answers the waiting login challenge with `code`. Resolves once tokens were obtained (the
   * `onLoggedIn` listeners are then told); rejects with INVALID_INPUT (no challenge waits, not
   * 4–8 digits), RATE_LIMITED (more than 5 codes a minute) or AUTH_CHALLENGE (wrong or stale code).
   */
  submitCode(code: string): Promise<void>;
  /** Told after a code gave tokens, so that water nodes sync at once; returns the unsubscribe function. */
  onLoggedIn(listener: () => void): () => void;
  /** The login problem as the dialog shows it, null when logins run. */
  loginProblem(): LoginProblemView | null;
}

export default function register(RED: NodeAPI): void {
  function VeoliaAccount(this: VeoliaAccountNode, def: VeoliaAccountDef): void {
    RED.nodes.createNode(this, def);
    // The session (tokens included) lives as long as this node: flow nodes come and go with
    // partial deploys without costing a new password login.
    const users = new AccountUsers();
    const loggedIn = new Set<() => void>();
    // At most 5 codes a minute: a code has 6 digits, guessing must not pay.
    const attempts = new AttemptLimit(5);
    this.register = (user, status) => users.add(user, status);
    this.deregister = (user) => users.remove(user);
    this.resumeLogins = () => this.session?.auth.resume();
    this.onLoggedIn = (listener) => {
      loggedIn.add(listener);
      return () => loggedIn.delete(listener);
    };
    // A named portal uses its own endpoints; the stored ones count only for a custom portal.
    const custom = def.portal === 'custom';
    const username = this.credentials.username ?? '';
    const password = this.credentials.password ?? '';
    const refreshToken = this.credentials.refreshToken?.trim() ?? '';
    try {
      this.session = createVeoliaSession({
        portal: def.portal || 'national',
        apiUrl: custom ? def.apiUrl : undefined,
        authUrl: custom ? def.authUrl : undefined,
        clientId: custom ? def.clientId : undefined,
        username,
        password,
        refreshToken,
        loginTexts: loginTexts(RED),
        timeoutMs: settingNumber(def.timeout, 20, 1, 120) * 1000,
      });
    } catch (err) {
      this.configError = toApiError(err);
      this.warn(this.configError.message);
    }
    const session = this.session;

    this.submitCode = async (code) => {
      if (!session) throw this.configError ?? new ApiError('INVALID_INPUT', RED._('shared.errors.noAccount'));
      // Nothing to send (no challenge, not a code) costs no attempt.
      if (!session.auth.pendingChallenge) throw new ApiError('INVALID_INPUT', RED._('veolia-account.login.noChallenge'));
      if (normaliseCode(code) === undefined) throw new ApiError('INVALID_INPUT', RED._('veolia-account.login.codeFormat'));
      if (!attempts.take()) throw new ApiError('RATE_LIMITED', RED._('veolia-account.login.tooManyCodes'));
      await session.auth.answerChallenge(code);
      for (const listener of [...loggedIn]) {
        try {
          listener();
        } catch {
          // One water node's failure must not keep the others from syncing.
        }
      }
    };
    this.loginProblem = () => {
      const problem = session ? session.auth.problem : this.configError;
      if (!problem) return null;
      const pending = session?.auth.pendingChallenge;
      return { code: problem.code, ...(pending ? { challenge: pending.name } : {}), message: problem.message };
    };

    // Tokens survive restarts and redeploys, sealed in the user directory (spec §8.1); those of
    // other credentials are not taken back.
    const kept = session ? keptTokensFile(RED, this.id, [def.portal, custom ? def.authUrl : '', custom ? def.clientId : '', username, password, refreshToken]) : undefined;
    // The dialog's Connect logged in with these very values (perhaps with a code): its tokens
    // serve, newer than any kept ones — no second login, no second code.
    if (session) {
      this.editorLoginHash = loginHash(veoliaLoginIdentity({ portal: def.portal || 'national', apiUrl: custom ? def.apiUrl : undefined, authUrl: custom ? def.authUrl : undefined, clientId: custom ? def.clientId : undefined, username, password, refreshToken }));
    }
    const handed = this.editorLoginHash ? editorLoginsOf(RED).take(this.id, this.editorLoginHash) : undefined;
    const saved = handed ?? kept?.read();
    if (saved) session?.auth.restore(saved);
    const keep = (tokens: SavedTokens | undefined): void => {
      try {
        kept?.write(tokens);
      } catch (err) {
        this.warn(RED._('veolia-account.login.keepFailed', { reason: err instanceof Error ? err.message : String(err) }));
      }
    };
    if (handed) keep(handed);
    const unwatchTokens = kept && session?.auth.watchTokens(keep);

    // A refused login shows on every node of the account at once (product-spec §4.1).
    const unwatch = session?.auth.watch((problem) => users.set(problem ? { loginProblem: problem } : undefined));
    this.on('close', (removed: boolean, done: () => void) => {
      unwatch?.();
      unwatchTokens?.();
      loggedIn.clear();
      session?.transport.close();
      session?.auth.reset();
      // A deleted account leaves no tokens behind.
      if (removed) kept?.remove();
      done();
    });
  }

  RED.nodes.registerType<VeoliaAccountNode, VeoliaAccountDef, Record<string, never>, VeoliaCredentials>('veolia-account', VeoliaAccount, {
    credentials: { username: { type: 'text' }, password: { type: 'password' }, refreshToken: { type: 'password' } },
  });
  registerVeoliaAdminRoutes(RED);
}

/** The login sentences in the runtime's language (locales/…/veolia-account.json, `login`). */
export function loginTexts(RED: NodeAPI): LoginTexts {
  const t = (key: string, values?: Record<string, string>): string => RED._(`veolia-account.login.${key}`, values);
  const channelKey: Record<ChallengeChannel, string> = { email: 'challengeEmail', sms: 'challengeSms', other: 'challengeOther' };
  return {
    passwordRefused: () => t('passwordRefused'),
    challenge: (_service, name, channel) => t(channelKey[channel], { name }),
    codeWrong: (_service, name) => t('codeWrong', { name }),
    codeStale: (_service, name) => t('codeStale', { name }),
    noChallenge: () => t('noChallenge'),
    codeFormat: () => t('codeFormat'),
    refreshTokenRefused: () => t('refreshTokenRefused'),
  };
}
