import { ApiError, isTransient, toApiError } from '../http/errors';
import { MAX_TIMER_MS } from './poller';

/** Longest Retry-After honoured (the longest retry delay a node accepts); a longer one is cut to it. */
const MAX_RETRY_AFTER_MS = 3_600_000;

/** A command waiting for its next attempt; plain JSON so it can be kept in a context store. */
export interface PendingCommand<C> {
  command: C;
  /** Attempts already made. */
  attempts: number;
  /** Epoch ms of the next attempt. */
  dueAt: number;
}

export interface PendingStore<C> {
  load(): Record<string, PendingCommand<C>>;
  save(pending: Record<string, PendingCommand<C>>): void;
}

export interface CommandRetrierOptions<C, R> {
  /** Further attempts after the first, for transient failures only. */
  retries: number;
  retryDelayMs: number;
  execute(command: C): Promise<R>;
  onSuccess(command: C, result: R, attempts: number): void;
  onRetryScheduled(command: C, attempts: number, err: ApiError, dueAt: number): void;
  onFailure(command: C, err: ApiError, attempts: number): void;
  /** A newer command for the same key replaced this one before it succeeded. */
  onReplaced?(command: C): void;
  store: PendingStore<C>;
  now?: () => number;
}

/**
 * Runs commands with delayed retries on transient failures. A newer command for the same key
 * replaces a waiting retry; waiting retries are kept in the store so that a redeploy or a
 * restart resumes them (`restore`), and each command is applied at most once per success.
 */
export class CommandRetrier<C, R> {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly generation = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;
  private readonly now: () => number;

  constructor(private readonly options: CommandRetrierOptions<C, R>) {
    this.now = options.now ?? Date.now;
  }

  /** A new command for `key`: any retry waiting for that key is dropped in its favour. */
  submit(key: string, command: C): void {
    if (this.closed) return;
    this.cancelWaiting(key);
    const replaced = this.options.store.load()[key];
    if (replaced) this.options.onReplaced?.(replaced.command);
    this.forget(key);
    this.attempt(key, command, 0);
  }

  /** Keeps a command that could not start (the node is closing) for the next instance to run at once. */
  defer(key: string, command: C): void {
    this.remember(key, { command, attempts: 0, dueAt: this.now() });
  }

  /** Re-arms the retries found in the store (after a redeploy or a restart). */
  restore(): void {
    for (const [key, pending] of Object.entries(this.options.store.load())) {
      this.arm(key, pending);
    }
  }

  /** Keys with a retry waiting. */
  get waiting(): string[] {
    return [...this.timers.keys()];
  }

  /** Stops timers; waiting retries stay in the store. Resolves when running attempts settle (bounded). */
  async close(maxWaitMs = 10_000): Promise<void> {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...this.inFlight]),
      new Promise<void>((resolve) => {
        timeout = setTimeout(resolve, maxWaitMs);
      }),
    ]);
    clearTimeout(timeout);
  }

  private attempt(key: string, command: C, previousAttempts: number): void {
    const generation = (this.generation.get(key) ?? 0) + 1;
    this.generation.set(key, generation);
    const attempts = previousAttempts + 1;
    const run = this.options
      .execute(command)
      .then(
        (result) => {
          if (this.generation.get(key) === generation) this.forget(key);
          this.options.onSuccess(command, result, attempts);
        },
        (thrown: unknown) => this.failed(key, command, attempts, generation, toApiError(thrown)),
      )
      .catch(() => undefined)
      .finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
  }

  private failed(key: string, command: C, attempts: number, generation: number, err: ApiError): void {
    // A newer command for this key replaces this one: it is not retried. A failure that no
    // retry would cure is still this command's answer, and goes out.
    if (this.generation.get(key) !== generation) {
      if (isTransient(err)) this.options.onReplaced?.(command);
      else this.options.onFailure(command, err, attempts);
      return;
    }
    if (!isTransient(err) || attempts > this.options.retries) {
      this.forget(key);
      this.options.onFailure(command, err, attempts);
      return;
    }
    // A server that said when to come back (429 Retry-After) is not asked again sooner.
    const delayMs = Math.max(this.options.retryDelayMs, Math.min(err.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
    const pending: PendingCommand<C> = { command, attempts, dueAt: this.now() + delayMs };
    this.remember(key, pending);
    this.options.onRetryScheduled(command, attempts, err, pending.dueAt);
    if (!this.closed) this.arm(key, pending);
  }

  private arm(key: string, pending: PendingCommand<C>): void {
    if (this.closed) return;
    this.cancelWaiting(key);
    const delay = Math.min(Math.max(0, pending.dueAt - this.now()), MAX_TIMER_MS);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        if (!this.closed) this.attempt(key, pending.command, pending.attempts);
      }, delay),
    );
  }

  private cancelWaiting(key: string): void {
    const timer = this.timers.get(key);
    if (timer) clearTimeout(timer);
    this.timers.delete(key);
  }

  private remember(key: string, pending: PendingCommand<C>): void {
    const all = this.options.store.load();
    all[key] = pending;
    this.options.store.save(all);
  }

  private forget(key: string): void {
    const all = this.options.store.load();
    if (!(key in all)) return;
    delete all[key];
    this.options.store.save(all);
  }
}
