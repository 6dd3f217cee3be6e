import type { LedgerDay } from './ledger';
import { costOf, PriceRule, toCents } from './prices';

/** Litres, € and number of days of a calendar month or year, up to and including one day. */
export interface PeriodTotal {
  litres: number;
  /** Null when a day of the period has no price: a partial sum would understate the bill. */
  cost: number | null;
  days: number;
}

export interface DayTotals {
  /** € of the day itself, in cents; null without a price. */
  cost: number | null;
  month: PeriodTotal;
  year: PeriodTotal;
}

/**
 * Totals of the days the node received (its ledger) for a day message (product-spec §8.2): the
 * day itself counts with the values being sent, whatever the ledger held for it.
 */
export function dayTotals(day: LedgerDay, ledgerDays: readonly LedgerDay[], prices: readonly PriceRule[]): DayTotals {
  const month = new Sum(prices);
  const year = new Sum(prices);
  const monthKey = day.date.slice(0, 7);
  const yearKey = day.date.slice(0, 4);
  for (const d of ledgerDays) {
    if (d.date >= day.date || !d.date.startsWith(yearKey)) continue;
    year.add(d);
    if (d.date.startsWith(monthKey)) month.add(d);
  }
  year.add(day);
  month.add(day);
  const own = costOf(prices, day.date, day.litres);
  return { cost: own === null ? null : toCents(own), month: month.total(), year: year.total() };
}

class Sum {
  private litres = 0;
  private euros = 0;
  private priced = true;
  private days = 0;

  constructor(private readonly prices: readonly PriceRule[]) {}

  add(day: LedgerDay): void {
    this.litres += day.litres;
    this.days++;
    const cost = costOf(this.prices, day.date, day.litres);
    if (cost === null) this.priced = false;
    else this.euros += cost;
  }

  total(): PeriodTotal {
    return { litres: this.litres, cost: this.priced && this.days > 0 ? toCents(this.euros) : null, days: this.days };
  }
}
