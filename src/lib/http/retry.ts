import { ApiError, isTransient, toApiError } from './errors';

export interface RetryOptions {
  /** Further attempts after the first one. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs?: number;
  /** Which failures deserve another attempt; transient ApiErrors by default. */
  shouldRetry?: (err: ApiError) => boolean;
  /** Waits `ms`; rejects when the signal aborts. Replaceable for tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
  onRetry?: (attempt: number, delayMs: number, err: ApiError) => void;
}

/** Exponential delay for attempt n (1-based), capped, honouring a server's Retry-After. */
export function backoffDelay(attempt: number, options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs'>, err?: ApiError): number {
  const max = options.maxDelayMs ?? 60_000;
  const exponential = Math.min(max, options.baseDelayMs * 2 ** (attempt - 1));
  return err?.retryAfterMs !== undefined ? Math.min(max, Math.max(exponential, err.retryAfterMs)) : exponential;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new ApiError('UNAVAILABLE', 'cancelled'));
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      signal?.removeEventListener('abort', abort);
      resolve();
    }
    function abort(): void {
      clearTimeout(timer);
      reject(new ApiError('UNAVAILABLE', 'cancelled'));
    }
    signal?.addEventListener('abort', abort, { once: true });
  });
}

/**
 * Runs `task` until it succeeds, fails with a non-retriable error, or runs out of retries.
 * Rejects with an ApiError carrying the number of attempts made (`attemptsOf`).
 */
export async function retry<T>(task: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const shouldRetry = options.shouldRetry ?? isTransient;
  const wait = options.sleep ?? sleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await task(attempt);
    } catch (thrown) {
      const err = toApiError(thrown);
      if (attempt > options.retries || !shouldRetry(err) || options.signal?.aborted) {
        throw withAttempts(err, attempt);
      }
      const delay = backoffDelay(attempt, options, err);
      options.onRetry?.(attempt, delay, err);
      await wait(delay, options.signal);
    }
  }
}

const ATTEMPTS = new WeakMap<ApiError, number>();

function withAttempts(err: ApiError, attempts: number): ApiError {
  ATTEMPTS.set(err, attempts);
  return err;
}

/** How many attempts a failure from `retry` took (1 when it did not come from `retry`). */
export function attemptsOf(err: unknown): number {
  return err instanceof ApiError ? (ATTEMPTS.get(err) ?? 1) : 1;
}
