import type { ComapThermalDetails } from './api-types';
import { isoOrNull } from './model';

/** The housing's whole-house modes, as thermal-details shows them (product-spec §7.2). */
export interface HouseMode {
  /** A leave-home is in force (`events.time_shift`). */
  away: boolean;
  /** A holiday planned or running (`events.absence`); null when none. */
  holiday: { from: string | null; to: string | null } | null;
  heatingSystem: 'on' | 'off' | null;
}

/**
 * Reads the modes from thermal-details (#5). The event keys are present only while a mode is
 * planned or active; their inner shapes are not public (see the emulator's fixture).
 */
export function readHouseMode(details: ComapThermalDetails): HouseMode {
  const events = details.events ?? {};
  const absence = events.absence && typeof events.absence === 'object' ? events.absence : null;
  const state = details.heating_system_state;
  return {
    away: Boolean(events.time_shift && typeof events.time_shift === 'object'),
    holiday: absence ? { from: isoOrNull(absence.begin_at), to: isoOrNull(absence.end_at) } : null,
    heatingSystem: state === 'on' || state === 'off' ? state : null,
  };
}
