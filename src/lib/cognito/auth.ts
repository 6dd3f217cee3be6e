import { ApiError, isApiError, isLoginProblem } from '../http/errors';
import { Transport } from '../http/transport';
import { challengeChannel, codeResponseKey, normaliseCode } from './challenge';
import { DEFAULT_LOGIN_TEXTS, LoginTexts } from './login-texts';

export interface CognitoSettings {
  /** Cognito endpoint, e.g. https://cognito-idp.eu-west-3.amazonaws.com/ */
  authUrl: string;
  clientId: string;
  username: string;
  /** Unused (and may be empty) when `refreshToken` is set. */
  password: string;
  /**
   * A refresh token the user pasted: the account then signs in with REFRESH_TOKEN_AUTH only and
   * never sends the password (the remedy where a challenge cannot be answered, veolia-api.md §11).
   */
  refreshToken?: string;
  /** Extra headers some services expect (Origin, Referer). */
  headers?: Record<string, string>;
  /** Renew this long before the token expires. */
  renewMarginMs?: number;
  /** How long the service's refresh tokens are known to live: an older one is not offered (it costs a request for nothing). */
  refreshTokenMaxAgeMs?: number;
  /** The sentences of login problems (default: English, no code entry offered). */
  texts?: LoginTexts;
  now?: () => number;
}

/** Told when logins stop after a refused login (the reason) and when they may start again (undefined). */
export type LoginProblemListener = (problem: ApiError | undefined) => void;

/** Told whenever the tokens change (undefined: none left), to keep them across restarts. */
export type TokensListener = (tokens: SavedTokens | undefined) => void;

export interface AuthStats {
  passwordLogins: number;
  refreshes: number;
  /** RespondToAuthChallenge requests (codes sent). */
  challengeAnswers: number;
}

/** What a session needs to go on without a new login: the tokens and their times (epoch ms). */
export interface SavedTokens {
  accessToken: string;
  expiresAt: number;
  refreshToken?: string;
  /** When the refresh token was obtained. */
  refreshTokenAt?: number;
}

/** A challenge waiting for its code. The Session never leaves this object. */
export interface PendingChallenge {
  name: string;
  /** When the service asked (epoch ms). */
  at: number;
}

interface Tokens {
  accessToken: string;
  expiresAt: number;
}

interface Challenge extends PendingChallenge {
  session: string;
  username: string;
}

type AuthAnswer = { tokens: { accessToken: string; refreshToken?: string; expiresInS: number } } | { challenge: { name: string; session: string } };

const TARGET = 'AWSCognitoIdentityProviderService.';
const DEFAULT_EXPIRES_IN_S = 3600;
const CREDENTIAL_ERRORS = new Set(['NotAuthorizedException', 'UserNotFoundException', 'PasswordResetRequiredException', 'UserNotConfirmedException']);
/** Answers to a code meaning "this Session is over": only a new login brings a new code. */
const STALE_CHALLENGE_ERRORS = new Set(['NotAuthorizedException', 'ExpiredCodeException']);

/**
 * Cognito session shared by all callers of one account: the access token is reused until
 * shortly before expiry, then renewed with REFRESH_TOKEN_AUTH; a password login happens only
 * without a usable refresh token; concurrent callers share one login in flight. A password login
 * the service refuses (wrong credentials, or a challenge asking for a code) stops every further
 * login until `resume()` or a code (`answerChallenge`): repeated refused logins lock accounts.
 */
export class CognitoAuth {
  readonly stats: AuthStats = { passwordLogins: 0, refreshes: 0, challengeAnswers: 0 };
  private tokens?: Tokens;
  private refreshToken?: { value: string; at: number };
  private inFlight?: Promise<string>;
  private suspendedBy?: ApiError;
  private challenge?: Challenge;
  private readonly listeners = new Set<LoginProblemListener>();
  private readonly tokenListeners = new Set<TokensListener>();
  private readonly renewMarginMs: number;
  private readonly now: () => number;
  private readonly texts: LoginTexts;

  constructor(
    private readonly transport: Transport,
    private readonly settings: CognitoSettings,
  ) {
    this.renewMarginMs = settings.renewMarginMs ?? 60_000;
    this.now = settings.now ?? Date.now;
    this.texts = settings.texts ?? DEFAULT_LOGIN_TEXTS;
  }

  /** A valid access token, logging in or refreshing when needed. */
  accessToken(): Promise<string> {
    if (this.suspendedBy) return Promise.reject(this.suspendedBy);
    if (this.tokens && this.tokens.expiresAt - this.renewMarginMs > this.now()) {
      return Promise.resolve(this.tokens.accessToken);
    }
    if (!this.inFlight) {
      this.inFlight = this.renew().finally(() => {
        this.inFlight = undefined;
      });
    }
    return this.inFlight;
  }

  /** Forget `token` after the service refused it; a newer token is kept. */
  invalidate(token: string): void {
    if (this.tokens?.accessToken === token) this.tokens = undefined;
  }

  /**
   * Runs an authorised call; when the service refuses the token (401/403) the token is renewed
   * once and the call made again.
   */
  async authorised<T>(call: (accessToken: string) => Promise<T>): Promise<T> {
    const token = await this.accessToken();
    try {
      return await call(token);
    } catch (err) {
      if (!isApiError(err) || (err.status !== 401 && err.status !== 403)) throw err;
      this.invalidate(token);
      return call(await this.accessToken());
    }
  }

  /** Drops every token held in memory (account closed or credentials changed); saved ones are the caller's. */
  reset(): void {
    this.tokens = undefined;
    this.refreshToken = undefined;
    this.challenge = undefined;
  }

  /** Why logins are stopped, if they are. */
  get problem(): ApiError | undefined {
    return this.suspendedBy;
  }

  /** The challenge waiting for a code, if any (its Session stays inside). */
  get pendingChallenge(): PendingChallenge | undefined {
    return this.challenge ? { name: this.challenge.name, at: this.challenge.at } : undefined;
  }

  /** The user acted (asked to log in again): the next call may log in; a waiting challenge is given up. */
  resume(): void {
    this.challenge = undefined;
    if (!this.suspendedBy) return;
    this.suspendedBy = undefined;
    this.notify(undefined);
  }

  /** Follows the login problem; returns the unsubscribe function. */
  watch(listener: LoginProblemListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Follows the tokens (new ones after a login, refresh or code); returns the unsubscribe function. */
  watchTokens(listener: TokensListener): () => void {
    this.tokenListeners.add(listener);
    return () => this.tokenListeners.delete(listener);
  }

  /** The tokens to keep across a restart, if any. */
  saved(): SavedTokens | undefined {
    if (!this.tokens && !this.refreshToken) return undefined;
    return {
      accessToken: this.tokens?.accessToken ?? '',
      expiresAt: this.tokens?.expiresAt ?? 0,
      ...(this.refreshToken ? { refreshToken: this.refreshToken.value, refreshTokenAt: this.refreshToken.at } : {}),
    };
  }

  /** Takes back tokens kept from an earlier run; nothing else changes (no request). */
  restore(saved: SavedTokens): void {
    if (saved.accessToken && saved.expiresAt > this.now()) this.tokens = { accessToken: saved.accessToken, expiresAt: saved.expiresAt };
    if (saved.refreshToken) this.refreshToken = { value: saved.refreshToken, at: saved.refreshTokenAt ?? this.now() };
  }

  /**
   * Answers the waiting challenge with `code` (RespondToAuthChallenge). Resolves once tokens are
   * held and logins run again. Rejects with INVALID_INPUT (no challenge waits, not 4–8 digits;
   * nothing sent) or AUTH_CHALLENGE (wrong code: the challenge still waits; too old or used: a
   * new login is needed).
   */
  async answerChallenge(code: string): Promise<void> {
    const service = this.transport.service;
    const challenge = this.challenge;
    if (!challenge) throw new ApiError('INVALID_INPUT', this.texts.noChallenge(service));
    const value = normaliseCode(code);
    if (value === undefined) throw new ApiError('INVALID_INPUT', this.texts.codeFormat());
    this.stats.challengeAnswers++;
    let answer: AuthAnswer;
    try {
      answer = await this.call('RespondToAuthChallenge', {
        ChallengeName: challenge.name,
        ClientId: this.settings.clientId,
        Session: challenge.session,
        ChallengeResponses: { USERNAME: challenge.username, [codeResponseKey(challenge.name)]: value },
      });
    } catch (err) {
      const type = cognitoErrorType(err);
      if (type === 'CodeMismatchException') {
        throw new ApiError('AUTH_CHALLENGE', this.texts.codeWrong(service, challenge.name), { status: 400, challenge: challenge.name });
      }
      if (STALE_CHALLENGE_ERRORS.has(type)) {
        // The Session is over: the code field has nothing left to answer until a new login.
        if (this.challenge === challenge) this.challenge = undefined;
        const stale = new ApiError('AUTH_CHALLENGE', this.texts.codeStale(service, challenge.name), { status: 400, challenge: challenge.name });
        this.suspend(stale);
        throw stale;
      }
      throw cognitoError(err, service, this.texts);
    }
    if (this.challenge === challenge) this.challenge = undefined;
    if ('challenge' in answer) {
      // A further step: it waits for its own code.
      throw this.challenged(answer.challenge, challenge.username);
    }
    this.keep(answer.tokens);
    this.suspendedBy = undefined;
    this.notify(undefined);
  }

  private notify(problem: ApiError | undefined): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(problem);
      } catch {
        // A listener's failure is its own: the others are told all the same.
      }
    }
  }

  private tokensChanged(): void {
    const saved = this.saved();
    for (const listener of [...this.tokenListeners]) {
      try {
        listener(saved);
      } catch {
        // Keeping tokens is a convenience: a failure there must not fail the login.
      }
    }
  }

  private suspend(problem: ApiError): void {
    this.suspendedBy = problem;
    this.notify(problem);
  }

  private async renew(): Promise<string> {
    if (this.settings.refreshToken) return this.renewWithRefreshTokenOnly(this.settings.refreshToken);
    const maxAgeMs = this.settings.refreshTokenMaxAgeMs ?? Infinity;
    if (this.refreshToken && this.now() - this.refreshToken.at < maxAgeMs) {
      try {
        return await this.initiate('REFRESH_TOKEN_AUTH', { REFRESH_TOKEN: this.refreshToken.value });
      } catch (err) {
        if (!isApiError(err) || err.code !== 'AUTH_FAILED') throw err;
        // The refresh token was refused: only then fall back to the password.
        this.refreshToken = undefined;
        this.tokensChanged();
      }
    }
    try {
      return await this.initiate('USER_PASSWORD_AUTH', { USERNAME: this.settings.username, PASSWORD: this.settings.password });
    } catch (err) {
      if (isLoginProblem(err)) this.suspend(err);
      throw err;
    }
  }

  /** Refresh-token sign-in: the pasted token (or the newer one the service gave); never the password. */
  private async renewWithRefreshTokenOnly(pasted: string): Promise<string> {
    try {
      return await this.initiate('REFRESH_TOKEN_AUTH', { REFRESH_TOKEN: this.refreshToken?.value ?? pasted });
    } catch (err) {
      if (!isLoginProblem(err)) throw err;
      const refused =
        err.code === 'AUTH_FAILED' ? new ApiError('AUTH_FAILED', this.texts.refreshTokenRefused(this.transport.service), { status: err.status }) : err;
      this.refreshToken = undefined;
      this.tokens = undefined;
      this.tokensChanged();
      this.suspend(refused);
      throw refused;
    }
  }

  private async initiate(flow: 'USER_PASSWORD_AUTH' | 'REFRESH_TOKEN_AUTH', parameters: Record<string, string>): Promise<string> {
    if (flow === 'USER_PASSWORD_AUTH') this.stats.passwordLogins++;
    else this.stats.refreshes++;
    let answer: AuthAnswer;
    try {
      answer = await this.call('InitiateAuth', { AuthFlow: flow, AuthParameters: parameters, ClientId: this.settings.clientId });
    } catch (err) {
      throw cognitoError(err, this.transport.service, this.texts);
    }
    if ('challenge' in answer) throw this.challenged(answer.challenge, this.settings.username);
    return this.keep(answer.tokens);
  }

  private async call(operation: 'InitiateAuth' | 'RespondToAuthChallenge', body: Record<string, unknown>): Promise<AuthAnswer> {
    const { data } = await this.transport.request({
      method: 'POST',
      url: this.settings.authUrl,
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `${TARGET}${operation}`, ...this.settings.headers },
      body: JSON.stringify(body),
    });
    return readAuthAnswer(data, this.transport.service);
  }

  /** Keeps the challenge with its Session for the code to come; the error says what to do. */
  private challenged(challenge: { name: string; session: string }, username: string): ApiError {
    const service = this.transport.service;
    this.challenge = challenge.session ? { ...challenge, username, at: this.now() } : undefined;
    return new ApiError('AUTH_CHALLENGE', this.texts.challenge(service, challenge.name, challengeChannel(challenge.name)), { challenge: challenge.name });
  }

  private keep(result: { accessToken: string; refreshToken?: string; expiresInS: number }): string {
    if (result.refreshToken) this.refreshToken = { value: result.refreshToken, at: this.now() };
    this.tokens = { accessToken: result.accessToken, expiresAt: this.now() + result.expiresInS * 1000 };
    this.tokensChanged();
    return result.accessToken;
  }
}

function readAuthAnswer(data: unknown, service: string): AuthAnswer {
  const body = (data ?? {}) as { AuthenticationResult?: Record<string, unknown>; ChallengeName?: unknown; Session?: unknown };
  if (typeof body.ChallengeName === 'string' && body.ChallengeName !== '') {
    return { challenge: { name: body.ChallengeName, session: typeof body.Session === 'string' ? body.Session : '' } };
  }
  const result = body.AuthenticationResult;
  if (!result || typeof result.AccessToken !== 'string' || result.AccessToken === '') {
    throw new ApiError('PROTOCOL', `${service} login answer has no access token`);
  }
  const expiresIn = typeof result.ExpiresIn === 'number' && result.ExpiresIn > 0 ? result.ExpiresIn : DEFAULT_EXPIRES_IN_S;
  return {
    tokens: {
      accessToken: result.AccessToken,
      refreshToken: typeof result.RefreshToken === 'string' && result.RefreshToken !== '' ? result.RefreshToken : undefined,
      expiresInS: expiresIn,
    },
  };
}

/** The `…Exception` name of a Cognito error answer (HTTP 400 with `{"__type"}`), or ''. */
function cognitoErrorType(err: unknown): string {
  if (!isApiError(err) || err.status === undefined || err.status >= 500 || err.status === 429) return '';
  return String((err.body as { __type?: unknown } | undefined)?.__type ?? '').split('#').pop() ?? '';
}

/**
 * Cognito answers errors as HTTP 400 with `{"__type": "…Exception"}`. Any other answer (an HTML
 * page or an empty body from a gateway or firewall) is a passing trouble, worth another try.
 */
function cognitoError(err: unknown, service: string, texts: LoginTexts): unknown {
  if (!isApiError(err) || err.status === undefined || err.status >= 500 || err.status === 429) return err;
  const type = cognitoErrorType(err);
  if (!type) return new ApiError('UNAVAILABLE', `${service} login service sent an unexpected answer (HTTP ${err.status})`, { status: err.status });
  if (CREDENTIAL_ERRORS.has(type)) return new ApiError('AUTH_FAILED', texts.passwordRefused(service), { status: err.status });
  if (type === 'TooManyRequestsException' || type === 'LimitExceededException') {
    return new ApiError('RATE_LIMITED', `${service} login is rate limited`, { status: err.status });
  }
  return new ApiError('PROTOCOL', `${service} login failed (HTTP ${err.status}${type ? `, ${type}` : ''})`, { status: err.status });
}
