import { invalidInput } from '../http/errors';
import { isIsoDate } from '../schedule/daily';

/** From `from` on (until the next rule), water costs `eurPerM3` (product-spec §8.2). */
export interface PriceRule {
  from: string;
  eurPerM3: number;
}

/** Far above any French water price (about 4–6 €/m³ in 2026): a higher one is a typo. */
export const MAX_EUR_PER_M3 = 100;

/**
 * Price rules from a node property: a JSON text or a list of `{from, eurPerM3}`; '' or absent
 * = no price. Sorted by date; two rules for one date are refused as ambiguous.
 */
export function parsePrices(value: unknown): PriceRule[] {
  let list: unknown = value;
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') {
    if (value.trim() === '') return [];
    try {
      list = JSON.parse(value);
    } catch {
      throw invalidInput('prices must be a JSON list of {"from": "YYYY-MM-DD", "eurPerM3": number}');
    }
  }
  if (!Array.isArray(list)) throw invalidInput('prices must be a list of {"from": "YYYY-MM-DD", "eurPerM3": number}');
  const rules: PriceRule[] = [];
  for (const item of list) {
    const rule = item as { from?: unknown; eurPerM3?: unknown } | null;
    const from = rule?.from;
    const price = typeof rule?.eurPerM3 === 'string' && rule.eurPerM3.trim() !== '' ? Number(rule.eurPerM3) : rule?.eurPerM3;
    if (!isIsoDate(from)) throw invalidInput('each price needs "from": a YYYY-MM-DD date');
    if (typeof price !== 'number' || !Number.isFinite(price) || price < 0 || price > MAX_EUR_PER_M3) {
      throw invalidInput(`each price needs "eurPerM3": a number from 0 to ${MAX_EUR_PER_M3}`);
    }
    if (rules.some((r) => r.from === from)) throw invalidInput(`two prices start on ${from}`);
    rules.push({ from, eurPerM3: price });
  }
  return rules.sort((a, b) => (a.from < b.from ? -1 : 1));
}

/** €/m³ on `date`: the last rule starting on or before it; null before the first one. */
export function priceOn(rules: readonly PriceRule[], date: string): number | null {
  let price: number | null = null;
  for (const rule of rules) {
    if (rule.from > date) break;
    price = rule.eurPerM3;
  }
  return price;
}

/** Unrounded € of `litres` used on `date`; null without a price for that day. */
export function costOf(rules: readonly PriceRule[], date: string, litres: number): number | null {
  const price = priceOn(rules, date);
  return price === null ? null : (litres / 1000) * price;
}

/** Euros to cents, without float noise (0.285 → 0.29) and without -0. */
export function toCents(euros: number): number {
  const cents = Math.round(Math.abs(euros) * 100 + 1e-7) / 100;
  return euros < 0 && cents !== 0 ? -cents : cents;
}
