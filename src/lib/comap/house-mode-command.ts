import { ApiError, invalidInput } from '../http/errors';
import { DEFAULT_TIME_ZONE, isIsoDate, startOfZonedDay, zonedTimeToEpoch } from '../schedule/daily';
import type { ComapClient } from './client';
import type { HeatingService, HousingRef } from './heating';
import type { HouseMode } from './house-mode';

/**
 * A whole-house mode command (product-spec §7.1): what a message asks for, the writes that
 * carry it out given the housing's current modes, and the read-backs that confirm the cloud
 * shows it.
 */

export type HouseModeName = 'away' | 'home' | 'holiday' | 'cancel-holiday' | 'heating-off' | 'heating-on';

/**
 * What a message asks for, in plain JSON (a command waiting for its retry is kept in a context
 * store). Holiday times are ISO UTC; without `from` the holiday starts when it is written.
 */
export type HouseModeRequest = { mode: Exclude<HouseModeName, 'holiday'> } | { mode: 'holiday'; from?: string; to: string };

export interface HouseModeResult {
  housing: HousingRef;
  mode: HouseModeName;
  from?: string;
  to?: string;
  confirmed: true;
  confirmedAt: string;
}

/** One request to the cloud. */
export type HouseModeWrite =
  | { kind: 'leave-home' }
  | { kind: 'cancel-leave-home' }
  | { kind: 'set-absence'; from: string; to: string }
  | { kind: 'cancel-absence' }
  | { kind: 'heating-system'; state: 'on' | 'off' };

/** Read-backs after the write, measured from it (product-spec §7.1: at once, then 10, 30 and 60 s). */
export const READ_BACKS_MS: readonly number[] = [0, 10_000, 30_000, 60_000];

/**
 * The read-backs the nodes use: the spec's. A setting of the package rather than of a node, so
 * that its tests can shorten them without the editor offering a knob.
 */
export const houseModeTiming: { readBacksMs: readonly number[] } = { readBacksMs: READ_BACKS_MS };

/** A state at most this old tells which ends `"home"` must send; an older one is read again. */
export const HOME_STATE_MAX_AGE_MS = 30_000;

/** The longest holiday accepted, in wall-clock days of the household's zone. */
export const MAX_HOLIDAY_DAYS = 365;

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const SIMPLE_MODES: ReadonlySet<string> = new Set(['away', 'home', 'cancel-holiday', 'heating-off', 'heating-on']);
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

// ---- parsing ----

/**
 * The command a `msg.payload` asks for: a mode name (any case), or `{mode, from?, to}` for a
 * holiday. Anything wrong (unknown mode, dates that do not parse, `to` not after `from`, `to`
 * past, longer than 365 days) is INVALID_INPUT, before any request.
 */
export function parseHouseModePayload(payload: unknown, now: number, timeZone = DEFAULT_TIME_ZONE): HouseModeRequest {
  if (typeof payload === 'string') return simpleMode(payload);
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) throw unknownMode();
  const fields = payload as Record<string, unknown>;
  if (typeof fields.mode !== 'string') throw unknownMode();
  if (fields.mode.trim().toLowerCase() !== 'holiday') return simpleMode(fields.mode);
  return parseHoliday(fields.from, fields.to, now, timeZone);
}

function simpleMode(value: string): HouseModeRequest {
  const mode = value.trim().toLowerCase();
  if (mode === 'holiday') throw invalidInput('a holiday needs its end: msg.payload = { "mode": "holiday", "to": "YYYY-MM-DD" } (and "from", default now)');
  if (!SIMPLE_MODES.has(mode)) throw unknownMode();
  return { mode: mode as Exclude<HouseModeName, 'holiday'> };
}

function unknownMode(): ApiError {
  return invalidInput('msg.payload must be "away", "home", "cancel-holiday", "heating-off", "heating-on" or { "mode": "holiday", "from"?, "to" }');
}

function parseHoliday(fromValue: unknown, toValue: unknown, now: number, timeZone: string): HouseModeRequest {
  if (isBlank(toValue)) throw invalidInput('a holiday needs "to": an ISO date-time or YYYY-MM-DD');
  const to = parseHouseModeTime(toValue, 'to', timeZone);
  const from = isBlank(fromValue) ? undefined : parseHouseModeTime(fromValue, 'from', timeZone);
  const start = from ?? now;
  if (to <= start) throw invalidInput(`the holiday must end after it starts ("to" ${iso(to)} is not after ${from === undefined ? 'now' : `"from" ${iso(start)}`})`);
  if (to <= now) throw invalidInput(`the holiday's end ("to" ${iso(to)}) is in the past`);
  if (wallClock(to, timeZone) - wallClock(start, timeZone) > MAX_HOLIDAY_DAYS * DAY_MS) {
    throw invalidInput(`a holiday lasts at most ${MAX_HOLIDAY_DAYS} days`);
  }
  return from === undefined ? { mode: 'holiday', to: iso(to) } : { mode: 'holiday', from: iso(from), to: iso(to) };
}

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/**
 * A holiday time as epoch ms: `YYYY-MM-DD` is that day's midnight in the household's zone; an
 * ISO date-time with `Z` or an offset is that instant; one without an offset is a wall-clock
 * time in the household's zone (what a browser's datetime field gives). Epoch ms and Date
 * objects are taken as they are.
 */
export function parseHouseModeTime(value: unknown, what: string, timeZone = DEFAULT_TIME_ZONE): number {
  const time = readHouseModeTime(value, what, timeZone);
  // Far outside any holiday (or outside what a Date holds): a mistake, never sent.
  if (!(time >= EARLIEST_TIME && time <= LATEST_TIME)) throw invalidInput(`"${what}" is not a date between the years 2000 and 2999: ${describe(value)}`);
  return time;
}

/** Years 2000–2999, UTC. */
const EARLIEST_TIME = Date.UTC(2000, 0, 1);
const LATEST_TIME = Date.UTC(3000, 0, 1);

/** A short, safe rendering of what a user sent (any type, BigInt included). */
function describe(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'bigint' ? `${value}n` : (JSON.stringify(value) ?? String(value));
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

function readHouseModeTime(value: unknown, what: string, timeZone: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (value instanceof Date && Number.isFinite(value.getTime())) return value.getTime();
  const text = typeof value === 'string' ? value.trim() : '';
  if (isIsoDate(text)) return startOfZonedDay(text, timeZone);
  const m = DATE_TIME.exec(text);
  const [hour, minute, second] = m ? [Number(m[2]), Number(m[3]), Number(m[4] ?? 0)] : [NaN, NaN, NaN];
  if (!m || !isIsoDate(m[1]) || !(hour <= 23 && minute <= 59 && second <= 59)) {
    throw invalidInput(`"${what}" must be an ISO date-time or YYYY-MM-DD, got ${describe(value)}`);
  }
  const ms = Number((m[5] ?? '').padEnd(3, '0'));
  if (m[6] === undefined) return zonedTimeToEpoch(m[1], hour, minute, timeZone) + second * 1000 + ms;
  const offset = offsetMinutes(m[6]);
  if (offset === undefined) throw invalidInput(`"${what}" has an impossible time zone offset: ${describe(value)}`);
  const [y, mo, d] = m[1].split('-').map(Number);
  return Date.UTC(y, mo - 1, d, hour, minute, second, ms) - offset * MINUTE_MS;
}

function offsetMinutes(text: string): number | undefined {
  if (text.toUpperCase() === 'Z') return 0;
  const digits = text.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || 0);
  if (hours > 14 || minutes > 59) return undefined;
  return (text[0] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

const wallFormatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The instant's wall-clock time in the zone, read as if it were UTC: the length of a holiday is
 * counted on the calendar, so that 365 days across a DST change are still 365 days.
 */
function wallClock(epochMs: number, timeZone: string): number {
  let f = wallFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    wallFormatters.set(timeZone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(epochMs))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour % 24, p.minute, p.second) + (((epochMs % 1000) + 1000) % 1000);
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

// ---- what to send, and what shows it ----

/** A holiday is in progress when it has begun and not ended (an unknown start counts as begun). */
export function holidayInProgress(holiday: HouseMode['holiday'], now: number): boolean {
  if (!holiday) return false;
  const from = holiday.from === null ? -Infinity : Date.parse(holiday.from);
  const to = holiday.to === null ? Infinity : Date.parse(holiday.to);
  return from <= now && now < to;
}

/**
 * The writes for a request. `"home"` ends only what `current` shows in force: a leave-home
 * (DELETE #18) and a holiday in progress (DELETE #20; a holiday planned for later stays); when
 * nothing is, there is nothing to send. `from` is the holiday's start when it has none (now).
 */
export function planHouseModeWrites(request: HouseModeRequest, current: HouseMode | null, now: number): HouseModeWrite[] {
  switch (request.mode) {
    case 'away':
      return [{ kind: 'leave-home' }];
    case 'home': {
      const writes: HouseModeWrite[] = [];
      if (current?.away) writes.push({ kind: 'cancel-leave-home' });
      if (current && holidayInProgress(current.holiday, now)) writes.push({ kind: 'cancel-absence' });
      return writes;
    }
    case 'holiday':
      return [{ kind: 'set-absence', from: request.from ?? iso(Math.floor(now / 1000) * 1000), to: request.to }];
    case 'cancel-holiday':
      return [{ kind: 'cancel-absence' }];
    case 'heating-off':
      return [{ kind: 'heating-system', state: 'off' }];
    case 'heating-on':
      return [{ kind: 'heating-system', state: 'on' }];
  }
}

/** Two times the same to the minute (the cloud may keep whole minutes only). */
function sameMinute(shown: string | null, asked: string): boolean {
  return shown !== null && Math.abs(Date.parse(shown) - Date.parse(asked)) < MINUTE_MS;
}

/**
 * Whether the cloud shows what was asked: `events.time_shift` for away, neither a leave-home nor
 * a holiday in progress for home, `events.absence` with the dates sent (to the minute) for a
 * holiday, no holiday for its cancel, `heating_system_state` for heating on/off.
 */
export function showsHouseMode(request: HouseModeRequest, holiday: { from: string; to: string } | undefined, shown: HouseMode, now: number): boolean {
  switch (request.mode) {
    case 'away':
      return shown.away;
    case 'home':
      return !shown.away && !holidayInProgress(shown.holiday, now);
    case 'holiday':
      return !!holiday && !!shown.holiday && sameMinute(shown.holiday.from, holiday.from) && sameMinute(shown.holiday.to, holiday.to);
    case 'cancel-holiday':
      return !shown.holiday || (shown.holiday.to !== null && Date.parse(shown.holiday.to) <= now);
    case 'heating-off':
      return shown.heatingSystem === 'off';
    case 'heating-on':
      return shown.heatingSystem === 'on';
  }
}

// ---- carrying it out ----

export interface HouseModeDeps {
  client: Pick<ComapClient, 'leaveHome' | 'cancelLeaveHome' | 'setAbsence' | 'cancelAbsence' | 'setHeatingSystemState'>;
  heating: Pick<HeatingService, 'housing' | 'state' | 'markChanged'>;
  /** Read-backs after the write, ms from it; the spec's by default. */
  readBacksMs?: readonly number[];
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * Aborted when the node closes: the waits stop, one last read-back is made at once, and the
   * command ends with what it shows (no timer is left behind).
   */
  signal?: AbortSignal;
}

/**
 * Carries out a request on a housing (its real id) and confirms it by reading back (product-spec
 * §7.1). A failed write throws its error (retried by the caller when transient); once the cloud
 * has accepted the writes, a mode still not shown after the last read-back is NOT_CONFIRMED,
 * which is final: read failures then count as "not shown yet".
 */
export async function applyHouseMode(deps: HouseModeDeps, housingId: string, request: HouseModeRequest): Promise<HouseModeResult> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? abortableSleep;
  const housing = await deps.heating.housing(housingId);
  const current = request.mode === 'home' ? (await deps.heating.state(housing.id, HOME_STATE_MAX_AGE_MS)).mode : null;
  const writes = planHouseModeWrites(request, current, now());
  const planned = writes.find((w) => w.kind === 'set-absence');
  const holiday = planned ? { from: planned.from, to: planned.to } : undefined;
  const result = (shown: HouseMode | null): HouseModeResult => {
    const base: HouseModeResult = { housing: { id: housing.id, name: housing.name }, mode: request.mode, confirmed: true, confirmedAt: iso(now()) };
    // The holiday's times as the cloud shows them (the same to the minute as those sent).
    return holiday ? { ...base, from: shown?.holiday?.from ?? holiday.from, to: shown?.holiday?.to ?? holiday.to } : base;
  };
  // "home" with nothing in force: the state just read already shows it.
  if (writes.length === 0) return result(null);

  for (const write of writes) {
    await send(deps.client, housing.id, write);
    deps.heating.markChanged(housing.id);
  }
  const writtenAt = now();
  const schedule = deps.readBacksMs ?? READ_BACKS_MS;
  let lastError: ApiError | undefined;
  let reads = 0;
  for (const offset of schedule) {
    const wait = writtenAt + offset - now();
    const closing = deps.signal?.aborted === true;
    if (wait > 0 && !closing) await sleep(wait, deps.signal);
    try {
      reads++;
      const shown = (await deps.heating.state(housing.id, 0)).mode;
      if (showsHouseMode(request, holiday, shown, now())) return result(shown);
      lastError = undefined;
    } catch (err) {
      lastError = err instanceof ApiError ? err : new ApiError('PROTOCOL', String(err));
    }
    // Closing: the read just made is the last one.
    if (deps.signal?.aborted) break;
  }
  const seconds = Math.round((now() - writtenAt) / 1000);
  const why = lastError ? `; last read-back failed: ${lastError.code}, ${lastError.message}` : '';
  throw new ApiError('NOT_CONFIRMED', `the cloud accepted "${request.mode}" but does not show it after ${reads} read-back(s) over ${seconds} s${why}`);
}

async function send(client: HouseModeDeps['client'], housingId: string, write: HouseModeWrite): Promise<void> {
  switch (write.kind) {
    case 'leave-home':
      return client.leaveHome(housingId);
    case 'cancel-leave-home':
      return cancelIfPresent(() => client.cancelLeaveHome(housingId));
    case 'set-absence':
      return client.setAbsence(housingId, write.from, write.to);
    case 'cancel-absence':
      return cancelIfPresent(() => client.cancelAbsence(housingId));
    case 'heating-system':
      return client.setHeatingSystemState(housingId, write.state);
  }
}

/** A cancel the cloud answers with 404 ("there was none") has nothing left to do. */
async function cancelIfPresent(cancel: () => Promise<void>): Promise<void> {
  try {
    await cancel();
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== 'NOT_FOUND') throw err;
  }
}

/** Waits `ms`, or less when `signal` is aborted; its timer is released either way. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
