import { ApiError, invalidInput } from '../http/errors';
import type { HeatingService } from './heating';
import { SETPOINT_MAX, SETPOINT_MIN } from './setpoint-range';
import type { HeatingState } from './model';

/** Relative setpoints (product-spec §7.5): "+0.5", "-1" or `{ "delta": -1 }` change the current setpoint. */

/** A larger change than the whole range is a mistake, not a wish. */
export const MAX_DELTA = SETPOINT_MAX - SETPOINT_MIN;
/** How old a state may be to serve as the base of a nudge (as for thermostat-in's inputs). */
export const NUDGE_STATE_MAX_AGE_MS = 30_000;

/** What a message asks of the thermostat's setpoint. */
export type TemperatureAction =
  | { housing: string; cancel: true }
  | { housing: string; cancel: false; setpoint: number; duration: number }
  | { housing: string; cancel: false; delta: number; duration: number };

/** Rounds to 0.5 °C, halves away from zero, so that "-0.25" and "+0.25" are mirror images. */
function roundHalf(value: number): number {
  return (Math.sign(value) * Math.round(Math.abs(value) * 2)) / 2;
}

/**
 * The °C change a payload asks for: a string with a sign ("+0.5", "-1") or `{ delta }` (a number
 * or a numeric string). Undefined for anything else (an absolute value, "cancel"…). Rounded to
 * 0.5; a change that rounds to nothing, or larger than the whole range, is INVALID_INPUT.
 */
export function parseNudge(payload: unknown): number | undefined {
  let raw: unknown;
  if (typeof payload === 'string' && /^\s*[+-]/.test(payload)) {
    raw = payload.length < 20 ? Number(payload.trim()) : NaN;
  } else if (payload !== null && typeof payload === 'object' && !Array.isArray(payload) && 'delta' in payload) {
    const keys = Object.keys(payload);
    if (keys.length !== 1) throw invalidInput('msg.payload must be { "delta": <°C> } and nothing else');
    const value = (payload as { delta: unknown }).delta;
    raw = typeof value === 'string' && value.trim() !== '' && value.length < 20 ? Number(value) : value;
  } else {
    return undefined;
  }
  if (typeof raw !== 'number' || !Number.isFinite(raw)) {
    throw invalidInput('a relative setpoint is a signed number of °C, e.g. "+0.5", "-1" or { "delta": -1 }');
  }
  if (Math.abs(raw) > MAX_DELTA) throw invalidInput(`a setpoint change of ${raw} °C is larger than ${MAX_DELTA} °C`);
  const delta = roundHalf(raw);
  if (delta === 0) throw invalidInput(`a setpoint change of ${raw} °C rounds to 0 (steps of 0.5 °C)`);
  return delta;
}

/** `base + delta`, rounded to 0.5 and kept within 5–30 °C. */
export function nudge(base: number, delta: number): number {
  return Math.min(SETPOINT_MAX, Math.max(SETPOINT_MIN, Math.round((base + delta) * 2) / 2));
}

/**
 * Two wishes of one debounce window as one: nudges add up ("+0.5" three times is +1.5); a nudge
 * after an absolute value moves that value; an absolute value or "cancel" replaces what came
 * before. A nudge after "cancel" replaces it (one write cannot both cancel and nudge).
 */
export function mergeTemperatureActions(previous: TemperatureAction, next: TemperatureAction): TemperatureAction {
  if (next.cancel || !('delta' in next) || previous.cancel) return next;
  if ('delta' in previous) return { ...next, delta: previous.delta + next.delta };
  return { housing: next.housing, cancel: false, setpoint: nudge(previous.setpoint, next.delta), duration: next.duration };
}

/**
 * The setpoint a nudge starts from: the temporary one in place, which the thermostat may take
 * minutes to show as its setpoint (so that two nudges a few seconds apart add up), else the
 * setpoint shown.
 */
export function currentSetpoint(state: HeatingState): number | null {
  const temporary = state.temporary;
  if (temporary.active && typeof temporary.setpoint === 'number') return temporary.setpoint;
  return state.setpoint;
}

/** The absolute setpoint a nudge asks for now, from a state at most 30 s old (else one read). */
export async function nudgedSetpoint(heating: HeatingService, housingId: string, delta: number): Promise<number> {
  const base = currentSetpoint(await heating.state(housingId, NUDGE_STATE_MAX_AGE_MS));
  if (base === null) throw new ApiError('PROTOCOL', 'the cloud shows no current setpoint to change: send a temperature in °C instead');
  return nudge(base, delta);
}
