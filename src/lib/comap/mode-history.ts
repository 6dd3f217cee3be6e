import { addDays, DEFAULT_TIME_ZONE, isIsoDate, startOfZonedDay, zonedDate } from '../schedule/daily';
import type { HouseMode } from './house-mode';

/**
 * Which calendar days each housing spent in away or holiday mode the whole day, learnt from the
 * states the account polls anyway (product-spec §8.3, `while-away`): no request of its own.
 *
 * "The whole day" is what the polls can vouch for. Two polls in a row that both show the house
 * empty (leave-home in force, or a holiday running) cover the time between them when they are at
 * most `maxGapMs` apart; two polls that both show the same holiday (same start and end, planned
 * or running) cover the part of the holiday between them whatever the gap, since that holiday was
 * set before and still there after. A day is away all day when such spans cover it from midnight
 * to midnight (Europe/Paris); it is not when any poll that day saw the house in use; otherwise it
 * is unknown: no poll, a gap, polling paused, the day not over yet, or older than 14 days. A
 * holiday cancelled and set again with the same dates between two polls cannot be told apart.
 */

export interface ModeHistoryOptions {
  /** Longest time between two polls that still vouches for the time between them. Default 3 h. */
  maxGapMs?: number;
  /** Calendar days kept, today included. Default 14. */
  keepDays?: number;
  timeZone?: string;
}

/** The part of a heating state the history reads. */
export interface ModeSample {
  housing: { id: string; name: string };
  mode: Pick<HouseMode, 'away' | 'holiday'>;
  /** When the state was read (ISO-8601). */
  updatedAt: string;
}

interface Observation {
  at: number;
  away: boolean;
  holiday: HouseMode['holiday'];
}

interface DayRecordJson {
  /** Spans of the day (epoch ms) vouched for as empty, sorted and merged. */
  absent: Array<[number, number]>;
  /** A poll that day saw the house in use. */
  present?: true;
}

interface HousingJson {
  name: string;
  last?: Observation;
  days: Record<string, DayRecordJson>;
}

/** Plain JSON for node context. */
export interface ModeHistoryJson {
  v: 1;
  /** Id of the account's first housing (what an empty housing setting means), when known. */
  first?: string;
  housings: Record<string, HousingJson>;
}

export const MODE_HISTORY_MAX_GAP_MS = 3 * 3_600_000;
export const MODE_HISTORY_KEEP_DAYS = 14;

export class ModeHistory {
  private readonly maxGapMs: number;
  private readonly keepDays: number;
  private readonly timeZone: string;

  private constructor(
    private readonly data: ModeHistoryJson,
    options: ModeHistoryOptions,
  ) {
    this.maxGapMs = options.maxGapMs ?? MODE_HISTORY_MAX_GAP_MS;
    this.keepDays = options.keepDays ?? MODE_HISTORY_KEEP_DAYS;
    this.timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
  }

  static empty(options: ModeHistoryOptions = {}): ModeHistory {
    return new ModeHistory({ v: 1, housings: {} }, options);
  }

  /** From stored JSON; anything unreadable gives an empty history (it only costs a few days). */
  static fromJson(json: unknown, options: ModeHistoryOptions = {}): ModeHistory {
    return new ModeHistory(readJson(json), options);
  }

  toJson(): ModeHistoryJson {
    return structuredClone(this.data);
  }

  /** Remembers which housing an empty housing setting means. */
  setFirst(housingId: string): void {
    if (housingId) this.data.first = housingId;
  }

  /** Adds one polled state; older or repeated states than the last one are ignored. */
  record(sample: ModeSample): void {
    const at = Date.parse(sample.updatedAt);
    if (!Number.isFinite(at) || !sample.housing.id) return;
    const housing = (this.data.housings[sample.housing.id] ??= { name: sample.housing.name, days: {} });
    housing.name = sample.housing.name;
    const now: Observation = { at, away: sample.mode.away === true, holiday: sample.mode.holiday ? { from: sample.mode.holiday.from, to: sample.mode.holiday.to } : null };
    const last = housing.last;
    if (last && at <= last.at) return;
    const day = this.day(housing, zonedDate(at, this.timeZone));
    if (!isEmpty(now)) day.present = true;
    if (last) {
      const span = this.vouched(last, now);
      if (span) this.addSpan(housing, span[0], span[1]);
    }
    housing.last = now;
    this.prune(at);
  }

  /**
   * Whether the housing (id, name, or '' / undefined = the account's first housing) was in away
   * or holiday mode all of `date`; undefined when the polls cannot tell.
   */
  awayAllDay(housing: string | undefined, date: string): boolean | undefined {
    const id = this.resolve(housing);
    if (id === undefined || !isIsoDate(date)) return undefined;
    const day = this.data.housings[id]?.days[date];
    if (!day) return undefined;
    if (day.present) return false;
    const start = startOfZonedDay(date, this.timeZone);
    const end = startOfZonedDay(addDays(date, 1), this.timeZone);
    let reached = start;
    for (const [from, to] of day.absent) {
      if (from > reached) break;
      reached = Math.max(reached, to);
    }
    return reached >= end ? true : undefined;
  }

  /** The housing id a setting names: id, else name (any case), else '' = the first housing (once told). */
  resolve(housing: string | undefined): string | undefined {
    if (!housing) return this.data.first;
    if (this.data.housings[housing]) return housing;
    const lower = housing.toLowerCase();
    return Object.keys(this.data.housings).find((id) => this.data.housings[id].name.toLowerCase() === lower);
  }

  /** The span between two polls the modes vouch for, if any. */
  private vouched(before: Observation, after: Observation): [number, number] | undefined {
    if (isEmpty(before) && isEmpty(after) && after.at - before.at <= this.maxGapMs) return [before.at, after.at];
    const a = before.holiday;
    const b = after.holiday;
    if (!a || !b || a.from !== b.from || a.to !== b.to) return undefined;
    const from = Math.max(before.at, a.from ? Date.parse(a.from) : before.at);
    const to = Math.min(after.at, a.to ? Date.parse(a.to) : after.at);
    return from < to ? [from, to] : undefined;
  }

  private addSpan(housing: HousingJson, from: number, to: number): void {
    for (let date = zonedDate(from, this.timeZone); ; date = addDays(date, 1)) {
      const start = startOfZonedDay(date, this.timeZone);
      if (start >= to) break;
      const end = startOfZonedDay(addDays(date, 1), this.timeZone);
      const day = this.day(housing, date);
      day.absent = merge([...day.absent, [Math.max(from, start), Math.min(to, end)]]);
    }
  }

  private day(housing: HousingJson, date: string): DayRecordJson {
    return (housing.days[date] ??= { absent: [] });
  }

  /** Keeps the last `keepDays` calendar days up to the newest poll. */
  private prune(newest: number): void {
    const oldest = addDays(zonedDate(newest, this.timeZone), -(this.keepDays - 1));
    for (const housing of Object.values(this.data.housings)) {
      for (const date of Object.keys(housing.days)) if (date < oldest) delete housing.days[date];
    }
  }
}

/** Leave-home in force, or a holiday running at the poll's time. */
function isEmpty(o: Observation): boolean {
  if (o.away) return true;
  const h = o.holiday;
  if (!h) return false;
  const from = h.from ? Date.parse(h.from) : -Infinity;
  const to = h.to ? Date.parse(h.to) : Infinity;
  return from <= o.at && o.at < to;
}

function merge(spans: Array<[number, number]>): Array<[number, number]> {
  const sorted = spans.filter(([a, b]) => a < b).sort((x, y) => x[0] - y[0]);
  const out: Array<[number, number]> = [];
  for (const [a, b] of sorted) {
    const prev = out[out.length - 1];
    if (prev && a <= prev[1]) prev[1] = Math.max(prev[1], b);
    else out.push([a, b]);
  }
  return out;
}

function readJson(json: unknown): ModeHistoryJson {
  const empty: ModeHistoryJson = { v: 1, housings: {} };
  if (!isRecord(json) || json.v !== 1 || !isRecord(json.housings)) return empty;
  const out: ModeHistoryJson = { v: 1, housings: {} };
  if (typeof json.first === 'string' && json.first) out.first = json.first;
  for (const [id, raw] of Object.entries(json.housings)) {
    if (!isRecord(raw) || !isRecord(raw.days)) continue;
    const housing: HousingJson = { name: typeof raw.name === 'string' ? raw.name : id, days: {} };
    const last = readObservation(raw.last);
    if (last) housing.last = last;
    for (const [date, day] of Object.entries(raw.days)) {
      if (!isIsoDate(date) || !isRecord(day) || !Array.isArray(day.absent)) continue;
      const spans = day.absent.filter((s): s is [number, number] => Array.isArray(s) && s.length === 2 && s.every((n) => typeof n === 'number' && Number.isFinite(n)));
      housing.days[date] = { absent: merge(spans.map(([a, b]) => [a, b])), ...(day.present === true ? { present: true as const } : {}) };
    }
    out.housings[id] = housing;
  }
  return out;
}

function readObservation(raw: unknown): Observation | undefined {
  if (!isRecord(raw) || typeof raw.at !== 'number' || !Number.isFinite(raw.at)) return undefined;
  const h = raw.holiday;
  const holiday = isRecord(h) ? { from: typeof h.from === 'string' ? h.from : null, to: typeof h.to === 'string' ? h.to : null } : null;
  return { at: raw.at, away: raw.away === true, holiday };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
