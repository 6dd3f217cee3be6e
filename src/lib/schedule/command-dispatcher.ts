import { ApiError, isTransient, toApiError } from '../http/errors';
import { MAX_TIMER_MS } from './poller';
import { KeyedSerialQueue } from './serial-queue';

/** Longest Retry-After honoured (the longest retry delay a node accepts); a longer one is cut to it. */
const MAX_RETRY_AFTER_MS = 3_600_000;

/** How a command ended. A superseded command was replaced by a newer one for its target: not a failure. */
export type CommandOutcome<R> =
  | { kind: 'done'; result: R; attempts: number }
  | { kind: 'failed'; error: ApiError; attempts: number }
  | { kind: 'expired'; error: ApiError; attempts: number }
  | { kind: 'superseded' };

export interface Command<R> {
  id: string;
  /** The running instance that asked (a node instance): its commands are withdrawn when it closes. */
  owner: string;
  /** When it was asked (epoch ms): of a waiting retry and a restored command, the newer wins. */
  createdAt: number;
  /** Past this moment the command is not sent (product-spec §4.1: EXPIRED). */
  deadline: number;
  /** Further attempts after the first, for transient failures only. */
  retries: number;
  retryDelayMs: number;
  /** Attempts already made (a restored retry). */
  attempts: number;
  /** Not sent before this moment (a restored retry). */
  dueAt?: number;
  /** The real target (ids, never names as typed), resolved before the command is queued. */
  target(): Promise<string>;
  run(): Promise<R>;
  /** A retry now waits until `dueAt`: the owner keeps it so that a redeploy or restart re-arms it. */
  retrying(attempts: number, dueAt: number, err: ApiError): void;
  settled(outcome: CommandOutcome<R>): void;
}

interface Entry {
  command: Command<unknown>;
  attempts: number;
  dueAt?: number;
}

interface Waiting {
  entry: Entry;
  timer: NodeJS.Timeout;
}

export interface DispatcherOptions {
  now?: () => number;
}

/**
 * The commands of one account (product-spec §4.1): commands to one real target run one at a
 * time in arrival order, whichever node sent them; a newer command replaces a retry waiting for
 * its target; a transient failure is retried after the command's delay unless a newer command
 * arrived meanwhile; a command past its deadline is not sent. A closing owner's commands under
 * way (looking up their target, queued or sending) are given time to finish; its waiting retries
 * stay with its store, for its next instance.
 */
export class CommandDispatcher {
  private readonly chains = new KeyedSerialQueue();
  private readonly generations = new Map<string, number>();
  /** Creation time of the newest command accepted per target: an older one arriving later is superseded. */
  private readonly newest = new Map<string, number>();
  /** Retries waiting, by target. */
  private readonly waiting = new Map<string, Waiting>();
  /** Retries waiting to look their target up again, by command id. */
  private readonly unresolved = new Map<string, Waiting>();
  /** Commands under way, from their start (or the end of their wait) until they end or wait. */
  private readonly flights = new Map<Entry, () => void>();
  private readonly flightEnds = new Map<Entry, Promise<void>>();
  /** Owners closing: what they have under way finishes, nothing new waits or starts. */
  private readonly closingOwners = new Set<string>();
  /** Owners closed: nothing of theirs goes on. */
  private readonly withdrawnOwners = new Set<string>();
  private closing = false;
  private closed = false;
  private readonly now: () => number;

  constructor(options: DispatcherOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  submit<R>(command: Command<R>): void {
    if (this.closing || this.closingOwners.has(command.owner)) return;
    const entry: Entry = { command: command as Command<unknown>, attempts: command.attempts, dueAt: command.dueAt };
    this.fly(entry);
    void this.resolve(entry);
  }

  /**
   * The owner is closing: its waiting retries stop here (its store keeps them for the next
   * instance); its commands under way may finish for up to `maxWaitMs`, after which nothing of
   * it goes on.
   */
  async withdraw(owner: string, maxWaitMs: number): Promise<void> {
    this.closingOwners.add(owner);
    for (const map of [this.waiting, this.unresolved]) {
      for (const [key, waiting] of map) {
        if (waiting.entry.command.owner !== owner) continue;
        clearTimeout(waiting.timer);
        map.delete(key);
      }
    }
    await settleWithin([...this.flightEnds].filter(([entry]) => entry.command.owner === owner).map(([, end]) => end), maxWaitMs);
    this.withdrawnOwners.add(owner);
  }

  /** Stops every timer; the commands under way may finish for up to `maxWaitMs`, then nothing goes on. */
  async close(maxWaitMs: number): Promise<void> {
    this.closing = true;
    for (const map of [this.waiting, this.unresolved]) {
      for (const waiting of map.values()) clearTimeout(waiting.timer);
      map.clear();
    }
    await settleWithin([...this.flightEnds.values()], maxWaitMs);
    this.closed = true;
  }

  private fly(entry: Entry): void {
    this.flightEnds.set(
      entry,
      new Promise<void>((resolve) => {
        this.flights.set(entry, resolve);
      }),
    );
  }

  /** The command is no longer under way: it ended, waits, or stopped. */
  private land(entry: Entry): void {
    this.flights.get(entry)?.();
    this.flights.delete(entry);
    this.flightEnds.delete(entry);
  }

  private settle(entry: Entry, outcome: CommandOutcome<unknown>): void {
    this.land(entry);
    entry.command.settled(outcome);
  }

  private async resolve(entry: Entry): Promise<void> {
    let target: string;
    try {
      target = await entry.command.target();
    } catch (thrown) {
      if (this.stopped(entry)) return this.land(entry);
      // A restored retry not due yet looks again when it is due; otherwise finding the target
      // took requests, and its failure counts as an attempt.
      if (entry.dueAt !== undefined && entry.dueAt > this.now()) this.wait(undefined, entry, entry.dueAt, 0);
      else this.failed(undefined, entry, entry.attempts + 1, 0, toApiError(thrown));
      return;
    }
    if (this.stopped(entry)) return this.land(entry);
    this.enqueue(target, entry);
  }

  private enqueue(target: string, entry: Entry): void {
    const { command } = entry;
    // A restored command older than one already accepted for its target is not the latest wish.
    if (command.createdAt < (this.newest.get(target) ?? -Infinity)) {
      this.settle(entry, { kind: 'superseded' });
      return;
    }
    this.newest.set(target, command.createdAt);
    const waiting = this.waiting.get(target);
    if (waiting) {
      clearTimeout(waiting.timer);
      this.waiting.delete(target);
      this.settle(waiting.entry, { kind: 'superseded' });
    }
    const generation = (this.generations.get(target) ?? 0) + 1;
    this.generations.set(target, generation);
    if (entry.dueAt !== undefined && entry.dueAt > this.now()) this.wait(target, entry, entry.dueAt, generation);
    else this.queue(target, entry, generation);
  }

  private queue(target: string, entry: Entry, generation: number): void {
    void this.chains.run(target, () => this.attempt(target, entry, generation));
  }

  private async attempt(target: string, entry: Entry, generation: number): Promise<void> {
    if (this.stopped(entry)) return this.land(entry);
    const { command } = entry;
    if (this.now() >= command.deadline) {
      this.settle(entry, { kind: 'expired', error: expired(), attempts: entry.attempts });
      return;
    }
    const attempts = entry.attempts + 1;
    let result: unknown;
    try {
      result = await command.run();
    } catch (thrown) {
      this.failed(target, entry, attempts, generation, toApiError(thrown));
      return;
    }
    this.settle(entry, { kind: 'done', result, attempts });
  }

  private failed(target: string | undefined, entry: Entry, attempts: number, generation: number, err: ApiError): void {
    const { command } = entry;
    if (!isTransient(err) || attempts > command.retries) {
      this.settle(entry, { kind: 'failed', error: err, attempts });
      return;
    }
    // A newer command for this target arrived while this one was under way: it is not retried.
    if (target !== undefined && this.generations.get(target) !== generation) {
      this.settle(entry, { kind: 'superseded' });
      return;
    }
    // A server that said when to come back (429 Retry-After) is not asked again sooner.
    const dueAt = this.now() + Math.max(command.retryDelayMs, Math.min(err.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
    if (dueAt >= command.deadline) {
      this.settle(entry, { kind: 'expired', error: expired(err), attempts });
      return;
    }
    entry.attempts = attempts;
    entry.dueAt = dueAt;
    command.retrying(attempts, dueAt, err);
    // A closing owner's retry stays in its store: the next instance re-arms it.
    if (this.closing || this.closingOwners.has(command.owner) || this.stopped(entry)) this.land(entry);
    else this.wait(target, entry, dueAt, generation);
  }

  private wait(target: string | undefined, entry: Entry, dueAt: number, generation: number): void {
    this.land(entry);
    const map = target === undefined ? this.unresolved : this.waiting;
    const key = target ?? entry.command.id;
    const delay = Math.min(Math.max(0, dueAt - this.now()), MAX_TIMER_MS);
    const timer = setTimeout(() => {
      map.delete(key);
      entry.dueAt = undefined;
      if (this.stopped(entry)) return;
      this.fly(entry);
      if (target === undefined) void this.resolve(entry);
      else this.queue(target, entry, generation);
    }, delay);
    map.set(key, { entry, timer });
  }

  private stopped(entry: Entry): boolean {
    return this.closed || this.withdrawnOwners.has(entry.command.owner);
  }
}

function expired(cause?: ApiError): ApiError {
  const last = cause ? ` (last attempt: ${cause.code}, ${cause.message})` : '';
  return new ApiError('EXPIRED', `the command outlived its deadline and was not sent${last}`);
}

async function settleWithin(runs: Promise<void>[], maxWaitMs: number): Promise<void> {
  if (runs.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(runs),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, maxWaitMs);
    }),
  ]);
  clearTimeout(timer);
}
