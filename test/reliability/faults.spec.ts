import assert from 'node:assert/strict';
import { COMAP_IDS, ComapEmulator, ComapStateError, WriteRecord } from '../../src/emulator/comap';
import type { TokenCheck } from '../../src/emulator/cognito';
import type { EmulatorServer, LoggedRequest } from '../../src/emulator/http-server';
import { VeoliaEmulator } from '../../src/emulator/veolia';
import { addDays, zonedDate, zonedTimeToEpoch } from '../../src/lib/schedule/daily';
import { FlowNode, helper, load, node } from '../support/flow';
import {
  advance,
  comapAccount,
  CrashGuard,
  CREDENTIALS,
  ErrorInfo,
  FakeClock,
  flowOf,
  inFlight,
  installClock,
  LoggedErrors,
  OutcomeTable,
  OutMsg,
  Outputs,
  realDelay,
  until,
  veoliaAccount,
} from './support/harness';

/**
 * Fault injection against both emulators, for every flow node: each cell of the scenario × node
 * grid checks that the fault, while it lasts, ends in the right error on output 2 (code,
 * attempts) with nothing applied; that the node recovers once the fault clears; that a command
 * is applied exactly once; and that nothing crashed (no unhandled rejection, no uncaught
 * exception). Time is a sinon fake clock that also moves with real time: retries, polls and
 * daily syncs are reached by jumping from timer to timer, never while a request is in flight.
 */

const COLUMNS = ['thermostat-in', 'zone-order', 'set-temperature', 'program', 'house-mode', 'presets', 'water'] as const;
type Column = (typeof COLUMNS)[number];
type CommandColumn = 'zone-order' | 'set-temperature' | 'program' | 'house-mode' | 'presets';
const COMMAND_COLUMNS: readonly CommandColumn[] = ['zone-order', 'set-temperature', 'program', 'house-mode', 'presets'];

const ROWS = [
  '5xx',
  '429 + Retry-After',
  'connection reset',
  'hang past the timeout',
  'malformed JSON',
  'HTML body',
  'token expires mid-flight',
  'stale token (403)',
  '409 conflict',
  'apply delay (4 min)',
  'cloud down 1 h, then back',
] as const;
type Row = (typeof ROWS)[number];

const MIN = 60_000;
const RETRY_AFTER_S = 10;
const { maison } = COMAP_IDS;
const { sejour, chambres, sdb } = COMAP_IDS.zones;

const table = new OutcomeTable(ROWS, COLUMNS);
const notApplicable: string[] = [];
const guard = new CrashGuard();

// ---- the nodes under test ----------------------------------------------------------------------

/** The Paris wall-clock time 12 h from now: the water node's daily sync stays out of the way. */
function syncTimeAway(): string {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(
    new Date(Date.now() + 12 * 60 * MIN),
  );
  const part = (type: string): string => parts.find((p) => p.type === type)?.value ?? '00';
  return `${part('hour')}:${part('minute')}`;
}

const COMMAND_SETTINGS = { retries: 2, retryDelay: 5 };

function subject(column: Column, extra: Record<string, unknown> = {}): FlowNode {
  switch (column) {
    case 'thermostat-in':
      return { id: 'n1', type: 'qivivo-thermostat-in', account: 'acct', housing: '', output: 'state', onlyChanges: false, ...extra };
    case 'zone-order':
      return { id: 'n1', type: 'qivivo-zone-order', account: 'acct', housing: '', zone: 'Chambres', duration: 120, ...COMMAND_SETTINGS, ...extra };
    case 'set-temperature':
      return { id: 'n1', type: 'qivivo-set-temperature', account: 'acct', housing: '', duration: 120, debounce: 0, ...COMMAND_SETTINGS, ...extra };
    case 'program':
      return { id: 'n1', type: 'qivivo-program', account: 'acct', housing: '', ...COMMAND_SETTINGS, ...extra };
    case 'house-mode':
      return { id: 'n1', type: 'qivivo-house-mode', account: 'acct', housing: '', ...COMMAND_SETTINGS, ...extra };
    case 'presets':
      return { id: 'n1', type: 'qivivo-presets', account: 'acct', housing: '', ...COMMAND_SETTINGS, ...extra };
    case 'water':
      return { id: 'n1', type: 'veolia-water-consumption', account: 'vacct', contract: '', syncTime: syncTimeAway(), historyDays: 3, output: 'latest', ...extra };
  }
}

/** Where each node's faults are aimed: the request that carries its work. */
const TARGET: Record<Column, string> = {
  'thermostat-in': '/thermal-details',
  'zone-order': '/temporary-instruction',
  'set-temperature': '/temporary-instruction',
  program: '/activate',
  // The mode writes (#14, #18, #20); their read-backs (#5) are aimed at on their own.
  'house-mode': '/thermal-control/',
  // The PATCH (#13) and its read-back (GET #12) share the path: the write meets the fault first.
  presets: '/custom-temperatures',
  water: '/journalieres',
};

/** A write the cloud accepted for a command of this column (reads and the others' writes left out). */
const IS_WRITE: Record<CommandColumn, (w: WriteRecord) => boolean> = {
  'zone-order': (w) => w.method === 'POST',
  'set-temperature': (w) => w.method === 'POST',
  program: (w) => w.method === 'POST',
  'house-mode': (w) => /\/thermal-control\/(leave-home|come-back-home|absence|heating-system-state)$/.test(w.path),
  presets: (w) => w.method === 'PATCH' && w.path.endsWith('/custom-temperatures'),
};

/** Where the house-mode node reads the cloud back to confirm a mode (§7.1). */
const READ_BACK = '/thermal-details';

interface Command {
  payload: unknown;
  /** True for the cloud write that applies this command. */
  isWrite(write: WriteRecord): boolean;
  /** True for this command's result on output 1. */
  isResult(payload: unknown): boolean;
}

function instructionOf(write: WriteRecord): unknown {
  return (write.body as { set_point?: { instruction?: unknown } } | undefined)?.set_point?.instruction;
}

function temporary(zone: string, instruction: string | number, payload: unknown, result: (p: Record<string, unknown>) => boolean): Command {
  return {
    payload,
    isWrite: (w) => w.method === 'POST' && w.path.endsWith(`/zones/${zone}/temporary-instruction`) && instructionOf(w) === instruction,
    isResult: (p) => typeof p === 'object' && p !== null && result(p as Record<string, unknown>),
  };
}

function activation(programId: string, payload: string): Command {
  return {
    payload,
    isWrite: (w) => w.method === 'POST' && w.path.endsWith(`/programs/${programId}/activate`),
    isResult: (p) => (p as { program?: { id?: string } } | undefined)?.program?.id === programId,
  };
}

/** Two instants the same to the minute (the cloud may keep whole minutes of a holiday only). */
function sameMinute(shown: unknown, asked: string): boolean {
  return typeof shown === 'string' && Math.abs(Date.parse(shown) - Date.parse(asked)) < MIN;
}

/** A house mode (§7.1): its one write (method, endpoint, body), and its confirmed result. */
function houseMode(payload: unknown, method: string, endpoint: string, body: (b: Record<string, unknown>) => boolean, result: (p: Record<string, unknown>) => boolean): Command {
  return {
    payload,
    isWrite: (w) => w.method === method && w.path.endsWith(`/thermal-control/${endpoint}`) && body((w.body ?? {}) as Record<string, unknown>),
    isResult: (p) => typeof p === 'object' && p !== null && (p as { confirmed?: unknown }).confirmed === true && result(p as Record<string, unknown>),
  };
}

/** ISO time `days` from now, on a whole minute. */
function isoIn(days: number): string {
  return new Date(Math.floor((Date.now() + days * 24 * 60 * MIN) / MIN) * MIN).toISOString();
}

const holiday = (from: string, to: string): Command =>
  houseMode(
    { mode: 'holiday', from, to },
    'POST',
    'absence',
    (b) => sameMinute(b.begin_at, from) && sameMinute(b.end_at, to),
    (p) => p.mode === 'holiday' && sameMinute(p.from, from) && sameMinute(p.to, to),
  );
const away = (): Command => houseMode('away', 'POST', 'leave-home', () => true, (p) => p.mode === 'away');
const heating = (state: 'on' | 'off'): Command =>
  houseMode(`heating-${state}`, 'PUT', 'heating-system-state', (b) => b.state === state, (p) => p.mode === `heating-${state}`);

/** A presets edit (§7.3): one PATCH with the Comap keys, the result showing the values read back. */
function presetsEdit(payload: Record<string, number>, patch: Record<string, number>): Command {
  return {
    payload,
    isWrite: (w) => IS_WRITE.presets(w) && JSON.stringify(w.body) === JSON.stringify(patch),
    isResult: (p) => {
      const presets = (p as { presets?: Record<string, unknown> } | undefined)?.presets;
      return !!presets && Object.entries(payload).every(([key, value]) => presets[key] === value);
    },
  };
}

/** Three distinct commands per command node: A (meets the lasting fault), B and C (after it). */
const COMMANDS: Record<CommandColumn, [Command, Command, Command]> = {
  'zone-order': [
    temporary(chambres, 'eco', 'eco', (p) => p.orderName === 'Eco'),
    temporary(chambres, 'frost_protection', 'hors-gel', (p) => p.orderName === 'Hors-Gel'),
    temporary(chambres, 'comfort_minus1', 'confort-1', (p) => p.orderName === 'Confort -1'),
  ],
  'set-temperature': [
    temporary(sejour, 21, 21, (p) => p.setpoint === 21),
    temporary(sejour, 19.5, 19.5, (p) => p.setpoint === 19.5),
    temporary(sejour, 22.5, '22.5', (p) => p.setpoint === 22.5),
  ],
  program: [
    activation(COMAP_IDS.programs.vacances, 'Vacances'),
    activation(COMAP_IDS.programs.semaine, 'semaine'),
    activation(COMAP_IDS.programs.vacances, 'VACANCES'),
  ],
  'house-mode': [away(), holiday(isoIn(10), isoIn(17)), heating('off')],
  presets: [
    presetsEdit({ night: 16.5 }, { night: 16.5 }),
    presetsEdit({ away: 15.5, frostProtection: 8 }, { away: 15.5, frost_protection: 8 }),
    presetsEdit({ presence1: 21 }, { presence_1: 21 }),
  ],
};

// ---- one test context per cell -----------------------------------------------------------------

interface Ctx {
  clock: FakeClock;
  comap: ComapEmulator;
  veolia: VeoliaEmulator;
  outputs: Outputs;
  logged: LoggedErrors;
}

interface Setup {
  subject?: Record<string, unknown>;
  extraNodes?: FlowNode[];
  comapAccount?: Record<string, unknown>;
  veoliaAccount?: Record<string, unknown>;
  /** Fake clock start (epoch ms); real now by default. */
  clockStart?: number;
}

let current: { clock: FakeClock; comap: ComapEmulator; veolia: VeoliaEmulator } | undefined;

async function start(column: Column, setup: Setup): Promise<Ctx> {
  const clock = installClock(setup.clockStart);
  const comap = new ComapEmulator();
  const veolia = new VeoliaEmulator();
  current = { clock, comap, veolia };
  await comap.start();
  await veolia.start();
  const nodes = [subject(column, setup.subject), ...(setup.extraNodes ?? [])];
  await load(flowOf([comapAccount(comap, setup.comapAccount), veoliaAccount(veolia, setup.veoliaAccount)], nodes), CREDENTIALS);
  return { clock, comap, veolia, outputs: new Outputs(), logged: new LoggedErrors(nodes.map((n) => n.id)) };
}

async function stop(): Promise<void> {
  if (!current) return;
  const { clock, comap, veolia } = current;
  current = undefined;
  comap.server.resetFaults();
  veolia.server.resetFaults();
  await helper.unload();
  clock.restore();
  await comap.stop();
  await veolia.stop();
}

/**
 * One cell (or one of its parts: a cell may take more than one test, and fails when any does):
 * runs the scenario, tears down, checks the crash guard, records the outcome.
 */
function cell(row: Row, column: Column, title: string, setup: Setup, body: (c: Ctx) => Promise<void>): void {
  it(`${row} × ${column}: ${title}`, async function () {
    this.timeout(60_000);
    guard.take();
    try {
      try {
        await body(await start(column, setup));
      } finally {
        await stop();
      }
      await realDelay(20);
      assert.deepEqual(guard.take(), [], 'no unhandled rejection and no uncaught exception');
      if (table.get(row, column) !== 'fail') table.set(row, column, 'pass');
    } catch (err) {
      table.set(row, column, 'fail');
      throw err;
    }
  });
}

function na(row: Row, column: Column, why: string): void {
  table.set(row, column, 'n/a');
  notApplicable.push(`${row} × ${column}: ${why}`);
}

// ---- faults ------------------------------------------------------------------------------------

interface TransportFault {
  row: Row;
  code: string;
  transient: boolean;
  inject(server: EmulatorServer, count: number, match: string): void;
}

const TRANSPORT_FAULTS: TransportFault[] = [
  {
    row: '5xx',
    code: 'UNAVAILABLE',
    transient: true,
    inject: (s, n, match) => Object.assign(s.faults, { match, status5xx: 503, status5xxCount: n }),
  },
  {
    row: '429 + Retry-After',
    code: 'RATE_LIMITED',
    transient: true,
    inject: (s, n, match) => Object.assign(s.faults, { match, rateLimitCount: n, retryAfterS: RETRY_AFTER_S }),
  },
  { row: 'connection reset', code: 'UNAVAILABLE', transient: true, inject: (s, n, match) => Object.assign(s.faults, { match, resetCount: n }) },
  { row: 'hang past the timeout', code: 'TIMEOUT', transient: true, inject: (s, n, match) => Object.assign(s.faults, { match, hangCount: n }) },
  { row: 'malformed JSON', code: 'PROTOCOL', transient: false, inject: (s, n, match) => Object.assign(s.faults, { match, malformedCount: n }) },
  { row: 'HTML body', code: 'PROTOCOL', transient: false, inject: (s, n, match) => Object.assign(s.faults, { match, htmlCount: n }) },
];

const LASTING = 100_000;

function requestsTo(server: EmulatorServer, from: number, match: string): LoggedRequest[] {
  return server.log.slice(from).filter((r) => r.path.includes(match));
}

/** With a Retry-After, a rate-limited request is not asked again sooner. */
function assertRetryAfterHonoured(hits: LoggedRequest[], key: (r: LoggedRequest) => string = (r) => r.path): void {
  const last = new Map<string, number>();
  for (const hit of hits) {
    const before = last.get(key(hit));
    if (before !== undefined) {
      // The whole sequence goes with a failure: it is intermittent in the full suite and the log is what explains it.
      const seen = hits.map((h) => `${h.at} ${h.path}?${new URLSearchParams(h.query as Record<string, string>).toString()} → ${h.status}`).join('; ');
      assert.ok(hit.at - before >= RETRY_AFTER_S * 1000, `asked again after ${hit.at - before} ms, Retry-After was ${RETRY_AFTER_S} s (requests: ${seen})`);
    }
    last.set(key(hit), hit.at);
  }
}

function errorOf(msg: OutMsg | undefined): ErrorInfo {
  assert.ok(msg?.error, 'an error message');
  return msg.error;
}

function assertLogged(c: Ctx, code: string): void {
  assert.ok(
    c.logged.of('n1').some((m) => m.includes(code)),
    `the error is logged with node.error (${c.logged.of('n1').join(' | ') || 'nothing logged'})`,
  );
}

/** Writes accepted since `mark`. */
function writesSince(c: Ctx, mark: number): WriteRecord[] {
  return c.comap.state.writes.slice(mark);
}

/** Command node: lasting fault → error after its retries, nothing applied; fault that clears → applied once. */
async function commandUnderFault(c: Ctx, column: CommandColumn, fault: TransportFault): Promise<void> {
  const [a, b, cmdC] = COMMANDS[column];
  const server = c.comap.server;
  const match = TARGET[column];
  const attempts = fault.transient ? COMMAND_SETTINGS.retries + 1 : 1;

  fault.inject(server, LASTING, match);
  let writes = c.comap.state.writes.length;
  const requests = server.log.length;
  node('n1').receive({ payload: a.payload, topic: 'A' });
  const failed = await until('the error of A', () => c.outputs.err.find((m) => m.topic === 'A'), { clock: c.clock, maxFakeMs: 30 * MIN });
  const err = errorOf(failed);
  assert.equal(err.code, fault.code);
  assert.equal(err.attempts, attempts, 'attempts = 1 + retries for a transient fault, 1 otherwise');
  assert.deepEqual(err.source, { id: 'n1', type: `qivivo-${column}`, name: '' });
  assert.deepEqual(failed.payload, a.payload, 'the original message goes out with its error');
  assert.equal(c.outputs.out.length, 0, 'no result');
  const hits = requestsTo(server, requests, match);
  assert.equal(hits.length, attempts, 'one request per attempt');
  if (fault.row === '429 + Retry-After') assertRetryAfterHonoured(hits);
  assert.equal(writesSince(c, writes).filter(a.isWrite).length, 0, 'A was not applied');
  assertLogged(c, fault.code);

  // The fault hits once more, then clears.
  server.resetFaults();
  fault.inject(server, 1, match);
  writes = c.comap.state.writes.length;
  node('n1').receive({ payload: b.payload, topic: 'B' });
  let applied = b;
  if (fault.transient) {
    const done = await until('the result of B', () => c.outputs.out.find((m) => m.topic === 'B'), { clock: c.clock, maxFakeMs: 30 * MIN });
    assert.ok(b.isResult(done.payload), JSON.stringify(done.payload));
    assert.equal(c.outputs.err.length, 1, 'no error for B: its retry went through');
  } else {
    const second = await until('the error of B', () => c.outputs.err.find((m) => m.topic === 'B'), { clock: c.clock, maxFakeMs: 30 * MIN });
    assert.equal(errorOf(second).code, fault.code);
    assert.equal(errorOf(second).attempts, 1, 'an unexpected answer is not retried');
    assert.equal(writesSince(c, writes).filter(b.isWrite).length, 0);
    writes = c.comap.state.writes.length;
    node('n1').receive({ payload: cmdC.payload, topic: 'C' });
    const done = await until('the result of C', () => c.outputs.out.find((m) => m.topic === 'C'), { clock: c.clock, maxFakeMs: 30 * MIN });
    assert.ok(cmdC.isResult(done.payload), JSON.stringify(done.payload));
    applied = cmdC;
  }

  // Long after: no late retry, no duplicate.
  await advance(c.clock, 15 * MIN);
  const after = writesSince(c, writes);
  assert.equal(after.filter(applied.isWrite).length, 1, 'applied exactly once');
  assert.equal(after.filter(IS_WRITE[column]).length, 1, `one write in all: ${after.map((w) => `${w.method} ${w.path}`).join(', ')}`);
  assert.equal(c.outputs.out.length, 1, 'one result in all');
}

/** thermostat-in: lasting fault → one error after 3 failed cycles, polling goes on and recovers. */
async function pollUnderFault(c: Ctx, fault: TransportFault): Promise<void> {
  const server = c.comap.server;
  const match = TARGET['thermostat-in'];
  await until('the first poll', () => c.outputs.out.length >= 1, { clock: c.clock, maxFakeMs: 2 * MIN });
  const requests = server.log.length;
  fault.inject(server, LASTING, match);
  const err = errorOf(await until('the poll error', () => c.outputs.err[0], { clock: c.clock, maxFakeMs: 10 * MIN }));
  assert.equal(err.code, fault.code);
  assert.equal(err.attempts, 3, 'the error goes out after 3 failed cycles');
  const hits = requestsTo(server, requests, match);
  assert.equal(hits.length, fault.transient ? 9 : 3, 'three cycles, each retried twice when the fault is transient');
  if (fault.row === '429 + Retry-After') assertRetryAfterHonoured(hits);
  assertLogged(c, fault.code);
  assert.equal(c.outputs.out.length, 1, 'no state while failing (never a made-up value)');

  await advance(c.clock, 2 * MIN);
  assert.equal(c.outputs.err.length, 1, 'one error, not one per cycle');

  server.resetFaults();
  await until('a state after recovery', () => c.outputs.out.length >= 2, { clock: c.clock, maxFakeMs: 3 * MIN });

  // A passing blip is absorbed without an error.
  fault.inject(server, 1, match);
  const seen = c.outputs.out.length;
  await until('a state after the blip', () => c.outputs.out.length > seen, { clock: c.clock, maxFakeMs: 3 * MIN });
  await advance(c.clock, 3 * MIN);
  assert.equal(c.outputs.err.length, 1, 'a single failure does not reach the error output');
}

/** water: lasting fault → error on the message that asked, after the per-request retries; recovers. */
async function syncUnderFault(c: Ctx, fault: TransportFault): Promise<void> {
  const server = c.veolia.server;
  const match = TARGET.water;
  await until('the first sync', () => c.outputs.out.length >= 1, { clock: c.clock, maxFakeMs: 2 * MIN });
  const newest = c.veolia.state.lastPublishedDate();
  const requests = server.log.length;
  fault.inject(server, LASTING, match);
  node('n1').receive({ tag: 'A' });
  const failed = await until('the error of A', () => c.outputs.err.find((m) => m.tag === 'A'), { clock: c.clock, maxFakeMs: 10 * MIN });
  const err = errorOf(failed);
  assert.equal(err.code, fault.code);
  assert.equal(err.attempts, fault.transient ? 3 : 1, 'attempts = 1 + 2 retries for a transient fault, 1 otherwise');
  const hits = requestsTo(server, requests, match);
  assert.ok(hits.length >= err.attempts, `${hits.length} requests`);
  if (fault.row === '429 + Retry-After') assertRetryAfterHonoured(hits, (r) => `${r.query.annee}-${r.query.mois}`);
  assertLogged(c, fault.code);
  assert.equal(c.outputs.out.length, 1, 'no day sent from a failed sync');

  server.resetFaults();
  fault.inject(server, 1, match);
  node('n1').receive({ tag: 'B' });
  if (fault.transient) {
    const done = await until('the day for B', () => c.outputs.out.find((m) => m.tag === 'B'), { clock: c.clock, maxFakeMs: 10 * MIN });
    assert.equal((done.payload as { date?: string }).date, newest);
    assert.equal(c.outputs.err.length, 1, 'no error for B');
  } else {
    const second = await until('the error of B', () => c.outputs.err.find((m) => m.tag === 'B'), { clock: c.clock, maxFakeMs: 10 * MIN });
    assert.equal(errorOf(second).code, fault.code);
    node('n1').receive({ tag: 'C' });
    const done = await until('the day for C', () => c.outputs.out.find((m) => m.tag === 'C'), { clock: c.clock, maxFakeMs: 10 * MIN });
    assert.equal((done.payload as { date?: string }).date, newest);
  }
  const out = c.outputs.out.length;
  const errors = c.outputs.err.length;
  await advance(c.clock, 15 * MIN);
  assert.equal(c.outputs.out.length, out, 'nothing more sent');
  assert.equal(c.outputs.err.length, errors, 'no late error');
}

/** Read-backs of a house mode, ms after its write (§7.1: at once, then 10, 30 and 60 s). */
const MODE_READ_BACKS_MS = [0, 10_000, 30_000, 60_000];

/** The house-mode read-backs made since the log mark `from`, as ms after `write`. */
function readBacksAfter(c: Ctx, from: number, write: WriteRecord): number[] {
  return requestsTo(c.comap.server, from, READ_BACK).map((r) => r.at - write.at);
}

function assertReadBackTimes(offsets: number[], expected: number[]): void {
  assert.equal(offsets.length, expected.length, `read-backs ${offsets.join(', ')} ms after the write, expected ${expected.join(', ')}`);
  offsets.forEach((ms, i) => assert.ok(ms >= expected[i] - 50 && ms <= expected[i] + 2000, `read-back ${i + 1} ${ms} ms after the write, expected ${expected[i]}`));
}

/** The one house-mode write accepted since the mark `from`. */
function oneModeWrite(c: Ctx, from: number, command: Command): WriteRecord {
  const written = writesSince(c, from).filter(IS_WRITE['house-mode']);
  assert.equal(written.length, 1, `one write: ${written.map((w) => `${w.method} ${w.path}`).join(', ')}`);
  assert.ok(command.isWrite(written[0]), `the write asked for: ${written[0].method} ${written[0].path} ${JSON.stringify(written[0].body)}`);
  return written[0];
}

/**
 * house-mode, its write accepted and its read-backs (#5) meeting the fault (§7.1): a failed read
 * counts as "not shown yet"; never shown → NOT_CONFIRMED, final (never a second write); a
 * read-back failing once → confirmed by the next one.
 */
async function modeReadBackUnderFault(c: Ctx, fault: TransportFault): Promise<void> {
  const server = c.comap.server;
  const [a, , b] = COMMANDS['house-mode'];
  fault.inject(server, LASTING, READ_BACK);
  let writes = c.comap.state.writes.length;
  let requests = server.log.length;
  node('n1').receive({ payload: a.payload, topic: 'A' });
  const err = errorOf(await until('the outcome of A', () => c.outputs.err.find((m) => m.topic === 'A'), { clock: c.clock, maxFakeMs: 10 * MIN }));
  assert.equal(err.code, 'NOT_CONFIRMED', `the cloud accepted the write, only its read-backs failed (${err.code}: ${err.message})`);
  assert.equal(err.attempts, 1, 'a write the cloud accepted is not retried');
  assert.equal(c.outputs.out.length, 0, 'no result');
  assertLogged(c, 'NOT_CONFIRMED');
  const written = oneModeWrite(c, writes, a);
  assertReadBackTimes(readBacksAfter(c, requests, written), MODE_READ_BACKS_MS);
  await advance(c.clock, 15 * MIN);
  assert.equal(writesSince(c, writes).filter(IS_WRITE['house-mode']).length, 1, 'NOT_CONFIRMED is final: never written again');
  assert.equal(c.outputs.err.length, 1, 'one outcome');
  server.resetFaults();
  assert.ok(c.comap.state.thermalDetails(maison).events?.time_shift, 'the cloud holds the leave-home it accepted');

  // A read-back fails once: the next one shows the mode.
  fault.inject(server, 1, READ_BACK);
  writes = c.comap.state.writes.length;
  requests = server.log.length;
  node('n1').receive({ payload: b.payload, topic: 'B' });
  const done = await until('the result of B', () => c.outputs.out.find((m) => m.topic === 'B'), { clock: c.clock, maxFakeMs: 10 * MIN });
  assert.ok(b.isResult(done.payload), JSON.stringify(done.payload));
  const write = oneModeWrite(c, writes, b);
  assertReadBackTimes(readBacksAfter(c, requests, write), MODE_READ_BACKS_MS.slice(0, 2));
  const confirmedAt = Date.parse(String((done.payload as { confirmedAt?: unknown }).confirmedAt));
  assert.ok(confirmedAt - write.at >= MODE_READ_BACKS_MS[1] - 50, `confirmed by the second read-back (${confirmedAt - write.at} ms after the write)`);
  await advance(c.clock, 15 * MIN);
  assert.equal(writesSince(c, writes).filter(IS_WRITE['house-mode']).length, 1, 'written once');
  assert.equal(c.outputs.err.length, 1, 'no error for B');
  assert.equal(c.outputs.out.length, 1, 'one result');
}

/**
 * presets, the PATCH (#13) accepted and its read-back (GET #12) meeting the fault. Writing the
 * same values again is harmless (the node's help), so a transient failure retries the edit as a
 * whole: one PATCH per attempt, all the same; the cloud holds the values asked; one outcome.
 */
async function presetsReadBackUnderFault(c: Ctx, fault: TransportFault): Promise<void> {
  const server = c.comap.server;
  const state = c.comap.state;
  const [a, b, cmdC] = COMMANDS.presets;
  const attempts = fault.transient ? COMMAND_SETTINGS.retries + 1 : 1;
  const patches = (from: number): WriteRecord[] => writesSince(c, from).filter(IS_WRITE.presets);
  // Each accepted PATCH arms the fault for the next request to its path: its read-back.
  let arm = LASTING;
  const patch = state.patchCustomTemperatures;
  state.patchCustomTemperatures = (housingId, body) => {
    const answer = patch.call(state, housingId, body);
    if (arm > 0) {
      arm--;
      fault.inject(server, 1, TARGET.presets);
    }
    return answer;
  };
  try {
    let writes = state.writes.length;
    const requests = server.log.length;
    node('n1').receive({ payload: a.payload, topic: 'A' });
    const err = errorOf(await until('the error of A', () => c.outputs.err.find((m) => m.topic === 'A'), { clock: c.clock, maxFakeMs: 30 * MIN }));
    assert.equal(err.code, fault.code);
    assert.equal(err.attempts, attempts, 'attempts = 1 + retries for a transient fault, 1 otherwise');
    assert.equal(c.outputs.out.length, 0, 'no result without a read-back');
    assertLogged(c, fault.code);
    assert.equal(patches(writes).length, attempts, 'one PATCH per attempt');
    assert.ok(patches(writes).every(a.isWrite), 'each the same edit');
    const reads = requestsTo(server, requests, TARGET.presets).filter((r) => r.method === 'GET');
    assert.equal(reads.length, attempts, 'one read-back per attempt');
    if (fault.row === '429 + Retry-After') assertRetryAfterHonoured(reads);
    assert.equal(state.customTemperatures(maison).night, 16.5, 'the cloud holds the edit it accepted');

    // The read-back fails once more, then the cloud answers.
    server.resetFaults();
    arm = 1;
    writes = state.writes.length;
    node('n1').receive({ payload: b.payload, topic: 'B' });
    let applied = b;
    if (fault.transient) {
      const done = await until('the result of B', () => c.outputs.out.find((m) => m.topic === 'B'), { clock: c.clock, maxFakeMs: 30 * MIN });
      assert.ok(b.isResult(done.payload), JSON.stringify(done.payload));
      assert.equal(c.outputs.err.length, 1, 'no error for B: its retry went through');
      assert.equal(patches(writes).length, 2, 'the edit, then once more with its retry');
      assert.ok(patches(writes).every(b.isWrite), 'the same edit both times');
    } else {
      const second = errorOf(await until('the error of B', () => c.outputs.err.find((m) => m.topic === 'B'), { clock: c.clock, maxFakeMs: 30 * MIN }));
      assert.equal(second.code, fault.code);
      assert.equal(second.attempts, 1, 'an unexpected answer is not retried');
      assert.equal(patches(writes).length, 1);
      writes = state.writes.length;
      node('n1').receive({ payload: cmdC.payload, topic: 'C' });
      const done = await until('the result of C', () => c.outputs.out.find((m) => m.topic === 'C'), { clock: c.clock, maxFakeMs: 30 * MIN });
      assert.ok(cmdC.isResult(done.payload), JSON.stringify(done.payload));
      assert.equal(patches(writes).length, 1);
      applied = cmdC;
    }
    const seen = patches(writes).length;
    await advance(c.clock, 15 * MIN);
    assert.equal(patches(writes).length, seen, 'no late retry');
    assert.ok(patches(writes).every(applied.isWrite));
    assert.equal(c.outputs.out.length, 1, 'one result in all');
  } finally {
    state.patchCustomTemperatures = patch;
  }
}

function transportCells(): void {
for (const fault of TRANSPORT_FAULTS) {
  describe(fault.row, () => {
    cell(fault.row, 'thermostat-in', `${fault.code} after 3 failed polls, then recovers`, { comapAccount: { pollInterval: 1 } }, (c) =>
      pollUnderFault(c, fault),
    );
    for (const column of COMMAND_COLUMNS) {
      const what = fault.transient ? `${fault.code} after ${COMMAND_SETTINGS.retries} retries; applied once when it clears` : `${fault.code} at once; next command applied once`;
      cell(fault.row, column, what, {}, (c) => commandUnderFault(c, column, fault));
    }
    cell(fault.row, 'house-mode', `the read-backs meet it: NOT_CONFIRMED, never written again; failing once: confirmed by the next`, {}, (c) =>
      modeReadBackUnderFault(c, fault),
    );
    const readBack = fault.transient ? `${fault.code} after ${COMMAND_SETTINGS.retries} retries of the whole edit` : `${fault.code} at once`;
    cell(fault.row, 'presets', `the read-back meets it: ${readBack}; the cloud holds the edit; then recovers`, {}, (c) => presetsReadBackUnderFault(c, fault));
    cell(fault.row, 'water', `${fault.code} on the asking message, then recovers`, {}, (c) => syncUnderFault(c, fault));
  });
}
}

// ---- tokens --------------------------------------------------------------------------------------

type Staleness = 'expired' | 'revoked';

interface TokenScenario {
  row: Row;
  /** Makes the token the package holds stale while a request is on its way (or just before). */
  spoil(c: Ctx, server: EmulatorServer, match: string, kick: () => void): Promise<void>;
  /** Every token refused until `undo` is called. */
  refuseAll(c: Ctx, column: Column): () => void;
  status: number;
}

function cognitoOf(c: Ctx, column: Column): ComapEmulator['cognito'] {
  return column === 'water' ? c.veolia.cognito : c.comap.cognito;
}

function logins(c: Ctx, column: Column): number {
  const stats = cognitoOf(c, column).stats;
  return stats.passwordLogins + stats.refreshes;
}

/** Holds the next requests for 300 ms; once one to `match` has reached the cloud, `act` runs. */
async function midFlight(server: EmulatorServer, match: string, kick: () => void, act: () => void, clock?: FakeClock): Promise<void> {
  const from = server.log.length;
  server.faults.latencyMs = 300;
  kick();
  await until('a request reaching the cloud', () => server.log.slice(from).some((r) => r.path.includes(match) && r.status === 0), { clock, maxFakeMs: 10 * MIN });
  act();
  server.faults.latencyMs = 0;
}

function refuseEveryToken(c: Ctx, column: Column, reason: Staleness): () => void {
  const cognito = cognitoOf(c, column);
  const check = cognito.check;
  cognito.check = (): TokenCheck => ({ ok: false, reason });
  return () => {
    cognito.check = check;
  };
}

const TOKEN_SCENARIOS: TokenScenario[] = [
  {
    row: 'token expires mid-flight',
    status: 401,
    spoil: (c, server, match, kick) => midFlight(server, match, kick, () => (server === c.comap.server ? c.comap.cognito : c.veolia.cognito).expireAll(), c.clock),
    refuseAll: (c, column) => refuseEveryToken(c, column, 'expired'),
  },
  {
    row: 'stale token (403)',
    status: 403,
    spoil: async (c, server, _match, kick) => {
      c.comap.staleTokenStatus = 403;
      c.veolia.state.staleTokenStatus = 403;
      (server === c.comap.server ? c.comap.cognito : c.veolia.cognito).revokeAll();
      kick();
    },
    refuseAll: (c, column) => {
      c.comap.staleTokenStatus = 403;
      c.veolia.state.staleTokenStatus = 403;
      return refuseEveryToken(c, column, 'revoked');
    },
  },
];

async function commandWithStaleToken(c: Ctx, column: CommandColumn, scenario: TokenScenario): Promise<void> {
  const [a, b, cmdC] = COMMANDS[column];
  const server = c.comap.server;
  const match = TARGET[column];
  node('n1').receive({ payload: a.payload, topic: 'A' });
  await until('the result of A', () => c.outputs.out.find((m) => m.topic === 'A'), { clock: c.clock, maxFakeMs: MIN });

  // The token goes stale: refused once, renewed once, the command applied once.
  const before = logins(c, column);
  let writes = c.comap.state.writes.length;
  const requests = server.log.length;
  await scenario.spoil(c, server, match, () => node('n1').receive({ payload: b.payload, topic: 'B' }));
  const done = await until('the result of B', () => c.outputs.out.find((m) => m.topic === 'B'), { clock: c.clock, maxFakeMs: 10 * MIN });
  assert.ok(b.isResult(done.payload));
  assert.ok(server.log.slice(requests).some((r) => r.status === scenario.status), `the cloud refused the stale token with ${scenario.status}`);
  assert.equal(logins(c, column) - before, 1, 'one renewal');
  assert.equal(c.outputs.err.length, 0, 'no error');
  assert.equal(writesSince(c, writes).filter(b.isWrite).length, 1, 'B applied exactly once');

  // Every token refused: AUTH_FAILED at once, nothing applied, no retry.
  const undo = scenario.refuseAll(c, column);
  writes = c.comap.state.writes.length;
  node('n1').receive({ payload: cmdC.payload, topic: 'C' });
  const err = errorOf(await until('the error of C', () => c.outputs.err.find((m) => m.topic === 'C'), { clock: c.clock, maxFakeMs: 10 * MIN }));
  assert.equal(err.code, 'AUTH_FAILED');
  assert.equal(err.attempts, 1, 'a refused login is not retried');
  assertLogged(c, 'AUTH_FAILED');
  assert.equal(writesSince(c, writes).filter(IS_WRITE[column]).length, 0, 'nothing applied');

  // Tokens work again: the next command goes through, once.
  undo();
  writes = c.comap.state.writes.length;
  node('n1').receive({ payload: a.payload, topic: 'D' });
  await until('the result of D', () => c.outputs.out.find((m) => m.topic === 'D'), { clock: c.clock, maxFakeMs: 10 * MIN });
  await advance(c.clock, 15 * MIN);
  assert.equal(writesSince(c, writes).filter(a.isWrite).length, 1, 'D applied exactly once');
  assert.equal(c.outputs.err.length, 1);
}

async function pollWithStaleToken(c: Ctx, scenario: TokenScenario): Promise<void> {
  const server = c.comap.server;
  await until('the first poll', () => c.outputs.out.length >= 1, { clock: c.clock, maxFakeMs: 2 * MIN });
  const before = logins(c, 'thermostat-in');
  const requests = server.log.length;
  // The next poll meets the stale token.
  await scenario.spoil(c, server, TARGET['thermostat-in'], () => undefined);
  await until('a state with a renewed token', () => c.outputs.out.length >= 2, { clock: c.clock, maxFakeMs: 3 * MIN });
  assert.ok(server.log.slice(requests).some((r) => r.status === scenario.status), `refused with ${scenario.status}`);
  assert.equal(logins(c, 'thermostat-in') - before, 1, 'one renewal');
  assert.equal(c.outputs.err.length, 0);

  const undo = scenario.refuseAll(c, 'thermostat-in');
  const err = errorOf(await until('the poll error', () => c.outputs.err[0], { clock: c.clock, maxFakeMs: 10 * MIN }));
  assert.equal(err.code, 'AUTH_FAILED');
  assert.equal(err.attempts, 3, 'after 3 failed cycles');
  assertLogged(c, 'AUTH_FAILED');
  undo();
  const seen = c.outputs.out.length;
  await until('a state once tokens work again', () => c.outputs.out.length > seen, { clock: c.clock, maxFakeMs: 3 * MIN });
  await advance(c.clock, 3 * MIN);
  assert.equal(c.outputs.err.length, 1);
}

async function syncWithStaleToken(c: Ctx, scenario: TokenScenario): Promise<void> {
  const server = c.veolia.server;
  await until('the first sync', () => c.outputs.out.length >= 1, { clock: c.clock, maxFakeMs: 2 * MIN });
  const before = logins(c, 'water');
  const requests = server.log.length;
  await scenario.spoil(c, server, TARGET.water, () => node('n1').receive({ tag: 'B' }));
  await until('the day for B', () => c.outputs.out.find((m) => m.tag === 'B'), { clock: c.clock, maxFakeMs: 10 * MIN });
  assert.ok(server.log.slice(requests).some((r) => r.status === scenario.status), `refused with ${scenario.status}`);
  assert.equal(logins(c, 'water') - before, 1, 'one renewal');
  assert.equal(c.outputs.err.length, 0);

  const undo = scenario.refuseAll(c, 'water');
  node('n1').receive({ tag: 'C' });
  const err = errorOf(await until('the error of C', () => c.outputs.err.find((m) => m.tag === 'C'), { clock: c.clock, maxFakeMs: 10 * MIN }));
  assert.equal(err.code, 'AUTH_FAILED');
  assert.equal(err.attempts, 1);
  assertLogged(c, 'AUTH_FAILED');
  undo();
  node('n1').receive({ tag: 'D' });
  await until('the day for D', () => c.outputs.out.find((m) => m.tag === 'D'), { clock: c.clock, maxFakeMs: 10 * MIN });
  await advance(c.clock, 15 * MIN);
  assert.equal(c.outputs.err.length, 1);
}

function tokenCells(): void {
for (const scenario of TOKEN_SCENARIOS) {
  describe(scenario.row, () => {
    cell(scenario.row, 'thermostat-in', 'renewed once; AUTH_FAILED after 3 polls when every token is refused', { comapAccount: { pollInterval: 1 } }, (c) =>
      pollWithStaleToken(c, scenario),
    );
    for (const column of COMMAND_COLUMNS) {
      cell(scenario.row, column, 'renewed once, applied once; AUTH_FAILED when every token is refused', {}, (c) => commandWithStaleToken(c, column, scenario));
    }
    cell(scenario.row, 'water', 'renewed once; AUTH_FAILED when every token is refused', {}, (c) => syncWithStaleToken(c, scenario));
  });
}
}

// ---- 409: a temporary order already in place -------------------------------------------------------

async function commandConflict(c: Ctx, column: 'zone-order' | 'set-temperature'): Promise<void> {
  const [a, b, cmdC] = COMMANDS[column];
  const zone = column === 'zone-order' ? chambres : sejour;
  const server = c.comap.server;
  // The package cancels any temporary order (so it knows of none). Then someone sets a
  // temporary order with the Comap app: the package's next POST meets a 409.
  node('n1').receive({ payload: 'cancel', topic: 'W' });
  await until('the cancel', () => c.outputs.out.find((m) => m.topic === 'W'), { clock: c.clock, maxFakeMs: MIN });
  const state = c.comap.state;
  state.setTemporaryInstruction(maison, zone, { duration: 60, set_point: { instruction: column === 'zone-order' ? 'comfort' : 18 } });
  let writes = c.comap.state.writes.length;
  const requests = server.log.length;
  node('n1').receive({ payload: a.payload, topic: 'A' });
  const done = await until('the result of A', () => c.outputs.out.find((m) => m.topic === 'A'), { clock: c.clock, maxFakeMs: 10 * MIN });
  assert.ok(a.isResult(done.payload));
  assert.ok(requestsTo(server, requests, TARGET[column]).some((r) => r.status === 409), 'the cloud answered 409 first');
  assert.deepEqual(
    writesSince(c, writes).map((w) => w.method),
    ['DELETE', 'POST'],
    'the order in place is replaced: DELETE, then one POST',
  );
  assert.equal(writesSince(c, writes).filter(a.isWrite).length, 1);

  // The conflict never goes away (another client keeps putting its order back).
  const original = state.setTemporaryInstruction;
  state.setTemporaryInstruction = () => {
    throw new ComapStateError(409, 'A temporary instruction already exists');
  };
  writes = c.comap.state.writes.length;
  node('n1').receive({ payload: b.payload, topic: 'B' });
  const err = errorOf(await until('the error of B', () => c.outputs.err.find((m) => m.topic === 'B'), { clock: c.clock, maxFakeMs: 10 * MIN }));
  assert.equal(err.code, 'PROTOCOL');
  assert.equal(err.attempts, 1);
  assertLogged(c, 'PROTOCOL');
  assert.equal(writesSince(c, writes).filter((w) => w.method === 'POST').length, 0, 'B not applied');

  state.setTemporaryInstruction = original;
  writes = c.comap.state.writes.length;
  node('n1').receive({ payload: cmdC.payload, topic: 'C' });
  await until('the result of C', () => c.outputs.out.find((m) => m.topic === 'C'), { clock: c.clock, maxFakeMs: 10 * MIN });
  await advance(c.clock, 15 * MIN);
  assert.equal(writesSince(c, writes).filter(cmdC.isWrite).length, 1, 'C applied exactly once');
  assert.equal(writesSince(c, writes).filter((w) => w.method === 'POST').length, 1);
}

function conflictCells(): void {
describe('409 conflict', () => {
  na('409 conflict', 'thermostat-in', 'reads only; the cloud answers 409 to temporary-instruction writes');
  cell('409 conflict', 'zone-order', 'the order in place is replaced once; PROTOCOL when the conflict stays', {}, (c) => commandConflict(c, 'zone-order'));
  cell('409 conflict', 'set-temperature', 'the setpoint in place is replaced once; PROTOCOL when the conflict stays', {}, (c) =>
    commandConflict(c, 'set-temperature'),
  );
  na('409 conflict', 'program', 'program activation has no 409 in the Comap API');
  na('409 conflict', 'house-mode', 'the Comap API has no 409 for mode writes (a new holiday replaces the planned one; a second leave-home keeps the first)');
  na('409 conflict', 'presets', 'PATCH custom-temperatures has no 409 in the Comap API');
  na('409 conflict', 'water', 'read-only service');
});
}

// ---- apply delay: the cloud shows a new order 1–5 min later -------------------------------------------

const APPLY_DELAY_MS = 4 * MIN;

interface ZoneView {
  id: string;
  order?: number;
}
interface StateView {
  mode?: { away?: boolean };
  setpoint: number | null;
  temporary: { active: boolean; setpoint?: number };
  zones: ZoneView[];
}

async function readState(c: Ctx, tag: string): Promise<StateView> {
  node('t1').receive({ tag });
  const msg = await until(`the state ${tag}`, () => c.outputs.out.find((m) => m.tag === tag), { clock: c.clock, maxFakeMs: MIN });
  return msg.payload as StateView;
}

async function commandWithApplyDelay(c: Ctx, column: 'zone-order' | 'set-temperature'): Promise<void> {
  c.comap.state.applyDelayMs = APPLY_DELAY_MS;
  const before = await readState(c, 'before');
  const order = (s: StateView): number | undefined => s.zones.find((z) => z.id === chambres)?.order;
  const writes = c.comap.state.writes.length;
  const [a] = COMMANDS[column];
  node('n1').receive({ payload: a.payload, tag: 'cmd' });
  const result = await until('the command result', () => c.outputs.out.find((m) => m.tag === 'cmd'), { clock: c.clock, maxFakeMs: MIN });
  assert.ok(a.isResult(result.payload), 'the result says what was asked');

  const during = await readState(c, 'during');
  if (column === 'set-temperature') {
    assert.notEqual(before.setpoint, 21);
    assert.equal(during.setpoint, before.setpoint, 'the setpoint shown is the cloud one: no optimistic value');
    assert.equal(during.temporary.active, true, 'the pending temporary order is reported as such');
  } else {
    assert.notEqual(order(before), 2);
    assert.equal(order(during), order(before), 'the order shown is the cloud one: no optimistic value');
  }
  await advance(c.clock, APPLY_DELAY_MS - MIN);
  const still = await readState(c, 'still');
  if (column === 'set-temperature') assert.equal(still.setpoint, before.setpoint);
  else assert.equal(order(still), order(before));

  await advance(c.clock, 2 * MIN);
  const after = await readState(c, 'after');
  if (column === 'set-temperature') assert.equal(after.setpoint, 21, 'shown once the cloud applied it');
  else assert.equal(order(after), 2, 'shown once the cloud applied it');
  assert.equal(writesSince(c, writes).filter((w) => w.method === 'POST').length, 1, 'applied once, not sent again while it was pending');
  assert.equal(c.outputs.err.length, 0);
}

/**
 * house-mode, the cloud showing a mode late (§7.1): later than the last read-back → NOT_CONFIRMED,
 * final, while the cloud does show it afterwards; at the third read-back → confirmed then. Written
 * once either way.
 */
async function modeShownLate(c: Ctx): Promise<void> {
  const state = c.comap.state;
  const server = c.comap.server;
  const [a, , cmdC] = COMMANDS['house-mode'];
  state.modeShowDelayReads = MODE_READ_BACKS_MS.length;
  let writes = state.writes.length;
  let requests = server.log.length;
  node('n1').receive({ payload: a.payload, topic: 'A' });
  const err = errorOf(await until('the outcome of A', () => c.outputs.err.find((m) => m.topic === 'A'), { clock: c.clock, maxFakeMs: 10 * MIN }));
  assert.equal(err.code, 'NOT_CONFIRMED');
  assert.equal(err.attempts, 1);
  assertLogged(c, 'NOT_CONFIRMED');
  assertReadBackTimes(readBacksAfter(c, requests, oneModeWrite(c, writes, a)), MODE_READ_BACKS_MS);
  await advance(c.clock, 15 * MIN);
  assert.equal(writesSince(c, writes).filter(IS_WRITE['house-mode']).length, 1, 'NOT_CONFIRMED is final: never written again');
  // A state read after the last read-back's (at most 30 s old, it would be served again) shows it.
  const after = await readState(c, 'after');
  assert.equal(after.mode?.away, true, 'the cloud shows it later: the state says so');

  state.modeShowDelayReads = 2;
  writes = state.writes.length;
  requests = server.log.length;
  node('n1').receive({ payload: cmdC.payload, topic: 'C' });
  const done = await until('the result of C', () => c.outputs.out.find((m) => m.topic === 'C'), { clock: c.clock, maxFakeMs: 10 * MIN });
  assert.ok(cmdC.isResult(done.payload), JSON.stringify(done.payload));
  assertReadBackTimes(readBacksAfter(c, requests, oneModeWrite(c, writes, cmdC)), MODE_READ_BACKS_MS.slice(0, 3));
  await advance(c.clock, 15 * MIN);
  assert.equal(writesSince(c, writes).filter(IS_WRITE['house-mode']).length, 1, 'written once');
  assert.equal(c.outputs.err.length, 1);
}

const READER: FlowNode = { id: 't1', type: 'qivivo-thermostat-in', account: 'acct', housing: '', output: 'state', onlyChanges: false };

function applyDelayCells(): void {
describe('apply delay (4 min)', () => {
  cell(
    'apply delay (4 min)',
    'thermostat-in',
    'polls show the cloud setpoint until it is applied',
    {
      comapAccount: { pollInterval: 1 },
      subject: { output: 'values', onlyChanges: true },
      extraNodes: [{ id: 's1', type: 'qivivo-set-temperature', account: 'acct', housing: '', duration: 120, debounce: 0, retries: 0, retryDelay: 5 }],
    },
    async (c) => {
      c.comap.state.applyDelayMs = APPLY_DELAY_MS;
      const setpoints = (): OutMsg[] => c.outputs.out.filter((m) => m.topic === 'setpoint');
      const first = await until('the first setpoint', () => setpoints()[0], { clock: c.clock, maxFakeMs: 2 * MIN });
      assert.notEqual(first.payload, 23);
      node('s1').receive({ payload: 23, tag: 'cmd' });
      await until('the command result', () => c.outputs.out.find((m) => m.tag === 'cmd'), { clock: c.clock, maxFakeMs: MIN });
      const sentAt = Date.now();
      const polls = c.comap.server.requests('/thermal-details').length;
      await advance(c.clock, APPLY_DELAY_MS - 30_000);
      assert.ok(c.comap.server.requests('/thermal-details').length - polls >= 3, 'polled during the delay');
      assert.deepEqual(setpoints().slice(1), [], 'no setpoint change shown before the cloud applied it');
      const applied = await until('the applied setpoint', () => setpoints().find((m) => m.payload === 23), { clock: c.clock, maxFakeMs: 3 * MIN });
      assert.ok(applied, 'shown after the delay');
      assert.ok(Date.now() - sentAt >= APPLY_DELAY_MS - 1000);
      assert.equal(c.comap.state.temporaryInstructionWrites().length, 1);
      assert.equal(c.outputs.err.length, 0);
    },
  );
  cell('apply delay (4 min)', 'zone-order', 'the zone keeps its cloud order until applied; written once', { extraNodes: [READER] }, (c) =>
    commandWithApplyDelay(c, 'zone-order'),
  );
  cell('apply delay (4 min)', 'set-temperature', 'the setpoint stays the cloud one until applied; written once', { extraNodes: [READER] }, (c) =>
    commandWithApplyDelay(c, 'set-temperature'),
  );
  na('apply delay (4 min)', 'program', 'the Comap API applies a program change at once (no delayed set_point)');
  cell('apply delay (4 min)', 'house-mode', 'shown after the last read-back: NOT_CONFIRMED, final; at the third: confirmed; written once', { extraNodes: [READER] }, modeShownLate);
  na('apply delay (4 min)', 'presets', 'GET custom-temperatures shows an edit at once (no delayed set_point); its read-back is part of the edit');
  na('apply delay (4 min)', 'water', 'read-only service');
});
}

// ---- the cloud down for an hour ------------------------------------------------------------------

const HOUR = 60 * MIN;

/** Stops the emulator's server (connections refused) for `ms`, then starts it again on the same port. */
async function outage(clock: FakeClock, emulator: ComapEmulator | VeoliaEmulator, ms: number, during?: () => Promise<void>): Promise<void> {
  const port = Number(new URL(emulator.server.url).port);
  const end = Date.now() + ms;
  await emulator.stop();
  if (during) await during();
  await advance(clock, Math.max(0, end - Date.now()));
  await emulator.start(port);
}

async function commandsThroughOutage(c: Ctx, column: CommandColumn): Promise<void> {
  const HOUR_COMMANDS: Record<CommandColumn, { a: Command; b: Command }> = {
    'zone-order': {
      a: temporary(sdb, 'eco', 'eco', (p) => p.orderName === 'Eco'),
      b: temporary(chambres, 'frost_protection', 'hors-gel', (p) => p.orderName === 'Hors-Gel'),
    },
    'set-temperature': { a: COMMANDS['set-temperature'][0], b: COMMANDS['set-temperature'][1] },
    program: { a: activation(COMAP_IDS.programs.semaine, 'Semaine'), b: activation(COMAP_IDS.programs.vacances, 'Vacances') },
    'house-mode': { a: away(), b: holiday(isoIn(3), isoIn(5)) },
    presets: { a: COMMANDS.presets[0], b: COMMANDS.presets[1] },
  };
  const { a, b } = HOUR_COMMANDS[column];
  await outage(c.clock, c.comap, HOUR, async () => {
    await advance(c.clock, MIN);
    // n1 gives up after one retry; n2 (5 retries, 15 min apart) outlasts the outage.
    node('n1').receive({ payload: a.payload, topic: 'A' });
    node('n2').receive({ payload: b.payload, topic: 'B' });
    const err = errorOf(await until('the error of A', () => c.outputs.err.find((m) => m.topic === 'A'), { clock: c.clock, maxFakeMs: 5 * MIN }));
    assert.equal(err.code, 'UNAVAILABLE');
    assert.equal(err.attempts, 2);
    assertLogged(c, 'UNAVAILABLE');
  });
  assert.equal(c.outputs.out.length, 0, 'nothing applied while the cloud was down');
  const done = await until('the result of B', () => c.outputs.out.find((m) => m.topic === 'B'), { clock: c.clock, maxFakeMs: 20 * MIN });
  assert.ok(b.isResult(done.payload));
  await advance(c.clock, 2 * HOUR);
  assert.equal(c.comap.state.writes.filter(b.isWrite).length, 1, 'B applied exactly once');
  assert.equal(c.comap.state.writes.filter(a.isWrite).length, 0, 'A, given up, never applied later');
  assert.equal(c.comap.state.writes.filter(IS_WRITE[column]).length, 1);
  assert.equal(c.outputs.err.length, 1);
  assert.equal(c.outputs.out.length, 1);
}

function outageCells(): void {
describe('cloud down 1 h, then back', () => {
  const longRetry = { retries: 5, retryDelay: 900 };
  const outageSetup = (column: CommandColumn): Setup => {
    const second = subject(column, { id: 'n2', ...longRetry });
    return {
      subject: { retries: 1, retryDelay: 90, ...(column === 'zone-order' ? { zone: 'Salle de bain' } : {}) },
      extraNodes: [second],
      comapAccount: { timeout: 20 },
    };
  };

  cell('cloud down 1 h, then back', 'thermostat-in', 'one UNAVAILABLE error in the hour, polling resumes', { comapAccount: { pollInterval: 15, timeout: 20 } }, async (c) => {
    await until('the first poll', () => c.outputs.out.length >= 1, { clock: c.clock, maxFakeMs: 2 * MIN });
    await advance(c.clock, MIN);
    await outage(c.clock, c.comap, HOUR);
    const err = errorOf(c.outputs.err[0]);
    assert.equal(err.code, 'UNAVAILABLE');
    assert.equal(err.attempts, 3);
    assert.equal(c.outputs.err.length, 1, 'one error for the whole outage');
    assert.equal(c.outputs.out.length, 1, 'no state while down');
    assertLogged(c, 'UNAVAILABLE');
    await until('a state once the cloud is back', () => c.outputs.out.length >= 2, { clock: c.clock, maxFakeMs: 20 * MIN });
    await advance(c.clock, HOUR);
    assert.ok(c.outputs.out.length >= 5, `polling goes on (${c.outputs.out.length} states, errors ${JSON.stringify(c.outputs.errors())})`);
    assert.equal(c.outputs.err.length, 1);
  });
  for (const column of COMMAND_COLUMNS) {
    cell('cloud down 1 h, then back', column, 'short retries give up (UNAVAILABLE); long retries apply once when back', outageSetup(column), (c) =>
      commandsThroughOutage(c, column),
    );
  }
  // The daily sync falls in the outage: 07:00 in Paris, the cloud down from 06:55 to 07:55.
  const tomorrow = addDays(zonedDate(Date.now()), 1);
  cell(
    'cloud down 1 h, then back',
    'water',
    'the daily sync retries every 15 min, then errors; the next one recovers',
    { clockStart: zonedTimeToEpoch(tomorrow, 6, 50), subject: { syncTime: '07:00' }, veoliaAccount: { timeout: 20 } },
    async (c) => {
      await until('the first sync', () => c.outputs.out.length >= 1, { clock: c.clock, maxFakeMs: 2 * MIN });
      await advance(c.clock, zonedTimeToEpoch(tomorrow, 6, 55) - Date.now());
      await outage(c.clock, c.veolia, HOUR);
      const err = errorOf(c.outputs.err[0]);
      assert.equal(err.code, 'UNAVAILABLE');
      assert.equal(err.attempts, 4, 'the sync and its 3 retries');
      assert.equal(c.outputs.err.length, 1);
      assert.equal(c.outputs.out.length, 1);
      assertLogged(c, 'UNAVAILABLE');
      node('n1').receive({ tag: 'now' });
      await until('a sync on demand', () => c.outputs.out.find((m) => m.tag === 'now'), { clock: c.clock, maxFakeMs: 5 * MIN });
      const seen = c.outputs.out.length;
      await until('the next daily sync', () => c.outputs.out.length > seen, { clock: c.clock, maxFakeMs: 26 * HOUR });
      assert.equal(zonedDate(Date.now()), addDays(tomorrow, 1));
      assert.equal(c.outputs.err.length, 1);
    },
  );
});
}

// ---- wiring -------------------------------------------------------------------------------------------

describe('fault injection', function () {
  before(() => {
    guard.install();
    inFlight.install();
  });
  after(() => {
    guard.uninstall();
    inFlight.uninstall();
    console.log(`\n${table.render('scenario \\ node')}`);
    if (notApplicable.length) console.log(`— not applicable:\n  ${notApplicable.join('\n  ')}\n`);
  });
  transportCells();
  tokenCells();
  conflictCells();
  applyDelayCells();
  outageCells();
});
