import { invalidInput } from '../../lib/http/errors';
import { Order, parseOrder } from '../../lib/comap/orders';
import { SETPOINT_MAX as MAX_SETPOINT, SETPOINT_MIN as MIN_SETPOINT } from '../../lib/comap/setpoint-range';

/** Validation of incoming messages: anything wrong is INVALID_INPUT, before any request. */

export const MAX_DURATION_MIN = 4320;

export function isCancel(value: unknown): boolean {
  return typeof value === 'string' && value.trim().toLowerCase() === 'cancel';
}

/** °C from a number or a numeric string, 5–30, rounded to 0.5. */
export function parseSetpoint(value: unknown): number {
  const number = typeof value === 'string' && value.trim() !== '' && value.length < 20 ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number)) {
    throw invalidInput(`msg.payload must be a temperature in °C (${MIN_SETPOINT}–${MAX_SETPOINT}) or "cancel"`);
  }
  if (number < MIN_SETPOINT || number > MAX_SETPOINT) {
    throw invalidInput(`temperature ${number} °C is outside ${MIN_SETPOINT}–${MAX_SETPOINT} °C`);
  }
  return Math.round(number * 2) / 2;
}

/** Minutes from `msg.duration` when present, else the node's setting; whole minutes 1–4320. */
export function parseDuration(value: unknown, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  const number = typeof value === 'string' && value.trim() !== '' && value.length < 20 ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 1 || number > MAX_DURATION_MIN) {
    throw invalidInput(`msg.duration must be a whole number of minutes from 1 to ${MAX_DURATION_MIN}`);
  }
  return number;
}

export function parseOrderInput(value: unknown): Order {
  const order = parseOrder(value);
  if (!order) {
    throw invalidInput('msg.payload must be an order 0–5 or a name (arret, hors-gel, eco, confort-2, confort-1, confort) or "cancel"');
  }
  return order;
}

/** A zone or program reference: a non-empty id or name of reasonable length. */
export function parseReference(value: unknown, what: string): string {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return String(value);
  if (typeof value !== 'string' || value.trim() === '' || value.length > 200) {
    throw invalidInput(`${what} must be a name or an id`);
  }
  return value.trim();
}

/** A whole number setting within bounds, else its default. */
export function settingNumber(value: unknown, fallback: number, min: number, max: number): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) && number >= min && number <= max ? number : fallback;
}
