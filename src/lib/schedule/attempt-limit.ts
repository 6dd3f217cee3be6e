/**
 * At most `limit` attempts per key within a sliding window (editor logins, login codes, portal
 * look-ups): no timer, old times dropped on use.
 */
export class AttemptLimit {
  private readonly times = new Map<string, number[]>();

  constructor(
    private readonly limit = 5,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one attempt for `key`; false when its limit is reached (the attempt is not made). */
  take(key = ''): boolean {
    const now = this.now();
    this.prune(now);
    const times = this.times.get(key) ?? [];
    if (times.length >= this.limit) return false;
    times.push(now);
    this.times.set(key, times);
    return true;
  }

  /** Keys without a recent attempt are forgotten, so the map stays as small as the recent traffic. */
  private prune(now: number): void {
    for (const [key, times] of this.times) {
      while (times.length > 0 && now - times[0] >= this.windowMs) times.shift();
      if (times.length === 0) this.times.delete(key);
    }
  }
}
