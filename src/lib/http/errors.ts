/** The error vocabulary of the whole package (product-spec §4). */
export type ErrorCode =
  | 'INVALID_INPUT'
  | 'AUTH_FAILED'
  | 'AUTH_CHALLENGE'
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  | 'TIMEOUT'
  | 'UNAVAILABLE'
  | 'PROTOCOL'
  /** The cloud accepted a command but, read back, does not show it. */
  | 'NOT_CONFIRMED'
  /** A waiting command outlived its meaning and was dropped, not sent. */
  | 'EXPIRED';

/** Codes worth another attempt later: the same request may well succeed. */
const TRANSIENT: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['RATE_LIMITED', 'TIMEOUT', 'UNAVAILABLE']);

export interface ApiErrorOptions {
  status?: number;
  retryAfterMs?: number;
  /** Parsed error body, kept for callers that branch on it (never shown to users). */
  body?: unknown;
  /** AUTH_CHALLENGE: the name of the challenge the service asked for (e.g. EMAIL_OTP, SMS_MFA). */
  challenge?: string;
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly body?: unknown;
  readonly challenge?: string;

  constructor(code: ErrorCode, message: string, options: ApiErrorOptions = {}) {
    // Node-RED copies only `code`, `stack` and `cause` of a thrown error into a Catch node's
    // msg.error: the challenge travels as `cause.challenge` there.
    super(message, options.challenge ? { cause: { challenge: options.challenge } } : undefined);
    this.name = 'ApiError';
    this.code = code;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.body = options.body;
    if (options.challenge) this.challenge = options.challenge;
  }

  get transient(): boolean {
    return TRANSIENT.has(this.code);
  }

  /** What Node-RED puts in a Catch node's `msg.error.message`: the sentence alone. */
  override toString(): string {
    return this.message;
  }
}

/** Failures that only the user can cure (new credentials, a code): no automatic login until then. */
export function isLoginProblem(err: unknown): err is ApiError {
  return isApiError(err) && (err.code === 'AUTH_FAILED' || err.code === 'AUTH_CHALLENGE');
}

/**
 * Thrown by a closed Transport instead of sending: the work that asked for the request
 * was cut short by a close or redeploy (transient, nothing was sent).
 */
export class SessionClosedError extends ApiError {
  constructor(service: string) {
    super('UNAVAILABLE', `${service} session closed (the account was stopped or redeployed): request not sent`);
  }
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}

export function isTransient(err: unknown): boolean {
  return isApiError(err) && err.transient;
}

/** Any thrown value as an ApiError; unknown failures are protocol errors. */
export function toApiError(err: unknown): ApiError {
  if (isApiError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ApiError('PROTOCOL', message);
}

export function invalidInput(message: string): ApiError {
  return new ApiError('INVALID_INPUT', message);
}

export function notFound(message: string): ApiError {
  return new ApiError('NOT_FOUND', message);
}
