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

export interface ComapThermalDetails {
  heating_system_state?: 'on' | 'off' | string;
  events?: { absence?: unknown; time_shift?: unknown };
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
