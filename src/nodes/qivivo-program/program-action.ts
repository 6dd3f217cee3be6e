import { invalidInput } from '../../lib/http/errors';
import { parseReference } from '../shared/input';

/** A program change (release 0.1 stored this shape for waiting retries: kept as is). */
export interface ProgramChange {
  housing: string;
  program: string;
}

/** A schedule given to a zone in the active program (spec §7.4). */
export interface ScheduleChange {
  housing: string;
  zone: string;
  schedule: string;
}

export type ProgramAction = ProgramChange | ScheduleChange;

/** What the node's dialog fixed; empty strings are "from msg.payload". */
export interface ProgramSettings {
  housing: string;
  program: string;
  zone: string;
  schedule: string;
}

export function isScheduleChange(action: ProgramAction): action is ScheduleChange {
  return 'zone' in action;
}

/**
 * The action a message asks for. An object payload `{zone, schedule}` is an explicit wish and is
 * always read, whatever the dialog fixed (doing the node's own program instead would change
 * what the message did not ask for). Any other payload triggers the dialog's choice — a zone
 * with its schedule (or with the payload naming the schedule), else a program — and without one
 * names the program (0.1: on a monozone housing also a schedule).
 */
export function parseProgramAction(payload: unknown, settings: ProgramSettings): ProgramAction {
  const { housing } = settings;
  if (isPlainObject(payload) && (hasOwn(payload, 'zone') || hasOwn(payload, 'schedule'))) {
    const unknown = Object.keys(payload).filter((key) => key !== 'zone' && key !== 'schedule');
    if (unknown.length > 0) throw invalidInput(`msg.payload holds only "zone" and "schedule", not "${unknown[0].slice(0, 40)}"`);
    return {
      housing,
      zone: parseReference(payload.zone, 'msg.payload.zone'),
      schedule: parseReference(payload.schedule, 'msg.payload.schedule'),
    };
  }
  if (settings.zone) {
    return { housing, zone: settings.zone, schedule: settings.schedule || parseReference(payload, 'msg.payload (schedule name or id)') };
  }
  if (settings.program) return { housing, program: settings.program };
  if (isPlainObject(payload)) throw invalidInput('msg.payload must be a program name or id, or { "zone": …, "schedule": … }');
  return { housing, program: parseReference(payload, 'msg.payload (program name or id)') };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function hasOwn(value: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(value, key);
}
