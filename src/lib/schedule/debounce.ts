/**
 * Keeps only the last value of a burst: `handler` gets it once `delayMs` has passed without a
 * newer value; `replaced` gets each value a newer one pushed out. With `merge`, the value kept is
 * `merge(waiting, newer)` instead of the newer alone. A delay of 0 hands each value over at once.
 */
export class Debouncer<T> {
  private timer?: NodeJS.Timeout;
  private pending?: { value: T };

  constructor(
    private readonly delayMs: number,
    private readonly handler: (value: T) => void,
    private readonly replaced?: (value: T) => void,
    private readonly merge?: (previous: T, next: T) => T,
  ) {}

  push(value: T): void {
    if (this.delayMs <= 0) {
      this.handler(value);
      return;
    }
    const previous = this.pending;
    this.pending = { value: previous && this.merge ? this.merge(previous.value, value) : value };
    if (previous) this.replaced?.(previous.value);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.delayMs);
  }

  private flush(): void {
    this.timer = undefined;
    const pending = this.pending;
    this.pending = undefined;
    if (pending) this.handler(pending.value);
  }

  /** Hands back the waiting value, if any, and stops waiting for it. */
  take(): T | undefined {
    const pending = this.pending;
    this.cancel();
    return pending?.value;
  }

  /** Drops a waiting value. */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }
}
