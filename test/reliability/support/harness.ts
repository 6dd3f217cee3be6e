import { EventEmitter } from 'node:events';
import sinon from 'sinon';
import { ComapEmulator } from '../../../src/emulator/comap';
import { VeoliaEmulator } from '../../../src/emulator/veolia';
import { Transport } from '../../../src/lib/http/transport';
import { DEMO, FlowNode, helper } from '../../support/flow';

/**
 * Shared machinery of the reliability specs: real timers kept aside before any fake clock is
 * installed, a process-level crash guard, output recorders, a driver that moves a fake clock
 * until something happens, and the flows under test.
 */

// Captured at import, before any test installs fake timers.
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;
const realNow = Date.now.bind(Date);

/** Waits `ms` of real time, whatever clock is installed. */
export function realDelay(ms: number): Promise<void> {
  return new Promise((resolve) => realSetTimeout(resolve, ms));
}

export { realClearTimeout, realNow };

export type FakeClock = sinon.SinonFakeTimers;

/**
 * Fake setTimeout/clearTimeout/Date that still move with real time (so sockets, the emulators
 * and Node-RED keep working), and that a test can push forward by minutes or hours at once.
 */
export function installClock(now: number = realNow()): FakeClock {
  return sinon.useFakeTimers({ now, toFake: ['setTimeout', 'clearTimeout', 'Date'], shouldAdvanceTime: true, advanceTimeDelta: 10 });
}

/**
 * Requests the package has under way (counted at Transport.request). A fake clock is never
 * moved while one is in flight: axios arms its request timeout with setTimeout, and a jump of
 * the clock would time out a request the emulator is about to answer.
 */
export class RequestsInFlight {
  count = 0;
  total = 0;
  private original?: Transport['request'];

  install(): this {
    if (this.original) return this;
    const original = Transport.prototype.request;
    this.original = original;
    const counter = (delta: number): void => {
      this.count += delta;
      if (delta > 0) this.total++;
    };
    Transport.prototype.request = async function (this: Transport, req) {
      counter(1);
      try {
        return await original.call(this, req);
      } finally {
        counter(-1);
      }
    };
    return this;
  }

  uninstall(): void {
    if (this.original) Transport.prototype.request = this.original;
    this.original = undefined;
  }
}

export const inFlight = new RequestsInFlight();

export interface UntilOptions {
  /** Real-time limit. */
  timeoutMs?: number;
  /** With a fake clock: it jumps to its next timer whenever no request is in flight. */
  clock?: FakeClock;
  /** With a fake clock: give up once it moved this far. */
  maxFakeMs?: number;
}

/** Polls `check` until it returns something other than undefined/false, moving the fake clock if given. */
export async function until<T>(what: string, check: () => T | undefined | false, options: UntilOptions = {}): Promise<T> {
  const realEnd = realNow() + (options.timeoutMs ?? 20_000);
  const fakeStart = Date.now();
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (realNow() > realEnd) throw new Error(`timed out waiting for ${what}`);
    if (options.clock && options.maxFakeMs !== undefined && Date.now() - fakeStart > options.maxFakeMs) {
      throw new Error(`${what} did not happen within ${Math.round(options.maxFakeMs / 1000)} s of (fake) time`);
    }
    // Let promise chains and Node-RED's message passing start whatever requests they will.
    await realDelay(2);
    if (options.clock && inFlight.count === 0) {
      const now = check();
      if (now !== undefined && now !== false) return now;
      await options.clock.nextAsync();
    }
  }
}

/**
 * Moves the fake clock by `ms`, timer by timer, and never while a request is in flight, so
 * retries, polls and daily syncs fire in order and each request gets its own (real) time.
 */
export async function advance(clock: FakeClock, ms: number): Promise<void> {
  const end = Date.now() + ms;
  // A timer at the end keeps each jump within the window.
  const sentinel = setTimeout(() => undefined, ms);
  try {
    while (Date.now() < end) {
      await realDelay(2);
      if (inFlight.count > 0) continue;
      await clock.nextAsync();
    }
  } finally {
    clearTimeout(sentinel);
  }
  while (inFlight.count > 0) await realDelay(5);
}

/** Records every unhandled rejection and uncaught exception of the process while installed. */
export class CrashGuard {
  private readonly seen: string[] = [];
  private readonly onRejection = (reason: unknown): void => {
    this.seen.push(`unhandledRejection: ${describeThrown(reason)}`);
  };
  private readonly onException = (err: unknown): void => {
    this.seen.push(`uncaughtException: ${describeThrown(err)}`);
  };

  install(): this {
    process.on('unhandledRejection', this.onRejection);
    process.on('uncaughtException', this.onException);
    return this;
  }

  uninstall(): void {
    process.off('unhandledRejection', this.onRejection);
    process.off('uncaughtException', this.onException);
  }

  /** What was recorded since the last call. */
  take(): string[] {
    return this.seen.splice(0, this.seen.length);
  }
}

function describeThrown(value: unknown): string {
  return value instanceof Error ? (value.stack ?? value.message) : String(value);
}

export interface ErrorInfo {
  code: string;
  message: string;
  attempts: number;
  source: { id: string; type: string; name: string };
}

export type OutMsg = Record<string, unknown> & { payload?: unknown; topic?: unknown; error?: ErrorInfo };

/** Every message reaching the two helper nodes wired to the outputs of the nodes under test. */
export class Outputs {
  readonly out: OutMsg[] = [];
  readonly err: OutMsg[] = [];

  constructor(outId = 'out', errId = 'err') {
    (helper.getNode(outId) as unknown as EventEmitter).on('input', (msg: OutMsg) => this.out.push(msg));
    (helper.getNode(errId) as unknown as EventEmitter).on('input', (msg: OutMsg) => this.err.push(msg));
  }

  errors(): ErrorInfo[] {
    return this.err.map((m) => m.error).filter((e): e is ErrorInfo => e !== undefined);
  }
}

// ---- flows ---------------------------------------------------------------------------------

export const COMAP_CLIENT_ID = '56jcvrtejpracljtirq7qnob44';
export const VEOLIA_CLIENT_ID = '3kghade1fg54739kj8pkbova8j';
export const CREDENTIALS = { acct: DEMO, vacct: DEMO };

export function comapAccount(emulator: ComapEmulator, extra: Record<string, unknown> = {}): FlowNode {
  return { id: 'acct', type: 'qivivo-account', z: 'tab', name: 'home', pollInterval: 0, timeout: 1, apiUrl: emulator.apiUrl, authUrl: emulator.authUrl, clientId: COMAP_CLIENT_ID, ...extra };
}

export function veoliaAccount(emulator: VeoliaEmulator, extra: Record<string, unknown> = {}): FlowNode {
  return { id: 'vacct', type: 'veolia-account', z: 'tab', portal: 'custom', timeout: 1, apiUrl: emulator.url, authUrl: `${emulator.url}/`, clientId: VEOLIA_CLIENT_ID, ...extra };
}

/** A tab with the given config nodes and flow nodes; flow nodes are wired to `out` and `err`. */
export function flowOf(configs: FlowNode[], nodes: FlowNode[]): FlowNode[] {
  return [
    { id: 'tab', type: 'tab', label: 'reliability' },
    ...configs,
    ...nodes.map((n) => ({ z: 'tab', wires: [['out'], ['err']], ...n })),
    { id: 'out', type: 'helper', z: 'tab' },
    { id: 'err', type: 'helper', z: 'tab' },
  ];
}

/** What `node.error` logged for each node (the test helper announces each call as `call:error`). */
export class LoggedErrors {
  readonly byNode = new Map<string, string[]>();

  constructor(ids: string[]) {
    for (const id of ids) {
      const list: string[] = [];
      this.byNode.set(id, list);
      (helper.getNode(id) as unknown as EventEmitter).on('call:error', (call: { args: unknown[] }) => list.push(String(call.args[0])));
    }
  }

  of(id: string): string[] {
    return this.byNode.get(id) ?? [];
  }
}

// ---- the scenario × node table -----------------------------------------------------------------

export type Mark = 'pass' | 'fail' | 'n/a';

/** Outcomes of a scenario × node grid, printed from what the tests actually did. */
export class OutcomeTable {
  private readonly marks = new Map<string, Mark>();

  constructor(
    private readonly rows: readonly string[],
    private readonly columns: readonly string[],
  ) {}

  set(row: string, column: string, mark: Mark): void {
    if (!this.rows.includes(row) || !this.columns.includes(column)) throw new Error(`no cell ${row} × ${column}`);
    this.marks.set(`${row}\u0000${column}`, mark);
  }

  get(row: string, column: string): Mark | undefined {
    return this.marks.get(`${row}\u0000${column}`);
  }

  render(title: string): string {
    const symbol = (m: Mark | undefined): string => (m === 'pass' ? '✓' : m === 'fail' ? '✗' : m === 'n/a' ? '—' : '?');
    const first = Math.max(title.length, ...this.rows.map((r) => r.length));
    const widths = this.columns.map((c) => Math.max(c.length, 1));
    const line = (cells: string[]): string => `| ${cells[0].padEnd(first)} | ${cells.slice(1).map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
    const out = [line([title, ...this.columns]), `|${'-'.repeat(first + 2)}|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`];
    for (const row of this.rows) out.push(line([row, ...this.columns.map((c) => symbol(this.get(row, c)))]));
    const all = [...this.marks.values()];
    out.push(`✓ ${all.filter((m) => m === 'pass').length}  ✗ ${all.filter((m) => m === 'fail').length}  — ${all.filter((m) => m === 'n/a').length}  ? ${this.rows.length * this.columns.length - all.length}`);
    return out.join('\n');
  }
}
