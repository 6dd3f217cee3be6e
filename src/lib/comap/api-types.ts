/**
 * Shapes of the Comap cloud's JSON (comap-api.md §1.4), as far as this package reads them.
 * Field names of the cloud stop here and in client.ts / model.ts. Every field is optional in
 * practice: the parsers in model.ts tolerate absent and unexpected values.
 */

/** An instruction: a °C number, a preset name (`presence_1`, `night`…) or a pilot-wire order. */
export type ComapInstruction = number | string;

export interface ComapSetPoint {
  instruction?: ComapInstruction;
}

export interface ComapHousing {
  id: string;
  name?: string;
  timezone?: string;
  connected_objects?: string[];
  [key: string]: unknown;
}

export interface ComapConnectedObject {
  serial_number: string;
  housing_id?: string;
  model?: 'thermostat' | 'heating_module' | 'gateway' | 'radiator_valve' | string;
  last_communication_time?: string | null;
  firmware_version?: string | null;
  voltage_percent?: number | null;
  main_heating_module?: boolean;
  custom_name?: string;
  [key: string]: unknown;
}

export interface ComapZoneDetails {
  id: string;
  title?: string;
  connected_objects?: string[];
  temperature?: number | null;
  humidity?: number | null;
  set_point_type?: 'pilot_wire' | 'defined_temperature' | 'custom_temperature' | string;
  set_point?: ComapSetPoint;
  programming_type?: string;
  next_timeslot?: { begin_at?: string; set_point?: ComapSetPoint };
  heating_status?: 'heating' | 'cooling' | string;
  events?: { temporary_instruction?: { end_at?: string; set_point?: ComapSetPoint } };
  last_presence_detected?: string | null;
  open_window?: boolean;
  last_transmission?: string | null;
  transmission_error?: boolean;
  errors?: unknown[];
  [key: string]: unknown;
}

/**
 * A planned or running holiday (`events.absence`, #20) and a leave-home (`events.time_shift`, #18):
 * their shapes are not public; `{begin_at, end_at}` / `{begin_at}` is what the clients' bodies
 * suggest, and the emulator's fixture holds them so a capture can correct them.
 */
export interface ComapAbsenceEvent {
  id?: string;
  begin_at?: string | null;
  end_at?: string | null;
  [key: string]: unknown;
}

export interface ComapTimeShiftEvent {
  begin_at?: string | null;
  end_at?: string | null;
  [key: string]: unknown;
}

export interface ComapThermalDetails {
  heating_system_state?: 'on' | 'off' | string;
  events?: { absence?: ComapAbsenceEvent | null; time_shift?: ComapTimeShiftEvent | null };
  zones?: ComapZoneDetails[];
  [key: string]: unknown;
}

export interface ComapZoneConfig {
  id: string;
  title?: string;
  area_type?: string;
  instruction_type?: string;
  connected_objects?: string[];
  [key: string]: unknown;
}

export interface ComapThermalSettings {
  global_informations?: { installation_type?: 'multizone' | string };
  [key: string]: unknown;
}

export interface ComapCustomTemperatures {
  night?: number | null;
  away?: number | null;
  frost_protection?: number | null;
  connected?: Record<string, number | null>;
  smart?: Record<string, number | null>;
  [key: string]: unknown;
}

export interface ComapProgram {
  id: string;
  title?: string;
  is_activated?: boolean;
  zones?: { id: string; schedule_id?: string }[];
  [key: string]: unknown;
}

export interface ComapPrograms {
  programs?: ComapProgram[];
}

/** One entry of GET schedules (#25); its day/time-slot structure is not known publicly. */
export interface ComapSchedule {
  id: string;
  title?: string;
  [key: string]: unknown;
}

export interface ComapTemporaryInstructionBody {
  duration: number;
  set_point: { instruction: ComapInstruction };
}

/** PATCH custom-temperatures (#13): flat Comap keys, any subset. */
export type ComapPresetKey = 'presence_1' | 'presence_2' | 'presence_3' | 'presence_4' | 'night' | 'away' | 'frost_protection';
export type ComapCustomTemperaturesPatch = Partial<Record<ComapPresetKey, number>>;
