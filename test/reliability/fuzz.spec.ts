import assert from 'node:assert/strict';
import { COMAP_IDS, ComapEmulator } from '../../src/emulator/comap';
import type { EmulatorServer } from '../../src/emulator/http-server';
import { VeoliaEmulator } from '../../src/emulator/veolia';
import { FlowNode, helper, load, node } from '../support/flow';
import { comapAccount, CrashGuard, CREDENTIALS, flowOf, LoggedErrors, OutMsg, Outputs, realDelay, until, veoliaAccount } from './support/harness';
import {
  anyValue,
  disguise,
  fold,
  hostileObject,
  hugeString,
  isCalendarDate,
  polluted,
  POLLUTION_MARK,
  prototypeSnapshot,
  Rng,
  shiftDate,
  word,
} from './support/fuzz';

/**
 * Input fuzzing: at least 1,000 generated messages per flow node. Every message is classified
 * by an oracle written here from the product spec (never by the package's own parsers), and
 * must end as the oracle says: a result (or a request) for valid input, INVALID_INPUT on
 * output 2 for invalid input, and not a single request while only invalid input arrives.
 * Messages the spec leaves open (e.g. "0x15" as a temperature) are dropped, not guessed.
 * The PRNG is seeded: FUZZ_SEED=<n> replays a run.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20261123) >>> 0;
const FIRST_INVALID = 500;
const MIXED = { valid: 350, invalid: 150, cloud: 30 };

type Kind =
  /** INVALID_INPUT on output 2, nothing sent to the cloud. */
  | 'invalid'
  /** One result on output 1. */
  | 'result'
  /** A re-emitted date range on output 1 (water). */
  | 'range'
  /** No output at all (pause/resume). */
  | 'silent'
  /** The raw dump on output 1 (topic "debug"). */
  | 'debug'
  /** NOT_FOUND on output 2 after asking the cloud; nothing written. */
  | 'notFound'
  /** INVALID_INPUT after asking the cloud which zone it is (the thermostat's own zone); nothing written. */
  | 'ownZone';

interface Expectation {
  kind: Kind;
  /** The command writes once to the cloud (a POST that applies it). */
  applies?: boolean;
  range?: { from: string; to: string };
}

type Verdict = Expectation | 'ambiguous';
type Want = 'valid' | 'invalid' | 'cloud';

interface Case {
  id: string;
  msg: Record<string, unknown>;
  expect: Expectation;
}

interface NodeFuzz {
  name: string;
  node: FlowNode;
  /** Which emulator's request log must stay empty for invalid input. */
  server: 'comap' | 'veolia';
  candidate(r: Rng, want: Want): Record<string, unknown>;
  oracle(msg: Record<string, unknown>): Verdict;
  wants: Want[];
  /** Deploy-time work to let finish before the log is cleared. */
  warmUp?: (outputs: Outputs) => Promise<void>;
}

const CLOUD_KINDS: Kind[] = ['notFound', 'ownZone'];

function classOf(kind: Kind): Want {
  if (kind === 'invalid') return 'invalid';
  return CLOUD_KINDS.includes(kind) ? 'cloud' : 'valid';
}

// ---- oracles (product-spec §3, §4) -----------------------------------------------------------------

const has = (msg: Record<string, unknown>, key: string): boolean => Object.prototype.hasOwnProperty.call(msg, key) && msg[key] !== undefined;

/** §3.2 `msg.duration` (minutes, 1–4320), optional: absent/null means the node's setting. */
function durationVerdict(msg: Record<string, unknown>): 'ok' | 'invalid' | 'ambiguous' {
  const value = has(msg, 'duration') ? msg.duration : undefined;
  if (value === undefined || value === null) return 'ok';
  if (typeof value === 'number') return Number.isInteger(value) && value >= 1 && value <= 4320 ? 'ok' : 'invalid';
  if (typeof value === 'string') {
    if (/^\d{1,6}$/.test(value)) return Number(value) >= 1 && Number(value) <= 4320 ? 'ok' : 'invalid';
    if (value.trim() === '' || /^[\p{L}\s-]+$/u.test(value)) return 'invalid';
    return 'ambiguous';
  }
  return 'invalid';
}

/** "cancel", in any case, is a cancel; with spaces around it the spec does not say. */
function cancelVerdict(value: unknown): boolean | 'ambiguous' {
  if (typeof value !== 'string') return false;
  if (value.toLowerCase() === 'cancel') return true;
  return value.trim().toLowerCase() === 'cancel' ? 'ambiguous' : false;
}

/** §3.2 set-temperature: a number in °C, 5–30 (numeric text counts), or "cancel". */
function setTemperatureOracle(msg: Record<string, unknown>): Verdict {
  const payload = has(msg, 'payload') ? msg.payload : undefined;
  const cancel = cancelVerdict(payload);
  if (cancel === 'ambiguous') return 'ambiguous';
  const duration = durationVerdict(msg);
  if (cancel) return duration === 'ok' ? { kind: 'result' } : 'ambiguous';
  let celsius: number | undefined;
  if (typeof payload === 'number') celsius = payload;
  else if (typeof payload === 'string') {
    if (/^-?\d{1,3}(\.\d{1,3})?$/.test(payload)) celsius = Number(payload);
    else if (!(payload.trim() === '' || /^[\p{L}\s-]+$/u.test(payload))) return 'ambiguous';
  }
  if (celsius === undefined || !Number.isFinite(celsius) || celsius < 5 || celsius > 30) return { kind: 'invalid' };
  if (duration === 'ambiguous') return 'ambiguous';
  return duration === 'ok' ? { kind: 'result', applies: true } : { kind: 'invalid' };
}

const ORDER_NAMES = ['arret', 'off', 'stop', 'hors-gel', 'frost', 'eco', 'confort-2', 'comfort-2', 'confort-1', 'comfort-1', 'confort', 'comfort'];
const ORDER_STEMS = ['arret', 'off', 'stop', 'gel', 'frost', 'eco', 'conf', 'comf', 'minus', 'protect'];
const NOT_ORDERS = ['warm', 'hot', 'chaud', 'froid', 'auto', 'max', 'on', 'heat', 'away', 'night', 'boost', 'presence', '__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '6', '-1', '2.5', '9', 'NaN'];

/** §3.2 zone-order payload: 0–5, a listed name (any case, accents), or "cancel". */
function orderVerdict(value: unknown): 'order' | 'cancel' | 'invalid' | 'ambiguous' {
  const cancel = cancelVerdict(value);
  if (cancel === 'ambiguous') return 'ambiguous';
  if (cancel) return 'cancel';
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 && value <= 5 ? 'order' : 'invalid';
  if (typeof value !== 'string') return 'invalid';
  if (/^[0-5]$/.test(value)) return 'order';
  const name = fold(value);
  if (ORDER_NAMES.includes(name)) return 'order';
  if (/^\d+$/.test(value) || value !== value.trim()) return 'ambiguous';
  // Near-names (other spellings the spec does not list) are left open.
  return ORDER_STEMS.some((stem) => name.includes(stem)) ? 'ambiguous' : 'invalid';
}

const ZONES = { known: ['Chambres', 'Salle de bain', COMAP_IDS.zones.chambres, COMAP_IDS.zones.sdb], own: ['Séjour', COMAP_IDS.zones.sejour] };

/** §3.2 `msg.zone`: an id or a name of the housing (names compared as users type them). */
function zoneVerdict(value: unknown): 'known' | 'own' | 'unknown' | 'invalid' | 'ambiguous' {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? 'ambiguous' : 'invalid';
  if (typeof value !== 'string') return 'invalid';
  if (value.trim() === '' || value.length >= 1000) return 'invalid';
  if (value.length > 200 || value !== value.trim()) return 'ambiguous';
  if (ZONES.known.some((z) => fold(z) === fold(value))) return 'known';
  if (ZONES.own.some((z) => fold(z) === fold(value))) return 'own';
  return 'unknown';
}

function zoneOrderOracle(msg: Record<string, unknown>): Verdict {
  const zone = zoneVerdict(has(msg, 'zone') ? msg.zone : undefined);
  if (zone === 'ambiguous') return 'ambiguous';
  if (zone === 'invalid') return { kind: 'invalid' };
  const order = orderVerdict(has(msg, 'payload') ? msg.payload : undefined);
  if (order === 'ambiguous') return 'ambiguous';
  if (order === 'invalid') return { kind: 'invalid' };
  const duration = durationVerdict(msg);
  if (duration === 'ambiguous' || (order === 'cancel' && duration !== 'ok')) return 'ambiguous';
  if (duration === 'invalid') return { kind: 'invalid' };
  if (zone === 'unknown') return { kind: 'notFound' };
  if (zone === 'own') return { kind: 'ownZone' };
  return { kind: 'result', applies: order === 'order' };
}

const PROGRAMS = ['Semaine', 'Vacances', COMAP_IDS.programs.semaine, COMAP_IDS.programs.vacances];

/** §3.2 program: a program name (case-insensitive) or id. */
function programOracle(msg: Record<string, unknown>): Verdict {
  const value = has(msg, 'payload') ? msg.payload : undefined;
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? 'ambiguous' : { kind: 'invalid' };
  if (typeof value !== 'string' || value.trim() === '' || value.length >= 1000) return { kind: 'invalid' };
  if (value.length > 200 || value !== value.trim() || fold(value) !== value.toLowerCase()) return 'ambiguous';
  if (PROGRAMS.some((p) => p.toLowerCase() === value.toLowerCase())) return { kind: 'result', applies: true };
  return { kind: 'notFound' };
}

/** §3.1 thermostat-in: any message is a refresh; topic "pause"/"resume" are controls, "debug" a dump. */
function thermostatOracle(msg: Record<string, unknown>): Verdict {
  const topic = has(msg, 'topic') ? msg.topic : undefined;
  if (typeof topic === 'string') {
    if (topic === 'pause' || topic === 'resume') return { kind: 'silent' };
    if (topic === 'debug') return { kind: 'debug' };
    if (['pause', 'resume', 'debug'].includes(topic.trim().toLowerCase())) return 'ambiguous';
  }
  return { kind: 'result' };
}

/** §3.3 water: any message syncs; a payload object with from/to asks for that range (YYYY-MM-DD, from ≤ to). */
function waterOracle(msg: Record<string, unknown>): Verdict {
  const payload = has(msg, 'payload') ? msg.payload : undefined;
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return { kind: 'result' };
  const record = payload as Record<string, unknown>;
  const from = has(record, 'from') ? record.from : undefined;
  const to = has(record, 'to') ? record.to : undefined;
  if (from === undefined && to === undefined) return { kind: 'result' };
  if (!isCalendarDate(from) || !isCalendarDate(to) || from > to) return { kind: 'invalid' };
  return { kind: 'range', range: { from, to } };
}

// ---- candidate generators -----------------------------------------------------------------------------

function decorate(r: Rng, msg: Record<string, unknown>): Record<string, unknown> {
  if (r.chance(0.3)) msg.extra = anyValue(r);
  if (r.chance(0.2)) msg.topic = anyValue(r);
  if (r.chance(0.1)) {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      Object.defineProperty(msg, key, { value: { [POLLUTION_MARK]: true }, enumerable: true, writable: true, configurable: true });
    }
  }
  return msg;
}

function invalidDuration(r: Rng): unknown {
  return r.pick([0, -1, 4321, 1.5, NaN, Infinity, -Infinity, 1e12, word(r), hugeString(r), {}, [], true, Buffer.from('60'), new Date(), anyValue(r)]);
}

function validDuration(r: Rng): unknown {
  return r.pick([undefined, null, r.int(1, 4320), String(r.int(1, 4320)), 1, 4320]);
}

function withDuration(r: Rng, msg: Record<string, unknown>, valid: boolean): Record<string, unknown> {
  const duration = valid ? validDuration(r) : invalidDuration(r);
  if (duration !== undefined || r.chance(0.5)) msg.duration = duration;
  return msg;
}

function setTemperatureCandidate(r: Rng, want: Want): Record<string, unknown> {
  if (want === 'valid') {
    const celsius = 5 + r.next() * 25;
    const payload = r.pick([celsius, Math.round(celsius), celsius.toFixed(r.int(0, 2)), 5, 30, disguise(r, 'cancel')]);
    return decorate(r, withDuration(r, { payload }, true));
  }
  if (r.chance(0.25)) return decorate(r, withDuration(r, { payload: r.int(5, 30) }, false));
  const payload = r.pick([
    anyValue(r),
    anyValue(r),
    r.pick([4.74, 4.99, 30.01, 30.5, -0.5, 0, -21, 100, 1e9, -1e9]),
    r.pick(['4', '31', '-5', '100', '0']),
    word(r),
    hugeString(r),
    [r.int(5, 30)],
    { value: r.int(5, 30) },
  ]);
  return decorate(r, r.chance(0.5) ? withDuration(r, { payload }, true) : { payload });
}

function zoneOrderCandidate(r: Rng, want: Want): Record<string, unknown> {
  const validOrder = (): unknown => r.pick([r.int(0, 5), String(r.int(0, 5)), disguise(r, r.pick(ORDER_NAMES)), disguise(r, 'cancel')]);
  const knownZone = (): string => {
    const zone = r.pick(ZONES.known);
    return zone.startsWith('z-') ? zone : disguise(r, zone);
  };
  if (want === 'valid') return decorate(r, withDuration(r, { payload: validOrder(), zone: knownZone() }, true));
  if (want === 'cloud') {
    const zone = r.chance(0.4) ? r.pick(ZONES.own) : r.pick(['Garage', 'Cuisine', '__proto__', 'constructor', 'prototype', 'toString', word(r)]);
    return decorate(r, withDuration(r, { payload: r.pick([r.int(0, 5), 'eco']), zone }, true));
  }
  switch (r.int(0, 3)) {
    case 0:
      return decorate(r, { payload: r.pick([anyValue(r), r.pick(NOT_ORDERS), word(r), r.pick([6, -1, 2.5, NaN, Infinity])]), zone: knownZone() });
    case 1:
      return decorate(r, { payload: validOrder(), zone: r.pick([anyValue(r), '', '   ', hugeString(r), 1.5, -1, NaN, null, undefined]) });
    case 2:
      return decorate(r, withDuration(r, { payload: r.int(0, 5), zone: knownZone() }, false));
    default:
      return decorate(r, { payload: anyValue(r), zone: anyValue(r) });
  }
}

function programCandidate(r: Rng, want: Want): Record<string, unknown> {
  if (want === 'valid') {
    const program = r.pick(PROGRAMS);
    const cased = program.startsWith('p-') ? program : [...program].map((ch) => (r.chance(0.4) ? ch.toUpperCase() : ch.toLowerCase())).join('');
    return decorate(r, { payload: cased });
  }
  if (want === 'cloud') return decorate(r, { payload: r.pick(['Été', 'Chalet', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', word(r)]) });
  return decorate(r, { payload: r.pick([anyValue(r), anyValue(r), '', '   ', hugeString(r), -1, 1.5, NaN, null, true, [], {}, ['Semaine'], { name: 'Semaine' }]) });
}

function thermostatCandidate(r: Rng): Record<string, unknown> {
  const topic = r.chance(0.15) ? r.pick(['pause', 'resume', 'debug']) : r.pick([anyValue(r), word(r), 'qivivo', undefined]);
  return decorate(r, { topic, payload: anyValue(r) });
}

function waterCandidate(lastPublished: () => string): (r: Rng, want: Want) => Record<string, unknown> {
  return (r, want) => {
    const day = (back: number): string => shiftDate(lastPublished(), -back);
    if (want === 'valid') {
      if (r.chance(0.15)) {
        const from = r.int(3, 40);
        return decorate(r, { payload: { from: day(from), to: day(from - r.int(0, Math.min(6, from - 1))) } });
      }
      return decorate(r, { payload: r.pick([anyValue(r), anyValue(r), {}, { from: undefined, to: undefined }, hostileObject(r, () => day(3))]) });
    }
    const badDate = (): unknown => r.pick(['2026-13-01', '2026-02-30', '2026-2-3', 'yesterday', 'today', '', '20261123', day(5) + 'T00:00:00Z', anyValue(r), null, 20261123]);
    switch (r.int(0, 3)) {
      case 0:
        return decorate(r, { payload: { from: badDate(), to: day(3) } });
      case 1:
        return decorate(r, { payload: { from: day(3), to: badDate() } });
      case 2:
        return decorate(r, { payload: r.chance(0.5) ? { from: day(3) } : { to: day(3) } });
      default:
        return decorate(r, { payload: { from: day(2), to: day(9) } });
    }
  };
}

/** Draws candidates until the oracle puts one in the wanted class. */
function generate(r: Rng, fuzz: NodeFuzz, want: Want, count: number, prefix: string): { cases: Case[]; dropped: number } {
  const cases: Case[] = [];
  let dropped = 0;
  while (cases.length < count) {
    const msg = fuzz.candidate(r, want);
    const verdict = fuzz.oracle(msg);
    if (verdict === 'ambiguous') {
      dropped++;
      continue;
    }
    if (classOf(verdict.kind) !== want) continue;
    const id = `${prefix}${cases.length}`;
    msg.fuzzId = id;
    cases.push({ id, msg, expect: verdict });
  }
  return { cases, dropped };
}

// ---- checking ---------------------------------------------------------------------------------------

function byCase(outputs: Outputs): Map<string, { out: OutMsg[]; err: OutMsg[] }> {
  const map = new Map<string, { out: OutMsg[]; err: OutMsg[] }>();
  const entry = (id: unknown): { out: OutMsg[]; err: OutMsg[] } | undefined => {
    if (typeof id !== 'string') return undefined;
    let e = map.get(id);
    if (!e) map.set(id, (e = { out: [], err: [] }));
    return e;
  };
  for (const m of outputs.out) entry(m.fuzzId)?.out.push(m);
  for (const m of outputs.err) entry(m.fuzzId)?.err.push(m);
  return map;
}

function expectedOutputs(c: Case, daysIn: (from: string, to: string) => number): number {
  switch (c.expect.kind) {
    case 'silent':
      return 0;
    case 'range':
      return daysIn(c.expect.range?.from ?? '', c.expect.range?.to ?? '');
    default:
      return 1;
  }
}

function describeMsg(msg: Record<string, unknown>): string {
  const show = (v: unknown): string => {
    if (typeof v === 'string') return v.length > 40 ? `"${v.slice(0, 20)}…" (${v.length} chars)` : JSON.stringify(v);
    if (typeof v === 'bigint') return `${v}n`;
    if (typeof v === 'function') return 'function';
    if (typeof v === 'symbol') return v.toString();
    if (Buffer.isBuffer(v)) return `Buffer(${v.length})`;
    if (v instanceof Date) return `Date(${v.getTime()})`;
    try {
      const text = JSON.stringify(v);
      return text === undefined ? String(v) : text.length > 60 ? `${text.slice(0, 60)}…` : text;
    } catch {
      return Object.prototype.toString.call(v);
    }
  };
  return `{payload: ${show(msg.payload)}, zone: ${show(msg.zone)}, duration: ${show(msg.duration)}, topic: ${show(msg.topic)}}`;
}

function check(cases: Case[], outputs: Outputs, daysIn: (from: string, to: string) => number): string[] {
  const got = byCase(outputs);
  const problems: string[] = [];
  for (const c of cases) {
    const { out, err } = got.get(c.id) ?? { out: [], err: [] };
    const what = `${c.id} ${c.expect.kind} ${describeMsg(c.msg)}`;
    const codes = err.map((m) => m.error?.code);
    switch (c.expect.kind) {
      case 'invalid':
      case 'ownZone':
        if (out.length !== 0 || codes.length !== 1 || codes[0] !== 'INVALID_INPUT') problems.push(`${what}: out ${out.length}, errors ${codes.join(',')}`);
        break;
      case 'notFound':
        if (out.length !== 0 || codes.length !== 1 || codes[0] !== 'NOT_FOUND') problems.push(`${what}: out ${out.length}, errors ${codes.join(',')}`);
        break;
      default: {
        const expected = expectedOutputs(c, daysIn);
        if (err.length !== 0 || out.length !== expected) problems.push(`${what}: out ${out.length}/${expected}, errors ${codes.join(',')} ${err[0]?.error?.message ?? ''}`);
        if (c.expect.kind === 'range' && c.expect.range) {
          const { from, to } = c.expect.range;
          for (const m of out) {
            const date = (m.payload as { date?: string } | undefined)?.date ?? '';
            if (date < from || date > to) problems.push(`${what}: day ${date} outside the range`);
          }
        }
        if (c.expect.kind === 'debug' && out.some((m) => m.topic !== 'debug')) problems.push(`${what}: not a debug dump`);
      }
    }
  }
  return problems;
}

function received(outputs: Outputs, cases: Case[], daysIn: (from: string, to: string) => number): boolean {
  const got = byCase(outputs);
  return cases.every((c) => {
    const e = got.get(c.id);
    const n = (e?.out.length ?? 0) + (e?.err.length ?? 0);
    return n >= Math.max(c.expect.kind === 'silent' ? 0 : 1, c.expect.kind === 'invalid' || c.expect.kind === 'notFound' || c.expect.kind === 'ownZone' ? 1 : expectedOutputs(c, daysIn));
  });
}

/** Waits for an answer to every case; on time-out, names the cases still unanswered. */
async function answered(outputs: Outputs, cases: Case[], daysIn: (from: string, to: string) => number, timeoutMs: number): Promise<void> {
  try {
    await until('an answer to every message', () => received(outputs, cases, daysIn), { timeoutMs });
  } catch (err) {
    const got = byCase(outputs);
    const missing = cases.filter((c) => !received(outputs, [c], daysIn)).map((c) => {
      const e = got.get(c.id);
      return `${c.id} ${c.expect.kind} ${describeMsg(c.msg)} (out ${e?.out.length ?? 0}, err ${e?.err.length ?? 0})`;
    });
    throw new Error(`${(err as Error).message}: ${missing.length} unanswered, e.g.\n${missing.slice(0, 8).join('\n')}`, { cause: err });
  }
}


function send(cases: Case[]): void {
  for (const c of cases) node('n1').receive(c.msg);
}

function writesOf(comap: ComapEmulator): number {
  return comap.state.writes.filter((w) => w.method === 'POST').length;
}

// ---- the runs -----------------------------------------------------------------------------------------

describe(`input fuzzing (seed ${SEED}; FUZZ_SEED=${SEED} replays it)`, function () {
  this.timeout(60_000);
  const comap = new ComapEmulator();
  const veolia = new VeoliaEmulator();
  const guard = new CrashGuard();
  const summary: string[] = [];
  let prototypes = '';

  before(async () => {
    console.log(`  fuzz seed: ${SEED}`);
    guard.install();
    prototypes = prototypeSnapshot();
    await comap.start();
    await veolia.start();
  });
  after(async () => {
    guard.uninstall();
    await comap.stop();
    await veolia.stop();
    console.log(`\n  fuzz seed ${SEED}:\n    ${summary.join('\n    ')}\n`);
  });
  beforeEach(() => {
    comap.reset();
    veolia.server.clearLog();
    veolia.server.resetFaults();
  });
  afterEach(async () => {
    await helper.unload();
    assert.equal(polluted(), false, 'Object.prototype polluted');
    assert.equal(prototypeSnapshot(), prototypes, 'built-in prototypes changed');
  });

  /** Published days in a range (memoised: the emulator rebuilds its history on every look-up). */
  const rangeDays = new Map<string, number>();
  const daysIn = (from: string, to: string): number => {
    const key = `${from}/${to}`;
    let n = rangeDays.get(key);
    if (n === undefined) {
      const published = new Set(veolia.state.published(veolia.state.contract()).map((d) => d.date));
      n = 0;
      for (let d = from; d <= to; d = shiftDate(d, 1)) if (published.has(d)) n++;
      rangeDays.set(key, n);
    }
    return n;
  };

  const FUZZ: NodeFuzz[] = [
    {
      name: 'qivivo-thermostat-in',
      node: { id: 'n1', type: 'qivivo-thermostat-in', account: 'acct', housing: '', output: 'state', onlyChanges: false },
      server: 'comap',
      candidate: thermostatCandidate,
      oracle: thermostatOracle,
      wants: ['valid'],
    },
    {
      name: 'qivivo-zone-order',
      node: { id: 'n1', type: 'qivivo-zone-order', account: 'acct', housing: '', zone: '', duration: 120, retries: 0, retryDelay: 1 },
      server: 'comap',
      candidate: zoneOrderCandidate,
      oracle: zoneOrderOracle,
      wants: ['invalid', 'valid', 'cloud'],
    },
    {
      name: 'qivivo-set-temperature',
      node: { id: 'n1', type: 'qivivo-set-temperature', account: 'acct', housing: '', duration: 120, debounce: 0, retries: 0, retryDelay: 1 },
      server: 'comap',
      candidate: setTemperatureCandidate,
      oracle: setTemperatureOracle,
      wants: ['invalid', 'valid'],
    },
    {
      name: 'qivivo-program',
      node: { id: 'n1', type: 'qivivo-program', account: 'acct', housing: '', retries: 0, retryDelay: 1 },
      server: 'comap',
      candidate: programCandidate,
      oracle: programOracle,
      wants: ['invalid', 'valid', 'cloud'],
    },
    {
      name: 'veolia-water-consumption',
      node: { id: 'n1', type: 'veolia-water-consumption', account: 'vacct', contract: '', syncTime: '07:00', historyDays: 3, output: 'latest' },
      server: 'veolia',
      candidate: waterCandidate(() => veolia.state.lastPublishedDate()),
      oracle: waterOracle,
      wants: ['invalid', 'valid'],
      warmUp: async (outputs) => {
        await until('the first sync', () => outputs.out.length >= 1, { timeoutMs: 10_000 });
      },
    },
  ];

  for (const fuzz of FUZZ) {
    it(`${fuzz.name}: ≥ 1,000 messages, each a valid action or INVALID_INPUT; none sent for invalid input`, async () => {
      const started = Date.now();
      const r = new Rng(SEED ^ [...fuzz.name].reduce((h, ch) => Math.imul(h, 31) + ch.charCodeAt(0), 7));
      await load(flowOf([comapAccount(comap, { timeout: 5 }), veoliaAccount(veolia, { timeout: 5 })], [fuzz.node]), CREDENTIALS);
      const outputs = new Outputs();
      const logged = new LoggedErrors(['n1']);
      await fuzz.warmUp?.(outputs);
      const server: EmulatorServer = fuzz.server === 'comap' ? comap.server : veolia.server;
      server.clearLog();
      let total = 0;
      let dropped = 0;

      // 1. Invalid input only: every message refused, not one request.
      if (fuzz.wants.includes('invalid')) {
        const invalid = generate(r, fuzz, 'invalid', FIRST_INVALID, 'i');
        dropped += invalid.dropped;
        send(invalid.cases);
        await answered(outputs, invalid.cases, daysIn, 20_000);
        await realDelay(100);
        assert.deepEqual(check(invalid.cases, outputs, daysIn).slice(0, 10), []);
        assert.equal(outputs.out.filter((m) => typeof m.fuzzId === 'string').length, 0, 'no result for invalid input');
        assert.deepEqual(
          server.log.map((l) => `${l.method} ${l.path}`),
          [],
          'no request at all for invalid input (not even a login)',
        );
        total += invalid.cases.length;
      }

      // 2. Valid, invalid and cloud-checked input shuffled together.
      const counts = fuzz.wants.includes('invalid') ? MIXED : { valid: 1000, invalid: 0, cloud: 0 };
      const mixed: Case[] = [];
      for (const want of ['valid', 'invalid', 'cloud'] as const) {
        if (!fuzz.wants.includes(want)) continue;
        const part = generate(r, fuzz, want, counts[want], `m${want[0]}`);
        dropped += part.dropped;
        mixed.push(...part.cases);
      }
      r.shuffle(mixed);
      const writesBefore = writesOf(comap);
      send(mixed);
      await answered(outputs, mixed, daysIn, 40_000);
      await realDelay(200);
      const problems = check(mixed, outputs, daysIn);
      assert.deepEqual(problems.slice(0, 10), [], `${problems.length} messages did not end as the spec says`);
      total += mixed.length;

      if (fuzz.server === 'comap') {
        const applying = mixed.filter((c) => c.expect.applies).length;
        assert.equal(writesOf(comap) - writesBefore, applying, 'each valid command applied exactly once; nothing written for the others');
      } else {
        assert.ok(server.log.length > 0, 'valid input reached the cloud');
      }
      assert.deepEqual(guard.take(), [], 'no unhandled rejection, no uncaught exception');
      const escaped = logged.of('n1').filter((m) => !/^[A-Z_]+: /.test(m));
      assert.deepEqual(escaped.slice(0, 5), [], 'no exception escaped an input handler (Node-RED would log it instead of output 2)');
      const kinds = new Map<string, number>();
      for (const c of mixed) kinds.set(c.expect.kind, (kinds.get(c.expect.kind) ?? 0) + 1);
      summary.push(
        `${fuzz.name}: ${total} messages (${fuzz.wants.includes('invalid') ? FIRST_INVALID : 0} invalid alone, then ${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')}), ${dropped} left open by the spec and dropped, ${server.log.length} requests, ${Date.now() - started} ms`,
      );
      assert.ok(total >= 1000);
    });
  }
});
