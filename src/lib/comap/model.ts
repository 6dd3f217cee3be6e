import type {
  ComapConnectedObject,
  ComapCustomTemperatures,
  ComapInstruction,
  ComapProgram,
  ComapSchedule,
  ComapThermalDetails,
  ComapZoneDetails,
} from './api-types';
import { HouseMode, readHouseMode } from './house-mode';
import { orderFromCode, OrderNumber } from './orders';
import { PresetName, readPresets } from './presets';

/** The heating state in the product's words (product-spec §3.1). Absent data is null. */
export interface HeatingState {
  housing: { id: string; name: string };
  temperature: number | null;
  humidity: number | null;
  setpoint: number | null;
  instruction: string | number | null;
  lastPresence: string | null;
  heating: boolean | null;
  heatingSystem: string | null;
  /** Whole-house modes (product-spec §7.2). */
  mode: HouseMode;
  /** Preset temperatures in °C, from the cached catalog (product-spec §7.2). */
  presets: Record<PresetName, number | null>;
  temporary: TemporaryState;
  program: string | null;
  programs: ProgramSummary[];
  thermostat: DeviceState | null;
  gateway: DeviceState | null;
  zones: ZoneState[];
  updatedAt: string;
}

export interface TemporaryState {
  active: boolean;
  setpoint?: number | null;
  order?: OrderNumber | null;
  endAt?: string | null;
}

export interface DeviceState {
  serial: string;
  lastCommunication: string | null;
  battery?: number | null;
  firmware: string | null;
}

export interface ProgramSummary {
  id: string;
  name: string;
  active: boolean;
}

export type ZoneKind = 'thermostat' | 'pilot-wire';

/** The zone's next timeslot (`next_timeslot`), the thermostat's in °C. */
export interface ThermostatNext {
  at: string | null;
  setpoint: number | null;
}

export interface PilotWireNext {
  at: string | null;
  order: OrderNumber | null;
  orderName: string | null;
}

/** The schedule the active program gives a zone (product-spec §7.4). */
export interface ZoneSchedule {
  id: string;
  name: string;
}

/** What every zone reports besides its setpoint or order (product-spec §7.2, §7.4). */
export interface ZoneCommon {
  openWindow: boolean | null;
  transmissionError: boolean | null;
  schedule: ZoneSchedule | null;
}

export interface ThermostatZoneState extends ZoneCommon {
  id: string;
  name: string;
  kind: 'thermostat';
  temperature: number | null;
  setpoint: number | null;
  temporary: TemporaryState;
  next: ThermostatNext | null;
}

export interface PilotWireZoneState extends ZoneCommon {
  id: string;
  name: string;
  kind: 'pilot-wire';
  order: OrderNumber | null;
  orderName: string | null;
  orderCode: string | null;
  temporary: TemporaryState;
  lastCommunication: string | null;
  modules: string[];
  next: PilotWireNext | null;
}

export type ZoneState = ThermostatZoneState | PilotWireZoneState;

/** What the editor's dropdowns list. */
export interface ZoneSummary {
  id: string;
  name: string;
  kind: ZoneKind;
}

/** Slow-changing data of a housing, cached between polls. */
export interface HousingCatalog {
  objects: ComapConnectedObject[];
  customTemperatures: ComapCustomTemperatures;
  programs: ComapProgram[];
  schedules: ComapSchedule[];
}

/** Rounds to one decimal, as the Comap app shows temperatures; null for anything not a number. */
export function roundTenth(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? Math.round(value * 10) / 10 : null;
}

function finiteOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** ISO-8601 UTC, or null for anything that is not a date. */
export function isoOrNull(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

/**
 * °C of an instruction: a number is the temperature itself; a preset name is looked up in the
 * housing's custom temperatures (top level, then `connected`, then `smart`).
 */
export function resolveSetpoint(instruction: ComapInstruction | undefined, presets: ComapCustomTemperatures): number | null {
  if (typeof instruction === 'number') return finiteOrNull(instruction);
  if (typeof instruction !== 'string') return null;
  if (/^\d+(\.\d+)?$/.test(instruction)) return Number(instruction);
  for (const group of [presets as Record<string, unknown>, presets.connected, presets.smart]) {
    const value = group?.[instruction];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return null;
}

export function isPilotWire(zone: { set_point_type?: string }): boolean {
  return zone.set_point_type === 'pilot_wire';
}

/** The zone the thermostat drives: not pilot-wire, preferably holding the thermostat itself. */
export function thermostatZone<T extends ComapZoneDetails>(zones: T[], objects: ComapConnectedObject[]): T | undefined {
  const thermostat = objects.find((o) => o.model === 'thermostat');
  const candidates = zones.filter((z) => !isPilotWire(z));
  return candidates.find((z) => thermostat && z.connected_objects?.includes(thermostat.serial_number)) ?? candidates[0];
}

function device(object: ComapConnectedObject | undefined, withBattery: boolean): DeviceState | null {
  if (!object) return null;
  const state: DeviceState = {
    serial: object.serial_number,
    lastCommunication: isoOrNull(object.last_communication_time),
    firmware: typeof object.firmware_version === 'string' ? object.firmware_version : null,
  };
  if (withBattery) state.battery = finiteOrNull(object.voltage_percent);
  return state;
}

function temporaryOf(zone: ComapZoneDetails, presets: ComapCustomTemperatures, pilotWire: boolean): TemporaryState {
  const temporary = zone.events?.temporary_instruction;
  if (!temporary) return { active: false };
  const instruction = temporary.set_point?.instruction;
  const endAt = isoOrNull(temporary.end_at);
  return pilotWire
    ? { active: true, order: orderFromCode(instruction)?.number ?? null, endAt }
    : { active: true, setpoint: resolveSetpoint(instruction, presets), endAt };
}

function booleanOrNull(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

/** The next timeslot's start and instruction; null when the cloud gives neither. */
function nextSlot(zone: ComapZoneDetails): { at: string | null; instruction: ComapInstruction | undefined } | null {
  const slot = zone.next_timeslot;
  if (!slot || typeof slot !== 'object') return null;
  const raw = slot.set_point?.instruction;
  const instruction = typeof raw === 'number' || typeof raw === 'string' ? raw : undefined;
  const at = isoOrNull(slot.begin_at);
  return at === null && instruction === undefined ? null : { at, instruction };
}

/**
 * The zone's schedule in the active program, named from the catalog's schedule list; a
 * schedule missing from that list keeps its id as name, as programs and zones do.
 */
function scheduleOf(zone: ComapZoneDetails, catalog: HousingCatalog): ZoneSchedule | null {
  const active = catalog.programs.find((p) => p.is_activated === true);
  const zones = Array.isArray(active?.zones) ? active.zones : [];
  const id = zones.find((z) => z?.id === zone.id)?.schedule_id;
  if (typeof id !== 'string' || id === '') return null;
  const schedule = catalog.schedules.find((s) => s.id === id);
  return { id, name: typeof schedule?.title === 'string' ? schedule.title : id };
}

function zoneCommon(zone: ComapZoneDetails, catalog: HousingCatalog): ZoneCommon {
  return {
    openWindow: booleanOrNull(zone.open_window),
    transmissionError: booleanOrNull(zone.transmission_error),
    schedule: scheduleOf(zone, catalog),
  };
}

function zoneState(zone: ComapZoneDetails, catalog: HousingCatalog): ZoneState {
  const name = zone.title ?? zone.id;
  const next = nextSlot(zone);
  if (!isPilotWire(zone)) {
    return {
      id: zone.id,
      name,
      kind: 'thermostat',
      temperature: roundTenth(zone.temperature),
      setpoint: resolveSetpoint(zone.set_point?.instruction, catalog.customTemperatures),
      temporary: temporaryOf(zone, catalog.customTemperatures, false),
      ...zoneCommon(zone, catalog),
      next: next && { at: next.at, setpoint: resolveSetpoint(next.instruction, catalog.customTemperatures) },
    };
  }
  const nextOrder = next && orderFromCode(next.instruction);
  const order = orderFromCode(zone.set_point?.instruction);
  const modules = catalog.objects.filter((o) => o.model === 'heating_module' && zone.connected_objects?.includes(o.serial_number));
  const lastCommunication = modules
    .map((m) => isoOrNull(m.last_communication_time))
    .filter((t): t is string => t !== null)
    .sort()
    .pop();
  return {
    id: zone.id,
    name,
    kind: 'pilot-wire',
    order: order?.number ?? null,
    orderName: order?.name ?? null,
    orderCode: order?.code ?? null,
    temporary: temporaryOf(zone, catalog.customTemperatures, true),
    lastCommunication: lastCommunication ?? isoOrNull(zone.last_transmission),
    modules: modules.map((m) => m.serial_number),
    ...zoneCommon(zone, catalog),
    next: next && { at: next.at, order: nextOrder?.number ?? null, orderName: nextOrder?.name ?? null },
  };
}

function heatingOf(details: ComapThermalDetails, zone: ComapZoneDetails | undefined): boolean | null {
  if (details.heating_system_state === 'off') return false;
  if (zone?.heating_status === 'heating') return true;
  if (zone?.heating_status === 'cooling') return false;
  return null;
}

export function programSummaries(programs: ComapProgram[]): ProgramSummary[] {
  return programs.map((p) => ({ id: p.id, name: p.title ?? p.id, active: p.is_activated === true }));
}

/** The whole heating state of one housing, from one thermal-details answer and the cached catalog. */
export function heatingState(
  housing: { id: string; name: string },
  details: ComapThermalDetails,
  catalog: HousingCatalog,
  now: Date,
): HeatingState {
  const zones = Array.isArray(details.zones) ? details.zones.filter((z) => z && typeof z.id === 'string') : [];
  const main = thermostatZone(zones, catalog.objects);
  const instruction = main?.set_point?.instruction;
  const programs = programSummaries(catalog.programs);
  return {
    housing,
    temperature: roundTenth(main?.temperature),
    humidity: finiteOrNull(main?.humidity),
    setpoint: resolveSetpoint(instruction, catalog.customTemperatures),
    instruction: typeof instruction === 'number' || typeof instruction === 'string' ? instruction : null,
    lastPresence: isoOrNull(main?.last_presence_detected),
    heating: heatingOf(details, main),
    heatingSystem: typeof details.heating_system_state === 'string' ? details.heating_system_state : null,
    mode: readHouseMode(details),
    presets: readPresets(catalog.customTemperatures),
    temporary: main ? temporaryOf(main, catalog.customTemperatures, false) : { active: false },
    program: programs.find((p) => p.active)?.name ?? null,
    programs,
    thermostat: device(catalog.objects.find((o) => o.model === 'thermostat'), true),
    gateway: device(catalog.objects.find((o) => o.model === 'gateway'), false),
    zones: zones.map((z) => zoneState(z, catalog)),
    updatedAt: now.toISOString(),
  };
}

/** Zones for the editor, in the cloud's order. */
export function zoneSummaries(details: ComapThermalDetails): ZoneSummary[] {
  return (details.zones ?? []).map((z) => ({ id: z.id, name: z.title ?? z.id, kind: isPilotWire(z) ? 'pilot-wire' : 'thermostat' }));
}
