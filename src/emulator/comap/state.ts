import type {
  ComapConnectedObject,
  ComapCustomTemperatures,
  ComapHousing,
  ComapInstruction,
  ComapProgram,
  ComapThermalDetails,
  ComapThermalSettings,
  ComapZoneConfig,
  ComapZoneDetails,
} from '../../lib/comap/api-types';
import { ComapStateError } from './errors';
import {
  absenceId,
  COMAP_BEHAVIOUR,
  comapFixture,
  ComapFixture,
  comapTimestamp,
  CONNECTED_PRESETS,
  FixtureSchedule,
  FixtureUser,
  FixtureZone,
  PILOT_WIRE_ORDERS,
  THERMOSTAT_PRESETS,
  TOP_LEVEL_PRESETS,
} from './fixture';
import { Holiday, HouseModes, liveModes, modeEvents, modeInstruction, ModesSeed, parseAbsence } from './modes';

export { ComapStateError };

/** A write the cloud accepted, for tests asserting how often something was applied. */
export interface WriteRecord {
  method: string;
  path: string;
  body: unknown;
  at: number;
}

export interface ComapStateOptions {
  now?: () => number;
  /** Delay before a temporary instruction shows in the zone's `set_point` (the cloud takes 1–5 min). */
  applyDelayMs?: number;
  /** Seed data; a fresh `comapFixture(now())` by default. */
  fixture?: ComapFixture;
}

export interface NewUser {
  username: string;
  password: string;
  userId?: string;
  /** Housings the user owns; none by default. */
  housingIds?: string[];
  challenge?: string;
}

interface TemporaryInstruction {
  instruction: ComapInstruction;
  endAt: number;
  appliesAt: number;
}

interface ZoneModel extends FixtureZone {
  transmissionError: boolean;
  lastTransmission: number;
  temporary?: TemporaryInstruction;
}

interface HousingModel {
  housing: ComapHousing;
  modes: HouseModes;
  /** What reads show instead of `modes` for `readsLeft` more reads (knob `modeShowDelayReads`). */
  shown?: { modes: HouseModes; readsLeft: number };
  installationType: string;
  objects: ComapConnectedObject[];
  zones: ZoneModel[];
  customTemperatures: ComapCustomTemperatures;
  programs: ComapProgram[];
  schedules: FixtureSchedule[];
}

/**
 * The Comap cloud's data in memory, with its rules: one temporary instruction per zone (409),
 * expiry after `duration` minutes, a delay before the setpoint shows, order/°C checks per zone
 * kind, one active program, flat PATCH of preset temperatures. Time comes from `now()` only, and
 * expiries are computed when the data is read.
 */
export class ComapState {
  /** Knob: ms between a temporary instruction's POST and its appearance in `set_point`. */
  applyDelayMs: number;
  /** Knob: every zone reports `last_presence_detected: null`. */
  nullPresence = false;
  /** Knob: answer of DELETE when no temporary instruction exists ('zone' = 200 unchanged). */
  deleteWithoutInstruction: 'zone' | 404 = COMAP_BEHAVIOUR.deleteWithoutInstruction;
  /**
   * Knob: a mode write (leave-home, come-back-home, absence and their cancels, heating-system-state)
   * is accepted, but the next N reads of thermal-details (whole or one zone) still show the modes
   * as they were before it. Reset to 0 by `reset()`.
   */
  modeShowDelayReads = 0;
  /** Knob: answer of DELETE leave-home / DELETE absence when none is in place ('ok' = 200 unchanged). */
  deleteWithoutMode: 'ok' | 404 = COMAP_BEHAVIOUR.deleteWithoutMode;
  /** Knob: POST come-back-home also cancels a holiday planned for later. */
  comeBackHomeCancelsPlanned = COMAP_BEHAVIOUR.comeBackHomeCancelsPlannedAbsence;
  /** Writes accepted over HTTP, oldest first. */
  readonly writes: WriteRecord[] = [];
  readonly now: () => number;
  private readonly users = new Map<string, FixtureUser>();
  private housings = new Map<string, HousingModel>();
  private ticks = 0;
  private absences = 0;

  constructor(options: ComapStateOptions = {}) {
    this.now = options.now ?? Date.now;
    this.applyDelayMs = options.applyDelayMs ?? 0;
    const fixture = options.fixture ?? comapFixture(this.now());
    for (const user of fixture.users) this.users.set(user.username.toLowerCase(), { ...user, housingIds: [...user.housingIds] });
    this.load(fixture);
  }

  /** Back to the seed data (users are kept); clears the write record. */
  reset(fixture: ComapFixture = comapFixture(this.now())): void {
    this.writes.length = 0;
    this.modeShowDelayReads = 0;
    this.deleteWithoutMode = COMAP_BEHAVIOUR.deleteWithoutMode;
    this.comeBackHomeCancelsPlanned = COMAP_BEHAVIOUR.comeBackHomeCancelsPlannedAbsence;
    this.absences = 0;
    this.load(fixture);
  }

  // ---- users and ownership ----

  addUser(user: NewUser): FixtureUser {
    const record: FixtureUser = {
      username: user.username,
      password: user.password,
      userId: user.userId ?? `u-${user.username.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
      housingIds: [...(user.housingIds ?? [])],
      challenge: user.challenge,
    };
    this.users.set(user.username.toLowerCase(), record);
    return record;
  }

  userList(): FixtureUser[] {
    return [...this.users.values()].map((u) => ({ ...u, housingIds: [...u.housingIds] }));
  }

  /** True when `username` owns housing `housingId` (other housings answer 404). */
  canSee(username: string, housingId: string): boolean {
    const user = this.users.get(username.toLowerCase());
    return !!user && user.housingIds.includes(housingId) && this.housings.has(housingId);
  }

  // ---- reads ----

  housingList(username: string): ComapHousing[] {
    const user = this.users.get(username.toLowerCase());
    if (!user) return [];
    return [...this.housings.values()].filter((h) => user.housingIds.includes(h.housing.id)).map((h) => clone(h.housing));
  }

  housing(housingId: string): ComapHousing {
    return clone(this.house(housingId).housing);
  }

  connectedObjects(housingId: string): ComapConnectedObject[] {
    return clone(this.house(housingId).objects);
  }

  /** One object by serial, with the id of its housing (for the ownership check). */
  connectedObject(serial: string): ComapConnectedObject | undefined {
    for (const house of this.housings.values()) {
      const found = house.objects.find((o) => o.serial_number === serial);
      if (found) return clone(found);
    }
    return undefined;
  }

  /** GET thermal-details: one read (it counts for the `modeShowDelayReads` knob). */
  thermalDetails(housingId: string): ComapThermalDetails {
    const house = this.house(housingId);
    return this.detailsView(house, this.shownModes(house, true));
  }

  /** GET thermal-details of one zone: one read, as the whole housing's. */
  zoneDetails(housingId: string, zoneId: string): ComapZoneDetails {
    const house = this.house(housingId);
    const zone = this.zone(house, zoneId);
    return this.zoneView(house, zone, this.shownModes(house, true));
  }

  zoneConfigs(housingId: string): ComapZoneConfig[] {
    return this.house(housingId).zones.map((z) => this.zoneConfig(z));
  }

  private zoneConfig(zone: ZoneModel): ComapZoneConfig {
    return {
      id: zone.id,
      title: zone.title,
      area_type: zone.area_type,
      instruction_type: COMAP_BEHAVIOUR.instructionType[zone.kind],
      heating_priority: zone.heating_priority,
      services_available: clone(COMAP_BEHAVIOUR.servicesAvailable),
      connected_objects: [...zone.connected_objects],
    };
  }

  zoneConfigOf(housingId: string, zoneId: string): ComapZoneConfig {
    const house = this.house(housingId);
    return this.zoneConfig(this.zone(house, zoneId));
  }

  thermalSettings(housingId: string): ComapThermalSettings {
    const house = this.house(housingId);
    return {
      global_informations: { installation_type: house.installationType },
      custom_temperatures: clone(house.customTemperatures),
    };
  }

  customTemperatures(housingId: string): ComapCustomTemperatures {
    return clone(this.house(housingId).customTemperatures);
  }

  programs(housingId: string): { programs: ComapProgram[] } {
    return { programs: clone(this.house(housingId).programs) };
  }

  schedules(housingId: string): { id: string; title: string }[] {
    return this.house(housingId).schedules.map((s) => ({ id: s.id, title: s.title }));
  }

  // ---- writes ----

  /** PATCH with flat keys: presence_1..4 go under `connected`, known `smart` keys under `smart`. */
  patchCustomTemperatures(housingId: string, body: unknown): ComapCustomTemperatures {
    const house = this.house(housingId);
    if (!isRecord(body)) throw invalidBody();
    const [min, max] = COMAP_BEHAVIOUR.temperatureRange;
    for (const [key, value] of Object.entries(body)) {
      if (value !== null && (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max)) {
        throw new ComapStateError(400, `Invalid temperature for ${key}`);
      }
      if (!CONNECTED_PRESETS.includes(key) && !TOP_LEVEL_PRESETS.includes(key) && !(house.customTemperatures.smart && key in house.customTemperatures.smart)) {
        throw new ComapStateError(400, `Unknown custom temperature ${key}`);
      }
    }
    const presets = house.customTemperatures;
    for (const [key, value] of Object.entries(body) as [string, number | null][]) {
      if (CONNECTED_PRESETS.includes(key)) presets.connected = { ...presets.connected, [key]: value };
      else if (TOP_LEVEL_PRESETS.includes(key)) presets[key] = value;
      else presets.smart = { ...presets.smart, [key]: value };
    }
    return clone(presets);
  }

  setHeatingSystemState(housingId: string, body: unknown): ComapThermalDetails {
    const house = this.house(housingId);
    if (!isRecord(body) || (body.state !== 'on' && body.state !== 'off')) throw invalidBody();
    const state = body.state;
    return this.changeModes(house, (m) => (m.heatingSystemState = state));
  }

  /** POST leave-home: in force from now until cancelled (a second POST keeps the first start). */
  leaveHome(housingId: string): ComapThermalDetails {
    const now = this.now();
    return this.changeModes(this.house(housingId), (m) => (m.leaveHome ??= { beginAt: now }));
  }

  /** DELETE leave-home. */
  cancelLeaveHome(housingId: string): ComapThermalDetails {
    const house = this.house(housingId);
    if (!this.actualModes(house).leaveHome && this.deleteWithoutMode === 404) throw new ComapStateError(404, 'No leave-home in progress');
    return this.changeModes(house, (m) => (m.leaveHome = undefined));
  }

  /** POST come-back-home: ends a leave-home and a running holiday (a planned one unless the knob says so). */
  comeBackHome(housingId: string): ComapThermalDetails {
    const now = this.now();
    return this.changeModes(this.house(housingId), (m) => {
      m.leaveHome = undefined;
      if (m.absence && (m.absence.beginAt <= now || this.comeBackHomeCancelsPlanned)) m.absence = undefined;
    });
  }

  /** DELETE come-back-home: accepted, changes nothing (COMAP_BEHAVIOUR.deleteComeBackHome). */
  cancelComeBackHome(housingId: string): ComapThermalDetails {
    return this.changeModes(this.house(housingId), () => undefined);
  }

  /** POST absence `{begin_at, end_at}` (or `{}`): a holiday, planned or running; replaces the current one. */
  setAbsence(housingId: string, body: unknown): ComapThermalDetails {
    const house = this.house(housingId);
    const holiday = parseAbsence(body, this.now(), () => absenceId(++this.absences));
    if (this.actualModes(house).absence && !COMAP_BEHAVIOUR.absenceReplaces) throw new ComapStateError(409, 'An absence already exists');
    return this.changeModes(house, (m) => (m.absence = holiday));
  }

  /** DELETE absence: cancels a planned or running holiday. */
  cancelAbsence(housingId: string): ComapThermalDetails {
    const house = this.house(housingId);
    if (!this.actualModes(house).absence && this.deleteWithoutMode === 404) throw new ComapStateError(404, 'No absence in progress');
    return this.changeModes(house, (m) => (m.absence = undefined));
  }

  /** POST temporary-instruction: 409 while one is in place, 400 on an instruction the zone cannot take. */
  setTemporaryInstruction(housingId: string, zoneId: string, body: unknown): ComapZoneDetails {
    const house = this.house(housingId);
    const zone = this.zone(house, zoneId);
    if (!isRecord(body) || !isRecord(body.set_point)) throw invalidBody();
    const duration = body.duration;
    const instruction = body.set_point.instruction;
    if (typeof duration !== 'number' || !Number.isInteger(duration) || duration <= 0) {
      throw new ComapStateError(400, 'duration must be a positive number of minutes');
    }
    if (typeof instruction !== 'number' && typeof instruction !== 'string') throw invalidBody();
    checkInstruction(zone, instruction);
    this.expire(zone);
    if (zone.temporary) throw new ComapStateError(409, COMAP_BEHAVIOUR.conflictMessage);
    const now = this.now();
    zone.temporary = { instruction, endAt: now + duration * 60_000, appliesAt: now + this.applyDelayMs };
    return this.zoneView(house, zone);
  }

  /** DELETE temporary-instruction: the zone goes back to its schedule at once. */
  deleteTemporaryInstruction(housingId: string, zoneId: string): ComapZoneDetails {
    const house = this.house(housingId);
    const zone = this.zone(house, zoneId);
    this.expire(zone);
    if (!zone.temporary && this.deleteWithoutInstruction === 404) {
      throw new ComapStateError(404, 'No temporary instruction');
    }
    zone.temporary = undefined;
    return this.zoneView(house, zone);
  }

  /** Makes `programId` the only active program, on any installation type (monozone too). */
  activateProgram(housingId: string, programId: string): ComapProgram {
    const house = this.house(housingId);
    const program = this.program(house, programId);
    for (const p of house.programs) p.is_activated = p === program;
    if (COMAP_BEHAVIOUR.scheduleChangeCancelsTemporary) for (const z of house.zones) z.temporary = undefined;
    return clone(program);
  }

  /** Assigns a schedule to a zone within a program; in the active one it cancels the zone's temporary order. */
  setProgramZoneSchedule(housingId: string, programId: string, zoneId: string, body: unknown): ComapProgram {
    const house = this.house(housingId);
    const program = this.program(house, programId);
    const zone = this.zone(house, zoneId);
    if (!isRecord(body) || typeof body.schedule_id !== 'string') throw invalidBody();
    if (body.programming_type !== undefined && typeof body.programming_type !== 'string') throw invalidBody();
    const scheduleId = body.schedule_id;
    if (!house.schedules.some((s) => s.id === scheduleId)) throw new ComapStateError(400, `Unknown schedule ${scheduleId}`);
    const zones = (program.zones ??= []);
    const entry = zones.find((z) => z.id === zoneId);
    if (entry) entry.schedule_id = scheduleId;
    else zones.push({ id: zoneId, schedule_id: scheduleId });
    if (typeof body.programming_type === 'string') zone.programming_type = body.programming_type;
    if (program.is_activated && COMAP_BEHAVIOUR.scheduleChangeCancelsTemporary) zone.temporary = undefined;
    return clone(program);
  }

  // ---- knobs ----

  /** Knob: the zone reports a transmission error (live fields left out) until turned off. */
  setTransmissionError(zoneId: string, on = true): void {
    this.anyZone(zoneId).transmissionError = on;
  }

  /** Knob: a presence seen now (or `null`: none recorded) in a zone. */
  setPresence(zoneId: string, at: number | null = this.now()): void {
    this.anyZone(zoneId).last_presence_detected = at === null ? null : comapTimestamp(at);
  }

  /** Knob: a zone's `open_window` flag (zone ids are unique across the fixture's housings). */
  setOpenWindow(zoneId: string, open = true): void {
    this.anyZone(zoneId).open_window = open;
  }

  /** Knob: sets a housing's modes directly (no write recorded, no read delay); unnamed ones stay. */
  setHouseModes(housingId: string, modes: ModesSeed): void {
    const house = this.house(housingId);
    const current = house.modes;
    if (modes.heatingSystem) current.heatingSystemState = modes.heatingSystem;
    if (modes.away === true) current.leaveHome ??= { beginAt: this.now() };
    if (modes.away === false) current.leaveHome = undefined;
    if (modes.holiday === null) current.absence = undefined;
    else if (modes.holiday) {
      const holiday: Holiday = { id: modes.holiday.id ?? absenceId(++this.absences), beginAt: modes.holiday.beginAt, endAt: modes.holiday.endAt };
      current.absence = holiday;
    }
    house.shown = undefined;
  }

  /** Knob: a measured temperature. */
  setTemperature(zoneId: string, celsius: number | null): void {
    this.anyZone(zoneId).temperature = celsius;
  }

  /**
   * Moves measures a little, as a live house would: temperatures towards the setpoint while
   * heating, down otherwise; humidity wobbles; devices report now.
   */
  tick(): void {
    this.ticks++;
    const now = this.now();
    for (const house of this.housings.values()) {
      const modes = this.actualModes(house);
      for (const zone of house.zones) {
        this.expire(zone);
        if (!zone.transmissionError) zone.lastTransmission = now;
        if (typeof zone.temperature === 'number') {
          const heating = this.heatingStatus(house, zone, this.visibleInstruction(house, zone, modes), modes) === 'heating';
          const step = heating ? 0.1 + (this.ticks % 3 === 0 ? 0.1 : 0) : -0.1;
          zone.temperature = Math.max(5, Math.round((zone.temperature + step) * 10) / 10);
          for (const object of house.objects) {
            if (object.model === 'thermostat' && zone.connected_objects.includes(object.serial_number)) object.last_temperature = zone.temperature;
          }
        }
        if (typeof zone.humidity === 'number') {
          zone.humidity = Math.min(70, Math.max(30, zone.humidity + (this.ticks % 2 === 0 ? 1 : -1)));
        }
      }
      for (const object of house.objects) object.last_communication_time = comapTimestamp(now);
    }
  }

  recordWrite(method: string, path: string, body: unknown): void {
    this.writes.push({ method, path, body: clone(body), at: this.now() });
  }

  /** Every mode write the cloud accepted (leave-home, come-back-home, absence, heating-system-state). */
  modeWrites(): WriteRecord[] {
    return this.writes.filter((w) => /\/thermal-control\/(leave-home|come-back-home|absence|heating-system-state)\/?$/.test(w.path));
  }

  /** Every temporary instruction POST the cloud accepted. */
  temporaryInstructionWrites(zoneId?: string): WriteRecord[] {
    return this.writes.filter(
      (w) => w.method === 'POST' && w.path.endsWith('/temporary-instruction') && (!zoneId || w.path.includes(`/zones/${encodeURIComponent(zoneId)}/`)),
    );
  }

  // ---- internals ----

  private load(fixture: ComapFixture): void {
    const now = this.now();
    this.housings = new Map();
    for (const h of clone(fixture.housings)) {
      this.housings.set(h.housing.id, {
        housing: h.housing,
        modes: { heatingSystemState: h.heating_system_state },
        installationType: h.installation_type,
        objects: h.objects,
        zones: h.zones.map((z) => ({ ...z, transmissionError: false, lastTransmission: Date.parse(z.last_transmission) || now })),
        customTemperatures: h.customTemperatures,
        programs: h.programs,
        schedules: h.schedules,
      });
    }
  }

  private house(housingId: string): HousingModel {
    const house = this.housings.get(housingId);
    if (!house) throw new ComapStateError(404, 'Housing not found');
    return house;
  }

  private zone(house: HousingModel, zoneId: string): ZoneModel {
    const zone = house.zones.find((z) => z.id === zoneId);
    if (!zone) throw new ComapStateError(404, 'Zone not found');
    return zone;
  }

  private anyZone(zoneId: string): ZoneModel {
    for (const house of this.housings.values()) {
      const zone = house.zones.find((z) => z.id === zoneId);
      if (zone) return zone;
    }
    throw new Error(`no zone ${zoneId} in the emulator`);
  }

  private program(house: HousingModel, programId: string): ComapProgram {
    const program = house.programs.find((p) => p.id === programId);
    if (!program) throw new ComapStateError(404, 'Program not found');
    return program;
  }

  /** The housing's modes now; a holiday past its end is dropped here (it ends by itself). */
  private actualModes(house: HousingModel): HouseModes {
    house.modes = liveModes(house.modes, this.now());
    return house.modes;
  }

  /**
   * The modes reads show: during the `modeShowDelayReads` window, the ones before the write.
   * `read` = this is a GET of thermal-details (it uses up one read of the window).
   */
  private shownModes(house: HousingModel, read: boolean): HouseModes {
    const actual = this.actualModes(house);
    const shown = house.shown;
    if (!shown || shown.readsLeft <= 0) {
      house.shown = undefined;
      return actual;
    }
    if (read && --shown.readsLeft <= 0) house.shown = undefined;
    return liveModes(shown.modes, this.now());
  }

  /** Applies a mode write; with the delay knob, reads keep showing the modes as they were before it. */
  private changeModes(house: HousingModel, change: (modes: HouseModes) => void): ComapThermalDetails {
    const before = clone(this.actualModes(house));
    change(house.modes);
    if (this.modeShowDelayReads > 0) {
      const pending = house.shown && house.shown.readsLeft > 0 ? house.shown.modes : before;
      house.shown = { modes: pending, readsLeft: this.modeShowDelayReads };
    }
    return this.detailsView(house, this.shownModes(house, false));
  }

  private detailsView(house: HousingModel, modes: HouseModes): ComapThermalDetails {
    return {
      heating_system_state: modes.heatingSystemState,
      services_available: clone(COMAP_BEHAVIOUR.servicesAvailable),
      meters_registered: clone(COMAP_BEHAVIOUR.metersRegistered),
      events: modeEvents(modes),
      zones: house.zones.map((z) => this.zoneView(house, z, modes)),
    };
  }

  private expire(zone: ZoneModel): void {
    if (zone.temporary && zone.temporary.endAt <= this.now()) zone.temporary = undefined;
  }

  private schedule(house: HousingModel, zone: ZoneModel): FixtureSchedule | undefined {
    const active = house.programs.find((p) => p.is_activated);
    const scheduleId = active?.zones?.find((z) => z.id === zone.id)?.schedule_id;
    return house.schedules.find((s) => s.id === scheduleId);
  }

  private visibleInstruction(house: HousingModel, zone: ZoneModel, modes: HouseModes): ComapInstruction {
    const forced = modeInstruction(modes, zone.kind, this.now());
    if (forced !== undefined) return forced;
    const temporary = zone.temporary;
    if (temporary && temporary.appliesAt <= this.now()) return temporary.instruction;
    return this.schedule(house, zone)?.slots.current ?? zone.fallbackInstruction;
  }

  private heatingStatus(house: HousingModel, zone: ZoneModel, instruction: ComapInstruction, modes: HouseModes): 'heating' | 'cooling' {
    if (modes.heatingSystemState === 'off') return 'cooling';
    if (zone.kind === 'pilot_wire') {
      return typeof instruction === 'string' && COMAP_BEHAVIOUR.pilotWireIdleOrders.includes(instruction) ? 'cooling' : 'heating';
    }
    const target = presetValue(instruction, house.customTemperatures);
    return target !== null && typeof zone.temperature === 'number' && zone.temperature < target ? 'heating' : 'cooling';
  }

  /** A zone as thermal-details shows it (also the answer of temporary-instruction writes). */
  private zoneView(house: HousingModel, zone: ZoneModel, modes: HouseModes = this.shownModes(house, false)): ComapZoneDetails {
    this.expire(zone);
    const now = this.now();
    const instruction = this.visibleInstruction(house, zone, modes);
    const every = COMAP_BEHAVIOUR.nextTimeslotEveryMs;
    const next = this.schedule(house, zone)?.slots.next ?? zone.fallbackInstruction;
    const events: ComapZoneDetails['events'] = {};
    if (zone.temporary) {
      events.temporary_instruction = { end_at: comapTimestamp(zone.temporary.endAt), set_point: { instruction: zone.temporary.instruction } };
    }
    const view: ComapZoneDetails = {
      id: zone.id,
      title: zone.title,
      connected_objects: [...zone.connected_objects],
      temperature: zone.temperature,
      humidity: zone.humidity,
      set_point_type: zone.kind === 'pilot_wire' ? 'pilot_wire' : typeof instruction === 'number' ? 'custom_temperature' : 'defined_temperature',
      set_point: { instruction },
      programming_type: zone.programming_type,
      next_timeslot: { begin_at: comapTimestamp((Math.floor(now / every) + 1) * every), set_point: { instruction: next } },
      heating_status: this.heatingStatus(house, zone, instruction, modes),
      events,
      last_presence_detected: this.nullPresence ? null : zone.last_presence_detected,
      open_window: zone.open_window,
      last_transmission: comapTimestamp(zone.lastTransmission),
      transmission_error: zone.transmissionError,
      errors: zone.transmissionError ? clone(COMAP_BEHAVIOUR.transmissionErrors) : [],
    };
    if (zone.transmissionError && COMAP_BEHAVIOUR.transmissionErrorHidesLiveFields) {
      delete view.temperature;
      delete view.humidity;
      delete view.heating_status;
      delete view.last_presence_detected;
      delete view.open_window;
    }
    return view;
  }
}

/** Pilot-wire zones take fil-pilote orders only; thermostat zones take °C or preset names. */
function checkInstruction(zone: ZoneModel, instruction: ComapInstruction): void {
  const status = COMAP_BEHAVIOUR.mismatchStatus;
  if (zone.kind === 'pilot_wire') {
    if (typeof instruction !== 'string' || !PILOT_WIRE_ORDERS.includes(instruction)) {
      throw new ComapStateError(status, `Instruction ${JSON.stringify(instruction)} is not valid for a pilot wire zone`);
    }
    return;
  }
  if (typeof instruction === 'number') {
    const [min, max] = COMAP_BEHAVIOUR.temperatureRange;
    if (!Number.isFinite(instruction) || instruction < min || instruction > max) throw new ComapStateError(400, 'Temperature out of range');
    return;
  }
  if (!THERMOSTAT_PRESETS.includes(instruction)) {
    throw new ComapStateError(status, `Instruction ${JSON.stringify(instruction)} is not valid for a temperature zone`);
  }
}

/** °C of an instruction, looking presets up at top level, then `connected`, then `smart`. */
function presetValue(instruction: ComapInstruction, presets: ComapCustomTemperatures): number | null {
  if (typeof instruction === 'number') return instruction;
  for (const group of [presets as Record<string, unknown>, presets.connected, presets.smart]) {
    const value = group?.[instruction];
    if (typeof value === 'number') return value;
  }
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalidBody(): ComapStateError {
  return new ComapStateError(400, 'Invalid request body');
}

function clone<T>(value: T): T {
  return structuredClone(value);
}
