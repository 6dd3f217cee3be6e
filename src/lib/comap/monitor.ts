import { ApiError } from '../http/errors';
import { retry } from '../http/retry';
import { Poller } from '../schedule/poller';
import { HeatingService } from './heating';
import { HeatingState } from './model';

export interface MonitorListener {
  /** Housing id; empty for the account's first housing. */
  housingId: string;
  onState(state: HeatingState): void;
  /** A poll failed and will be tried again; `failedCycles` in a row so far. */
  onFailure(err: ApiError, failedCycles: number): void;
  /** The failure threshold was reached: the error goes out to the user. */
  onError(err: ApiError, failedCycles: number): void;
}

export interface MonitorOptions {
  intervalMs: number;
  /** Extra attempts inside one cycle. */
  retries?: number;
  retryBaseMs?: number;
  /** Failed cycles in a row before an error goes out. */
  failureThreshold?: number;
  /** Delay of the first cycle after the first listener arrives. */
  firstDelayMs?: number;
}

/**
 * The one poller of an account: whatever the number of listening nodes, each housing is read
 * once per cycle and the state handed to every listener of that housing.
 */
export class HeatingMonitor {
  private readonly listeners = new Set<MonitorListener>();
  private readonly paused = new Set<MonitorListener>();
  private readonly failures = new Map<string, number>();
  private readonly poller: Poller;
  private readonly abort = new AbortController();
  private readonly retries: number;
  private readonly retryBaseMs: number;
  private readonly threshold: number;
  private closed = false;

  constructor(
    private readonly service: HeatingService,
    private readonly options: MonitorOptions,
  ) {
    this.retries = options.retries ?? 2;
    this.retryBaseMs = options.retryBaseMs ?? 5_000;
    this.threshold = options.failureThreshold ?? 3;
    this.poller = new Poller(() => this.cycle(), options.intervalMs);
  }

  subscribe(listener: MonitorListener): () => void {
    this.listeners.add(listener);
    this.update();
    return () => {
      this.listeners.delete(listener);
      this.paused.delete(listener);
      this.update();
    };
  }

  pause(listener: MonitorListener): void {
    this.paused.add(listener);
    this.update();
  }

  resume(listener: MonitorListener): void {
    this.paused.delete(listener);
    this.update();
  }

  isPaused(listener: MonitorListener): boolean {
    return this.paused.has(listener);
  }

  /** Runs a cycle at once (or joins the running one), e.g. right after a command. */
  pollNow(): Promise<void> {
    return this.closed ? Promise.resolve() : this.poller.runNow();
  }

  close(): void {
    this.closed = true;
    this.abort.abort();
    this.poller.stop();
    this.listeners.clear();
    this.paused.clear();
  }

  private activeListeners(): MonitorListener[] {
    return [...this.listeners].filter((l) => !this.paused.has(l));
  }

  private update(): void {
    const wanted = !this.closed && this.options.intervalMs > 0 && this.activeListeners().length > 0;
    if (wanted && !this.poller.active) this.poller.start(this.options.firstDelayMs ?? 0);
    if (!wanted && this.poller.active) this.poller.stop();
  }

  private async cycle(): Promise<void> {
    const byHousing = new Map<string, MonitorListener[]>();
    for (const listener of this.activeListeners()) {
      byHousing.set(listener.housingId, [...(byHousing.get(listener.housingId) ?? []), listener]);
    }
    await Promise.all([...byHousing].map(([housingId, listeners]) => this.pollHousing(housingId, listeners)));
  }

  private async pollHousing(housingId: string, listeners: MonitorListener[]): Promise<void> {
    let state: HeatingState;
    try {
      state = await retry(() => this.service.state(housingId, 0), {
        retries: this.retries,
        baseDelayMs: this.retryBaseMs,
        signal: this.abort.signal,
      });
    } catch (thrown) {
      if (this.closed) return;
      const err = thrown instanceof ApiError ? thrown : new ApiError('PROTOCOL', String(thrown));
      const failed = (this.failures.get(housingId) ?? 0) + 1;
      this.failures.set(housingId, failed);
      for (const listener of listeners) {
        guard(() => (failed === this.threshold ? listener.onError(err, failed) : listener.onFailure(err, failed)));
      }
      return;
    }
    if (this.closed) return;
    this.failures.set(housingId, 0);
    for (const listener of listeners) guard(() => listener.onState(state));
  }
}

/** A listener's own failure must not stop the others nor the poller. */
function guard(call: () => void): void {
  try {
    call();
  } catch {
    // The listener reports its own errors; the poller carries on.
  }
}
