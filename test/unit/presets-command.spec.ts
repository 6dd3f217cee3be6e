import assert from 'node:assert/strict';
import { ComapEmulator, COMAP_IDS } from '../../src/emulator/comap';
import { comapPresetsPatch, editPresets, parsePresetsRequest, PRESET_RANGES, readPresetsNow } from '../../src/lib/comap/presets-command';
import { PRESET_KEYS } from '../../src/lib/comap/presets';
import { createComapSession } from '../../src/lib/comap/session';
import { ApiError } from '../../src/lib/http/errors';

const MAISON_PRESETS = { presence1: 20.5, presence2: 20, presence3: 19.5, presence4: 19, night: 17, away: 16, frostProtection: 7 };

function invalid(payload: unknown): ApiError {
  try {
    parsePresetsRequest(payload);
  } catch (err) {
    assert.ok(err instanceof ApiError, `an ApiError for ${JSON.stringify(payload)}`);
    assert.equal(err.code, 'INVALID_INPUT');
    return err;
  }
  assert.fail(`${JSON.stringify(payload)} was accepted`);
}

describe('presets command (product-spec §7.3)', () => {
  describe('parsing', () => {
    it('reads the presets for "get" and any payload that is not an object', () => {
      for (const payload of ['get', 'GET', '', 1732350000000, true, null, undefined]) {
        assert.deepEqual(parsePresetsRequest(payload), { kind: 'get' }, JSON.stringify(payload));
      }
    });

    it('edits only the presets named, rounded to 0.5, numeric strings too', () => {
      assert.deepEqual(parsePresetsRequest({ night: 17 }), { kind: 'edit', presets: { night: 17 } });
      assert.deepEqual(parsePresetsRequest({ presence1: '21.3', away: 15.74, frostProtection: 14.9 }), {
        kind: 'edit',
        presets: { presence1: 21.5, away: 15.5, frostProtection: 15 },
      });
    });

    it('accepts the bounds of each range', () => {
      const edit = { presence1: 5, presence2: 30, presence3: 5, presence4: 30, night: 5, away: 30, frostProtection: 15 };
      assert.deepEqual(parsePresetsRequest(edit), { kind: 'edit', presets: edit });
    });

    it('refuses unknown keys, Comap spellings, empty objects and arrays', () => {
      assert.match(invalid({ night: 17, comfort: 20 }).message, /"comfort" is not a preset/);
      invalid({ presence_1: 20 });
      invalid({ frost_protection: 7 });
      invalid({});
      invalid([17]);
    });

    it('refuses values out of range or not numbers, frost protection above 15', () => {
      for (const payload of [{ frostProtection: 16 }, { frostProtection: 15.1 }, { frostProtection: 4.5 }, { night: 30.5 }, { away: 4 }, { presence2: 'warm' }, { night: null }, { night: NaN }, { night: Infinity }, { night: '' }, { night: [17] }]) {
        invalid(payload);
      }
    });
  });

  it('maps every preset to its flat Comap key, and only those asked', () => {
    assert.deepEqual(comapPresetsPatch({ presence1: 21, presence4: 18, night: 17, away: 15, frostProtection: 8 }), {
      presence_1: 21,
      presence_4: 18,
      night: 17,
      away: 15,
      frost_protection: 8,
    });
    assert.deepEqual(comapPresetsPatch({ presence2: 19.5 }), { presence_2: 19.5 });
    assert.deepEqual(Object.keys(PRESET_RANGES).sort(), Object.keys(PRESET_KEYS).sort(), 'a range for every preset');
  });

  describe('against the Comap emulator', () => {
    const emulator = new ComapEmulator();
    const session = () => createComapSession({ apiUrl: emulator.apiUrl, authUrl: emulator.authUrl, username: 'demo@example.com', password: 'demo-password' });
    const api = () => emulator.server.log.filter((r) => r.path !== '/').map((r) => `${r.method} ${r.path.split('/').pop()}`);

    before(() => emulator.start());
    after(() => emulator.stop());
    beforeEach(() => emulator.reset());

    it('reads the presets with one request once the housing is known', async () => {
      const { client, heating } = session();
      await heating.housing();
      emulator.server.clearLog();
      const result = await readPresetsNow(client, heating, '');
      assert.deepEqual(result, { housing: { id: COMAP_IDS.maison, name: 'Maison' }, presets: MAISON_PRESETS });
      assert.deepEqual(api(), ['GET custom-temperatures']);
    });

    it('edits with one PATCH of flat keys and one read-back, and drops the cached catalog', async () => {
      const { client, heating } = session();
      const before = await heating.state();
      emulator.server.clearLog();
      const result = await editPresets(client, heating, COMAP_IDS.maison, { presence1: 21.5, frostProtection: 8 });
      assert.deepEqual(result.presets, { ...MAISON_PRESETS, presence1: 21.5, frostProtection: 8 });
      assert.deepEqual(api(), ['PATCH custom-temperatures', 'GET custom-temperatures']);
      assert.deepEqual(emulator.state.writes.map((w) => w.body), [{ presence_1: 21.5, frost_protection: 8 }]);
      assert.equal(before.setpoint, 20.5, 'the zone follows presence_1');
      const after = await heating.state(COMAP_IDS.maison, 60_000);
      assert.equal(after.setpoint, 21.5, 'the next state reads the catalog again');
    });
  });
});
