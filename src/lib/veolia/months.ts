import { addDays, isIsoDate } from '../schedule/daily';
import type { DateRange, LedgerDay } from './ledger';
import type { MonthRecord } from './model';
import { costOf, PriceRule, toCents } from './prices';

/** One calendar month of `output: months` (product-spec §8.2). */
export interface MonthValue {
  /** 'YYYY-MM'. */
  month: string;
  litres: number;
  m3: number;
  cost: number | null;
  estimated: boolean;
}

/**
 * What `output: months` already sent, as plain JSON for Node-RED context: per contract, the day
 * the months were last asked and, per month, `<days>#<value>` — a fingerprint of the ledger's
 * days of that month when it was asked, and of the value Veolia gave.
 */
export interface MonthLedgerJson {
  v: 1;
  contracts: Record<string, { asked?: string; months: Record<string, string> }>;
}

/** Months to ask Veolia for, and the years (one request each) that hold them. */
export interface MonthPlan {
  months: string[];
  years: number[];
  /** A history import: send them whether sent before or not. */
  force: boolean;
}

/**
 * When `output: months` asks `/mensuelles` (at most once a day per contract): a month is due
 * once it is complete — the node holds a day of it and a day on or after its last day — and
 * the days the node holds for it differ from those it held when the month was last asked
 * (never asked: the first sync or backfill, or a month just completed; different: a late or
 * corrected day of a completed month). The current month is never sent: the day messages'
 * `month` totals follow it. A month is sent again only when Veolia's value for it changed.
 */
export class MonthLedger {
  private constructor(private readonly json: MonthLedgerJson) {}

  static from(json: unknown): MonthLedger {
    const clean: MonthLedgerJson = { v: 1, contracts: {} };
    if (isRecord(json) && json.v === 1 && isRecord(json.contracts)) {
      for (const [id, entry] of Object.entries(json.contracts)) {
        if (!isRecord(entry) || !isRecord(entry.months)) continue;
        const months: Record<string, string> = {};
        for (const [month, print] of Object.entries(entry.months)) if (MONTH.test(month) && typeof print === 'string') months[month] = print;
        clean.contracts[id] = { ...(isIsoDate(entry.asked) ? { asked: entry.asked } : {}), months };
      }
    }
    return new MonthLedger(clean);
  }

  /** What to ask today, or undefined when nothing is due or the months were asked today already. */
  plan(contractId: string, days: readonly LedgerDay[], today: string, range?: DateRange): MonthPlan | undefined {
    const byMonth = groupByMonth(days);
    const newest = days.length > 0 ? days[days.length - 1].date : undefined;
    const complete = (month: string): boolean => newest !== undefined && lastDayOf(month) <= newest;
    let months: string[];
    if (range) {
      months = monthsOf(range).filter(complete);
    } else {
      if (this.json.contracts[contractId]?.asked === today) return undefined;
      const known = this.json.contracts[contractId]?.months ?? {};
      months = [...byMonth.keys()].filter((m) => complete(m) && known[m]?.split('#')[0] !== daysPrint(byMonth.get(m) ?? []));
    }
    if (months.length === 0) return undefined;
    const years = [...new Set(months.map((m) => Number(m.slice(0, 4))))];
    return { months, years, force: range !== undefined };
  }

  /**
   * Records the answer for the planned months and returns those to send, oldest first: every
   * one Veolia gave for an import, else those whose value is new or changed.
   */
  apply(contractId: string, plan: MonthPlan, records: readonly MonthRecord[], days: readonly LedgerDay[], prices: readonly PriceRule[], today: string): MonthValue[] {
    const entry = (this.json.contracts[contractId] ??= { months: {} });
    if (!plan.force) entry.asked = today;
    const byMonth = groupByMonth(days);
    const found = new Map<string, MonthRecord>();
    for (const r of records) found.set(`${r.year}-${String(r.month).padStart(2, '0')}`, r);
    const send: MonthValue[] = [];
    for (const month of [...plan.months].sort()) {
      const record = found.get(month);
      const value = record && record.litres !== null ? monthValue(month, record.litres, record.estimated, byMonth.get(month) ?? [], prices) : undefined;
      const valuePrint = value ? `${value.litres}|${value.estimated ? 'E' : 'M'}` : '';
      const before = entry.months[month]?.split('#')[1];
      entry.months[month] = `${daysPrint(byMonth.get(month) ?? [])}#${valuePrint}`;
      if (value && (plan.force || before !== valuePrint)) send.push(value);
    }
    return send;
  }

  toJSON(): MonthLedgerJson {
    return structuredClone(this.json);
  }
}

/**
 * € of a month: its litres at the month's price; when the price changes within the month, each
 * price weighs by the litres of the days the node holds (by calendar days when it holds none).
 * Null when a day of the month has no price.
 */
export function monthCost(month: string, litres: number, days: readonly LedgerDay[], prices: readonly PriceRule[]): number | null {
  const first = `${month}-01`;
  const last = lastDayOf(month);
  const perDay: Array<{ date: string; weight: number }> = [];
  const held = new Map(days.map((d) => [d.date, d.litres]));
  const heldTotal = days.reduce((sum, d) => sum + Math.max(0, d.litres), 0);
  for (let date = first; date <= last; date = addDays(date, 1)) {
    perDay.push({ date, weight: heldTotal > 0 ? Math.max(0, held.get(date) ?? 0) : 1 });
  }
  const total = perDay.reduce((sum, d) => sum + d.weight, 0);
  let euros = 0;
  for (const { date, weight } of perDay) {
    const share = costOf(prices, date, (litres * weight) / total);
    if (share === null) return null;
    euros += share;
  }
  return toCents(euros);
}

function monthValue(month: string, litres: number, estimated: boolean, days: readonly LedgerDay[], prices: readonly PriceRule[]): MonthValue {
  return { month, litres, m3: Math.round(litres) / 1000, cost: monthCost(month, litres, days, prices), estimated };
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

function daysPrint(days: readonly LedgerDay[]): string {
  const litres = days.reduce((sum, d) => sum + d.litres, 0);
  return `${days.length}|${litres}|${days.filter((d) => d.estimated).length}`;
}

function groupByMonth(days: readonly LedgerDay[]): Map<string, LedgerDay[]> {
  const byMonth = new Map<string, LedgerDay[]>();
  for (const d of days) {
    const key = d.date.slice(0, 7);
    const list = byMonth.get(key);
    if (list) list.push(d);
    else byMonth.set(key, [d]);
  }
  return byMonth;
}

/** 'YYYY-MM-DD' of a month's last day. */
export function lastDayOf(month: string): string {
  const year = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  const next = m === 12 ? `${year + 1}-01-01` : `${year}-${String(m + 1).padStart(2, '0')}-01`;
  return addDays(next, -1);
}

function monthsOf(range: DateRange): string[] {
  const months: string[] = [];
  for (let m = range.from.slice(0, 7); m <= range.to.slice(0, 7); m = addDays(`${lastDayOf(m)}`, 1).slice(0, 7)) months.push(m);
  return months;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
