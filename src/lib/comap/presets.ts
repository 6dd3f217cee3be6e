import type { ComapCustomTemperatures, ComapPresetKey } from './api-types';

/** The product's preset names (product-spec §7.2) and the Comap keys behind them. */
export type PresetName = 'presence1' | 'presence2' | 'presence3' | 'presence4' | 'night' | 'away' | 'frostProtection';

export const PRESET_KEYS: Readonly<Record<PresetName, ComapPresetKey>> = {
  presence1: 'presence_1',
  presence2: 'presence_2',
  presence3: 'presence_3',
  presence4: 'presence_4',
  night: 'night',
  away: 'away',
  frostProtection: 'frost_protection',
};

/** The `presence_*` keys sit under `connected` in GET custom-temperatures; the others at the top. */
function rawPreset(ct: ComapCustomTemperatures, key: ComapPresetKey): unknown {
  return key.startsWith('presence_') ? ct.connected?.[key] : ct[key];
}

/** °C of each preset; null when the cloud has no number for it. */
export function readPresets(ct: ComapCustomTemperatures): Record<PresetName, number | null> {
  const presets = {} as Record<PresetName, number | null>;
  for (const name of Object.keys(PRESET_KEYS) as PresetName[]) {
    const value = rawPreset(ct ?? {}, PRESET_KEYS[name]);
    presets[name] = typeof value === 'number' && Number.isFinite(value) ? value : null;
  }
  return presets;
}
