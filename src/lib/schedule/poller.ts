/** setTimeout's own limit: longer delays would fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Calls `cycle` every `intervalMs`, each run scheduled after the previous one finished (no
 * overlap). `cycle` must not throw; a rejection is swallowed so no timer ever throws.
 */
export class Poller {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = true;

  constructor(
    private readonly cycle: () => Promise<void>,
    private readonly intervalMs: number,
  ) {}

  get active(): boolean {
    return !this.stopped;
  }

  /** Starts polling; the first cycle runs after `firstDelayMs`. */
  start(firstDelayMs = 0): void {
    if (this.intervalMs <= 0) return;
    this.stopped = false;
    this.schedule(firstDelayMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Runs a cycle now (or joins the one running) and re-arms the timer if polling is on. */
  runNow(): Promise<void> {
    if (this.running) return this.running;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.running = this.cycle()
      .catch(() => undefined)
      .finally(() => {
        this.running = undefined;
        if (!this.stopped) this.schedule(this.intervalMs);
      });
    return this.running;
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.runNow();
    }, Math.min(Math.max(0, delayMs), MAX_TIMER_MS));
  }
}
