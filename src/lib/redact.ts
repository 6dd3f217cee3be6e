/**
 * How one value of an allow-listed copy is written. An array takes its rule item by item, so
 * that its length stays visible.
 * - `'keep'`: a string, number, boolean or null as it is (e-mail addresses and JWTs inside a
 *   string are still masked);
 * - `'number'`: a number or null as it is;
 * - `'tail'`: a string cut to its last 4 characters (`…A1B2`), enough to match a serial;
 * - a shape: an object whose listed keys follow their rules.
 * Anything else (an unlisted key, a value of another type) shows only as its type.
 */
export type AllowRule = 'keep' | 'number' | 'tail' | AllowShape;

/** Key `ANY_KEY` gives the rule of the keys a shape does not list (maps keyed by names). */
export const ANY_KEY: unique symbol = Symbol('any key');

export interface AllowShape {
  readonly [key: string]: AllowRule;
  readonly [ANY_KEY]?: AllowRule;
}

const EMAIL = /[^\s@"'<>]+@[^\s@"'<>]+\.[a-z]{2,}/gi;
const JWT = /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/;
const MASKED = '[redacted]';
const MAX_DEPTH = 40;

/** A copy of `value` holding only what `rule` allows, and the type of everything else. */
export function allowListed(value: unknown, rule: AllowRule, depth = 0): unknown {
  if (value === null || value === undefined) return value;
  if (depth > MAX_DEPTH) return typeTag(value);
  if (Array.isArray(value)) return value.map((item) => allowListed(item, rule, depth + 1));
  if (rule === 'keep') {
    if (typeof value === 'string') return JWT.test(value) ? MASKED : value.replace(EMAIL, MASKED);
    return typeof value === 'number' || typeof value === 'boolean' ? value : placeholder(value);
  }
  if (rule === 'number') return typeof value === 'number' ? value : placeholder(value);
  if (rule === 'tail') return typeof value === 'string' ? `…${value.slice(-4)}` : placeholder(value);
  if (typeof value !== 'object') return placeholder(value);
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const itemRule = Object.hasOwn(rule, key) ? rule[key] : rule[ANY_KEY];
    copy[key] = itemRule === undefined ? placeholder(item) : allowListed(item, itemRule, depth + 1);
  }
  return copy;
}

/** A value reduced to its type; an array keeps its length. */
export function placeholder(value: unknown): unknown {
  if (value === null || value === undefined) return value;
  return Array.isArray(value) ? value.map(typeTag) : typeTag(value);
}

function typeTag(value: unknown): unknown {
  if (value === null || value === undefined) return value;
  return `[${Array.isArray(value) ? 'array' : typeof value}]`;
}
