/**
 * The Veolia emulator's calendar: French calendar days as 'YYYY-MM-DD'. Written apart from the
 * product's date code, so emulator-driven tests do not check that code against itself.
 */

const MS_PER_DAY = 24 * 60 * 60 * 1000;

const PARIS_DAY = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The Europe/Paris calendar date of an instant. */
export function parisDay(epochMs: number): string {
  const parts = PARIS_DAY.formatToParts(epochMs);
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** The date `count` days after `day` (before it when negative). */
export function shiftDay(day: string, count: number): string {
  const [year, month, date] = day.split('-').map(Number);
  const dayNumber = Math.round(Date.UTC(year, month - 1, date) / MS_PER_DAY) + count;
  return new Date(dayNumber * MS_PER_DAY).toISOString().slice(0, 10);
}
