import { randomBytes } from 'node:crypto';
import { EmulatorRequest, EmulatorResponse, json } from './http-server';

export interface CognitoUser {
  username: string;
  password: string;
  /** Login answers with this challenge (e.g. EMAIL_OTP) instead of tokens. */
  challenge?: string;
}

export interface CognitoKnobs {
  /** Lifetime of new access tokens. */
  expiresInS: number;
  /** Next logins answer an empty body / an HTML page (gateway trouble). */
  emptyBodyCount: number;
  htmlBodyCount: number;
  /** Refresh tokens stop working (forces a password login). */
  refreshDisabled: boolean;
}

export interface CognitoOptions {
  /**
   * Lifetime of refresh tokens, seconds (checked on the emulator's clock). Default 30 days,
   * Cognito's own default, for clouds whose lifetime no source records.
   */
  refreshTokenLifetimeS?: number;
}

interface IssuedToken {
  username: string;
  expiresAt: number;
  revoked: boolean;
}

interface IssuedRefreshToken {
  username: string;
  expiresAt: number;
}

const DEFAULT_REFRESH_TOKEN_LIFETIME_S = 30 * 24 * 3600;

export type TokenCheck = { ok: true; username: string } | { ok: false; reason: 'missing' | 'unknown' | 'expired' | 'revoked' };

const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';

/**
 * Cognito `InitiateAuth` as both clouds use it: USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH. Refresh
 * tokens are not rotated: REFRESH_TOKEN_AUTH gives a new access token only, and the refresh token
 * stops working once its lifetime is over.
 */
export class CognitoEmulator {
  knobs: CognitoKnobs = { expiresInS: 3600, emptyBodyCount: 0, htmlBodyCount: 0, refreshDisabled: false };
  readonly stats = { passwordLogins: 0, refreshes: 0, failures: 0 };
  private readonly users = new Map<string, CognitoUser>();
  private readonly accessTokens = new Map<string, IssuedToken>();
  private readonly refreshTokens = new Map<string, IssuedRefreshToken>();
  /** Lifetime of the refresh tokens issued from now on, seconds. */
  refreshTokenLifetimeS: number;

  constructor(
    private readonly clientIds: readonly string[],
    users: CognitoUser[],
    private readonly now: () => number = Date.now,
    options: CognitoOptions = {},
  ) {
    for (const user of users) this.users.set(user.username.toLowerCase(), { ...user });
    this.refreshTokenLifetimeS = options.refreshTokenLifetimeS ?? DEFAULT_REFRESH_TOKEN_LIFETIME_S;
  }

  setUser(user: CognitoUser): void {
    this.users.set(user.username.toLowerCase(), { ...user });
  }

  /** True when the request is a Cognito call (dispatch on the X-Amz-Target header). */
  static handles(req: EmulatorRequest): boolean {
    const target = req.headers['x-amz-target'];
    return req.method === 'POST' && typeof target === 'string' && target.startsWith(TARGET_PREFIX);
  }

  handle(req: EmulatorRequest): EmulatorResponse {
    if (this.knobs.emptyBodyCount > 0) {
      this.knobs.emptyBodyCount--;
      return { status: 502, raw: '' };
    }
    if (this.knobs.htmlBodyCount > 0) {
      this.knobs.htmlBodyCount--;
      return { status: 503, raw: '<html><body>Bad gateway</body></html>', headers: { 'Content-Type': 'text/html' } };
    }
    const target = String(req.headers['x-amz-target']).slice(TARGET_PREFIX.length);
    if (target !== 'InitiateAuth') return this.fail('InvalidParameterException', `Unsupported operation ${target}`);
    const body = (typeof req.body === 'string' ? safeParse(req.body) : req.body) as
      | { AuthFlow?: string; ClientId?: string; AuthParameters?: Record<string, string> }
      | undefined;
    if (!body || !this.clientIds.includes(body.ClientId ?? '')) return this.fail('ResourceNotFoundException', 'User pool client does not exist.');
    const params = body.AuthParameters ?? {};
    if (body.AuthFlow === 'USER_PASSWORD_AUTH') return this.passwordLogin(params.USERNAME, params.PASSWORD);
    if (body.AuthFlow === 'REFRESH_TOKEN_AUTH') return this.refresh(params.REFRESH_TOKEN);
    return this.fail('InvalidParameterException', 'Unsupported AuthFlow');
  }

  /** Checks a Bearer header against the tokens this emulator issued. */
  check(authorization: string | string[] | undefined): TokenCheck {
    const value = Array.isArray(authorization) ? authorization[0] : authorization;
    const match = /^Bearer (.+)$/.exec(value ?? '');
    if (!match) return { ok: false, reason: 'missing' };
    const token = this.accessTokens.get(match[1]);
    if (!token) return { ok: false, reason: 'unknown' };
    if (token.revoked) return { ok: false, reason: 'revoked' };
    if (token.expiresAt <= this.now()) return { ok: false, reason: 'expired' };
    return { ok: true, username: token.username };
  }

  /** Makes every access token issued so far expire now (server side). */
  expireAll(): void {
    for (const token of this.accessTokens.values()) token.expiresAt = this.now();
  }

  /** Revokes every access token issued so far (a stale token is answered 401/403). */
  revokeAll(): void {
    for (const token of this.accessTokens.values()) token.revoked = true;
  }

  private passwordLogin(username?: string, password?: string): EmulatorResponse {
    this.stats.passwordLogins++;
    const user = this.users.get((username ?? '').toLowerCase());
    if (!user) return this.fail('UserNotFoundException', 'User does not exist.');
    if (user.password !== password) return this.fail('NotAuthorizedException', 'Incorrect username or password.');
    if (user.challenge) {
      return json(200, { ChallengeName: user.challenge, Session: randomBytes(24).toString('hex'), ChallengeParameters: {} });
    }
    const refreshToken = randomBytes(32).toString('hex');
    this.refreshTokens.set(refreshToken, { username: user.username, expiresAt: this.now() + this.refreshTokenLifetimeS * 1000 });
    return json(200, { AuthenticationResult: { ...this.issue(user.username), RefreshToken: refreshToken } });
  }

  private refresh(refreshToken?: string): EmulatorResponse {
    this.stats.refreshes++;
    const issued = this.refreshTokens.get(refreshToken ?? '');
    if (!issued || this.knobs.refreshDisabled) return this.fail('NotAuthorizedException', 'Invalid Refresh Token');
    if (issued.expiresAt <= this.now()) return this.fail('NotAuthorizedException', 'Refresh Token has expired');
    return json(200, { AuthenticationResult: this.issue(issued.username) });
  }

  private issue(username: string): Record<string, unknown> {
    const accessToken = randomBytes(32).toString('hex');
    this.accessTokens.set(accessToken, { username, expiresAt: this.now() + this.knobs.expiresInS * 1000, revoked: false });
    return { AccessToken: accessToken, IdToken: randomBytes(32).toString('hex'), ExpiresIn: this.knobs.expiresInS, TokenType: 'Bearer' };
  }

  private fail(type: string, message: string): EmulatorResponse {
    this.stats.failures++;
    return { status: 400, body: { __type: type, message }, headers: { 'Content-Type': 'application/x-amz-json-1.1' } };
  }
}

function safeParse(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}
