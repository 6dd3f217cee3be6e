import { invalidInput } from '../http/errors';
import type { ComapCustomTemperaturesPatch } from './api-types';
import type { ComapClient } from './client';
import type { HeatingService, HousingRef } from './heating';
import { PRESET_KEYS, PresetName, readPresets } from './presets';
import { SETPOINT_MAX, SETPOINT_MIN } from './setpoint-range';

/** The presets of a housing in the product's words (product-spec §7.3); null when the cloud has none. */
export interface PresetsResult {
  housing: HousingRef;
  presets: Record<PresetName, number | null>;
}

/** New °C for some presets: the others stay as they are. */
export type PresetEdit = Partial<Record<PresetName, number>>;

/** What a message asks of the presets node: the presets as they are, or new values for some. */
export type PresetsRequest = { kind: 'get' } | { kind: 'edit'; presets: PresetEdit };

/** °C a preset accepts (product-spec §7.3): frost protection stays low. */
export const PRESET_RANGES: Readonly<Record<PresetName, { min: number; max: number }>> = {
  presence1: { min: SETPOINT_MIN, max: SETPOINT_MAX },
  presence2: { min: SETPOINT_MIN, max: SETPOINT_MAX },
  presence3: { min: SETPOINT_MIN, max: SETPOINT_MAX },
  presence4: { min: SETPOINT_MIN, max: SETPOINT_MAX },
  night: { min: SETPOINT_MIN, max: SETPOINT_MAX },
  away: { min: SETPOINT_MIN, max: SETPOINT_MAX },
  frostProtection: { min: 5, max: 15 },
};

const NAMES = Object.keys(PRESET_KEYS) as PresetName[];

function isPresetName(key: string): key is PresetName {
  return (NAMES as string[]).includes(key);
}

/**
 * A plain object edits the presets it names (°C, rounded to 0.5, in each preset's range); any
 * other payload (`"get"`, an inject's timestamp…) reads them. Anything wrong is INVALID_INPUT,
 * before any request.
 */
export function parsePresetsRequest(payload: unknown): PresetsRequest {
  if (payload === null || typeof payload !== 'object') return { kind: 'get' };
  if (Array.isArray(payload)) throw invalidInput(`msg.payload must be "get" or an object of presets (${NAMES.join(', ')})`);
  const entries = Object.entries(payload as Record<string, unknown>);
  if (entries.length === 0) throw invalidInput(`msg.payload names no preset to edit (${NAMES.join(', ')})`);
  const presets: PresetEdit = {};
  for (const [key, value] of entries) {
    if (!isPresetName(key)) throw invalidInput(`"${key.slice(0, 40)}" is not a preset: use ${NAMES.join(', ')}`);
    presets[key] = presetValue(key, value);
  }
  return { kind: 'edit', presets };
}

function presetValue(name: PresetName, value: unknown): number {
  const { min, max } = PRESET_RANGES[name];
  const number = typeof value === 'string' && value.trim() !== '' && value.length < 20 ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number)) throw invalidInput(`${name} must be a temperature in °C (${min}–${max})`);
  if (number < min || number > max) throw invalidInput(`${name} ${number} °C is outside ${min}–${max} °C`);
  return Math.round(number * 2) / 2;
}

/** The PATCH body (#13): flat Comap keys, only the presets asked for. */
export function comapPresetsPatch(edit: PresetEdit): ComapCustomTemperaturesPatch {
  const patch: ComapCustomTemperaturesPatch = {};
  for (const name of NAMES) {
    const value = edit[name];
    if (value !== undefined) patch[PRESET_KEYS[name]] = value;
  }
  return patch;
}

/**
 * The presets as the cloud holds them now (GET #12, one request): the state's catalog may be an
 * hour old and miss an edit made in the Comap app, so a "get" always asks.
 */
export async function readPresetsNow(client: ComapClient, heating: HeatingService, housingId: string): Promise<PresetsResult> {
  const housing = await heating.housing(housingId);
  return { housing, presets: readPresets(await client.customTemperatures(housing.id)) };
}

/**
 * Writes the presets asked for (PATCH #13), then reads all of them back (GET #12): two requests.
 * The cached catalog holds the presets too: it is dropped after the write, so the next state
 * shows the new values. Writing the same values again is harmless, so a failed read-back is
 * retried as a whole.
 */
export async function editPresets(client: ComapClient, heating: HeatingService, housingId: string, edit: PresetEdit): Promise<PresetsResult> {
  const housing = await heating.housing(housingId);
  await client.patchCustomTemperatures(housing.id, comapPresetsPatch(edit));
  heating.forgetCatalog(housing.id);
  return { housing, presets: readPresets(await client.customTemperatures(housing.id)) };
}
