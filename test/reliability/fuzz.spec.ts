import assert from 'node:assert/strict';
import { COMAP_IDS, ComapEmulator } from '../../src/emulator/comap';
import type { EmulatorServer } from '../../src/emulator/http-server';
import { VEOLIA_IDS, VeoliaEmulator } from '../../src/emulator/veolia';
import { houseModeTiming, READ_BACKS_MS } from '../../src/lib/comap/house-mode-command';
import { FlowNode, helper, load, node } from '../support/flow';
import { comapAccount, CrashGuard, CREDENTIALS, flowOf, LoggedErrors, OutMsg, Outputs, realDelay, until, veoliaAccount } from './support/harness';
import {
  anyValue,
  disguise,
  fold,
  hostileObject,
  hugeString,
  isCalendarDate,
  parisDate,
  parisFields,
  parisInstant,
  parisWall,
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
  /** No output at all (pause/resume; topic "login" on a command node). */
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
  /** house-mode: the mode the result confirms; a holiday's times (epoch ms; no `from`: now). */
  mode?: { name: string; from?: number; to?: number };
  /** presets: for each preset edited, the values it may end with. */
  presets?: Record<string, number[]>;
  /** veolia-alerts: the settings a change asks for (daily/monthly `{on, value}`, emptyHome, sms). */
  alerts?: Record<string, unknown>;
}

type Verdict = Expectation | 'ambiguous';
type Want = 'valid' | 'invalid' | 'cloud';

interface Case {
  id: string;
  msg: Record<string, unknown>;
  expect: Expectation;
  /** When the oracle classified it. */
  at: number;
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
  /** What is wrong with the result of a case, if anything. */
  result?: (c: Case, payload: unknown) => string | undefined;
  /** Writes to count instead of POSTs, and how many the cases (in arrival order) cost. */
  writes?: { count(comap: ComapEmulator): number; expected(cases: Case[], start: number): { min: number; max: number } };
  /** Veolia: the POSTs a run costs (one per valid change), counted in the emulator's log. */
  posts?: { path: string; expected(cases: Case[]): number };
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
  // §7.5: a signed string or {delta} changes the current setpoint (kept within 5–30 °C).
  const delta = typeof payload === 'string' && /^[+-]\d{1,3}(\.\d{1,3})?$/.test(payload) ? Number(payload) : deltaOf(payload);
  if (delta !== undefined) {
    // The spec leaves open deltas that are not whole half-degrees, zero, or larger than the range.
    if (!Number.isInteger(delta * 2) || delta === 0 || Math.abs(delta) > 25) return 'ambiguous';
    if (duration === 'ambiguous') return 'ambiguous';
    return duration === 'ok' ? { kind: 'result', applies: true } : { kind: 'invalid' };
  }
  let celsius: number | undefined;
  if (typeof payload === 'number') celsius = payload;
  else if (typeof payload === 'string') {
    if (/^\d{1,3}(\.\d{1,3})?$/.test(payload)) celsius = Number(payload);
    else if (!(payload.trim() === '' || /^[\p{L}\s-]+$/u.test(payload))) return 'ambiguous';
  }
  if (celsius === undefined || !Number.isFinite(celsius) || celsius < 5 || celsius > 30) return { kind: 'invalid' };
  if (duration === 'ambiguous') return 'ambiguous';
  return duration === 'ok' ? { kind: 'result', applies: true } : { kind: 'invalid' };
}

/** `{ delta: n }` alone, with a finite number (§7.5). */
function deltaOf(payload: unknown): number | undefined {
  if (!payload || typeof payload !== 'object' || Array.isArray(payload) || Object.getPrototypeOf(payload) !== Object.prototype) return undefined;
  const keys = Object.keys(payload);
  const value = (payload as { delta?: unknown }).delta;
  return keys.length === 1 && keys[0] === 'delta' && typeof value === 'number' && Number.isFinite(value) ? value : undefined;
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
  // `{code}` answers a login challenge (spec §8.1); none is pending under fuzzing: refused, nothing sent.
  if (has(record, 'code')) return { kind: 'invalid' };
  const from = has(record, 'from') ? record.from : undefined;
  const to = has(record, 'to') ? record.to : undefined;
  if (from === undefined && to === undefined) return { kind: 'result' };
  if (!isCalendarDate(from) || !isCalendarDate(to) || from > to) return { kind: 'invalid' };
  // Several day messages in one send: Node-RED clones all but the first with its own recursive
  // cloneMessage, which a message nested thousands deep overflows (reported as an error, no crash).
  if (depthOf(msg.extra) > 100) return 'ambiguous';
  return { kind: 'range', range: { from, to } };
}

function depthOf(value: unknown, limit = 200): number {
  let depth = 0;
  let current: unknown = value;
  while (current && typeof current === 'object' && depth < limit) {
    const inner: unknown[] = Array.isArray(current) ? current : Object.values(current);
    current = inner.find((v) => v && typeof v === 'object');
    depth++;
  }
  return depth;
}

// ---- house-mode and presets (product-spec §7.1, §7.3, the nodes' help) --------------------------------

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Decisions this close to "now" are left open: the node decides a moment after the oracle. */
const NOW_MARGIN = 10 * MINUTE;
/** The latest instant a JavaScript date can hold. */
const MAX_DATE_MS = 8.64e15;

/** "login" (any case) as topic lets the account log in again; nothing is sent (the nodes' help). */
function loginVerdict(msg: Record<string, unknown>): boolean | 'ambiguous' {
  const topic = has(msg, 'topic') ? msg.topic : undefined;
  if (typeof topic !== 'string') return false;
  if (topic.toLowerCase() === 'login') return true;
  return topic.trim().toLowerCase() === 'login' ? 'ambiguous' : false;
}

const SIMPLE_MODES = ['away', 'home', 'cancel-holiday', 'heating-off', 'heating-on'];

type Instant = number | 'bad' | 'ambiguous';

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{3}))?)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * §7.1 holiday times: an ISO date-time (with `Z` or an offset: that instant; without: Paris time),
 * `YYYY-MM-DD` (midnight, Paris), epoch ms or a Date (the help). Other spellings of a date-time
 * (a space for the T, "+0100", 24:00, a leap second…) are left open; anything else is unparseable.
 */
function instantOf(value: unknown): Instant {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || Math.abs(value) > MAX_DATE_MS) return 'bad';
    return Number.isInteger(value) ? value : 'ambiguous';
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'bad' : value.getTime();
  if (typeof value !== 'string') return 'bad';
  const day = DATE_ONLY.exec(value);
  if (day) return isCalendarDate(value) ? paris(Number(day[1]), Number(day[2]), Number(day[3]), 0, 0) : 'bad';
  const m = DATE_TIME.exec(value);
  if (!m) return /^\s*[+-]?\d{4,6}-\d{2}-\d{2}/.test(value) ? 'ambiguous' : 'bad';
  const [y, mo, d, h, mi] = m.slice(1, 6).map(Number);
  const s = Number(m[6] ?? 0);
  const ms = Number(m[7] ?? 0);
  if ((h === 24 && mi === 0 && s === 0) || s === 60) return 'ambiguous';
  if (!isCalendarDate(`${m[1]}-${m[2]}-${m[3]}`) || h > 23 || mi > 59 || s > 59) return 'bad';
  if (m[8] === undefined) return paris(y, mo, d, h, mi, s, ms);
  const utc = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  if (m[8] === 'Z') return utc;
  const [oh, om] = [Number(m[8].slice(1, 3)), Number(m[8].slice(4))];
  if (oh > 14 || om > 59) return 'ambiguous';
  return utc - (m[8][0] === '-' ? -1 : 1) * (oh * 60 + om) * MINUTE;
}

/** A Paris wall-clock time; outside 1971–9999 an approximation (only ever far in the past or future). */
function paris(y: number, mo: number, d: number, h: number, mi: number, s = 0, ms = 0): Instant {
  if (y < 1971) return Date.UTC(y, mo - 1, d, h, mi, s, ms) - HOUR;
  return parisInstant(y, mo, d, h, mi, s, ms) ?? 'ambiguous';
}

const blank = (value: unknown): boolean => value === null || (typeof value === 'string' && value.trim() === '');

/** §7.1 `{mode: "holiday", from?, to}`: `to` required and after `from` (default now), not past, at most 365 days. */
function holidayVerdict(fields: Record<string, unknown>, now: number): Verdict {
  if (Object.keys(fields).some((k) => !['mode', 'from', 'to'].includes(k))) return 'ambiguous';
  const toValue = has(fields, 'to') ? fields.to : undefined;
  if (toValue === undefined || blank(toValue)) return { kind: 'invalid' };
  const to = instantOf(toValue);
  let from: Instant | undefined;
  if (has(fields, 'from')) {
    if (blank(fields.from)) return 'ambiguous';
    from = instantOf(fields.from);
  }
  if (to === 'ambiguous' || from === 'ambiguous') return 'ambiguous';
  if (to === 'bad' || from === 'bad') return { kind: 'invalid' };
  if (from !== undefined && to <= from) return { kind: 'invalid' };
  if (Math.abs(to - now) < NOW_MARGIN) return 'ambiguous';
  if (to <= now) return { kind: 'invalid' };
  const start = from ?? now;
  // Counted on the calendar: 365 days across a DST change are still 365 days.
  const length = to - start;
  if (length > 365 * DAY + 3 * HOUR) return { kind: 'invalid' };
  if (length > 365 * DAY - 3 * HOUR) {
    if (from === undefined) return 'ambiguous';
    if (parisWall(to) - parisWall(from) > 365 * DAY) return { kind: 'invalid' };
  }
  return { kind: 'result', applies: true, mode: { name: 'holiday', from, to } };
}

/** §7.1 house-mode: a mode name (any case), `{mode, …}` the same, or a holiday. */
function houseModeOracle(msg: Record<string, unknown>, now = Date.now()): Verdict {
  const login = loginVerdict(msg);
  if (login === 'ambiguous') return 'ambiguous';
  if (login) return { kind: 'silent' };
  const payload = has(msg, 'payload') ? msg.payload : undefined;
  const modeOf = (value: string): Verdict => {
    if (value !== value.trim()) return 'ambiguous';
    const name = value.toLowerCase();
    // "holiday" alone has no `to`: invalid.
    return SIMPLE_MODES.includes(name) ? { kind: 'result', applies: true, mode: { name } } : { kind: 'invalid' };
  };
  if (typeof payload === 'string') return modeOf(payload);
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return { kind: 'invalid' };
  const fields = payload as Record<string, unknown>;
  const mode = has(fields, 'mode') ? fields.mode : undefined;
  if (typeof mode !== 'string') return { kind: 'invalid' };
  if (mode.toLowerCase() === 'holiday') return holidayVerdict(fields, now);
  const verdict = modeOf(mode);
  // `{mode: "away"}` works (the help); what other keys beside a mode do, the spec does not say.
  return verdict !== 'ambiguous' && verdict.kind !== 'invalid' && Object.keys(fields).length > 1 ? 'ambiguous' : verdict;
}

/** §7.3 ranges, °C. */
const PRESET_RANGES: Record<string, [number, number]> = {
  presence1: [5, 30],
  presence2: [5, 30],
  presence3: [5, 30],
  presence4: [5, 30],
  night: [5, 30],
  away: [5, 30],
  frostProtection: [5, 15],
};
const PRESET_NAMES = Object.keys(PRESET_RANGES);

/** A preset value: a number, or numeric text (§3.2's rule for temperatures; the presets help is silent). */
function celsiusOf(value: unknown): number | 'bad' | 'ambiguous' {
  if (typeof value === 'number') return Number.isFinite(value) ? value : 'bad';
  if (typeof value !== 'string') return 'bad';
  if (/^-?\d{1,3}(\.\d{1,3})?$/.test(value)) return Number(value);
  return value.trim() === '' || /^[\p{L}\s-]+$/u.test(value) ? 'bad' : 'ambiguous';
}

/** The values a preset may end with: rounded to 0.5 (either neighbour on a tie). */
function roundedHalves(celsius: number): number[] {
  const twice = celsius * 2;
  return twice % 1 === 0.5 ? [Math.floor(twice) / 2, Math.ceil(twice) / 2] : [Math.round(twice) / 2];
}

/**
 * Nodes that read on a non-object and edit on an object (presets, alerts): the verdict settled
 * before the object's fields are looked at, or those fields.
 */
function editFields(msg: Record<string, unknown>): Verdict | { fields: Record<string, unknown> } {
  const login = loginVerdict(msg);
  if (login === 'ambiguous') return 'ambiguous';
  if (login) return { kind: 'silent' };
  const payload = has(msg, 'payload') ? msg.payload : undefined;
  // A function is an object to JavaScript but not to JSON: left open.
  if (typeof payload === 'function') return 'ambiguous';
  if (typeof payload !== 'object' || payload === null) return { kind: 'result' };
  // An array is not an object of settings (the help).
  if (Array.isArray(payload)) return { kind: 'invalid' };
  return { fields: payload as Record<string, unknown> };
}

function isFields(value: Verdict | { fields: Record<string, unknown> }): value is { fields: Record<string, unknown> } {
  return typeof value === 'object' && 'fields' in value;
}

/** §7.3 presets: a non-object reads; an object edits the presets it names; anything else is INVALID_INPUT. */
function presetsOracle(msg: Record<string, unknown>): Verdict {
  const edit = editFields(msg);
  if (!isFields(edit)) return edit;
  const fields = edit.fields;
  const keys = Object.keys(fields);
  if (keys.length === 0 || keys.some((k) => !PRESET_NAMES.includes(k))) return { kind: 'invalid' };
  const presets: Record<string, number[]> = {};
  let open = false;
  for (const key of keys) {
    const celsius = celsiusOf(fields[key]);
    if (celsius === 'ambiguous') {
      open = true;
      continue;
    }
    const [min, max] = PRESET_RANGES[key];
    if (celsius === 'bad' || celsius < min || celsius > max) return { kind: 'invalid' };
    presets[key] = roundedHalves(celsius);
  }
  return open ? 'ambiguous' : { kind: 'result', applies: true, presets };
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

/** Random case on a name ("Away", "hEATING-off"). */
function randomCase(r: Rng, name: string): string {
  return [...name].map((ch) => (r.chance(0.4) ? ch.toUpperCase() : ch)).join('');
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** An instant as a message could carry it: ISO (Z, an offset, Paris time), a date, epoch ms, a Date. */
function spellInstant(r: Rng, at: number): unknown {
  const iso = new Date(at).toISOString();
  switch (r.int(0, 7)) {
    case 0:
      return iso;
    case 1:
      return iso.slice(0, 16) + 'Z';
    case 2: {
      const offset = r.pick([60, 120, -300, 330, 0]);
      const shifted = new Date(at + offset * MINUTE).toISOString().slice(0, 19);
      const sign = offset < 0 ? '-' : '+';
      return `${shifted}${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
    }
    case 3: {
      const f = parisFields(at);
      return `${parisDate(at)}T${pad(f.hour)}:${pad(f.minute)}${r.chance(0.5) ? `:${pad(f.second)}` : ''}`;
    }
    case 4:
      return parisDate(at);
    case 5:
      return at;
    case 6:
      return new Date(at);
    default:
      return r.chance(0.5) ? iso : parisDate(at);
  }
}

const NOT_MODES = ['holiday', 'vacances', 'absent', 'back', 'off', 'on', 'heating', 'cancel', 'heating off', 'heating_on', 'cancelholiday', 'aways', 'hôme', 'présent', '__proto__', 'constructor', 'prototype', 'toString', 'valueOf', '', '0', '1'];
const BAD_TIMES = [
  '2026-13-01',
  '2026-02-30',
  '2026-12-01T25:00',
  '2026-12-01T12:60',
  '2026-2-3',
  '26/12/2026',
  '20261226',
  'tomorrow',
  'demain',
  'next week',
  NaN,
  Infinity,
  -Infinity,
  1e20,
  -1e20,
  Number.MAX_VALUE,
  Number.MAX_SAFE_INTEGER + 2,
  MAX_DATE_MS,
  -MAX_DATE_MS,
  true,
  {},
  [],
];

function houseModeCandidate(r: Rng, want: Want): Record<string, unknown> {
  const now = Date.now();
  const holiday = (from: number | undefined, to: unknown): Record<string, unknown> => {
    const payload: Record<string, unknown> = { mode: randomCase(r, 'holiday') };
    if (from !== undefined) payload.from = spellInstant(r, from);
    payload.to = to;
    return payload;
  };
  if (r.chance(0.02)) return { ...decorate(r, { payload: r.pick(SIMPLE_MODES) }), topic: r.pick(['login', 'LOGIN', 'Login']) };
  if (want === 'valid') {
    switch (r.int(0, 4)) {
      case 0:
        return decorate(r, { payload: randomCase(r, r.pick(SIMPLE_MODES)) });
      case 1:
        return decorate(r, { payload: { mode: randomCase(r, r.pick(SIMPLE_MODES)) } });
      case 2: {
        // 365 calendar days from a Paris date: the longest holiday there is (366: one too many).
        const from = parisDate(now + r.int(1, 30) * DAY);
        return decorate(r, { payload: { mode: 'holiday', from, to: shiftDate(from, r.pick([364, 365, 365])) } });
      }
      default: {
        // A start an hour or more away from now (or none), an end within the year.
        const from = r.pick([undefined, now - r.int(HOUR, 30 * DAY), now + r.int(HOUR, 60 * DAY)]);
        const to = (from ?? now) + r.int(from !== undefined && from < now ? now - from + HOUR : HOUR, 360 * DAY);
        return decorate(r, { payload: holiday(from, spellInstant(r, to)) });
      }
    }
  }
  switch (r.int(0, 6)) {
    case 0:
      return decorate(r, { payload: r.pick([anyValue(r), word(r), r.pick(NOT_MODES), randomCase(r, r.pick(NOT_MODES)), hugeString(r)]) });
    case 1:
      return decorate(r, { payload: r.pick([{ mode: anyValue(r) }, { mode: r.pick(NOT_MODES) }, {}, hostileObject(r, () => 'away'), ['away'], { away: true }, new Date()]) });
    case 2:
      // No `to`, or a `to` that is no time.
      return decorate(r, { payload: r.chance(0.3) ? { mode: 'holiday', from: spellInstant(r, now + DAY) } : holiday(r.pick([undefined, now + DAY]), r.pick([...BAD_TIMES, anyValue(r), null, '', undefined])) });
    case 3: {
      // A `from` that is no time.
      const payload = holiday(undefined, spellInstant(r, now + 3 * DAY));
      payload.from = r.pick([...BAD_TIMES, anyValue(r)]);
      return decorate(r, { payload });
    }
    case 4: {
      // `to` not after `from`.
      const from = now + r.int(HOUR, 30 * DAY);
      return decorate(r, { payload: holiday(from, spellInstant(r, from - r.pick([0, MINUTE, r.int(0, 10 * DAY)]))) });
    }
    case 5:
      // `to` in the past.
      return decorate(r, { payload: holiday(r.pick([undefined, now - 40 * DAY]), spellInstant(r, now - r.int(HOUR, 400 * DAY))) });
    default: {
      // Longer than 365 days.
      const from = r.pick([undefined, now - r.int(HOUR, 30 * DAY), now + r.int(HOUR, 30 * DAY)]);
      if (r.chance(0.3)) {
        const day = parisDate(now + r.int(1, 30) * DAY);
        return decorate(r, { payload: { mode: 'holiday', from: day, to: shiftDate(day, r.pick([366, 367, 800])) } });
      }
      return decorate(r, { payload: holiday(from, spellInstant(r, (from ?? now) + 365 * DAY + r.int(4 * HOUR, 3000 * DAY))) });
    }
  }
}

function presetsCandidate(r: Rng, want: Want): Record<string, unknown> {
  const celsius = (name: string): unknown => {
    const [min, max] = PRESET_RANGES[name];
    const value = min + r.next() * (max - min);
    return r.pick([value, Math.round(value * 2) / 2, Math.round(value * 4) / 4, min, max, value.toFixed(r.int(0, 2)), String(Math.round(value))]);
  };
  const edit = (): Record<string, unknown> => {
    const payload: Record<string, unknown> = {};
    for (const name of r.shuffle([...PRESET_NAMES]).slice(0, r.int(1, 7))) payload[name] = celsius(name);
    return payload;
  };
  if (r.chance(0.02)) return { ...decorate(r, { payload: edit() }), topic: r.pick(['login', 'LOGIN']) };
  if (want === 'valid') {
    if (r.chance(0.35)) return decorate(r, { payload: r.pick(['get', 'GET', Date.now(), anyValue(r), true, '', null, undefined, word(r)]) });
    return decorate(r, { payload: edit() });
  }
  const payload = edit();
  switch (r.int(0, 4)) {
    case 0: {
      // Out of range (frost protection stays under 15).
      const name = r.pick(PRESET_NAMES);
      const [min, max] = PRESET_RANGES[name];
      payload[name] = r.pick([min - 0.01, min - 0.5, max + 0.01, max + 0.5, 0, -5, 100, 1e9, name === 'frostProtection' ? r.pick([16, 20, 30]) : 31, String(max + 1)]);
      break;
    }
    case 1:
      // Not a number.
      payload[r.pick(PRESET_NAMES)] = r.pick([NaN, Infinity, null, undefined, true, [], {}, word(r), '', ' ', [18], { value: 18 }, new Date(), anyValue(r)]);
      break;
    case 2:
      // A key that is no preset.
      Object.defineProperty(payload, r.pick(['presence0', 'presence5', 'Night', 'frost_protection', 'presence_1', 'comfort', 'eco', '__proto__', 'constructor', 'prototype', 'toString', word(r)]), {
        value: 18,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      break;
    case 3:
      return decorate(r, { payload: r.pick([{}, [], [18], hostileObject(r, () => 18), Buffer.from('18'), new Map([['night', 17]]), new Date()]) });
    default:
      return decorate(r, { payload: r.pick([anyValue(r), { night: anyValue(r) }, { [word(r)]: anyValue(r) }]) });
  }
  return decorate(r, { payload });
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
    cases.push({ id, msg, expect: verdict, at: Date.now() });
  }
  return { cases, dropped };
}

// ---- what a house-mode or presets result must hold ------------------------------------------------------

const MAISON = { id: COMAP_IDS.maison, name: 'Maison' };

function sameMinute(shown: unknown, asked: number): boolean {
  return typeof shown === 'string' && Math.abs(Date.parse(shown) - asked) < MINUTE;
}

/** §7.1 result: `{housing, mode, from, to (holiday only), confirmed: true, confirmedAt}`. */
function houseModeResult(c: Case, payload: unknown): string | undefined {
  const want = c.expect.mode;
  if (!want) return undefined;
  const p = (payload ?? {}) as Record<string, unknown>;
  if (JSON.stringify(p.housing) !== JSON.stringify(MAISON)) return `housing ${JSON.stringify(p.housing)}`;
  if (p.mode !== want.name || p.confirmed !== true || !Number.isFinite(Date.parse(String(p.confirmedAt)))) return `result ${JSON.stringify(p)}`;
  if (want.name !== 'holiday') return 'from' in p || 'to' in p ? `dates on a ${want.name}: ${JSON.stringify(p)}` : undefined;
  // Without `from` the holiday starts when it is written: within the run.
  const fromOk = want.from !== undefined ? sameMinute(p.from, want.from) : typeof p.from === 'string' && Math.abs(Date.parse(p.from) - c.at) < NOW_MARGIN;
  return fromOk && want.to !== undefined && sameMinute(p.to, want.to) ? undefined : `holiday ${p.from} → ${p.to}, asked ${want.from} → ${want.to}`;
}

/** §7.3 result: `{housing, presets}` with all seven presets; an edit's as asked, rounded to 0.5. */
function presetsResult(c: Case, payload: unknown): string | undefined {
  const p = (payload ?? {}) as { housing?: unknown; presets?: Record<string, unknown> };
  if (JSON.stringify(p.housing) !== JSON.stringify(MAISON)) return `housing ${JSON.stringify(p.housing)}`;
  const presets = p.presets ?? {};
  if (JSON.stringify(Object.keys(presets).sort()) !== JSON.stringify([...PRESET_NAMES].sort())) return `presets ${JSON.stringify(presets)}`;
  if (Object.values(presets).some((v) => v !== null && typeof v !== 'number')) return `presets ${JSON.stringify(presets)}`;
  for (const [name, allowed] of Object.entries(c.expect.presets ?? {})) {
    if (!allowed.includes(presets[name] as number)) return `${name} ${String(presets[name])}, expected ${allowed.join(' or ')}`;
  }
  return undefined;
}

/**
 * The mode writes a run of house-mode commands costs, in arrival order (§4.1: one target per
 * housing, one at a time): one per command, but `"home"` ends only what is in force (§7.1): a
 * leave-home, a holiday in progress; none, nothing written. A holiday starting near the run is
 * counted both ways.
 */
function houseModeWrites(cases: Case[], start: number): { min: number; max: number } {
  let min = 0;
  let max = 0;
  let away = false;
  let holiday: { from?: number; maybeGone?: boolean } | undefined;
  for (const c of cases) {
    const mode = c.expect.mode;
    if (!mode) continue;
    switch (mode.name) {
      case 'away':
        away = true;
        break;
      case 'holiday':
        holiday = { from: mode.from };
        break;
      case 'cancel-holiday':
        holiday = undefined;
        break;
      case 'home': {
        if (away) {
          min++;
          max++;
        }
        away = false;
        const from = holiday?.from;
        const running = !holiday ? 'no' : from === undefined || from < start - NOW_MARGIN ? 'yes' : from > start + NOW_MARGIN ? 'no' : 'maybe';
        if (running === 'yes' && !holiday?.maybeGone) min++;
        if (running !== 'no') max++;
        if (running === 'yes') holiday = undefined;
        else if (running === 'maybe' && holiday) holiday.maybeGone = true;
        continue;
      }
    }
    min++;
    max++;
  }
  return { min, max };
}

function modeWrites(comap: ComapEmulator): number {
  return comap.state.modeWrites().length;
}

function presetWrites(comap: ComapEmulator): number {
  return comap.state.writes.filter((w) => w.method === 'PATCH' && w.path.endsWith('/custom-temperatures')).length;
}

// ---- veolia-alerts (product-spec §8.4, the node's help) -------------------------------------------------

const ALERT_FIELDS = ['daily', 'monthly', 'emptyHome', 'sms', 'email'];
/** Help: daily 100 L or more, monthly 1 m³ or more, whole numbers; the help's upper bounds. */
const ALERT_BOUNDS = { daily: { unit: 'litres', min: 100, max: 100_000 }, monthly: { unit: 'm3', min: 1, max: 10_000 } } as const;

type Threshold = { on: boolean; value?: number } | 'invalid' | 'ambiguous';

/** A threshold: a whole number in range, or digits alone as text; null/absent = none given. */
function alertNumber(value: unknown, min: number, max: number): number | 'none' | 'invalid' | 'ambiguous' {
  if (value === undefined || value === null) return 'none';
  let number: number;
  if (typeof value === 'number') number = value;
  else if (typeof value === 'string' && /^\d{1,9}$/.test(value)) number = Number(value);
  else if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) return 'ambiguous';
  else return 'invalid';
  return Number.isInteger(number) && number >= min && number <= max ? number : 'invalid';
}

/** `{enabled, <unit>}`: off needs no threshold; on (or a threshold alone) needs one. */
function thresholdVerdict(value: unknown, name: 'daily' | 'monthly'): Threshold {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || typeof value === 'function') return 'invalid';
  const { unit, min, max } = ALERT_BOUNDS[name];
  const record = value as Record<string, unknown>;
  if (Object.keys(record).some((k) => k !== 'enabled' && k !== unit)) return 'invalid';
  const enabled = has(record, 'enabled') ? record.enabled : undefined;
  if (enabled !== undefined && typeof enabled !== 'boolean') return 'invalid';
  const number = alertNumber(has(record, unit) ? record[unit] : undefined, min, max);
  if (number === 'ambiguous') return 'ambiguous';
  if (number === 'invalid') return 'invalid';
  if (enabled === false) return { on: false };
  return number === 'none' ? 'invalid' : { on: true, value: number };
}

/** A non-object reads; an object changes what it names (and only known settings); anything wrong is INVALID_INPUT. */
function alertsOracle(msg: Record<string, unknown>): Verdict {
  const edit = editFields(msg);
  if (!isFields(edit)) return edit;
  const fields = edit.fields;
  const keys = Object.keys(fields);
  // `{code}` is a login code (spec §8.1), not an alert setting.
  if (keys.includes('code')) return 'ambiguous';
  if (keys.some((k) => !ALERT_FIELDS.includes(k) && k !== 'contract')) return { kind: 'invalid' };
  const expect: Record<string, unknown> = {};
  for (const name of ['daily', 'monthly'] as const) {
    if (!has(fields, name)) continue;
    const verdict = thresholdVerdict(fields[name], name);
    if (verdict === 'ambiguous') return 'ambiguous';
    if (verdict === 'invalid') return { kind: 'invalid' };
    expect[name] = verdict;
  }
  for (const name of ['emptyHome', 'sms']) {
    if (!has(fields, name)) continue;
    if (typeof fields[name] !== 'boolean') return { kind: 'invalid' };
    expect[name] = fields[name];
  }
  if (has(fields, 'email') && fields.email !== true) return { kind: 'invalid' };
  if (expect.emptyHome === true && (expect.daily as { on?: boolean } | undefined)?.on) return { kind: 'invalid' };
  if (ALERT_FIELDS.every((k) => !has(fields, k))) return { kind: 'invalid' };
  return { kind: 'result', applies: true, alerts: expect };
}

function alertsCandidate(r: Rng, want: Want): Record<string, unknown> {
  const litres = (): unknown => r.pick([100, 100_000, r.int(100, 100_000), String(r.int(100, 5000)), 250]);
  const m3 = (): unknown => r.pick([1, 10_000, r.int(1, 10_000), String(r.int(1, 50)), 12]);
  const threshold = (unit: 'litres' | 'm3'): Record<string, unknown> => {
    const value = unit === 'litres' ? litres() : m3();
    return r.pick([{ enabled: true, [unit]: value }, { [unit]: value }, { enabled: false }, { enabled: false, [unit]: null }, { enabled: false, [unit]: value }]);
  };
  const change = (): Record<string, unknown> => {
    const payload: Record<string, unknown> = {};
    for (const name of r.shuffle([...ALERT_FIELDS]).slice(0, r.int(1, 5))) {
      if (name === 'daily') payload.daily = threshold('litres');
      else if (name === 'monthly') payload.monthly = threshold('m3');
      else if (name === 'email') payload.email = true;
      else payload[name] = r.chance(0.5);
    }
    const daily = payload.daily as Record<string, unknown> | undefined;
    if (payload.emptyHome === true && daily && daily.enabled !== false) payload.emptyHome = false;
    if (r.chance(0.1)) payload.contract = { id: VEOLIA_IDS.mainContract };
    return payload;
  };
  if (r.chance(0.02)) return { ...decorate(r, { payload: change() }), topic: r.pick(['login', 'LOGIN']) };
  if (want === 'valid') {
    if (r.chance(0.35)) return decorate(r, { payload: r.pick(['get', 'GET', Date.now(), anyValue(r), true, '', null, undefined, word(r)]) });
    return decorate(r, { payload: change() });
  }
  const payload = change();
  const name = r.pick(['daily', 'monthly'] as const);
  const unit = name === 'daily' ? 'litres' : 'm3';
  const { min, max } = ALERT_BOUNDS[name];
  switch (r.int(0, 7)) {
    case 0:
      payload[name] = { enabled: r.pick([true, undefined]), [unit]: r.pick([min - 1, 0, -5, max + 1, 1e9, min + 0.5, NaN, Infinity, String(min - 1)]) };
      break;
    case 1:
      payload[name] = { enabled: true, [unit]: r.pick([word(r), true, [], {}, ' ', [min], anyValue(r)]) };
      break;
    case 2:
      payload[name] = r.pick([{ enabled: true }, {}, { enabled: r.pick(['true', 1, null, 'yes']), [unit]: min }, min, String(min), [min], null, true]);
      break;
    case 3:
      payload[r.pick(['weekly', 'Daily', 'alerts', 'threshold', '__proto__', 'toString', word(r)])] = anyValue(r);
      break;
    case 4:
      payload.email = r.pick([false, 'false', 0, null, 'true', 1]);
      break;
    case 5:
      payload.emptyHome = true;
      payload.daily = { enabled: r.pick([true, undefined]), litres: r.int(100, 1000) };
      break;
    case 6:
      payload[r.pick(['emptyHome', 'sms'])] = r.pick(['true', 1, 0, null, 'yes', [], {}]);
      break;
    default:
      return decorate(r, { payload: r.pick([[], [payload], {}, { contract: { id: VEOLIA_IDS.mainContract } }]) });
  }
  return decorate(r, { payload });
}

function alertsResult(c: Case, payload: unknown): string | undefined {
  const p = (payload ?? {}) as { contract?: { id?: unknown }; daily?: { enabled?: unknown; litres?: unknown }; monthly?: { enabled?: unknown; m3?: unknown }; emptyHome?: unknown; sms?: unknown; email?: unknown };
  if (p.contract?.id !== VEOLIA_IDS.mainContract) return `contract ${JSON.stringify(p.contract)}`;
  if (typeof p.daily?.enabled !== 'boolean' || typeof p.monthly?.enabled !== 'boolean' || typeof p.emptyHome !== 'boolean' || typeof p.sms !== 'boolean' || p.email !== true) {
    return `shape ${JSON.stringify(p)}`;
  }
  const asked = c.expect.alerts ?? {};
  const number = (v: unknown): number => (typeof v === 'string' ? Number(v) : (v as number));
  for (const [name, key] of [['daily', 'litres'], ['monthly', 'm3']] as const) {
    const want = asked[name] as { on: boolean; value?: unknown } | undefined;
    const got = p[name] as Record<string, unknown>;
    if (!want) continue;
    if (want.on && (got.enabled !== true || got[key] !== number(want.value))) return `${name} ${JSON.stringify(got)}, asked ${JSON.stringify(want)}`;
    if (!want.on && got.enabled !== false) return `${name} ${JSON.stringify(got)}, asked off`;
  }
  if (asked.emptyHome !== undefined && p.emptyHome !== asked.emptyHome) return `emptyHome ${String(p.emptyHome)}`;
  if (asked.emptyHome === true && p.daily?.enabled !== false) return 'daily on while the home is empty';
  if ((asked.daily as { on?: boolean } | undefined)?.on && p.emptyHome !== false) return 'empty home kept with a daily alert';
  if (asked.sms !== undefined && p.sms !== asked.sms && (p.daily?.enabled || p.monthly?.enabled || p.emptyHome)) return `sms ${String(p.sms)}`;
  return undefined;
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
      const text = JSON.stringify(v, (_key, inner: unknown) => (typeof inner === 'bigint' ? `${inner}n` : inner));
      return text === undefined ? String(v) : text.length > 60 ? `${text.slice(0, 60)}…` : text;
    } catch {
      return Object.prototype.toString.call(v);
    }
  };
  return `{payload: ${show(msg.payload)}, zone: ${show(msg.zone)}, duration: ${show(msg.duration)}, topic: ${show(msg.topic)}}`;
}

function check(cases: Case[], outputs: Outputs, daysIn: (from: string, to: string) => number, result?: NodeFuzz['result']): string[] {
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
        const wrong = c.expect.kind === 'result' && out[0] && result ? result(c, out[0].payload) : undefined;
        if (wrong) problems.push(`${what}: ${wrong}`);
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
    // The fuzz is about input, not confirmation timing: read-backs within 0.1 s (§7.1's are 0, 10, 30, 60 s).
    houseModeTiming.readBacksMs = [0, 20, 50, 100];
    guard.install();
    prototypes = prototypeSnapshot();
    await comap.start();
    await veolia.start();
  });
  after(async () => {
    houseModeTiming.readBacksMs = READ_BACKS_MS;
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
      name: 'qivivo-house-mode',
      node: { id: 'n1', type: 'qivivo-house-mode', account: 'acct', housing: '', retries: 0, retryDelay: 1 },
      server: 'comap',
      candidate: houseModeCandidate,
      oracle: (msg) => houseModeOracle(msg),
      wants: ['invalid', 'valid'],
      result: houseModeResult,
      writes: { count: modeWrites, expected: houseModeWrites },
      // The write count of the run starts from a housing with no mode in force.
      warmUp: async () => assert.deepEqual(comap.state.thermalDetails(COMAP_IDS.maison).events ?? {}, {}),
    },
    {
      name: 'qivivo-presets',
      node: { id: 'n1', type: 'qivivo-presets', account: 'acct', housing: '', retries: 0, retryDelay: 1 },
      server: 'comap',
      candidate: presetsCandidate,
      oracle: presetsOracle,
      wants: ['invalid', 'valid'],
      result: presetsResult,
      writes: { count: presetWrites, expected: (cases) => ({ min: cases.filter((c) => c.expect.applies).length, max: cases.filter((c) => c.expect.applies).length }) },
    },
    {
      name: 'veolia-water-consumption',
      // Prices and a threshold: every sync also computes cost, totals, billing and the leak watch.
      node: { id: 'n1', type: 'veolia-water-consumption', account: 'vacct', contract: '', syncTime: '07:00', historyDays: 3, output: 'latest', prices: '[{"from":"2020-01-01","eurPerM3":4.12}]', alertLitres: '250' },
      server: 'veolia',
      candidate: waterCandidate(() => veolia.state.lastPublishedDate()),
      oracle: waterOracle,
      wants: ['invalid', 'valid'],
      warmUp: async (outputs) => {
        await until('the first sync', () => outputs.out.length >= 1, { timeoutMs: 10_000 });
      },
    },
    {
      name: 'veolia-alerts',
      node: { id: 'n1', type: 'veolia-alerts', account: 'vacct', contract: '', retries: 0, retryDelay: 1 },
      server: 'veolia',
      candidate: alertsCandidate,
      oracle: alertsOracle,
      wants: ['invalid', 'valid'],
      result: alertsResult,
      posts: { path: '/alertes/', expected: (cases) => cases.filter((c) => c.expect.applies).length },
      warmUp: async () => veolia.alerts.clear(),
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
      const countWrites = fuzz.writes?.count ?? writesOf;
      const writesBefore = countWrites(comap);
      const applying = mixed.filter((c) => c.expect.applies).length;
      const expectedWrites = fuzz.writes?.expected(mixed, Date.now()) ?? { min: applying, max: applying };
      send(mixed);
      await answered(outputs, mixed, daysIn, 40_000);
      await realDelay(200);
      const problems = check(mixed, outputs, daysIn, fuzz.result);
      assert.deepEqual(problems.slice(0, 10), [], `${problems.length} messages did not end as the spec says`);
      total += mixed.length;

      if (fuzz.server === 'comap') {
        const written = countWrites(comap) - writesBefore;
        const { min, max } = expectedWrites;
        if (min === max) assert.equal(written, min, 'each valid command applied exactly once; nothing written for the others');
        else assert.ok(written >= min && written <= max, `${written} writes, expected ${min}–${max}: each valid command applied once; nothing written for the others`);
      } else {
        assert.ok(server.log.length > 0, 'valid input reached the cloud');
        if (fuzz.posts) assert.equal(server.requests(fuzz.posts.path, 'POST').length, fuzz.posts.expected(mixed), 'each valid change posted exactly once; nothing for the others');
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
