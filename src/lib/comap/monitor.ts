import { ApiError } from '../http/errors';
import { retry } from '../http/retry';
import { Poller } from '../schedule/poller';
import { HeatingService } from './heating';
import { HeatingState } from './model';

/** A failed poll cycle, as a listener is told of it. */
export interface PollFailure {
  /** Failed cycles in a row so far. */
  failedCycles: number;
  /** When the first of them failed. */
  since: Date;
  /** The failure counts as an outage: the threshold is reached, or no retry would cure it. */
  outage: boolean;
  /** This cycle started the outage: the error goes out to the user, once. */
  report: boolean;
}

export interface MonitorListener {
  /** Housing id; empty for the account's first housing. */
  housingId: string;
  onState(state: HeatingState): void;
  onFailure(err: ApiError, failure: PollFailure): void;
}

/** Told of each polled state; `housingId` as the listeners asked for it ('' = first housing). */
export type StateObserver = (housingId: string, state: HeatingState) => void;

export interface MonitorOptions {
  intervalMs: number;
  /** Extra attempts inside one cycle. */
  retries?: number;
  retryBaseMs?: number;
  /** Failed cycles in a row before an error goes out. */
  failureThreshold?: number;
  /** Delay of the first cycle after the first listener arrives. */
  firstDelayMs?: number;
  /** Failures no later cycle can cure (logins stopped after a refused one): an outage at once. */
  isLasting?: (err: ApiError) => boolean;
}

/**
 * The one poller of an account: whatever the number of listening nodes, each housing is read
 * once per cycle and the state handed to every listener of that housing.
 */
export class HeatingMonitor {
  private readonly listeners = new Set<MonitorListener>();
  private readonly observers = new Set<StateObserver>();
  private paused = false;
  private readonly failures = new Map<string, { count: number; since: Date; reported: boolean }>();
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
      this.update();
    };
  }

  /** Sees every state a cycle reads, without asking for polls (they run only for listeners). */
  observe(observer: StateObserver): () => void {
    this.observers.add(observer);
    return () => {
      this.observers.delete(observer);
    };
  }

  /** Stops automatic polling for every listener of the account (summer); reads on demand still work. */
  pause(): void {
    this.paused = true;
    this.update();
  }

  resume(): void {
    this.paused = false;
    this.update();
  }

  get isPaused(): boolean {
    return this.paused;
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
    this.observers.clear();
  }

  private update(): void {
    const wanted = !this.closed && !this.paused && this.options.intervalMs > 0 && this.listeners.size > 0;
    if (wanted && !this.poller.active) this.poller.start(this.options.firstDelayMs ?? 0);
    if (!wanted && this.poller.active) this.poller.stop();
  }

  private async cycle(): Promise<void> {
    const byHousing = new Map<string, MonitorListener[]>();
    for (const listener of this.listeners) {
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
      const streak = this.failures.get(housingId) ?? { count: 0, since: new Date(), reported: false };
      streak.count++;
      this.failures.set(housingId, streak);
      const outage = streak.count >= this.threshold || (this.options.isLasting?.(err) ?? false);
      const failure: PollFailure = { failedCycles: streak.count, since: streak.since, outage, report: outage && !streak.reported };
      if (outage) streak.reported = true;
      for (const listener of listeners) guard(() => listener.onFailure(err, failure));
      return;
    }
    if (this.closed) return;
    this.failures.delete(housingId);
    for (const observer of this.observers) guard(() => observer(housingId, state));
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
