import type { ComapInstruction, ComapThermalDetails } from '../../lib/comap/api-types';
import { ComapStateError } from './errors';
import { absenceEvent, COMAP_BEHAVIOUR, timeShiftEvent, ZoneKind } from './fixture';

/** A holiday (#20), planned while `beginAt` is ahead; `endAt` null = until cancelled. */
export interface Holiday {
  id: string;
  beginAt: number;
  endAt: number | null;
}

/** The whole-house modes of one housing. */
export interface HouseModes {
  heatingSystemState: 'on' | 'off';
  /** A leave-home (#18) in force since `beginAt`. */
  leaveHome?: { beginAt: number };
  absence?: Holiday;
}

/** A direct setting of modes (a test knob): `away` = leave-home from now; times in ms. */
export interface ModesSeed {
  away?: boolean;
  /** null = no holiday; `endAt` null = until cancelled. */
  holiday?: { beginAt: number; endAt: number | null; id?: string } | null;
  heatingSystem?: 'on' | 'off';
}

/** The modes at `now`: a holiday past its `end_at` has ended by itself. */
export function liveModes(modes: HouseModes, now: number): HouseModes {
  const live: HouseModes = { heatingSystemState: modes.heatingSystemState };
  if (modes.leaveHome) live.leaveHome = { ...modes.leaveHome };
  if (modes.absence && !holidayOver(modes.absence, now)) live.absence = { ...modes.absence };
  return live;
}

export function holidayOver(holiday: Holiday, now: number): boolean {
  return holiday.endAt !== null && holiday.endAt <= now;
}

export function holidayRunning(holiday: Holiday | undefined, now: number): boolean {
  return !!holiday && holiday.beginAt <= now && !holidayOver(holiday, now);
}

/** The housing-level `events` of thermal-details: keys only while a mode is planned or active. */
export function modeEvents(modes: HouseModes): NonNullable<ComapThermalDetails['events']> {
  const events: NonNullable<ComapThermalDetails['events']> = {};
  if (modes.absence) events.absence = absenceEvent(modes.absence.id, modes.absence.beginAt, modes.absence.endAt);
  if (modes.leaveHome) events.time_shift = timeShiftEvent(modes.leaveHome.beginAt);
  return events;
}

/** What a running mode makes a zone show instead of its schedule; undefined when none does. */
export function modeInstruction(modes: HouseModes, kind: ZoneKind, now: number): ComapInstruction | undefined {
  if (holidayRunning(modes.absence, now)) return COMAP_BEHAVIOUR.modeInstructions.absence[kind];
  if (modes.leaveHome) return COMAP_BEHAVIOUR.modeInstructions.time_shift[kind];
  return undefined;
}

/** Reads a POST absence body `{begin_at, end_at}` (or `{}`); 400 on anything else. */
export function parseAbsence(body: unknown, now: number, newId: () => string): Holiday {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ComapStateError(400, 'Invalid request body');
  const fields = body as Record<string, unknown>;
  const id = typeof fields.id === 'string' && fields.id !== '' ? fields.id : undefined;
  if (fields.begin_at === undefined && fields.end_at === undefined) {
    if (COMAP_BEHAVIOUR.emptyAbsenceBody === 400) throw new ComapStateError(400, 'begin_at and end_at are required');
    return { id: id ?? newId(), beginAt: now, endAt: null };
  }
  const beginAt = parseTime(fields.begin_at, 'begin_at');
  const endAt = parseTime(fields.end_at, 'end_at');
  if (endAt <= beginAt) throw new ComapStateError(400, 'end_at must be after begin_at');
  if (endAt <= now) throw new ComapStateError(400, 'end_at is in the past');
  return { id: id ?? newId(), beginAt, endAt };
}

function parseTime(value: unknown, key: string): number {
  const ms = typeof value === 'string' && COMAP_BEHAVIOUR.absenceTimePattern.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw new ComapStateError(400, `${key} must be an ISO date-time with an offset`);
  return ms;
}
