import { ApiError, invalidInput, notFound } from '../http/errors';
import type { ComapHousing, ComapInstruction, ComapProgram, ComapSchedule, ComapThermalDetails, ComapZoneDetails } from './api-types';
import { ComapClient } from './client';
import {
  HeatingState,
  HousingCatalog,
  isoOrNull,
  isPilotWire,
  heatingState,
  programSummaries,
  ProgramSummary,
  thermostatZone,
  ZoneSummary,
  zoneSummaries,
} from './model';
import { Order } from './orders';
import { KeyedSerialQueue } from '../schedule/serial-queue';

export interface HousingRef {
  id: string;
  name: string;
}

export interface ZoneRef {
  id: string;
  name: string;
}

export interface HeatingServiceOptions {
  /** How long programs, presets and objects are reused before being read again. */
  catalogTtlMs?: number;
  /** How long the housing list and installation type are reused. */
  housingsTtlMs?: number;
  now?: () => number;
}

export interface TemperatureResult {
  zone: { id: string; name: string };
  setpoint: number;
  duration: number;
  endAt: string;
}

export interface OrderResult {
  zone: { id: string; name: string };
  order: number;
  orderName: string;
  duration: number;
  endAt: string;
}

export interface CancelResult {
  zone: { id: string; name: string };
  cancelled: true;
}

export interface ProgramActivation {
  program: { id: string; name: string };
}

/** A zone took a schedule in the active program (spec §7.4). */
export interface ScheduleAssignment {
  zone: { id: string; name: string };
  schedule: { id: string; name: string };
  program: { id: string; name: string };
}

export type ProgramResult = ProgramActivation | ScheduleAssignment;

/** An entry of the editor's program list: a program, or on a monozone housing a schedule. */
export type ProgramChoice = ProgramSummary | { id: string; name: string; kind: 'schedule' };

interface Timed<T> {
  value: T;
  at: number;
}

interface HousingCache {
  catalog?: Timed<HousingCatalog>;
  installationType?: Timed<string | null>;
  details?: Timed<ComapThermalDetails>;
  state?: Timed<HeatingState>;
  statePending?: Promise<HeatingState>;
  catalogPending?: Promise<HousingCatalog>;
}

const HOUR = 3_600_000;

/**
 * The heating side of one Comap account: reads the state of a housing with as few requests as
 * possible (one per poll; slow-changing data cached), and carries out commands with the
 * cloud's rules (replace a temporary instruction in place, the monozone schedule rule).
 */
export class HeatingService {
  private housingList?: Timed<ComapHousing[]>;
  private housingListPending?: Promise<ComapHousing[]>;
  private readonly caches = new Map<string, HousingCache>();
  /** Zones known to hold a temporary instruction (set by our writes and by each read). */
  private readonly temporaryZones = new Set<string>();
  /**
   * Temporary-instruction writes run one at a time per zone, whatever name or id the caller
   * used for it: two at once would race (POST, 409, DELETE, POST) and one would fail.
   */
  private readonly zoneWrites = new KeyedSerialQueue();
  private readonly catalogTtlMs: number;
  private readonly housingsTtlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly client: ComapClient,
    options: HeatingServiceOptions = {},
  ) {
    this.catalogTtlMs = options.catalogTtlMs ?? HOUR;
    this.housingsTtlMs = options.housingsTtlMs ?? 24 * HOUR;
    this.now = options.now ?? Date.now;
  }

  async housings(): Promise<HousingRef[]> {
    return (await this.housingRecords()).map(toRef);
  }

  /** The housing with this id; an empty id means the account's first housing. */
  async housing(housingId = ''): Promise<HousingRef> {
    for (const force of [false, true]) {
      const list = await this.housingRecords(force);
      const found = housingId ? list.find((h) => h.id === housingId) : list[0];
      if (found) return toRef(found);
    }
    throw notFound(housingId ? `housing ${housingId} is not in this Comap account` : 'this Comap account has no housing');
  }

  /** The state of a housing, read now unless one at most `maxAgeMs` old is at hand. */
  async state(housingId = '', maxAgeMs = 0): Promise<HeatingState> {
    const housing = await this.housing(housingId);
    const cache = this.cache(housing.id);
    if (cache.state && this.now() - cache.state.at < maxAgeMs) return cache.state.value;
    cache.statePending ??= this.readState(housing, cache).finally(() => {
      cache.statePending = undefined;
    });
    return cache.statePending;
  }

  /** The pilot-wire zone a command names (id, or name in any case and accents), by its real ids. */
  async pilotWireZoneRef(housingId: string, zoneIdOrName: string): Promise<{ housing: HousingRef; zone: ZoneRef }> {
    const housing = await this.housing(housingId);
    return { housing, zone: zoneRef(await this.pilotWireZone(housing, zoneIdOrName)) };
  }

  /** The zone the thermostat's setpoint applies to, by its real ids. */
  async thermostatZoneRef(housingId: string): Promise<{ housing: HousingRef; zone: ZoneRef }> {
    const housing = await this.housing(housingId);
    return { housing, zone: zoneRef(await this.thermostatZoneOf(housing)) };
  }

  async zones(housingId = ''): Promise<ZoneSummary[]> {
    const housing = await this.housing(housingId);
    return zoneSummaries(await this.details(housing, HOUR));
  }

  async programs(housingId = ''): Promise<ProgramSummary[]> {
    const housing = await this.housing(housingId);
    return programSummaries((await this.catalog(housing.id)).programs);
  }

  /** Everything the cloud says about a housing, for the debug dump (callers redact it). */
  async rawData(housingId = ''): Promise<Record<string, unknown>> {
    const housing = await this.housing(housingId);
    const record = (await this.housingRecords()).find((h) => h.id === housing.id);
    const [details, objects, settings, customTemperatures, programs] = await Promise.all([
      this.client.thermalDetails(housing.id),
      this.client.connectedObjects(housing.id),
      this.client.thermalSettings(housing.id),
      this.client.customTemperatures(housing.id),
      this.client.programs(housing.id),
    ]);
    return { housing: record, thermalDetails: details, connectedObjects: objects, thermalSettings: settings, customTemperatures, programs };
  }

  async setTemperature(housingId: string, celsius: number, durationMin: number): Promise<TemperatureResult> {
    const housing = await this.housing(housingId);
    const zone = await this.thermostatZoneOf(housing);
    const answer = await this.applyTemporary(housing.id, zone.id, celsius, durationMin);
    return { zone: zoneRef(zone), setpoint: celsius, duration: durationMin, endAt: this.endAt(answer, durationMin) };
  }

  async cancelTemperature(housingId: string): Promise<CancelResult> {
    const housing = await this.housing(housingId);
    const zone = await this.thermostatZoneOf(housing);
    await this.cancelTemporary(housing.id, zone.id);
    return { zone: zoneRef(zone), cancelled: true };
  }

  async setZoneOrder(housingId: string, zoneIdOrName: string, order: Order, durationMin: number): Promise<OrderResult> {
    const housing = await this.housing(housingId);
    const zone = await this.pilotWireZone(housing, zoneIdOrName);
    const answer = await this.applyTemporary(housing.id, zone.id, order.code, durationMin);
    return { zone: zoneRef(zone), order: order.number, orderName: order.name, duration: durationMin, endAt: this.endAt(answer, durationMin) };
  }

  async cancelZoneOrder(housingId: string, zoneIdOrName: string): Promise<CancelResult> {
    const housing = await this.housing(housingId);
    const zone = await this.pilotWireZone(housing, zoneIdOrName);
    await this.cancelTemporary(housing.id, zone.id);
    return { zone: zoneRef(zone), cancelled: true };
  }

  /**
   * Changes program (POST #22 on every installation). On a monozone housing a name that is a
   * schedule rather than a program gives that schedule to its zone (spec §7.4).
   */
  async activateProgram(housingId: string, programIdOrName: string): Promise<ProgramResult> {
    const housing = await this.housing(housingId);
    const target = await this.findProgram(housing, programIdOrName);
    if ('schedule' in target) return this.assignMonozoneSchedule(housing, target.schedule, target.programs);
    const program = target.program;
    await this.client.activateProgram(housing.id, program.id);
    this.forgetCatalog(housing.id);
    return { program: { id: program.id, name: program.title ?? program.id } };
  }

  /** Drops cached data so the next read asks the cloud (after our own writes). */
  forgetCatalog(housingId: string): void {
    const cache = this.cache(housingId);
    cache.catalog = undefined;
    if (cache.state) cache.state.at = 0;
  }

  private async readState(housing: HousingRef, cache: HousingCache): Promise<HeatingState> {
    const [details, catalog] = await Promise.all([this.details(housing, 0), this.catalog(housing.id)]);
    const state = heatingState(housing, details, catalog, new Date(this.now()));
    cache.state = { value: state, at: this.now() };
    return state;
  }

  private async details(housing: HousingRef, maxAgeMs: number): Promise<ComapThermalDetails> {
    const cache = this.cache(housing.id);
    if (cache.details && this.now() - cache.details.at < maxAgeMs) return cache.details.value;
    const details = await this.client.thermalDetails(housing.id);
    cache.details = { value: details, at: this.now() };
    for (const zone of details.zones ?? []) {
      const key = zoneKey(housing.id, zone.id);
      if (zone.events?.temporary_instruction) this.temporaryZones.add(key);
      else this.temporaryZones.delete(key);
    }
    return details;
  }

  private catalog(housingId: string): Promise<HousingCatalog> {
    const cache = this.cache(housingId);
    if (cache.catalog && this.now() - cache.catalog.at <= this.catalogTtlMs) return Promise.resolve(cache.catalog.value);
    cache.catalogPending ??= (async () => {
      const [objects, customTemperatures, programs, schedules] = await Promise.all([
        this.client.connectedObjects(housingId),
        this.client.customTemperatures(housingId),
        this.client.programs(housingId),
        this.schedulesOf(housingId),
      ]);
      const catalog: HousingCatalog = { objects, customTemperatures, programs, schedules };
      cache.catalog = { value: catalog, at: this.now() };
      return catalog;
    })().finally(() => {
      cache.catalogPending = undefined;
    });
    return cache.catalogPending;
  }

  private async installationType(housingId: string): Promise<string | null> {
    const cache = this.cache(housingId);
    if (cache.installationType && this.now() - cache.installationType.at <= this.housingsTtlMs) return cache.installationType.value;
    const settings = await this.client.thermalSettings(housingId);
    const type = settings.global_informations?.installation_type ?? null;
    cache.installationType = { value: type, at: this.now() };
    return type;
  }

  private async housingRecords(force = false): Promise<ComapHousing[]> {
    if (!force && this.housingList && this.now() - this.housingList.at <= this.housingsTtlMs) return this.housingList.value;
    this.housingListPending ??= this.client
      .housings()
      .then((list) => {
        this.housingList = { value: list, at: this.now() };
        return list;
      })
      .finally(() => {
        this.housingListPending = undefined;
      });
    return this.housingListPending;
  }

  private cache(housingId: string): HousingCache {
    let cache = this.caches.get(housingId);
    if (!cache) {
      cache = {};
      this.caches.set(housingId, cache);
    }
    return cache;
  }

  /** Zone lookup by id, else by name (case and accents ignored); read again once before giving up. */
  private async findZone(housing: HousingRef, idOrName: string): Promise<ComapZoneDetails> {
    const wanted = fold(idOrName);
    for (const maxAge of [HOUR, 0]) {
      const zones = (await this.details(housing, maxAge)).zones ?? [];
      const zone = zones.find((z) => z.id === idOrName) ?? zones.find((z) => fold(z.title ?? '') === wanted);
      if (zone) return zone;
    }
    throw notFound(`zone "${idOrName}" is not in housing ${housing.name}`);
  }

  private async pilotWireZone(housing: HousingRef, idOrName: string): Promise<ComapZoneDetails> {
    const zone = await this.findZone(housing, idOrName);
    if (!isPilotWire(zone)) {
      throw invalidInput(`zone "${zone.title ?? zone.id}" follows the thermostat setpoint: use a set-temperature node for it`);
    }
    return zone;
  }

  private async thermostatZoneOf(housing: HousingRef): Promise<ComapZoneDetails> {
    const [details, catalog] = await Promise.all([this.details(housing, HOUR), this.catalog(housing.id)]);
    const zone = thermostatZone(details.zones ?? [], catalog.objects);
    if (!zone) throw notFound(`housing ${housing.name} has no thermostat zone`);
    return zone;
  }

  /**
   * A program by id, else by name; on a monozone housing then a schedule by id, else by name (a
   * name that is both means the program). Read again once before giving up.
   */
  private async findProgram(
    housing: HousingRef,
    idOrName: string,
  ): Promise<{ program: ComapProgram } | { schedule: ComapSchedule; programs: ComapProgram[] }> {
    let monozone = false;
    for (const refresh of [false, true]) {
      if (refresh) this.forgetCatalog(housing.id);
      const { programs, schedules } = await this.catalog(housing.id);
      const program = byIdOrName(programs, idOrName);
      if (program) return { program };
      monozone = await this.isMonozone(housing.id);
      const schedule = monozone ? byIdOrName(schedules, idOrName) : undefined;
      if (schedule) return { schedule, programs };
    }
    throw notFound(
      monozone ? `"${idOrName}" is neither a program nor a schedule of housing ${housing.name}` : `program "${idOrName}" does not exist in this housing`,
    );
  }

  /** A temporary instruction already in place is replaced: DELETE first when known, or on 409. */
  private applyTemporary(housingId: string, zoneId: string, instruction: ComapInstruction, durationMin: number): Promise<ComapZoneDetails> {
    return this.zoneWrites.run(zoneKey(housingId, zoneId), () => this.replaceTemporary(housingId, zoneId, instruction, durationMin));
  }

  private async replaceTemporary(housingId: string, zoneId: string, instruction: ComapInstruction, durationMin: number): Promise<ComapZoneDetails> {
    const key = zoneKey(housingId, zoneId);
    if (this.temporaryZones.has(key)) await this.deleteIfPresent(housingId, zoneId);
    let answer: ComapZoneDetails;
    try {
      answer = await this.client.setTemporaryInstruction(housingId, zoneId, instruction, durationMin);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 409) throw err;
      await this.deleteIfPresent(housingId, zoneId);
      answer = await this.client.setTemporaryInstruction(housingId, zoneId, instruction, durationMin);
    }
    this.temporaryZones.add(key);
    this.markStale(housingId);
    return answer;
  }

  private cancelTemporary(housingId: string, zoneId: string): Promise<void> {
    return this.zoneWrites.run(zoneKey(housingId, zoneId), async () => {
      await this.deleteIfPresent(housingId, zoneId);
      this.temporaryZones.delete(zoneKey(housingId, zoneId));
      this.markStale(housingId);
    });
  }

  /** DELETE, where "there was none" (404) counts as done. */
  private async deleteIfPresent(housingId: string, zoneId: string): Promise<void> {
    try {
      await this.client.deleteTemporaryInstruction(housingId, zoneId);
    } catch (err) {
      if (!(err instanceof ApiError) || err.code !== 'NOT_FOUND') throw err;
    }
  }

  /** After our own write the next state read asks the cloud; zone names and ids stay known. */
  private markStale(housingId: string): void {
    const cache = this.cache(housingId);
    if (cache.state) cache.state.at = 0;
  }

  private endAt(answer: ComapZoneDetails, durationMin: number): string {
    return isoOrNull(answer.events?.temporary_instruction?.end_at) ?? new Date(this.now() + durationMin * 60_000).toISOString();
  }

  /** The editor's program list: the programs, then on a monozone housing its schedules (spec §7.4). */
  async programChoices(housingId = ''): Promise<ProgramChoice[]> {
    const housing = await this.housing(housingId);
    const { programs, schedules } = await this.catalog(housing.id);
    const choices: ProgramChoice[] = programSummaries(programs);
    if (!(await this.isMonozone(housing.id))) return choices;
    return [...choices, ...schedules.map((s) => ({ id: s.id, name: s.title ?? s.id, kind: 'schedule' as const }))];
  }

  /** Any installation type but "multizone" is monozone (comap-api.md §1.4, #11). */
  private async isMonozone(housingId: string): Promise<boolean> {
    return (await this.installationType(housingId)) !== 'multizone';
  }

  /** Monozone: the zone takes the schedule in the active program (POST #23). */
  private async assignMonozoneSchedule(housing: HousingRef, schedule: ComapSchedule, programs: ComapProgram[]): Promise<ScheduleAssignment> {
    return this.assignInActiveProgram(housing, await this.thermostatZoneOf(housing), schedule, programs);
  }

  /** Schedules for the catalog: none when the cloud has no list for the housing (404), so the state still reads. */
  private async schedulesOf(housingId: string): Promise<ComapSchedule[]> {
    try {
      return await this.client.schedules(housingId);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'NOT_FOUND') return [];
      throw err;
    }
  }

  /** The housing's schedules (catalog), for the editor's lists. */
  async schedules(housingId = ''): Promise<{ id: string; name: string }[]> {
    const housing = await this.housing(housingId);
    return (await this.catalog(housing.id)).schedules.map((s) => ({ id: s.id, name: s.title ?? s.id }));
  }

  /** The zone (any kind) a schedule assignment names, by its real ids. */
  async scheduleZoneRef(housingId: string, zoneIdOrName: string): Promise<{ housing: HousingRef; zone: ZoneRef }> {
    const housing = await this.housing(housingId);
    return { housing, zone: zoneRef(await this.findZone(housing, zoneIdOrName)) };
  }

  /** Gives a zone (any kind, any installation) one of the housing's schedules in the active program (spec §7.4). */
  async assignSchedule(housingId: string, zoneIdOrName: string, scheduleIdOrName: string): Promise<ScheduleAssignment> {
    const housing = await this.housing(housingId);
    const zone = await this.findZone(housing, zoneIdOrName);
    const { schedule, programs } = await this.findSchedule(housing, scheduleIdOrName);
    return this.assignInActiveProgram(housing, zone, schedule, programs);
  }

  /** A schedule by id, else by name; the catalog is read again once before giving up. */
  private async findSchedule(housing: HousingRef, idOrName: string): Promise<{ schedule: ComapSchedule; programs: ComapProgram[] }> {
    for (const refresh of [false, true]) {
      if (refresh) this.forgetCatalog(housing.id);
      const { programs, schedules } = await this.catalog(housing.id);
      const schedule = byIdOrName(schedules, idOrName);
      if (schedule) return { schedule, programs };
    }
    throw notFound(`schedule "${idOrName}" is not in housing ${housing.name}`);
  }

  /** POST #23 in the active program, one write at a time with the zone's temporary orders. */
  private async assignInActiveProgram(housing: HousingRef, zone: ComapZoneDetails, schedule: ComapSchedule, programs: ComapProgram[]): Promise<ScheduleAssignment> {
    const name = schedule.title ?? schedule.id;
    const active = programs.find((p) => p.is_activated);
    if (!active) throw notFound(`housing ${housing.name} has no active program to take schedule "${name}"`);
    await this.zoneWrites.run(zoneKey(housing.id, zone.id), async () => {
      await this.client.setZoneSchedule(housing.id, active.id, zone.id, schedule.id);
      // The cloud cancels the zone's temporary order when its schedule changes.
      this.temporaryZones.delete(zoneKey(housing.id, zone.id));
      this.markStale(housing.id);
      this.noteZoneSchedule(housing.id, active.id, zone.id, schedule.id);
    });
    return { zone: zoneRef(zone), schedule: { id: schedule.id, name }, program: { id: active.id, name: active.title ?? active.id } };
  }

  /**
   * The cached catalog after our POST #23: that program now gives the zone that schedule. Kept
   * warm rather than dropped, so that the next command or poll needs no catalog read.
   */
  private noteZoneSchedule(housingId: string, programId: string, zoneId: string, scheduleId: string): void {
    const cache = this.cache(housingId);
    if (!cache.catalog) return;
    const entry = { id: zoneId, schedule_id: scheduleId };
    const programs = cache.catalog.value.programs.map((p) => {
      if (p.id !== programId) return p;
      const zones = p.zones ?? [];
      return { ...p, zones: zones.some((z) => z.id === zoneId) ? zones.map((z) => (z.id === zoneId ? { ...z, ...entry } : z)) : [...zones, entry] };
    });
    cache.catalog = { value: { ...cache.catalog.value, programs }, at: cache.catalog.at };
  }

  /** After a write of ours the cached state does not show (a house mode): the next state read asks the cloud. */
  markChanged(housingId: string): void {
    this.markStale(housingId);
  }
}

function toRef(housing: ComapHousing): HousingRef {
  return { id: housing.id, name: housing.name ?? housing.id };
}

function zoneRef(zone: ComapZoneDetails): ZoneRef {
  return { id: zone.id, name: zone.title ?? zone.id };
}

function zoneKey(housingId: string, zoneId: string): string {
  return `${housingId}/${zoneId}`;
}

/** Case- and accent-insensitive comparison key for names users type. */
function fold(value: string): string {
  return value.normalize('NFD').replace(/[\u0300-\u036f]/g, '').trim().toLowerCase();
}

/** The item with this id, else the one with this name (case and accents ignored). */
function byIdOrName<T extends { id: string; title?: string }>(items: T[], idOrName: string): T | undefined {
  const wanted = fold(idOrName);
  return items.find((i) => i.id === idOrName) ?? items.find((i) => fold(i.title ?? '') === wanted);
}
