import { addDays, DEFAULT_TIME_ZONE, isIsoDate, startOfZonedDay } from '../schedule/daily';
import type { DayRecord } from './model';

/**
 * What was already emitted, as plain JSON for Node-RED context: per contract, date → fingerprint
 * of the values sent. Days are keyed by (contract, date) only, so a meter replacement (new meter
 * number on the same contract) neither re-emits nor hides any day.
 */
export interface LedgerJson {
  v: 1;
  contracts: Record<string, Record<string, string>>;
}

export interface DateRange {
  from: string;
  to: string;
}

export interface LedgerUpdateOptions {
  /** Re-emit every given day in this range, emitted before or not (history import). */
  range?: DateRange;
}

export interface LedgerUpdate {
  /** New or changed days, oldest first. */
  emit: DayRecord[];
  ledger: DayLedger;
}

/** A day as the ledger keeps it. */
export type LedgerDay = Pick<DayRecord, 'date' | 'litres' | 'estimated'>;

/** Days kept per contract, counted back from the newest one: a little more than the longest backfill. */
export const LEDGER_RETAIN_DAYS = 800;

/** The values whose change makes a day worth emitting again (an estimate corrected). */
export function fingerprint(day: Pick<DayRecord, 'litres' | 'indexLitres' | 'estimated'>): string {
  return `${day.litres}|${day.indexLitres ?? ''}|${day.estimated ? 'E' : 'M'}`;
}

/** msg.timestamp of a day: its start in Europe/Paris, epoch ms. */
export function dayTimestamp(date: string): number {
  return startOfZonedDay(date, DEFAULT_TIME_ZONE);
}

/**
 * Immutable record of emitted days. `update` compares freshly fetched days with it and returns
 * those to emit plus the next ledger; nothing here does I/O, so a restart with the stored JSON
 * continues exactly where it stopped.
 */
export class DayLedger {
  private constructor(private readonly contracts: Readonly<Record<string, Readonly<Record<string, string>>>>) {}

  static empty(): DayLedger {
    return new DayLedger({});
  }

  /** A ledger from stored JSON; anything unreadable is dropped rather than trusted. */
  static from(json: unknown): DayLedger {
    if (!isRecord(json) || json.v !== 1 || !isRecord(json.contracts)) return DayLedger.empty();
    const contracts: Record<string, Record<string, string>> = {};
    for (const [id, days] of Object.entries(json.contracts)) {
      if (!isRecord(days)) continue;
      const clean: Record<string, string> = {};
      for (const [date, print] of Object.entries(days)) {
        if (isIsoDate(date) && typeof print === 'string') clean[date] = print;
      }
      contracts[id] = prune(clean);
    }
    return new DayLedger(contracts);
  }

  /** Newest emitted date of a contract, undefined before its first emission. */
  lastDate(contractId: string): string | undefined {
    let last: string | undefined;
    for (const date of Object.keys(this.contracts[contractId] ?? {})) if (!last || date > last) last = date;
    return last;
  }

  /** Newest emitted day of a contract with its litres as emitted (what a status shows). */
  newest(contractId: string): { date: string; litres: number } | undefined {
    const date = this.lastDate(contractId);
    if (date === undefined) return undefined;
    const litres = Number(this.contracts[contractId][date].split('|')[0]);
    return Number.isFinite(litres) ? { date, litres } : undefined;
  }

  /**
   * Every day kept for a contract with its values as emitted, oldest first: the history month
   * and year totals and the unusual-day ranges are computed from (no request).
   */
  days(contractId: string): LedgerDay[] {
    const days: LedgerDay[] = [];
    for (const [date, print] of Object.entries(this.contracts[contractId] ?? {})) {
      const day = fromFingerprint(date, print);
      if (day) days.push(day);
    }
    return days.sort((a, b) => (a.date < b.date ? -1 : 1));
  }

  has(contractId: string, date: string): boolean {
    return this.contracts[contractId]?.[date] !== undefined;
  }

  size(contractId: string): number {
    return Object.keys(this.contracts[contractId] ?? {}).length;
  }

  update(contractId: string, days: readonly DayRecord[], options: LedgerUpdateOptions = {}): LedgerUpdate {
    const known = this.contracts[contractId] ?? {};
    const latest = new Map<string, DayRecord>();
    for (const day of days) latest.set(day.date, day);
    const range = options.range;
    const ordered = [...latest.values()].sort((a, b) => (a.date < b.date ? -1 : 1));
    const newest = ordered.length > 0 ? ordered[ordered.length - 1].date : undefined;
    const horizon = oldestKept(maxDate(this.lastDate(contractId), newest));
    // Days older than the history already emitted are not news: the backfill chose that horizon.
    const oldestKnown = Object.keys(known).sort()[0];
    const emit: DayRecord[] = [];
    const next: Record<string, string> = { ...known };
    for (const day of ordered) {
      if (horizon && day.date < horizon) continue;
      if (!range && oldestKnown && day.date < oldestKnown) continue;
      const print = fingerprint(day);
      const inRange = range ? day.date >= range.from && day.date <= range.to : false;
      if (range ? !inRange : known[day.date] === print) continue;
      emit.push(day);
      next[day.date] = print;
    }
    if (emit.length === 0) return { emit, ledger: this };
    return { emit, ledger: new DayLedger({ ...this.contracts, [contractId]: prune(next) }) };
  }

  toJSON(): LedgerJson {
    const contracts: Record<string, Record<string, string>> = {};
    for (const [id, days] of Object.entries(this.contracts)) contracts[id] = { ...days };
    return { v: 1, contracts };
  }
}

/** The inverse of `fingerprint` for what totals need; undefined for an entry it cannot read. */
function fromFingerprint(date: string, print: string): LedgerDay | undefined {
  const [litres, , flag] = print.split('|');
  const n = Number(litres);
  if (litres === '' || !Number.isFinite(n)) return undefined;
  return { date, litres: n, estimated: flag === 'E' };
}

function oldestKept(newest: string | undefined): string | undefined {
  return newest ? addDays(newest, -LEDGER_RETAIN_DAYS) : undefined;
}

function maxDate(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b;
  if (!b) return a;
  return a > b ? a : b;
}

/** Keeps the ledger bounded: entries older than the retention window go. */
function prune(days: Record<string, string>): Record<string, string> {
  const dates = Object.keys(days);
  if (dates.length === 0) return days;
  const horizon = oldestKept(dates.reduce((a, b) => (a > b ? a : b)));
  if (!horizon || dates.every((d) => d >= horizon)) return days;
  const kept: Record<string, string> = {};
  for (const date of dates) if (date >= horizon) kept[date] = days[date];
  return kept;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
