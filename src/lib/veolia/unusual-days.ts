/**
 * Unusual days of water use (product-spec §8.3): a day above the user's threshold, above the
 * robust range of the same weekday, or using water while the house was empty all day.
 *
 * What the history holds: measured days only. An estimated day is the service's guess (often a
 * flat value), not a reading: in the history it would narrow the range around the guess, and a
 * day flagged on a guess would be a false alarm. Days with negative litres (corrections of an
 * earlier over-estimate) are not a use either and stay out too. Estimated days get a `usual`
 * range but are never flagged.
 *
 * `expected`, per reason: `while-away` → 0 (an empty home uses no water; the flag needs 30 L to
 * leave room for appliances and meter rounding), `above-threshold` → the threshold,
 * `above-usual` → `usual.high`.
 */

export interface UsualRange {
  low: number;
  high: number;
}
export type UnusualReason = 'while-away' | 'above-threshold' | 'above-usual';
export interface Unusual {
  reason: UnusualReason;
  reasons: UnusualReason[];
  litres: number;
  expected: number | null;
}
export interface PastDay {
  date: string;
  litres: number;
  estimated: boolean;
}
export interface DayAssessment {
  usual: UsualRange | null;
  unusual: Unusual | null;
}
export interface AssessOptions {
  alertLitres?: number | null;
  awayAllDay?: (date: string) => boolean | undefined;
}

/** Measured days of history needed before a range is given. */
export const MIN_HISTORY_DAYS = 28;
/** Same weekdays the range is computed from (the most recent ones). */
export const SAME_WEEKDAYS = 8;
/**
 * Fewest same weekdays a range needs: four weeks give four of each weekday; fewer (history with
 * gaps) would make the median one or two days' worth.
 */
export const MIN_SAME_WEEKDAYS = 4;
/** Same weekdays older than this are not "usual" any more (a node switched off for months). */
export const SAME_WEEKDAY_WINDOW_DAYS = 16 * 7;
export const MAD_FACTOR = 3;
/** The range's top is never closer than this to the median (a very regular house). */
export const MIN_MARGIN_LITRES = 50;
/** Water used on an empty-house day that counts as unusual. */
export const WHILE_AWAY_LITRES = 30;

const DAY_MS = 86_400_000;

/** history: days strictly before `day.date` (any order, may contain gaps). */
export function assessDay(day: PastDay, history: readonly PastDay[], options: AssessOptions = {}): DayAssessment {
  const usual = usualRange(day.date, history);
  if (day.estimated || !Number.isFinite(day.litres)) return { usual, unusual: null };
  // Checked in the order of precedence: `reason` is the first that applies.
  const reasons: UnusualReason[] = [];
  const threshold = options.alertLitres;
  if (day.litres >= WHILE_AWAY_LITRES && options.awayAllDay?.(day.date) === true) reasons.push('while-away');
  if (typeof threshold === 'number' && Number.isFinite(threshold) && day.litres > threshold) reasons.push('above-threshold');
  if (usual && day.litres > usual.high) reasons.push('above-usual');
  if (reasons.length === 0) return { usual, unusual: null };
  const reason = reasons[0];
  const expected = reason === 'while-away' ? 0 : reason === 'above-threshold' ? (threshold as number) : usual!.high;
  return { usual, unusual: { reason, reasons, litres: day.litres, expected } };
}

/**
 * The same weekday's range, in whole litres: `high` = median + max(3 × MAD, 50 L) rounded down
 * (litres are whole, so "above high" is unchanged), `low` = max(0, median − 3 × MAD) rounded up.
 * Null with fewer than 28 measured days before `date`, or fewer than 4 same weekdays in the
 * last 16 weeks.
 */
export function usualRange(date: string, history: readonly PastDay[]): UsualRange | null {
  const target = dayNumber(date);
  if (target === undefined) return null;
  const byDate = new Map<number, number>();
  for (const d of history) {
    const n = dayNumber(d.date);
    if (n === undefined || n >= target || d.estimated || !Number.isFinite(d.litres) || d.litres < 0) continue;
    byDate.set(n, d.litres);
  }
  if (byDate.size < MIN_HISTORY_DAYS) return null;
  const same = [...byDate]
    .filter(([n]) => (target - n) % 7 === 0 && target - n <= SAME_WEEKDAY_WINDOW_DAYS)
    .sort((a, b) => b[0] - a[0])
    .slice(0, SAME_WEEKDAYS)
    .map(([, litres]) => litres);
  if (same.length < MIN_SAME_WEEKDAYS) return null;
  const m = median(same);
  const mad = median(same.map((v) => Math.abs(v - m)));
  const spread = MAD_FACTOR * mad;
  return { low: Math.max(0, Math.ceil(m - spread)), high: Math.floor(m + Math.max(spread, MIN_MARGIN_LITRES)) };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Days since 1970-01-01 of a 'YYYY-MM-DD' calendar date (so weekdays are calendar weekdays). */
function dayNumber(date: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isFinite(ms) ? Math.round(ms / DAY_MS) : undefined;
}
