import { allowListed, AllowShape, ANY_KEY } from '../redact';

/**
 * The debug dump of a housing (HeatingService.rawData()) with only what a diagnosis needs:
 * states, enumerations, measurements and settings, times, firmware versions, cloud ids, zone
 * and program titles, serials cut to their end. The housing's name, address, position, IP
 * address, owner and any field not listed here (a future cloud field) show only as their type.
 * Field names follow comap-api.md §1.4.
 */
export function diagnosticDump(raw: Record<string, unknown>): Record<string, unknown> {
  return allowListed(raw, DUMP) as Record<string, unknown>;
}

const SET_POINT: AllowShape = { instruction: 'keep' };

/** A timed event: absence, leave-home, temporary instruction, next timeslot. */
const EVENT: AllowShape = { id: 'keep', begin_at: 'keep', end_at: 'keep', set_point: SET_POINT };

const ZONE: AllowShape = {
  id: 'keep',
  // The user's own label; the product addresses zones by it.
  title: 'keep',
  connected_objects: 'tail',
  temperature: 'number',
  humidity: 'number',
  set_point_type: 'keep',
  set_point: SET_POINT,
  programming_type: 'keep',
  next_timeslot: EVENT,
  heating_status: 'keep',
  events: { temporary_instruction: EVENT },
  last_presence_detected: 'keep',
  open_window: 'keep',
  last_transmission: 'keep',
  transmission_error: 'keep',
  errors: { code: 'keep' },
  services_available: 'keep',
};

const THERMAL_DETAILS: AllowShape = {
  heating_system_state: 'keep',
  services_available: 'keep',
  meters_registered: 'keep',
  events: { absence: EVENT, time_shift: EVENT },
  zones: ZONE,
};

/** Housing record: not its name (may hold a surname), address, position, IP address or owner. */
const HOUSING: AllowShape = {
  id: 'keep',
  type: 'keep',
  usage: 'keep',
  created_at: 'keep',
  timezone: 'keep',
  connected_objects: 'tail',
};

/** Not `custom_name`: a label the product does not read, which may hold a person's name. */
const CONNECTED_OBJECT: AllowShape = {
  serial_number: 'tail',
  housing_id: 'keep',
  model: 'keep',
  last_communication_time: 'keep',
  first_communication_time: 'keep',
  is_new: 'keep',
  firmware_version: 'keep',
  voltage: 'number',
  voltage_percent: 'number',
  voltage_status: 'keep',
  communication_status: 'keep',
  last_temperature: 'number',
  is_blinking: 'keep',
  main_heating_module: 'keep',
};

/** Preset temperatures; `smart` has keys no source names, all of them temperatures. */
const PRESETS: AllowShape = {
  night: 'number',
  away: 'number',
  frost_protection: 'number',
  stop: 'number',
  connected: { [ANY_KEY]: 'number' },
  smart: { [ANY_KEY]: 'number' },
};

const PROGRAM: AllowShape = {
  id: 'keep',
  title: 'keep',
  is_activated: 'keep',
  zones: { id: 'keep', schedule_id: 'keep', programming_type: 'keep' },
};

const DUMP: AllowShape = {
  housing: HOUSING,
  thermalDetails: THERMAL_DETAILS,
  connectedObjects: CONNECTED_OBJECT,
  thermalSettings: { global_informations: { installation_type: 'keep' }, custom_temperatures: PRESETS },
  customTemperatures: PRESETS,
  programs: { programs: PROGRAM },
};
