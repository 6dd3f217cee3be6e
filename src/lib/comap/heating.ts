import { ApiError, invalidInput, notFound } from '../http/errors';
import type { ComapHousing, ComapInstruction, ComapProgram, ComapThermalDetails, ComapZoneDetails } from './api-types';
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

export interface ProgramResult {
  program: { id: string; name: string };
}

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
 * cloud's rules (replace a temporary instruction in place, monozone program changes).
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

  async activateProgram(housingId: string, programIdOrName: string): Promise<ProgramResult> {
    const housing = await this.housing(housingId);
    const program = await this.findProgram(housing.id, programIdOrName);
    if ((await this.installationType(housing.id)) === 'multizone') {
      await this.client.activateProgram(housing.id, program.id);
    } else {
      await this.activateMonozone(housing, program);
    }
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
      const [objects, customTemperatures, programs] = await Promise.all([
        this.client.connectedObjects(housingId),
        this.client.customTemperatures(housingId),
        this.client.programs(housingId),
      ]);
      const catalog: HousingCatalog = { objects, customTemperatures, programs };
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

  private async findProgram(housingId: string, idOrName: string): Promise<ComapProgram> {
    const wanted = fold(idOrName);
    for (const refresh of [false, true]) {
      if (refresh) this.forgetCatalog(housingId);
      const programs = (await this.catalog(housingId)).programs;
      const program = programs.find((p) => p.id === idOrName) ?? programs.find((p) => fold(p.title ?? '') === wanted);
      if (program) return program;
    }
    throw notFound(`program "${idOrName}" does not exist in this housing`);
  }

  /** Monozone: the zone of the active program takes the chosen program's schedule (comap-api.md §1.5). */
  private async activateMonozone(housing: HousingRef, program: ComapProgram): Promise<void> {
    const catalog = await this.catalog(housing.id);
    const active = catalog.programs.find((p) => p.is_activated) ?? program;
    const zone = await this.thermostatZoneOf(housing);
    const scheduleId = program.zones?.find((z) => z.id === zone.id)?.schedule_id ?? program.zones?.[0]?.schedule_id;
    if (!scheduleId) throw new ApiError('PROTOCOL', `program "${program.title ?? program.id}" has no schedule for zone ${zone.title ?? zone.id}`);
    await this.client.setZoneSchedule(housing.id, active.id, zone.id, scheduleId);
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

  private markStale(housingId: string): void {
    const cache = this.cache(housingId);
    if (cache.state) cache.state.at = 0;
    if (cache.details) cache.details.at = 0;
  }

  private endAt(answer: ComapZoneDetails, durationMin: number): string {
    return isoOrNull(answer.events?.temporary_instruction?.end_at) ?? new Date(this.now() + durationMin * 60_000).toISOString();
  }
}

function toRef(housing: ComapHousing): HousingRef {
  return { id: housing.id, name: housing.name ?? housing.id };
}

function zoneRef(zone: ComapZoneDetails): { id: string; name: string } {
  return { id: zone.id, name: zone.title ?? zone.id };
}

function zoneKey(housingId: string, zoneId: string): string {
  return `${housingId}/${zoneId}`;
}

/** Case- and accent-insensitive comparison key for names users type. */
function fold(value: string): string {
  return value.normalize('NFD').replace(/[\u0300-\u036f]/g, '').trim().toLowerCase();
}
