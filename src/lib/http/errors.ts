/** The error vocabulary of the whole package (product-spec §4). */
export type ErrorCode =
  | 'INVALID_INPUT'
  | 'AUTH_FAILED'
  | 'AUTH_CHALLENGE'
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  | 'TIMEOUT'
  | 'UNAVAILABLE'
  | 'PROTOCOL';

/** Codes worth another attempt later: the same request may well succeed. */
const TRANSIENT: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['RATE_LIMITED', 'TIMEOUT', 'UNAVAILABLE']);

export interface ApiErrorOptions {
  status?: number;
  retryAfterMs?: number;
  /** Parsed error body, kept for callers that branch on it (never shown to users). */
  body?: unknown;
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly body?: unknown;

  constructor(code: ErrorCode, message: string, options: ApiErrorOptions = {}) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.body = options.body;
  }

  get transient(): boolean {
    return TRANSIENT.has(this.code);
  }
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
