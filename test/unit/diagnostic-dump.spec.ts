import assert from 'node:assert/strict';
import { diagnosticDump } from '../../src/lib/comap/diagnostic-dump';

/** What HeatingService.rawData() returns, with synthetic values in every field. */
function raw(): Record<string, unknown> {
  return {
    housing: {
      id: 'h-test-0001',
      user_id: 'u-test-owner-0001',
      name: 'Maison Testperson',
      address: '1 rue de l’Exemple',
      zip_code: '99999',
      city: 'Testville',
      country: 'XX',
      longitude: 1.2345,
      latitude: 12.3456,
      type: 'house',
      usage: 'main',
      ip_address: '198.51.100.7',
      created_at: '2021-05-22T09:30:00.000000+00:00',
      timezone: 'Europe/Paris',
      connected_objects: ['TH-TEST-A1B2', 'GW-TEST-C3D4'],
      owner_email: 'owner@example.test',
    },
    thermalDetails: {
      heating_system_state: 'on',
      services_available: [],
      meters_registered: false,
      events: { absence: { begin_at: '2026-12-01T08:00:00.000000+00:00', end_at: '2026-12-08T08:00:00.000000+00:00' } },
      zones: [
        {
          id: 'z-test-0001',
          title: 'Séjour',
          connected_objects: ['TH-TEST-A1B2'],
          temperature: 20.4,
          humidity: 47,
          set_point_type: 'defined_temperature',
          set_point: { instruction: 'presence_1' },
          programming_type: 'connected',
          next_timeslot: { begin_at: '2026-12-01T09:00:00.000000+00:00', set_point: { instruction: 'night' } },
          heating_status: 'heating',
          events: { temporary_instruction: { end_at: '2026-12-01T10:00:00.000000+00:00', set_point: { instruction: 21.5 } } },
          last_presence_detected: '2026-12-01T07:48:00.000000+00:00',
          open_window: false,
          last_transmission: '2026-12-01T07:57:00.000000+00:00',
          transmission_error: false,
          errors: [{ code: 'transmission_error', message: 'free text' }],
          future_field: 'something new',
        },
        { id: 'z-test-0002', title: 'Chambres', set_point_type: 'pilot_wire', set_point: { instruction: 'eco' }, heating_status: 'cooling' },
      ],
    },
    connectedObjects: [
      {
        serial_number: 'TH-TEST-A1B2',
        housing_id: 'h-test-0001',
        model: 'thermostat',
        last_communication_time: '2026-12-01T07:57:00.000000+00:00',
        firmware_version: '3.6.2',
        voltage: 4.1,
        voltage_percent: 80,
        last_temperature: 20.4,
        custom_name: 'Chambre de Testperson',
      },
      { serial_number: 'GW-TEST-C3D4', model: 'gateway', firmware_version: '2.4.0', access_token: 'tok-test-secret' },
    ],
    thermalSettings: {
      global_informations: { installation_type: 'multizone', owner: 'Testperson' },
      custom_temperatures: { night: 17, connected: { presence_1: 20.5 } },
    },
    customTemperatures: { night: 17, away: 16, frost_protection: 7, connected: { presence_1: 20.5, presence_4: null }, smart: { boost: 22 } },
    programs: {
      programs: [{ id: 'p-test-0001', title: 'Semaine', is_activated: true, zones: [{ id: 'z-test-0001', schedule_id: 's-test-0001' }] }],
    },
  };
}

describe('diagnosticDump', () => {
  const dump = diagnosticDump(raw()) as {
    housing: Record<string, unknown>;
    thermalDetails: { zones: Record<string, unknown>[]; events: unknown };
    connectedObjects: Record<string, unknown>[];
    thermalSettings: Record<string, unknown>;
    customTemperatures: unknown;
    programs: unknown;
  };
  const text = JSON.stringify(dump);

  it('drops the address, position, IP address, owner, housing name, e-mail and tokens', () => {
    const gone = ['u-test-owner-0001', 'Testperson', 'Exemple', '99999', 'Testville', '"XX"', '1.2345', '12.3456', '198.51.100.7', 'owner@example.test', 'tok-test-secret'];
    for (const value of gone) assert.ok(!text.includes(value), `${value} is in the dump`);
  });

  it('still shows that those fields exist, and their type', () => {
    assert.deepEqual(dump.housing, {
      id: 'h-test-0001',
      user_id: '[string]',
      name: '[string]',
      address: '[string]',
      zip_code: '[string]',
      city: '[string]',
      country: '[string]',
      longitude: '[number]',
      latitude: '[number]',
      type: 'house',
      usage: 'main',
      ip_address: '[string]',
      created_at: '2021-05-22T09:30:00.000000+00:00',
      timezone: 'Europe/Paris',
      connected_objects: ['…A1B2', '…C3D4'],
      owner_email: '[string]',
    });
  });

  it('keeps zone measurements, set points, states, times, titles and ids; an unknown key shows its type', () => {
    const [sejour, chambres] = dump.thermalDetails.zones;
    assert.deepEqual(sejour, {
      ...(raw().thermalDetails as { zones: Record<string, unknown>[] }).zones[0],
      connected_objects: ['…A1B2'],
      errors: [{ code: 'transmission_error', message: '[string]' }],
      future_field: '[string]',
    });
    assert.deepEqual(chambres, { id: 'z-test-0002', title: 'Chambres', set_point_type: 'pilot_wire', set_point: { instruction: 'eco' }, heating_status: 'cooling' });
    assert.deepEqual(dump.thermalDetails.events, { absence: { begin_at: '2026-12-01T08:00:00.000000+00:00', end_at: '2026-12-08T08:00:00.000000+00:00' } });
  });

  it('keeps firmware, battery and times of the devices, with serials shortened and no custom name', () => {
    assert.deepEqual(dump.connectedObjects, [
      {
        serial_number: '…A1B2',
        housing_id: 'h-test-0001',
        model: 'thermostat',
        last_communication_time: '2026-12-01T07:57:00.000000+00:00',
        firmware_version: '3.6.2',
        voltage: 4.1,
        voltage_percent: 80,
        last_temperature: 20.4,
        custom_name: '[string]',
      },
      { serial_number: '…C3D4', model: 'gateway', firmware_version: '2.4.0', access_token: '[string]' },
    ]);
    assert.ok(!text.includes('TH-TEST') && !text.includes('GW-TEST'), 'a whole serial is in the dump');
  });

  it('keeps settings, preset temperatures and programs', () => {
    assert.deepEqual(dump.thermalSettings, {
      global_informations: { installation_type: 'multizone', owner: '[string]' },
      custom_temperatures: { night: 17, connected: { presence_1: 20.5 } },
    });
    assert.deepEqual(dump.customTemperatures, raw().customTemperatures);
    assert.deepEqual(dump.programs, raw().programs);
  });

  it('shows a whole unknown section only as its type', () => {
    assert.deepEqual(diagnosticDump({ ...raw(), weather: { city: 'Testville' }, users: [{ email: 'owner@example.test' }] }).weather, '[object]');
    assert.deepEqual(diagnosticDump({ users: [{ email: 'owner@example.test' }] }), { users: ['[object]'] });
  });
});
