import { ApiError, isApiError, isLoginProblem } from '../http/errors';
import { Transport } from '../http/transport';

export interface CognitoSettings {
  /** Cognito endpoint, e.g. https://cognito-idp.eu-west-3.amazonaws.com/ */
  authUrl: string;
  clientId: string;
  username: string;
  password: string;
  /** Extra headers some services expect (Origin, Referer). */
  headers?: Record<string, string>;
  /** Renew this long before the token expires. */
  renewMarginMs?: number;
  /** How long the service's refresh tokens are known to live: an older one is not offered (it costs a request for nothing). */
  refreshTokenMaxAgeMs?: number;
  now?: () => number;
}

/** Told when logins stop after a refused login (the reason) and when they may start again (undefined). */
export type LoginProblemListener = (problem: ApiError | undefined) => void;

export interface AuthStats {
  passwordLogins: number;
  refreshes: number;
}

interface Tokens {
  accessToken: string;
  expiresAt: number;
}

const INITIATE_AUTH = 'AWSCognitoIdentityProviderService.InitiateAuth';
const DEFAULT_EXPIRES_IN_S = 3600;
const CREDENTIAL_ERRORS = new Set(['NotAuthorizedException', 'UserNotFoundException', 'PasswordResetRequiredException', 'UserNotConfirmedException']);

/**
 * Cognito USER_PASSWORD_AUTH session shared by all callers of one account: the access token is
 * reused until shortly before expiry, then renewed with REFRESH_TOKEN_AUTH; a password login
 * happens only without a usable refresh token; concurrent callers share one login in flight.
 * A password login the service refuses (wrong credentials, or a challenge asking for a code)
 * stops every further login until `resume()`: repeated refused logins lock accounts.
 */
export class CognitoAuth {
  readonly stats: AuthStats = { passwordLogins: 0, refreshes: 0 };
  private tokens?: Tokens;
  private refreshToken?: { value: string; at: number };
  private inFlight?: Promise<string>;
  private suspendedBy?: ApiError;
  private readonly listeners = new Set<LoginProblemListener>();
  private readonly renewMarginMs: number;
  private readonly now: () => number;

  constructor(
    private readonly transport: Transport,
    private readonly settings: CognitoSettings,
  ) {
    this.renewMarginMs = settings.renewMarginMs ?? 60_000;
    this.now = settings.now ?? Date.now;
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

  /** Drops every token (account closed or credentials changed). */
  reset(): void {
    this.tokens = undefined;
    this.refreshToken = undefined;
  }

  /** Why logins are stopped, if they are. */
  get problem(): ApiError | undefined {
    return this.suspendedBy;
  }

  /** The user acted (asked to log in again): the next call may log in. */
  resume(): void {
    if (!this.suspendedBy) return;
    this.suspendedBy = undefined;
    this.notify(undefined);
  }

  /** Follows the login problem; returns the unsubscribe function. */
  watch(listener: LoginProblemListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
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

  private async renew(): Promise<string> {
    const maxAgeMs = this.settings.refreshTokenMaxAgeMs ?? Infinity;
    if (this.refreshToken && this.now() - this.refreshToken.at < maxAgeMs) {
      try {
        return await this.initiate('REFRESH_TOKEN_AUTH', { REFRESH_TOKEN: this.refreshToken.value });
      } catch (err) {
        if (!isApiError(err) || err.code !== 'AUTH_FAILED') throw err;
        // The refresh token was refused: only then fall back to the password.
        this.refreshToken = undefined;
      }
    }
    try {
      return await this.initiate('USER_PASSWORD_AUTH', { USERNAME: this.settings.username, PASSWORD: this.settings.password });
    } catch (err) {
      if (isLoginProblem(err)) {
        this.suspendedBy = err;
        this.notify(err);
      }
      throw err;
    }
  }

  private async initiate(flow: 'USER_PASSWORD_AUTH' | 'REFRESH_TOKEN_AUTH', parameters: Record<string, string>): Promise<string> {
    if (flow === 'USER_PASSWORD_AUTH') this.stats.passwordLogins++;
    else this.stats.refreshes++;
    let data: unknown;
    try {
      ({ data } = await this.transport.request({
        method: 'POST',
        url: this.settings.authUrl,
        headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': INITIATE_AUTH, ...this.settings.headers },
        body: JSON.stringify({ AuthFlow: flow, AuthParameters: parameters, ClientId: this.settings.clientId }),
      }));
    } catch (err) {
      throw cognitoError(err, this.transport.service);
    }
    const result = readAuthResult(data, this.transport.service);
    if (result.refreshToken) this.refreshToken = { value: result.refreshToken, at: this.now() };
    this.tokens = { accessToken: result.accessToken, expiresAt: this.now() + result.expiresInS * 1000 };
    return result.accessToken;
  }
}

function readAuthResult(data: unknown, service: string): { accessToken: string; refreshToken?: string; expiresInS: number } {
  const body = (data ?? {}) as { AuthenticationResult?: Record<string, unknown>; ChallengeName?: unknown };
  if (typeof body.ChallengeName === 'string') {
    throw new ApiError(
      'AUTH_CHALLENGE',
      `${service} asks for an extra verification (${body.ChallengeName}): log in once in a browser, then try again`,
    );
  }
  const result = body.AuthenticationResult;
  if (!result || typeof result.AccessToken !== 'string' || result.AccessToken === '') {
    throw new ApiError('PROTOCOL', `${service} login answer has no access token`);
  }
  const expiresIn = typeof result.ExpiresIn === 'number' && result.ExpiresIn > 0 ? result.ExpiresIn : DEFAULT_EXPIRES_IN_S;
  return {
    accessToken: result.AccessToken,
    refreshToken: typeof result.RefreshToken === 'string' ? result.RefreshToken : undefined,
    expiresInS: expiresIn,
  };
}

/**
 * Cognito answers errors as HTTP 400 with `{"__type": "…Exception"}`. Any other answer (an HTML
 * page or an empty body from a gateway or firewall) is a passing trouble, worth another try.
 */
function cognitoError(err: unknown, service: string): unknown {
  if (!isApiError(err) || err.status === undefined || err.status >= 500 || err.status === 429) return err;
  const type = String((err.body as { __type?: unknown } | undefined)?.__type ?? '').split('#').pop() ?? '';
  if (!type) return new ApiError('UNAVAILABLE', `${service} login service sent an unexpected answer (HTTP ${err.status})`, { status: err.status });
  if (CREDENTIAL_ERRORS.has(type)) {
    return new ApiError('AUTH_FAILED', `${service} refused the login: check the e-mail address and password`, { status: err.status });
  }
  if (type === 'TooManyRequestsException' || type === 'LimitExceededException') {
    return new ApiError('RATE_LIMITED', `${service} login is rate limited`, { status: err.status });
  }
  return new ApiError('PROTOCOL', `${service} login failed (HTTP ${err.status}${type ? `, ${type}` : ''})`, { status: err.status });
}
