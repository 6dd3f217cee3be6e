import { ApiError, isTransient, toApiError } from '../http/errors';
import { DailyTimer } from '../schedule/daily';

/** A failed automatic sync is tried again this much later, this many times, before the error goes out. */
export const RETRY_DELAY_MS = 15 * 60_000;
export const SYNC_RETRIES = 3;
/** The first sync of a node waits this long after start, so that deploying stays quick. */
export const FIRST_SYNC_DELAY_MS = 1000;

export interface SyncScheduleOptions {
  /** One automatic sync; rejects with its failure. */
  sync(): Promise<void>;
  /** Attempt `attempt` failed with a transient error: the next one comes after the retry delay. */
  onRetry(err: ApiError, attempt: number, retries: number): void;
  /** The automatic sync failed for good: retries spent, or a failure no retry cures. */
  onFailure(err: ApiError, attempts: number): void;
  /** 'HH:MM' in the time zone. */
  syncTime: string;
  jitterMs?: number;
  timeZone?: string;
  retries?: number;
  retryDelayMs?: number;
  firstSyncDelayMs?: number;
  now?: () => number;
}

/**
 * When the water sync runs by itself: once a day at the sync time, once right after start when
 * asked, and the retries of a failed automatic sync. There is only ever one retry chain: an
 * automatic sync asked while one is under way joins it, and one asked while a retry waits
 * replaces that retry. After `close()` no timer is left and no outcome is reported.
 */
export class SyncSchedule {
  private readonly daily: DailyTimer;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private firstTimer?: NodeJS.Timeout;
  private retryTimer?: NodeJS.Timeout;
  private running?: Promise<void>;
  /** Attempts made by the current chain. */
  private attempts = 0;
  private closed = false;

  constructor(private readonly options: SyncScheduleOptions) {
    this.retries = options.retries ?? SYNC_RETRIES;
    this.retryDelayMs = options.retryDelayMs ?? RETRY_DELAY_MS;
    this.daily = new DailyTimer(() => this.request(), {
      syncTime: options.syncTime,
      jitterMs: options.jitterMs,
      timeZone: options.timeZone,
      now: options.now,
    });
  }

  /** Arms the daily sync and, with `firstSync`, a sync shortly after. */
  start(firstSync: boolean): void {
    if (this.closed) return;
    this.daily.start();
    if (firstSync && !this.firstTimer) {
      this.firstTimer = setTimeout(() => {
        this.firstTimer = undefined;
        void this.request();
      }, this.options.firstSyncDelayMs ?? FIRST_SYNC_DELAY_MS);
    }
  }

  /**
   * An automatic sync now. Joins the attempt under way, or replaces a waiting retry (a new chain
   * starts). Resolves when that attempt has settled; never rejects.
   */
  request(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.clearFirst();
    if (this.running) return this.running;
    this.clearRetry();
    this.attempts = 0;
    return this.attempt();
  }

  /**
   * A sync made outside the schedule (an input message) brought the newest days: neither a
   * waiting retry nor the first sync is needed any more.
   */
  satisfied(): void {
    this.clearFirst();
    this.clearRetry();
    if (!this.running) this.attempts = 0;
  }

  /** Whether a retry is waiting. */
  get retrying(): boolean {
    return this.retryTimer !== undefined;
  }

  /** Releases every timer; what is under way may finish but reports nothing. */
  close(): void {
    this.closed = true;
    this.daily.stop();
    this.clearFirst();
    this.clearRetry();
  }

  private attempt(): Promise<void> {
    const attempt = ++this.attempts;
    const settle = (): void => {
      if (this.running === run) this.running = undefined;
    };
    const run: Promise<void> = new Promise<void>((resolve) => resolve(this.options.sync()))
      .then(
        () => {
          settle();
          this.attempts = 0;
        },
        (thrown: unknown) => {
          settle();
          this.failed(toApiError(thrown), attempt);
        },
      )
      // A callback's own failure must not escape into a timer.
      .catch(() => undefined);
    this.running = run;
    return run;
  }

  private failed(err: ApiError, attempt: number): void {
    if (this.closed) return;
    if (isTransient(err) && attempt <= this.retries) {
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        if (!this.closed) void this.attempt();
      }, this.retryDelayMs);
      this.options.onRetry(err, attempt, this.retries);
      return;
    }
    this.attempts = 0;
    this.options.onFailure(err, attempt);
  }

  private clearFirst(): void {
    if (this.firstTimer) clearTimeout(this.firstTimer);
    this.firstTimer = undefined;
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }
}
