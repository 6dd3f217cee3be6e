import assert from 'node:assert/strict';
import type { ComapCustomTemperatures, ComapThermalDetails, ComapZoneDetails } from '../../src/lib/comap/api-types';
import { heatingState, HousingCatalog, PilotWireZoneState, ThermostatZoneState } from '../../src/lib/comap/model';
import { PRESET_KEYS, readPresets } from '../../src/lib/comap/presets';
import { houseModeName, stateFingerprint, stateValues } from '../../src/lib/comap/state-values';

const HOUSING = { id: 'h-test-1', name: 'Maison test' };
const NOW = new Date('2026-11-23T08:00:00.000Z');

const customTemperatures: ComapCustomTemperatures = {
  night: 17,
  away: 16,
  frost_protection: 7,
  connected: { presence_1: 19.5, presence_2: 20, presence_3: 21, presence_4: 18 },
  smart: {},
};

function catalog(extra: Partial<HousingCatalog> = {}): HousingCatalog {
  return {
    objects: [{ serial_number: 'SN-TEST-THERMO', model: 'thermostat' }],
    customTemperatures,
    programs: [
      { id: 'p-off', title: 'Vacances', is_activated: false, zones: [{ id: 'z-living', schedule_id: 's-frost' }] },
      {
        id: 'p-on',
        title: 'Semaine',
        is_activated: true,
        zones: [
          { id: 'z-living', schedule_id: 's-week' },
          { id: 'z-rooms', schedule_id: 's-unlisted' },
        ],
      },
    ],
    schedules: [
      { id: 's-week', title: 'Séjour semaine' },
      { id: 's-frost', title: 'Hors-gel' },
    ],
    ...extra,
  };
}

function living(extra: Partial<ComapZoneDetails> = {}): ComapZoneDetails {
  return {
    id: 'z-living',
    title: 'Séjour',
    connected_objects: ['SN-TEST-THERMO'],
    temperature: 20.4,
    set_point_type: 'defined_temperature',
    set_point: { instruction: 'presence_1' },
    next_timeslot: { begin_at: '2026-11-23T09:00:00.000000+00:00', set_point: { instruction: 'night' } },
    open_window: false,
    transmission_error: false,
    ...extra,
  };
}

function rooms(extra: Partial<ComapZoneDetails> = {}): ComapZoneDetails {
  return {
    id: 'z-rooms',
    title: 'Chambres',
    set_point_type: 'pilot_wire',
    set_point: { instruction: 'comfort' },
    next_timeslot: { begin_at: '2026-11-23T10:30:00.000000+01:00', set_point: { instruction: 'eco' } },
    open_window: true,
    transmission_error: false,
    ...extra,
  };
}

function details(extra: Partial<ComapThermalDetails> = {}): ComapThermalDetails {
  return { heating_system_state: 'on', events: {}, zones: [living(), rooms()], ...extra };
}

function state(d: ComapThermalDetails = details(), c: HousingCatalog = catalog()) {
  return heatingState(HOUSING, d, c, NOW);
}

function zone<K extends 'thermostat' | 'pilot-wire'>(s: ReturnType<typeof state>, kind: K) {
  const found = s.zones.find((z) => z.kind === kind);
  assert.ok(found, kind);
  return found as K extends 'thermostat' ? ThermostatZoneState : PilotWireZoneState;
}

describe('heating state: modes, presets, next slot, windows, schedules (spec §7.2, §7.4)', () => {
  describe('mode', () => {
    it('is home with the heating on when thermal-details has no event', () => {
      assert.deepEqual(state().mode, { away: false, holiday: null, heatingSystem: 'on' });
    });

    it('shows a leave-home and a holiday with their dates in UTC', () => {
      const s = state(
        details({
          heating_system_state: 'off',
          events: {
            time_shift: { begin_at: '2026-11-23T07:00:00.000000+00:00' },
            absence: { id: 'a-1', begin_at: '2026-12-20T00:00:00.000000+01:00', end_at: '2027-01-03T00:00:00.000000+01:00' },
          },
        }),
      );
      assert.deepEqual(s.mode, {
        away: true,
        holiday: { from: '2026-12-19T23:00:00.000Z', to: '2027-01-02T23:00:00.000Z' },
        heatingSystem: 'off',
      });
    });

    it('is null where thermal-details says nothing usable', () => {
      const s = state(details({ heating_system_state: 'summer', events: { absence: { begin_at: 'soon', end_at: null } } }));
      assert.deepEqual(s.mode, { away: false, holiday: { from: null, to: null }, heatingSystem: null });
      const bare = state({ zones: [] });
      assert.deepEqual(bare.mode, { away: false, holiday: null, heatingSystem: null });
    });
  });

  describe('presets', () => {
    it('reads every preset in °C from the catalog, presence ones from `connected`', () => {
      assert.deepEqual(state().presets, {
        presence1: 19.5,
        presence2: 20,
        presence3: 21,
        presence4: 18,
        night: 17,
        away: 16,
        frostProtection: 7,
      });
    });

    it('gives null for a preset the cloud does not give or gives as no number', () => {
      const connected = { presence_1: 19, presence_4: null, presence_2: '20' as unknown as number };
      const s = state(details(), catalog({ customTemperatures: { night: 16, away: null, connected } }));
      assert.deepEqual(s.presets, {
        presence1: 19,
        presence2: null,
        presence3: null,
        presence4: null,
        night: 16,
        away: null,
        frostProtection: null,
      });
      assert.deepEqual(Object.values(readPresets({})), Array(7).fill(null));
    });

    it('maps each product name to its flat Comap key', () => {
      assert.deepEqual(PRESET_KEYS, {
        presence1: 'presence_1',
        presence2: 'presence_2',
        presence3: 'presence_3',
        presence4: 'presence_4',
        night: 'night',
        away: 'away',
        frostProtection: 'frost_protection',
      });
    });
  });

  describe('zones', () => {
    it('give the next slot: °C for the thermostat zone, the order for a pilot-wire zone', () => {
      const s = state();
      assert.deepEqual(zone(s, 'thermostat').next, { at: '2026-11-23T09:00:00.000Z', setpoint: 17 });
      assert.deepEqual(zone(s, 'pilot-wire').next, { at: '2026-11-23T09:30:00.000Z', order: 2, orderName: 'Eco' });
    });

    it('give a next slot with a °C number as is, and null fields where it is not readable', () => {
      const s = state(
        details({
          zones: [
            living({ next_timeslot: { begin_at: '2026-11-23T09:00:00Z', set_point: { instruction: 21.5 } } }),
            rooms({ next_timeslot: { begin_at: 'later', set_point: { instruction: 'warm' } } }),
          ],
        }),
      );
      assert.deepEqual(zone(s, 'thermostat').next, { at: '2026-11-23T09:00:00.000Z', setpoint: 21.5 });
      assert.deepEqual(zone(s, 'pilot-wire').next, { at: null, order: null, orderName: null });
    });

    it('give next null when the cloud has no next slot', () => {
      const s = state(details({ zones: [living({ next_timeslot: undefined }), rooms({ next_timeslot: {} })] }));
      assert.equal(zone(s, 'thermostat').next, null);
      assert.equal(zone(s, 'pilot-wire').next, null);
    });

    it('give openWindow and transmissionError as the cloud says, null when it leaves them out', () => {
      const s = state();
      assert.equal(zone(s, 'thermostat').openWindow, false);
      assert.equal(zone(s, 'pilot-wire').openWindow, true);
      assert.equal(zone(s, 'thermostat').transmissionError, false);
      // A zone in transmission error comes without its live fields.
      const broken = state(
        details({ zones: [living({ open_window: undefined, transmission_error: true }), rooms({ open_window: undefined, transmission_error: undefined })] }),
      );
      assert.equal(zone(broken, 'thermostat').openWindow, null);
      assert.equal(zone(broken, 'thermostat').transmissionError, true);
      assert.equal(zone(broken, 'pilot-wire').openWindow, null);
      assert.equal(zone(broken, 'pilot-wire').transmissionError, null);
    });

    it('give the schedule of the ACTIVE program, named from the catalog', () => {
      const s = state();
      assert.deepEqual(zone(s, 'thermostat').schedule, { id: 's-week', name: 'Séjour semaine' });
      // Listed in the program but not in the schedule list: the id is all there is.
      assert.deepEqual(zone(s, 'pilot-wire').schedule, { id: 's-unlisted', name: 's-unlisted' });
    });

    it('give schedule null without an active program or without an entry for the zone', () => {
      const c = catalog();
      const none = state(details(), { ...c, programs: c.programs.map((p) => ({ ...p, is_activated: false })) });
      assert.equal(zone(none, 'thermostat').schedule, null);
      const partial = state(details(), { ...c, programs: [{ id: 'p-on', is_activated: true, zones: [{ id: 'z-living' }] }] });
      assert.equal(zone(partial, 'thermostat').schedule, null);
      assert.equal(zone(partial, 'pilot-wire').schedule, null);
      const bare = state(details(), { ...c, programs: [{ id: 'p-on', is_activated: true }] });
      assert.equal(zone(bare, 'pilot-wire').schedule, null);
    });
  });

  describe('values output', () => {
    const topics = (s: ReturnType<typeof state>) => new Map(stateValues(s).map((v) => [v.topic, v.payload]));

    it('sends mode, away, holiday, and per zone next and openWindow as bare values', () => {
      const values = topics(state());
      assert.equal(values.get('mode'), 'home');
      assert.equal(values.get('away'), false);
      assert.ok(!values.has('holiday'), 'no holiday: not sent');
      assert.equal(values.get('zone/Séjour/next'), 17);
      assert.equal(values.get('zone/Séjour/openWindow'), false);
      assert.equal(values.get('zone/Chambres/next'), 2);
      assert.equal(values.get('zone/Chambres/openWindow'), true);
    });

    it('sends the holiday as its end date, and leaves out what is null', () => {
      const s = state(
        details({
          events: { absence: { begin_at: '2026-11-20T00:00:00Z', end_at: '2026-11-30T00:00:00Z' } },
          zones: [living({ open_window: undefined, next_timeslot: undefined }), rooms()],
        }),
      );
      const values = topics(s);
      assert.equal(values.get('holiday'), '2026-11-30T00:00:00.000Z');
      assert.equal(values.get('mode'), 'holiday');
      assert.ok(!values.has('zone/Séjour/openWindow') && !values.has('zone/Séjour/next'));
      assert.ok(stateValues(s).every((v) => v.payload !== null && typeof v.payload !== 'object'));
    });

    it('names the mode: off before holiday before away before home', () => {
      const at = '2026-11-23T08:00:00.000Z';
      const running = { from: '2026-11-20T00:00:00.000Z', to: '2026-11-30T00:00:00.000Z' };
      assert.equal(houseModeName({ away: true, holiday: running, heatingSystem: 'off' }, at), 'off');
      assert.equal(houseModeName({ away: true, holiday: running, heatingSystem: 'on' }, at), 'holiday');
      assert.equal(houseModeName({ away: false, holiday: { from: null, to: null }, heatingSystem: null }, at), 'holiday');
      const planned = { from: '2026-12-20T00:00:00.000Z', to: '2027-01-03T00:00:00.000Z' };
      assert.equal(houseModeName({ away: true, holiday: planned, heatingSystem: 'on' }, at), 'away');
      assert.equal(houseModeName({ away: false, holiday: planned, heatingSystem: 'on' }, at), 'home');
      const over = { from: '2026-11-01T00:00:00.000Z', to: at };
      assert.equal(houseModeName({ away: false, holiday: over, heatingSystem: 'on' }, at), 'home');
    });
  });

  describe('change detection', () => {
    it('sees a change in each new field', () => {
      const base = stateFingerprint(state());
      const changed: Array<[string, ComapThermalDetails, HousingCatalog]> = [
        ['away', details({ events: { time_shift: { begin_at: '2026-11-23T07:00:00Z' } } }), catalog()],
        ['preset', details(), catalog({ customTemperatures: { ...customTemperatures, night: 16.5 } })],
        ['open window', details({ zones: [living(), rooms({ open_window: false })] }), catalog()],
        ['transmission error', details({ zones: [living(), rooms({ transmission_error: true })] }), catalog()],
        ['next slot', details({ zones: [living(), rooms({ next_timeslot: { begin_at: '2026-11-23T09:30:00Z', set_point: { instruction: 'comfort' } } })] }), catalog()],
        ['schedule', details(), catalog({ programs: [{ id: 'p-on', is_activated: true, zones: [{ id: 'z-living', schedule_id: 's-frost' }] }] })],
      ];
      for (const [what, d, c] of changed) assert.notEqual(stateFingerprint(state(d, c)), base, what);
      assert.equal(stateFingerprint(heatingState(HOUSING, details(), catalog(), new Date('2026-11-23T09:00:00Z'))), base, 'time alone is no change');
    });
  });
});
