/** At most `limit` codes a minute per account: a code has 6 digits, guessing must not pay. */
export class CodeAttempts {
  private readonly times: number[] = [];

  constructor(
    private readonly limit = 5,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one attempt; false when the limit is reached (the attempt is not made). */
  take(): boolean {
    const now = this.now();
    while (this.times.length > 0 && now - this.times[0] >= this.windowMs) this.times.shift();
    if (this.times.length >= this.limit) return false;
    this.times.push(now);
    return true;
  }
}
