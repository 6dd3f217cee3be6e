import { randomBytes, randomInt } from 'node:crypto';
import { EmulatorRequest, EmulatorResponse, json } from './http-server';

export interface CognitoUser {
  username: string;
  password: string;
  /** Login answers with this challenge (e.g. EMAIL_OTP, SMS_MFA) instead of tokens. */
  challenge?: string;
  /**
   * The challenge accepts no code: every answer is a mismatch (Toulouse accounts migrated with a
   * placeholder phone number never get the SMS, veolia-api.md §11).
   */
  acceptsNoCode?: boolean;
}

/** A code the emulator "sent" for a challenge, readable by tests and printed by the demo. */
export interface SentCode {
  username: string;
  challenge: string;
  code: string;
  at: number;
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
  /** Told of every code "sent" (the demo prints it). */
  onCodeSent?: (sent: SentCode) => void;
}

/** How long a challenge's Session lasts (Cognito: 3 minutes) and how many wrong codes it takes. */
export const CHALLENGE_SESSION_LIFETIME_S = 180;
export const CHALLENGE_MAX_ATTEMPTS = 3;

interface PendingChallenge extends SentCode {
  expiresAt: number;
  attempts: number;
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
 * stops working once its lifetime is over. A challenged user gets a `ChallengeName` + `Session`
 * instead of tokens, answered by `RespondToAuthChallenge` with the code it "sent" (`sentCodes`).
 */
export class CognitoEmulator {
  knobs: CognitoKnobs = { expiresInS: 3600, emptyBodyCount: 0, htmlBodyCount: 0, refreshDisabled: false };
  readonly stats = { passwordLogins: 0, refreshes: 0, failures: 0, challengeAnswers: 0 };
  /** Every code sent so far, oldest first. */
  readonly sentCodes: SentCode[] = [];
  /** Lifetime of challenge Sessions issued from now on, seconds. */
  sessionLifetimeS = CHALLENGE_SESSION_LIFETIME_S;
  /** Wrong codes a Session takes before it is over. */
  maxCodeAttempts = CHALLENGE_MAX_ATTEMPTS;
  private readonly challenges = new Map<string, PendingChallenge>();
  /** Told of every code "sent" (the demo prints it). */
  onCodeSent?: (sent: SentCode) => void;
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
    this.onCodeSent = options.onCodeSent;
  }

  /** The last code sent to `username`, if any. */
  lastCode(username: string): string | undefined {
    const name = username.toLowerCase();
    return [...this.sentCodes].reverse().find((s) => s.username.toLowerCase() === name)?.code;
  }

  /** Makes every waiting challenge Session expire now. */
  expireChallenges(): void {
    for (const pending of this.challenges.values()) pending.expiresAt = this.now();
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
    if (target !== 'InitiateAuth' && target !== 'RespondToAuthChallenge') return this.fail('InvalidParameterException', `Unsupported operation ${target}`);
    const body = (typeof req.body === 'string' ? safeParse(req.body) : req.body) as
      | { AuthFlow?: string; ClientId?: string; AuthParameters?: Record<string, string>; ChallengeName?: string; Session?: string; ChallengeResponses?: Record<string, string> }
      | undefined;
    if (!body || !this.clientIds.includes(body.ClientId ?? '')) return this.fail('ResourceNotFoundException', 'User pool client does not exist.');
    if (target === 'RespondToAuthChallenge') return this.answer(body.ChallengeName, body.Session, body.ChallengeResponses ?? {});
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
    if (user.challenge) return this.sendCode(user.username, user.challenge);
    return this.loggedIn(user.username);
  }

  private loggedIn(username: string): EmulatorResponse {
    const refreshToken = randomBytes(32).toString('hex');
    this.refreshTokens.set(refreshToken, { username, expiresAt: this.now() + this.refreshTokenLifetimeS * 1000 });
    return json(200, { AuthenticationResult: { ...this.issue(username), RefreshToken: refreshToken } });
  }

  /** A challenge with a fresh Session and a six-digit code "sent" by e-mail or SMS. */
  private sendCode(username: string, challenge: string): EmulatorResponse {
    const session = randomBytes(96).toString('base64url');
    const sent: SentCode = { username, challenge, code: String(randomInt(0, 1_000_000)).padStart(6, '0'), at: this.now() };
    this.challenges.set(session, { ...sent, expiresAt: this.now() + this.sessionLifetimeS * 1000, attempts: 0 });
    this.sentCodes.push(sent);
    this.onCodeSent?.(sent);
    const destination = /SMS/.test(challenge) ? { CODE_DELIVERY_DELIVERY_MEDIUM: 'SMS', CODE_DELIVERY_DESTINATION: '+*******0000' } : { CODE_DELIVERY_DELIVERY_MEDIUM: 'EMAIL', CODE_DELIVERY_DESTINATION: 'd***@e***' };
    return json(200, { ChallengeName: challenge, Session: session, ChallengeParameters: { USER_ID_FOR_SRP: username, ...destination } });
  }

  /** RespondToAuthChallenge: the code of a live Session gives tokens; a wrong one may be typed again. */
  private answer(name: string | undefined, session: string | undefined, responses: Record<string, string>): EmulatorResponse {
    this.stats.challengeAnswers++;
    const pending = this.challenges.get(session ?? '');
    if (!pending || pending.expiresAt <= this.now() || pending.attempts >= this.maxCodeAttempts) {
      if (pending) this.challenges.delete(session ?? '');
      return this.fail('NotAuthorizedException', 'Invalid session for the user, session is expired.');
    }
    if (name !== pending.challenge) return this.fail('InvalidParameterException', 'Invalid challenge name.');
    if ((responses.USERNAME ?? '').toLowerCase() !== pending.username.toLowerCase()) return this.fail('NotAuthorizedException', 'Invalid session for the user.');
    const user = this.users.get(pending.username.toLowerCase());
    if (user?.acceptsNoCode || responses[`${name}_CODE`] !== pending.code) {
      pending.attempts++;
      return this.fail('CodeMismatchException', 'Invalid code or auth state for the user.');
    }
    this.challenges.delete(session ?? '');
    return this.loggedIn(pending.username);
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
