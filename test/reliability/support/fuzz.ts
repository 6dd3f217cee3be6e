/**
 * Input fuzzing helpers: a seeded PRNG (mulberry32) and generators of hostile message values.
 * The generators are loose on purpose; what a message should do is decided by the oracles in
 * fuzz.spec.ts, written from the product spec, not by the package's parsers.
 */

export class Rng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** [0, 1) */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}

/** Keys that must never reach Object.prototype. */
export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'] as const;
export const POLLUTION_MARK = 'fuzzPolluted';

/** An object whose own keys include __proto__/constructor/prototype (as JSON.parse makes them). */
export function hostileObject(r: Rng, inner: () => unknown): Record<string, unknown> {
  const source: Record<string, unknown> = {};
  const keys = [...PROTOTYPE_KEYS, 'toString', 'valueOf', 'hasOwnProperty', 'from', 'to', 'payload', 'zone'];
  for (let i = r.int(1, 4); i > 0; i--) {
    const key = r.pick(keys);
    const value = key === '__proto__' || key === 'constructor' || key === 'prototype' ? { [POLLUTION_MARK]: true, prototype: { [POLLUTION_MARK]: true } } : inner();
    Object.defineProperty(source, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return r.chance(0.5) ? source : (JSON.parse(`{"__proto__": {"${POLLUTION_MARK}": true}, "constructor": {"prototype": {"${POLLUTION_MARK}": true}}}`) as Record<string, unknown>);
}

/** Nested arrays/objects `depth` deep. */
export function deep(depth: number, r: Rng): unknown {
  let value: unknown = r.chance(0.5) ? 21 : 'eco';
  for (let i = 0; i < depth; i++) value = r.chance(0.5) ? [value] : { a: value };
  return value;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzéèêàâôç';

/** Letters only (never numeric, never empty). */
export function word(r: Rng, min = 1, max = 12): string {
  let out = '';
  for (let i = r.int(min, max); i > 0; i--) out += LETTERS[r.int(0, LETTERS.length - 1)];
  return out;
}

export function unicodeString(r: Rng): string {
  const samples = ['', ' ', '\t\n', '\u0000', '🔥', '\u202e', 'Ωmega', '𝔘𝔫𝔦', '\ud800', '"\'<>&', '${x}', '%s%n', '../../etc', 'null', 'undefined', 'NaN', 'true'];
  let out = '';
  for (let i = r.int(0, 4); i > 0; i--) out += r.chance(0.5) ? r.pick(samples) : String.fromCharCode(r.int(0, 0xffff));
  return out;
}

export function hugeString(r: Rng): string {
  return (r.chance(0.5) ? 'x' : '9').repeat(r.int(10_000, 1_000_000));
}

/** Any JavaScript value a message could carry: every JSON type and then some. */
export function anyValue(r: Rng, depth = 0): unknown {
  const inner = (): unknown => (depth < 3 ? anyValue(r, depth + 1) : null);
  switch (r.int(0, 21)) {
    case 0:
      return null;
    case 1:
      return undefined;
    case 2:
      return r.chance(0.5);
    case 3:
      return r.int(-1_000_000, 1_000_000);
    case 4:
      return (r.next() - 0.5) * 10 ** r.int(-5, 12);
    case 5:
      return NaN;
    case 6:
      return r.chance(0.5) ? Infinity : -Infinity;
    case 7:
      return r.pick([-0, Number.MAX_VALUE, Number.MIN_VALUE, Number.MAX_SAFE_INTEGER + 2, -Number.MAX_SAFE_INTEGER, 1e308, 5e-324]);
    case 8:
      return unicodeString(r);
    case 9:
      return word(r);
    case 10:
      return hugeString(r);
    case 11:
      return r.pick(['', ' ', '   ', '\n']);
    case 12:
      return Array.from({ length: r.int(0, 4) }, inner);
    case 13:
      return Object.fromEntries(Array.from({ length: r.int(0, 4) }, () => [word(r), inner()]));
    case 14:
      return hostileObject(r, inner);
    case 15:
      return deep(r.int(100, 3000), r);
    case 16:
      return Buffer.from(unicodeString(r));
    case 17:
      return r.chance(0.7) ? new Date(r.int(0, 2_000_000_000_000)) : new Date(NaN);
    case 18:
      return r.chance(0.5) ? () => 21 : function named(): string {
        return 'eco';
      };
    case 19:
      return BigInt(r.int(-100, 100));
    case 20:
      return Symbol(word(r));
    default:
      return r.chance(0.5) ? new Map([[1, 2]]) : new Set([21]);
  }
}

/** Strips accents and folds case, the way the spec says names are compared. */
export function fold(value: string): string {
  return value.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

/** Puts random case and French accents on a name. */
export function disguise(r: Rng, name: string): string {
  const accents: Record<string, string[]> = { e: ['é', 'è', 'ê', 'É'], a: ['à', 'â'], o: ['ô'] };
  let out = '';
  for (const ch of name) {
    const options = accents[ch];
    const c = options && r.chance(0.3) ? r.pick(options) : ch;
    out += r.chance(0.4) ? c.toUpperCase() : c;
  }
  return out;
}

/** A real calendar date 'YYYY-MM-DD' (own check, independent of the package's). */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const [y, m, d] = value.split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

export function shiftDate(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Own enumerable keys of Object.prototype and friends, to compare before and after. */
export function prototypeSnapshot(): string {
  const names = (o: object): string => Object.getOwnPropertyNames(o).sort().join(',');
  return [names(Object.prototype), names(Array.prototype), names(Function.prototype), names(String.prototype)].join('|');
}

export function polluted(): boolean {
  const probe: Record<string, unknown> = {};
  return probe[POLLUTION_MARK] !== undefined || (Object.prototype as Record<string, unknown>)[POLLUTION_MARK] !== undefined;
}

// ---- Paris time (own computation, independent of the package's) ----

const PARIS_PARTS = new Intl.DateTimeFormat('en-US', {
  timeZone: 'Europe/Paris',
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

/** Europe/Paris wall-clock fields of an instant (years 1971–9999). */
export function parisFields(epochMs: number): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const p: Record<string, number> = {};
  for (const part of PARIS_PARTS.formatToParts(new Date(epochMs))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { year: p.year, month: p.month, day: p.day, hour: p.hour, minute: p.minute, second: p.second };
}

/** How far Paris wall clocks are ahead of UTC at an instant, ms. */
export function parisOffsetMs(epochMs: number): number {
  const f = parisFields(epochMs);
  return Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second) - Math.floor(epochMs / 1000) * 1000;
}

/** The instant's Paris wall-clock time read as if it were UTC: calendar lengths across DST. */
export function parisWall(epochMs: number): number {
  return epochMs + parisOffsetMs(epochMs);
}

const DAY_MS = 86_400_000;

/**
 * The instant a Paris wall-clock time names; undefined when it names none (the hour skipped in
 * spring) or two (the hour repeated in autumn). Years 1971–9999.
 */
export function parisInstant(year: number, month: number, day: number, hour: number, minute: number, second = 0, ms = 0): number | undefined {
  const naive = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const offsets = new Set([parisOffsetMs(naive - DAY_MS), parisOffsetMs(naive + DAY_MS)]);
  const found = [...offsets].filter((o) => parisOffsetMs(naive - o) === o).map((o) => naive - o);
  return found.length === 1 ? found[0] : undefined;
}

/** 'YYYY-MM-DD' of an instant in Paris. */
export function parisDate(epochMs: number): string {
  const f = parisFields(epochMs);
  return `${String(f.year).padStart(4, '0')}-${String(f.month).padStart(2, '0')}-${String(f.day).padStart(2, '0')}`;
}
