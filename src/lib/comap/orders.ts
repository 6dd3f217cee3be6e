/**
 * Fil-pilote orders: the product's 0–5 numbering (comap-api.md §2.1), the cloud's strings and
 * the names users type, in French or English, with or without accents.
 */
export type OrderNumber = 0 | 1 | 2 | 3 | 4 | 5;

export interface Order {
  number: OrderNumber;
  /** The cloud's `set_point.instruction` value. */
  code: string;
  /** French label, as heating installers and the Comap app say it. */
  name: string;
}

export const ORDERS: readonly Order[] = [
  { number: 0, code: 'stop', name: 'Arrêt' },
  { number: 1, code: 'frost_protection', name: 'Hors-Gel' },
  { number: 2, code: 'eco', name: 'Eco' },
  { number: 3, code: 'comfort_minus2', name: 'Confort -2' },
  { number: 4, code: 'comfort_minus1', name: 'Confort -1' },
  { number: 5, code: 'comfort', name: 'Confort' },
];

const ALIASES: Record<string, OrderNumber> = {
  arret: 0,
  off: 0,
  stop: 0,
  'hors-gel': 1,
  horsgel: 1,
  frost: 1,
  'frost-protection': 1,
  eco: 2,
  'confort-2': 3,
  'comfort-2': 3,
  'comfort-minus2': 3,
  'confort-1': 4,
  'comfort-1': 4,
  'comfort-minus1': 4,
  confort: 5,
  comfort: 5,
};

/** Lower case, no accents, runs of spaces, underscores and hyphens as one hyphen. */
function normaliseName(value: string): string {
  return value
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .trim()
    .replace(/[\s_]+/g, '-')
    .replace(/-+/g, '-');
}

/** The order a user means by a number 0–5 or a name; undefined when it is none. */
export function parseOrder(value: unknown): Order | undefined {
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= 0 && value <= 5 ? ORDERS[value] : undefined;
  }
  if (typeof value !== 'string' || value.length > 40) return undefined;
  const trimmed = value.trim();
  if (/^[0-5]$/.test(trimmed)) return ORDERS[Number(trimmed)];
  const key = normaliseName(trimmed);
  const number = Object.prototype.hasOwnProperty.call(ALIASES, key) ? ALIASES[key] : undefined;
  return number === undefined ? undefined : ORDERS[number];
}

/** The order behind a cloud instruction string, if it is one. */
export function orderFromCode(code: unknown): Order | undefined {
  return ORDERS.find((o) => o.code === code);
}
