import assert from 'node:assert/strict';
import { COMAP_CLIENT_IDS, COMAP_IDS, ComapEmulator, ComapEmulatorOptions, comapTimestamp, DEMO_PASSWORD, DEMO_USERNAME } from '../../src/emulator/comap';
import { PILOT_WIRE_ORDERS, THERMOSTAT_PRESETS } from '../../src/emulator/comap/fixture';

const START = Date.UTC(2026, 10, 23, 8, 0, 0);
const MINUTE = 60_000;
const H = COMAP_IDS.maison;
const CHALET = COMAP_IDS.chalet;
const Z = COMAP_IDS.zones;
const TARGET = 'AWSCognitoIdentityProviderService.InitiateAuth';

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: unknown;
}

type Json = Record<string, unknown>;

function asObject(value: unknown): Json {
  assert.ok(typeof value === 'object' && value !== null && !Array.isArray(value), `expected an object, got ${JSON.stringify(value)}`);
  return value as Json;
}

function asArray(value: unknown): unknown[] {
  assert.ok(Array.isArray(value), `expected an array, got ${JSON.stringify(value)}`);
  return value;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

describe('Comap emulator', () => {
  let clock = START;
  let emu: ComapEmulator;
  let url: string;
  let token: string;

  async function boot(options: ComapEmulatorOptions = {}): Promise<void> {
    await emu?.stop();
    emu = new ComapEmulator({ now: () => clock, ...options });
    url = await emu.start();
    token = await emu.login();
  }

  async function call(method: string, path: string, body?: unknown, bearer: string | null = token): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (bearer !== null) headers.Authorization = `Bearer ${bearer}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(url + path, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, body: parse(text) };
  }

  async function cognito(payload: unknown): Promise<Answer> {
    const response = await fetch(`${url}/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': TARGET },
      body: JSON.stringify(payload),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, body: parse(text) };
  }

  const login = (username: string, password: string, clientId = COMAP_CLIENT_IDS[0]): Promise<Answer> =>
    cognito({ AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: password }, ClientId: clientId });

  const zonePath = (zone: string, housing: string = H): string => `/thermal/housings/${housing}/thermal-control/zones/${zone}/temporary-instruction`;
  const zoneDetails = async (zone: string, housing: string = H): Promise<Json> =>
    asObject((await call('GET', `/thermal/housings/${housing}/thermal-details/zones/${zone}`)).body);

  beforeEach(async () => {
    clock = START;
    await boot();
  });

  afterEach(async () => {
    await emu.stop();
  });

  describe('Cognito', () => {
    it('logs in with the demo account on both public client ids', async () => {
      for (const clientId of COMAP_CLIENT_IDS) {
        const answer = await login(DEMO_USERNAME, DEMO_PASSWORD, clientId);
        assert.equal(answer.status, 200);
        const result = asObject(asObject(answer.body).AuthenticationResult);
        assert.equal(typeof result.AccessToken, 'string');
        assert.equal(typeof result.IdToken, 'string');
        assert.equal(typeof result.RefreshToken, 'string');
        assert.equal(result.ExpiresIn, 3600);
        assert.equal(result.TokenType, 'Bearer');
      }
    });

    it('answers 400 NotAuthorizedException to a wrong password', async () => {
      const answer = await login(DEMO_USERNAME, 'nope');
      assert.equal(answer.status, 400);
      assert.equal(asObject(answer.body).__type, 'NotAuthorizedException');
    });

    it('answers 400 UserNotFoundException to an unknown user', async () => {
      const answer = await login('ghost@example.com', 'x');
      assert.equal(answer.status, 400);
      assert.equal(asObject(answer.body).__type, 'UserNotFoundException');
    });

    it('refuses an unknown client id', async () => {
      const answer = await login(DEMO_USERNAME, DEMO_PASSWORD, 'someclient');
      assert.equal(answer.status, 400);
      assert.equal(asObject(answer.body).__type, 'ResourceNotFoundException');
    });

    it('refreshes with REFRESH_TOKEN_AUTH into a working access token', async () => {
      const first = asObject(asObject((await login(DEMO_USERNAME, DEMO_PASSWORD)).body).AuthenticationResult);
      const refreshed = await cognito({ AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: first.RefreshToken }, ClientId: COMAP_CLIENT_IDS[0] });
      assert.equal(refreshed.status, 200);
      const access = asObject(asObject(refreshed.body).AuthenticationResult).AccessToken;
      assert.equal(typeof access, 'string');
      assert.equal((await call('GET', '/park/housings', undefined, String(access))).status, 200);
    });

    it('uses the configured token lifetime', async () => {
      await boot({ expiresInS: 60 });
      const result = asObject(asObject((await login(DEMO_USERNAME, DEMO_PASSWORD)).body).AuthenticationResult);
      assert.equal(result.ExpiresIn, 60);
    });

    it('logs in users added by tests', async () => {
      emu.addUser({ username: 'other@example.com', password: 'pw' });
      assert.equal((await login('other@example.com', 'pw')).status, 200);
    });
  });

  describe('bearer check', () => {
    it('answers 401 without a token, with an unknown token, and with the IdToken', async () => {
      for (const bearer of [null, 'made-up']) {
        const answer = await call('GET', '/park/housings', undefined, bearer);
        assert.equal(answer.status, 401);
        assert.deepEqual(answer.body, { message: 'Unauthorized' });
      }
      const idToken = asObject(asObject((await login(DEMO_USERNAME, DEMO_PASSWORD)).body).AuthenticationResult).IdToken;
      assert.equal((await call('GET', '/park/housings', undefined, String(idToken))).status, 401);
    });

    it('answers 401 once the token has expired', async () => {
      clock += 3600 * 1000 + 1;
      const answer = await call('GET', '/park/housings');
      assert.equal(answer.status, 401);
      assert.equal(typeof asObject(answer.body).message, 'string');
    });

    it('answers revoked tokens 401, or 403 with the staleTokenStatus knob', async () => {
      emu.cognito.revokeAll();
      assert.equal((await call('GET', '/park/housings')).status, 401);
      emu.staleTokenStatus = 403;
      assert.equal((await call('GET', '/park/housings')).status, 403);
      token = await emu.login();
      assert.equal((await call('GET', '/park/housings')).status, 200);
    });

    it('answers the OPTIONS pre-flight without a token', async () => {
      const answer = await call('OPTIONS', `/thermal/housings/${H}/thermal-details`, undefined, null);
      assert.equal(answer.status, 204);
    });
  });

  describe('park routes', () => {
    it('lists the housings of the account', async () => {
      const answer = await call('GET', '/park/housings');
      assert.equal(answer.status, 200);
      const housings = asArray(answer.body).map(asObject);
      assert.deepEqual(
        housings.map((h) => [h.id, h.name, h.timezone]),
        [
          [H, 'Maison', 'Europe/Paris'],
          [CHALET, 'Chalet', 'Europe/Paris'],
        ],
      );
      for (const key of ['user_id', 'address', 'zip_code', 'city', 'country', 'longitude', 'latitude', 'type', 'usage', 'created_at', 'connected_objects']) {
        assert.ok(key in housings[0], key);
      }
      assert.ok(asArray(housings[0].connected_objects).includes(COMAP_IDS.serials.thermostat));
    });

    it('shows one housing', async () => {
      const housing = asObject((await call('GET', `/park/housings/${H}?add_user_info=false`)).body);
      assert.equal(housing.id, H);
    });

    it('hides other accounts’ housings (404) and lists only owned ones', async () => {
      emu.addUser({ username: 'chalet@example.com', password: 'pw', housingIds: [CHALET] });
      emu.addUser({ username: 'empty@example.com', password: 'pw' });
      const chaletToken = await emu.login('chalet@example.com', 'pw');
      assert.deepEqual(
        asArray((await call('GET', '/park/housings', undefined, chaletToken)).body).map((h) => asObject(h).id),
        [CHALET],
      );
      assert.equal((await call('GET', `/park/housings/${H}`, undefined, chaletToken)).status, 404);
      assert.equal((await call('GET', `/thermal/housings/${H}/thermal-details`, undefined, chaletToken)).status, 404);
      assert.equal((await call('GET', `/park/connected-objects/${COMAP_IDS.serials.thermostat}`, undefined, chaletToken)).status, 404);
      assert.equal((await call('GET', `/thermal/housings/${CHALET}/thermal-details`, undefined, chaletToken)).status, 200);
      assert.deepEqual((await call('GET', '/park/housings', undefined, await emu.login('empty@example.com', 'pw'))).body, []);
      assert.equal((await call('GET', '/park/housings/h-nowhere')).status, 404);
    });

    it('lists connected objects with model-specific fields', async () => {
      const objects = asArray((await call('GET', `/park/housings/${H}/connected-objects`)).body).map(asObject);
      const thermostat = objects.find((o) => o.model === 'thermostat');
      assert.ok(thermostat);
      assert.equal(thermostat.voltage_percent, 80);
      assert.equal(typeof thermostat.firmware_version, 'string');
      assert.equal(typeof thermostat.last_communication_time, 'string');
      assert.ok(objects.some((o) => o.model === 'gateway'));
      const modules = objects.filter((o) => o.model === 'heating_module');
      assert.equal(modules.filter((m) => m.main_heating_module === true).length, 1);
      assert.ok(modules.length >= 3);
      for (const object of objects) assert.equal(object.housing_id, H);
      const one = asObject((await call('GET', `/park/connected-objects/${COMAP_IDS.serials.gateway}`)).body);
      assert.equal(one.model, 'gateway');
    });

    it('answers 404 to unknown routes', async () => {
      assert.equal((await call('GET', '/park/nothing')).status, 404);
    });
  });

  describe('thermal reads', () => {
    it('shows thermal details with per-zone live data', async () => {
      const answer = await call('GET', `/thermal/housings/${H}/thermal-details`);
      assert.equal(answer.status, 200);
      const details = asObject(answer.body);
      assert.equal(details.heating_system_state, 'on');
      assert.deepEqual(details.events, {});
      const zones = asArray(details.zones).map(asObject);
      assert.deepEqual(
        zones.map((z) => [z.id, z.title, z.set_point_type]),
        [
          [Z.sejour, 'Séjour', 'defined_temperature'],
          [Z.chambres, 'Chambres', 'pilot_wire'],
          [Z.sdb, 'Salle de bain', 'pilot_wire'],
        ],
      );
      const sejour = zones[0];
      assert.equal(sejour.temperature, 20.4);
      assert.equal(sejour.humidity, 47);
      assert.deepEqual(sejour.set_point, { instruction: 'presence_1' });
      assert.deepEqual(sejour.events, {});
      assert.equal(sejour.heating_status, 'heating');
      assert.equal(sejour.transmission_error, false);
      assert.match(String(sejour.last_presence_detected), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
      assert.ok(!Number.isNaN(Date.parse(String(sejour.last_transmission))));
      const next = asObject(sejour.next_timeslot);
      assert.equal(Date.parse(String(next.begin_at)), START + 60 * MINUTE);
      assert.deepEqual(zones[1].set_point, { instruction: 'comfort' });
      assert.deepEqual(zones[2].set_point, { instruction: 'eco' });
    });

    it('shows one zone, and 404 for an unknown zone', async () => {
      assert.equal((await zoneDetails(Z.chambres)).title, 'Chambres');
      assert.equal((await call('GET', `/thermal/housings/${H}/thermal-details/zones/z-nowhere`)).status, 404);
    });

    it('lists zone configs', async () => {
      const zones = asArray((await call('GET', `/thermal/housings/${H}/zones`)).body).map(asObject);
      assert.equal(zones.length, 3);
      assert.equal(zones[0].instruction_type, 'temperature');
      assert.notEqual(zones[1].instruction_type, 'temperature');
      for (const zone of zones) for (const key of ['id', 'title', 'area_type', 'heating_priority', 'services_available', 'connected_objects']) assert.ok(key in zone, key);
    });

    it('shows thermal settings with the installation type', async () => {
      const maison = asObject((await call('GET', `/thermal/housings/${H}/thermal-settings`)).body);
      assert.equal(asObject(maison.global_informations).installation_type, 'multizone');
      const chalet = asObject((await call('GET', `/thermal/housings/${CHALET}/thermal-settings`)).body);
      assert.equal(asObject(chalet.global_informations).installation_type, 'monozone');
    });

    it('shows custom temperatures', async () => {
      const presets = asObject((await call('GET', `/thermal/housings/${H}/custom-temperatures`)).body);
      for (const key of ['night', 'away', 'frost_protection']) assert.equal(typeof presets[key], 'number');
      assert.deepEqual(Object.keys(asObject(presets.connected)), ['presence_1', 'presence_2', 'presence_3', 'presence_4']);
      assert.deepEqual(presets.smart, {});
    });

    it('lists programs and schedules', async () => {
      const programs = asArray(asObject((await call('GET', `/thermal/housings/${H}/programs`)).body).programs).map(asObject);
      assert.deepEqual(
        programs.map((p) => [p.id, p.title, p.is_activated]),
        [
          [COMAP_IDS.programs.semaine, 'Semaine', true],
          [COMAP_IDS.programs.vacances, 'Vacances', false],
        ],
      );
      for (const zone of asArray(programs[0].zones).map(asObject)) {
        assert.equal(typeof zone.id, 'string');
        assert.equal(typeof zone.schedule_id, 'string');
      }
      const schedules = asArray((await call('GET', `/thermal/housings/${H}/schedules`)).body).map(asObject);
      assert.ok(schedules.length >= 2);
      for (const s of schedules) assert.deepEqual(Object.keys(s), ['id', 'title']);
    });
  });

  describe('temporary instructions', () => {
    const body = (instruction: number | string, duration = 120): unknown => ({ duration, set_point: { instruction } });

    it('applies, refuses a second one with 409, cancels, then applies again', async () => {
      const first = await call('POST', zonePath(Z.sejour), body(21.5));
      assert.equal(first.status, 200);
      const zone = asObject(first.body);
      assert.equal(zone.id, Z.sejour);
      assert.deepEqual(zone.set_point, { instruction: 21.5 });
      assert.equal(zone.set_point_type, 'custom_temperature');
      const temporary = asObject(asObject(zone.events).temporary_instruction);
      assert.equal(Date.parse(String(temporary.end_at)), START + 120 * MINUTE);
      assert.deepEqual(temporary.set_point, { instruction: 21.5 });

      const conflict = await call('POST', zonePath(Z.sejour), body(19));
      assert.equal(conflict.status, 409);
      assert.deepEqual(conflict.body, { message: 'A temporary instruction already exists' });

      const cancelled = await call('DELETE', zonePath(Z.sejour));
      assert.equal(cancelled.status, 200);
      const back = asObject(cancelled.body);
      assert.deepEqual(back.set_point, { instruction: 'presence_1' });
      assert.equal(back.set_point_type, 'defined_temperature');
      assert.deepEqual(back.events, {});

      assert.equal((await call('POST', zonePath(Z.sejour), body(19))).status, 200);
      assert.deepEqual((await zoneDetails(Z.sejour)).set_point, { instruction: 19 });
      assert.equal(emu.state.temporaryInstructionWrites(Z.sejour).length, 2);
      assert.deepEqual(
        emu.state.writes.map((w) => w.method),
        ['POST', 'DELETE', 'POST'],
      );
      assert.deepEqual(emu.state.writes[0].body, body(21.5));
    });

    it('takes orders on pilot-wire zones and presets on the thermostat zone', async () => {
      const eco = await call('POST', zonePath(Z.chambres), body('eco'));
      assert.equal(eco.status, 200);
      assert.deepEqual(asObject(eco.body).set_point, { instruction: 'eco' });
      assert.equal(asObject(eco.body).set_point_type, 'pilot_wire');
      const night = await call('POST', zonePath(Z.sejour), body('night'));
      assert.equal(night.status, 200);
      assert.equal(asObject(night.body).set_point_type, 'defined_temperature');
    });

    it('refuses a number on a pilot-wire zone and an order on the thermostat zone (400)', async () => {
      assert.equal((await call('POST', zonePath(Z.chambres), body(19))).status, 400);
      assert.equal((await call('POST', zonePath(Z.sejour), body('comfort'))).status, 400);
      assert.equal((await call('POST', zonePath(Z.sdb), body('warm'))).status, 400);
      assert.equal(emu.state.writes.length, 0);
    });

    it('refuses malformed bodies (400) and unknown zones (404)', async () => {
      assert.equal((await call('POST', zonePath(Z.sejour), '{"duration": 12')).status, 400);
      assert.equal((await call('POST', zonePath(Z.sejour), { set_point: { instruction: 20 } })).status, 400);
      assert.equal((await call('POST', zonePath(Z.sejour), body(20, -5))).status, 400);
      assert.equal((await call('POST', zonePath(Z.sejour), { duration: 60 })).status, 400);
      assert.equal((await call('POST', zonePath(Z.sejour))).status, 400);
      assert.equal((await call('POST', zonePath('z-nowhere'), body(20))).status, 404);
    });

    it('expires after `duration` minutes on the injected clock', async () => {
      assert.equal((await call('POST', zonePath(Z.sejour), body(22, 30))).status, 200);
      clock += 29 * MINUTE;
      assert.deepEqual((await zoneDetails(Z.sejour)).set_point, { instruction: 22 });
      clock += 2 * MINUTE;
      const zone = await zoneDetails(Z.sejour);
      assert.deepEqual(zone.set_point, { instruction: 'presence_1' });
      assert.deepEqual(zone.events, {});
      assert.equal((await call('POST', zonePath(Z.sejour), body(18, 30))).status, 200);
    });

    it('shows the new setpoint only after the apply delay', async () => {
      emu.state.applyDelayMs = 3 * MINUTE;
      const posted = asObject((await call('POST', zonePath(Z.chambres), body('stop'))).body);
      assert.deepEqual(posted.set_point, { instruction: 'comfort' });
      assert.ok(asObject(posted.events).temporary_instruction);
      clock += 2 * MINUTE;
      assert.deepEqual((await zoneDetails(Z.chambres)).set_point, { instruction: 'comfort' });
      clock += 1 * MINUTE;
      const applied = await zoneDetails(Z.chambres);
      assert.deepEqual(applied.set_point, { instruction: 'stop' });
      assert.equal(applied.heating_status, 'cooling');
    });

    it('answers DELETE without an instruction with the zone unchanged, or 404 with the knob', async () => {
      const answer = await call('DELETE', zonePath(Z.sdb));
      assert.equal(answer.status, 200);
      assert.deepEqual(asObject(answer.body).set_point, { instruction: 'eco' });
      emu.state.deleteWithoutInstruction = 404;
      assert.equal((await call('DELETE', zonePath(Z.sdb))).status, 404);
    });
  });

  describe('programs and settings', () => {
    it('activates one program at a time and follows its schedules', async () => {
      await call('POST', zonePath(Z.sejour), { duration: 120, set_point: { instruction: 23 } });
      const answer = await call('POST', `/thermal/housings/${H}/programs/${COMAP_IDS.programs.vacances}/activate`);
      assert.equal(answer.status, 200);
      const programs = asArray(asObject((await call('GET', `/thermal/housings/${H}/programs`)).body).programs).map(asObject);
      assert.deepEqual(
        programs.map((p) => p.is_activated),
        [false, true],
      );
      const zones = asArray(asObject((await call('GET', `/thermal/housings/${H}/thermal-details`)).body).zones).map(asObject);
      for (const zone of zones) assert.deepEqual(zone.set_point, { instruction: 'frost_protection' });
      // An applied schedule cancels temporary orders.
      assert.deepEqual(zones[0].events, {});
      assert.equal((await call('POST', `/thermal/housings/${H}/programs/p-nowhere/activate`)).status, 404);
    });

    it('assigns a schedule to the monozone zone in its program', async () => {
      const path = `/thermal/housings/${CHALET}/programs/${COMAP_IDS.programs.chalet}/zones/${Z.chalet}`;
      assert.deepEqual((await zoneDetails(Z.chalet, CHALET)).set_point, { instruction: 'away' });
      const answer = await call('POST', path, { programming_type: 'connected', schedule_id: COMAP_IDS.schedules.chaletPresent });
      assert.equal(answer.status, 200);
      assert.deepEqual(asObject(answer.body).zones, [{ id: Z.chalet, schedule_id: COMAP_IDS.schedules.chaletPresent }]);
      assert.deepEqual((await zoneDetails(Z.chalet, CHALET)).set_point, { instruction: 'presence_1' });
      assert.equal((await call('POST', path, { schedule_id: 's-nowhere' })).status, 400);
      assert.equal((await call('POST', path, 'not json')).status, 400);
      assert.equal((await call('POST', `/thermal/housings/${CHALET}/programs/${COMAP_IDS.programs.chalet}/zones/z-nowhere`, { schedule_id: COMAP_IDS.schedules.chaletPresent })).status, 404);
    });

    it('activates a program on the monozone housing too (comap-api.md §1.5 correction)', async () => {
      const answer = await call('POST', `/thermal/housings/${CHALET}/programs/${COMAP_IDS.programs.chaletHiver}/activate`);
      assert.equal(answer.status, 200);
      const programs = asArray(asObject((await call('GET', `/thermal/housings/${CHALET}/programs`)).body).programs).map(asObject);
      assert.deepEqual(
        programs.map((p) => [p.id, p.is_activated]),
        [
          [COMAP_IDS.programs.chalet, false],
          [COMAP_IDS.programs.chaletHiver, true],
          [COMAP_IDS.programs.chaletWeekend, false],
        ],
      );
      // The zone follows the new program's schedule ("Confort matin").
      assert.deepEqual((await zoneDetails(Z.chalet, CHALET)).set_point, { instruction: 'presence_2' });
    });

    it('lists the schedules of the monozone and the multizone housing as {id, title}', async () => {
      const titles = async (housing: string): Promise<unknown[]> => {
        const list = asArray((await call('GET', `/thermal/housings/${housing}/schedules`)).body).map(asObject);
        for (const s of list) assert.deepEqual(Object.keys(s), ['id', 'title']);
        return list.map((s) => s.title);
      };
      assert.deepEqual(await titles(CHALET), ['Présent', 'Absent', 'Confort matin', 'Week-end']);
      assert.ok((await titles(H)).includes('Semaine travail'));
    });

    it('cancels the temporary order of the zone given a schedule in the active program, and of no other zone', async () => {
      await call('POST', zonePath(Z.chambres), { duration: 120, set_point: { instruction: 'stop' } });
      await call('POST', zonePath(Z.sdb), { duration: 120, set_point: { instruction: 'stop' } });
      const assign = (program: string, schedule: string) =>
        call('POST', `/thermal/housings/${H}/programs/${program}/zones/${Z.chambres}`, { programming_type: 'connected', schedule_id: schedule });
      assert.equal((await assign(COMAP_IDS.programs.vacances, COMAP_IDS.schedules.filPiloteEco)).status, 200);
      assert.ok(asObject((await zoneDetails(Z.chambres)).events).temporary_instruction, 'an inactive program changes nothing now');
      assert.equal((await assign(COMAP_IDS.programs.semaine, COMAP_IDS.schedules.filPiloteEco)).status, 200);
      const chambres = await zoneDetails(Z.chambres);
      assert.deepEqual(chambres.events, {});
      assert.deepEqual(chambres.set_point, { instruction: 'eco' });
      assert.ok(asObject((await zoneDetails(Z.sdb)).events).temporary_instruction, 'the other zone keeps its order');
    });

    it('merges flat PATCH keys into custom temperatures', async () => {
      const answer = await call('PATCH', `/thermal/housings/${H}/custom-temperatures`, { presence_1: 21, away: 15.5 });
      assert.equal(answer.status, 200);
      const presets = asObject((await call('GET', `/thermal/housings/${H}/custom-temperatures`)).body);
      assert.equal(presets.away, 15.5);
      assert.equal(presets.presence_1, undefined);
      assert.deepEqual(presets.connected, { presence_1: 21, presence_2: 20, presence_3: 19.5, presence_4: 19 });
      assert.equal((await call('PATCH', `/thermal/housings/${H}/custom-temperatures`, { warmest: 30 })).status, 400);
      assert.equal((await call('PATCH', `/thermal/housings/${H}/custom-temperatures`, { night: 'cold' })).status, 400);
    });

    it('switches the heating system off and on', async () => {
      const path = `/thermal/housings/${H}/thermal-control/heating-system-state`;
      assert.equal((await call('PUT', path, { state: 'off' })).status, 200);
      const details = asObject((await call('GET', `/thermal/housings/${H}/thermal-details`)).body);
      assert.equal(details.heating_system_state, 'off');
      for (const zone of asArray(details.zones).map(asObject)) assert.equal(zone.heating_status, 'cooling');
      assert.equal((await call('PUT', path, { state: 'maybe' })).status, 400);
      assert.equal((await call('PUT', path, { state: 'on' })).status, 200);
    });
  });

  describe('whole-house modes', () => {
    const control = (what: string, housing: string = H): string => `/thermal/housings/${housing}/thermal-control/${what}`;
    const details = async (housing: string = H): Promise<Json> => asObject((await call('GET', `/thermal/housings/${housing}/thermal-details`)).body);
    const events = async (housing: string = H): Promise<Json> => asObject((await details(housing)).events);
    const setPoints = async (housing: string = H): Promise<unknown[]> =>
      asArray((await details(housing)).zones).map((z) => asObject(asObject(z).set_point).instruction);
    const iso = (ms: number): string => new Date(ms).toISOString();
    const DAY = 24 * 60 * MINUTE;
    const SCHEDULED = ['presence_1', 'comfort', 'eco'];
    // Moves the emulator clock; tokens last 1 h, so a jump of days needs a new one.
    const moveClockTo = async (at: number): Promise<void> => {
      clock = at;
      token = await emu.login();
    };

    it('starts a leave-home now as events.time_shift {begin_at}, and ends it with DELETE', async () => {
      const posted = await call('POST', control('leave-home'));
      assert.equal(posted.status, 200);
      assert.match(posted.headers.get('content-type') ?? '', /application\/json/);
      assert.deepEqual(asObject(posted.body).events, { time_shift: { begin_at: comapTimestamp(START) } });
      assert.deepEqual(await events(), { time_shift: { begin_at: comapTimestamp(START) } });
      assert.deepEqual(await setPoints(), ['away', 'eco', 'eco']);
      clock += 5 * MINUTE;
      assert.equal((await call('POST', control('leave-home'))).status, 200);
      assert.deepEqual(await events(), { time_shift: { begin_at: comapTimestamp(START) } }, 'a second POST keeps the first start');
      const deleted = await call('DELETE', control('leave-home'));
      assert.equal(deleted.status, 200);
      assert.deepEqual(asObject(deleted.body).events, {});
      assert.deepEqual(await events(), {});
      assert.deepEqual(await setPoints(), SCHEDULED);
      assert.deepEqual(
        emu.state.modeWrites().map((w) => w.method),
        ['POST', 'POST', 'DELETE'],
      );
    });

    it('answers DELETE leave-home / absence without one with 200, or 404 with the deleteWithoutMode knob', async () => {
      assert.equal((await call('DELETE', control('leave-home'))).status, 200);
      assert.equal((await call('DELETE', control('absence'))).status, 200);
      emu.state.deleteWithoutMode = 404;
      assert.equal((await call('DELETE', control('leave-home'))).status, 404);
      assert.equal((await call('DELETE', control('absence'))).status, 404);
      assert.equal(emu.state.modeWrites().length, 2);
      emu.reset();
      assert.equal(emu.state.deleteWithoutMode, 'ok');
    });

    it('plans a holiday as events.absence {id, begin_at, end_at}, runs it, and ends it by itself at end_at', async () => {
      const begin = START + DAY;
      const end = START + 8 * DAY;
      const posted = await call('POST', control('absence'), { begin_at: iso(begin), end_at: iso(end) });
      assert.equal(posted.status, 200);
      const absence = { id: 'a-0001', begin_at: comapTimestamp(begin), end_at: comapTimestamp(end) };
      assert.deepEqual(asObject(posted.body).events, { absence });
      assert.deepEqual(await events(), { absence }, 'planned: shown before it starts');
      assert.deepEqual(await setPoints(), SCHEDULED, 'planned: the schedule still runs');
      await moveClockTo(begin);
      assert.deepEqual(await events(), { absence });
      assert.deepEqual(await setPoints(), ['frost_protection', 'frost_protection', 'frost_protection']);
      assert.equal(asObject(asArray((await details()).zones)[0]).heating_status, 'cooling');
      await moveClockTo(end - 1);
      assert.deepEqual(await events(), { absence });
      await moveClockTo(end);
      assert.deepEqual(await events(), {});
      assert.deepEqual(await setPoints(), SCHEDULED);
      assert.equal((await call('DELETE', control('absence'))).status, 200, 'nothing left to cancel');
    });

    it('takes offsets other than Z, keeps a given id, and replaces the holiday in place', async () => {
      const first = await call('POST', control('absence'), { begin_at: '2026-11-24T09:00:00.000+01:00', end_at: '2026-11-25T09:00+01:00' });
      assert.equal(first.status, 200);
      assert.deepEqual(asObject(await events()).absence, {
        id: 'a-0001',
        begin_at: comapTimestamp(Date.UTC(2026, 10, 24, 8)),
        end_at: comapTimestamp(Date.UTC(2026, 10, 25, 8)),
      });
      assert.equal((await call('POST', control('absence'), { id: 'melec-7', begin_at: iso(START), end_at: iso(START + DAY) })).status, 200);
      assert.deepEqual(await events(), { absence: { id: 'melec-7', begin_at: comapTimestamp(START), end_at: comapTimestamp(START + DAY) } });
    });

    it('refuses bad, missing or inverted absence dates with 400 and changes nothing', async () => {
      const bodies: unknown[] = [
        { begin_at: iso(START) },
        { end_at: iso(START + DAY) },
        { begin_at: 'tomorrow', end_at: iso(START + DAY) },
        { begin_at: '2026-11-24', end_at: '2026-11-30' },
        { begin_at: '2026-11-24T08:00:00', end_at: '2026-11-30T08:00:00' },
        { begin_at: iso(START), end_at: 1_800_000_000_000 },
        { begin_at: iso(START + DAY), end_at: iso(START + DAY) },
        { begin_at: iso(START + 2 * DAY), end_at: iso(START + DAY) },
        { begin_at: iso(START - 2 * DAY), end_at: iso(START - DAY) },
        [],
        'not json',
      ];
      for (const body of bodies) {
        const answer = await call('POST', control('absence'), body);
        assert.equal(answer.status, 400, JSON.stringify(body));
        assert.equal(typeof asObject(answer.body).message, 'string');
      }
      assert.equal((await call('POST', control('absence'))).status, 400, 'no body at all');
      assert.deepEqual(await events(), {});
      assert.equal(emu.state.writes.length, 0);
    });

    it('takes {} as a holiday from now with no end, until cancelled', async () => {
      const answer = await call('POST', control('absence'), {});
      assert.equal(answer.status, 200);
      assert.deepEqual(await events(), { absence: { id: 'a-0001', begin_at: comapTimestamp(START), end_at: null } });
      await moveClockTo(START + 400 * DAY);
      assert.deepEqual(await setPoints(), ['frost_protection', 'frost_protection', 'frost_protection']);
      assert.equal((await call('DELETE', control('absence'))).status, 200);
      assert.deepEqual(await events(), {});
    });

    it('cancels a planned holiday with DELETE absence', async () => {
      await call('POST', control('absence'), { begin_at: iso(START + DAY), end_at: iso(START + 2 * DAY) });
      const deleted = await call('DELETE', control('absence'));
      assert.equal(deleted.status, 200);
      assert.deepEqual(asObject(deleted.body).events, {});
      await moveClockTo(START + DAY);
      assert.deepEqual(await events(), {});
      assert.deepEqual(await setPoints(), SCHEDULED);
    });

    it('comes back home: ends a leave-home and a running holiday, keeps a planned one (knob: cancels it too)', async () => {
      await call('POST', control('leave-home'));
      await call('POST', control('absence'), { begin_at: iso(START), end_at: iso(START + DAY) });
      assert.deepEqual(Object.keys(await events()), ['absence', 'time_shift']);
      const back = await call('POST', control('come-back-home'));
      assert.equal(back.status, 200);
      assert.deepEqual(asObject(back.body).events, {});
      assert.deepEqual(await setPoints(), SCHEDULED);

      await call('POST', control('leave-home'));
      await call('POST', control('absence'), { begin_at: iso(START + DAY), end_at: iso(START + 2 * DAY) });
      assert.equal((await call('POST', control('come-back-home'))).status, 200);
      assert.deepEqual(Object.keys(await events()), ['absence'], 'the planned holiday stays');
      assert.equal((await call('POST', control('come-back-home'))).status, 200, 'nothing to end: 200');

      emu.state.comeBackHomeCancelsPlanned = true;
      assert.equal((await call('POST', control('come-back-home'))).status, 200);
      assert.deepEqual(await events(), {});
    });

    it('accepts DELETE come-back-home and changes nothing', async () => {
      await call('POST', control('leave-home'));
      const answer = await call('DELETE', control('come-back-home'));
      assert.equal(answer.status, 200);
      assert.deepEqual(Object.keys(await events()), ['time_shift']);
    });

    it('keeps set points while the heating system is off, every zone idle', async () => {
      const answer = await call('PUT', control('heating-system-state'), { state: 'off' });
      assert.equal(answer.status, 200);
      assert.equal(asObject(answer.body).heating_system_state, 'off');
      assert.deepEqual(await setPoints(), SCHEDULED);
      for (const zone of asArray((await details()).zones).map(asObject)) assert.equal(zone.heating_status, 'cooling');
      assert.equal((await call('PUT', control('heating-system-state'))).status, 400);
      assert.equal((await call('PUT', control('heating-system-state'), { state: 'summer' })).status, 400);
    });

    it('answers PATCH custom-temperatures with the updated presets', async () => {
      const answer = await call('PATCH', `/thermal/housings/${H}/custom-temperatures`, { presence_2: 18.5, night: 16.5, frost_protection: 8 });
      assert.equal(answer.status, 200);
      const presets = asObject(answer.body);
      assert.equal(presets.night, 16.5);
      assert.equal(presets.frost_protection, 8);
      assert.equal(asObject(presets.connected).presence_2, 18.5);
      assert.equal((await call('PATCH', `/thermal/housings/${H}/custom-temperatures`, { connected: { presence_1: 19 } })).status, 400, 'nested keys are the deprecated PUT shape');
    });

    it('keeps showing the previous modes for modeShowDelayReads reads after a mode write', async () => {
      emu.state.modeShowDelayReads = 2;
      const posted = await call('POST', control('leave-home'));
      assert.equal(posted.status, 200);
      assert.deepEqual(asObject(posted.body).events, {}, 'the answer shows what reads show');
      assert.deepEqual(await events(), {});
      assert.deepEqual(asObject(await zoneDetails(Z.sejour)).set_point, { instruction: 'presence_1' }, 'a zone read counts too');
      assert.deepEqual(await events(), { time_shift: { begin_at: comapTimestamp(START) } });

      assert.equal((await call('PUT', control('heating-system-state'), { state: 'off' })).status, 200);
      assert.equal((await details()).heating_system_state, 'on');
      assert.equal((await call('DELETE', control('leave-home'))).status, 200);
      // A second write restarts the window; reads still show the modes before the first one.
      assert.equal((await details()).heating_system_state, 'on');
      const stale = await details();
      assert.equal(stale.heating_system_state, 'on');
      assert.deepEqual(stale.events, { time_shift: { begin_at: comapTimestamp(START) } });
      const fresh = await details();
      assert.equal(fresh.heating_system_state, 'off');
      assert.deepEqual(fresh.events, {});

      emu.reset();
      assert.equal(emu.state.modeShowDelayReads, 0);
      assert.equal((await call('POST', control('absence'), {})).status, 200);
      assert.ok(asObject(await events()).absence, 'no delay after reset()');
    });

    it('sets modes directly with setHouseModes, without a write', async () => {
      emu.state.setHouseModes(H, { away: true, holiday: { beginAt: START + DAY, endAt: null }, heatingSystem: 'off' });
      const seeded = await details();
      assert.equal(seeded.heating_system_state, 'off');
      assert.deepEqual(seeded.events, { absence: { id: 'a-0001', begin_at: comapTimestamp(START + DAY), end_at: null }, time_shift: { begin_at: comapTimestamp(START) } });
      emu.state.setHouseModes(H, { away: false, holiday: null });
      assert.deepEqual(await events(), {});
      assert.equal(emu.state.writes.length, 0);
    });

    it('answers 404 for another account’s housing and leaves it alone', async () => {
      emu.addUser({ username: 'chalet@example.com', password: 'pw', housingIds: [CHALET] });
      const other = await emu.login('chalet@example.com', 'pw');
      assert.equal((await call('POST', control('leave-home'), undefined, other)).status, 404);
      assert.equal((await call('POST', control('absence'), {}, other)).status, 404);
      assert.deepEqual(await events(), {});
      assert.equal((await call('POST', control('leave-home', CHALET), undefined, other)).status, 200);
      assert.deepEqual(await setPoints(CHALET), ['away']);
    });

    it('shows a zone’s open window with the setOpenWindow knob', async () => {
      emu.state.setOpenWindow(Z.chambres);
      const zones = asArray((await details()).zones).map(asObject);
      assert.deepEqual(
        zones.map((z) => z.open_window),
        [false, true, false],
      );
      emu.state.setOpenWindow(Z.chambres, false);
      assert.equal((await zoneDetails(Z.chambres)).open_window, false);
      emu.state.setOpenWindow(Z.sdb);
      emu.reset();
      assert.equal((await zoneDetails(Z.sdb)).open_window, false);
    });

    it('shows next_timeslot (preset or °C on the thermostat zone, an order on pilot-wire zones) and transmission_error per zone', async () => {
      for (const housing of [H, CHALET]) {
        for (const zone of asArray((await details(housing)).zones).map(asObject)) {
          assert.equal(zone.transmission_error, false, String(zone.id));
          const next = asObject(zone.next_timeslot);
          assert.ok(Date.parse(String(next.begin_at)) > clock, String(zone.id));
          const instruction = asObject(next.set_point).instruction;
          if (zone.set_point_type === 'pilot_wire') assert.ok(PILOT_WIRE_ORDERS.includes(String(instruction)), `${String(zone.id)}: ${String(instruction)}`);
          else assert.ok(typeof instruction === 'number' || THERMOSTAT_PRESETS.includes(String(instruction)), `${String(zone.id)}: ${String(instruction)}`);
        }
      }
      assert.deepEqual(asObject((await zoneDetails(Z.sejour)).next_timeslot).set_point, { instruction: 'night' });
      assert.deepEqual(asObject((await zoneDetails(Z.chambres)).next_timeslot).set_point, { instruction: 'eco' });
    });
  });

  describe('state knobs', () => {
    it('reports a transmission error without live fields', async () => {
      emu.state.setTransmissionError(Z.sejour);
      const zone = await zoneDetails(Z.sejour);
      assert.equal(zone.transmission_error, true);
      assert.ok(asArray(zone.errors).length > 0);
      assert.ok(!('temperature' in zone));
      emu.state.setTransmissionError(Z.sejour, false);
      assert.equal((await zoneDetails(Z.sejour)).temperature, 20.4);
    });

    it('reports null presence', async () => {
      emu.state.nullPresence = true;
      assert.equal((await zoneDetails(Z.sejour)).last_presence_detected, null);
    });

    it('moves measures on tick()', async () => {
      clock += 30_000;
      emu.state.tick();
      const zone = await zoneDetails(Z.sejour);
      assert.notEqual(zone.temperature, 20.4);
      assert.notEqual(zone.humidity, 47);
      assert.equal(Date.parse(String(zone.last_transmission)), clock);
    });
  });

  describe('fault knobs and request log', () => {
    it('answers 5xx as an HTML page, then recovers', async () => {
      emu.server.faults.status5xxCount = 1;
      const failed = await call('GET', '/park/housings');
      assert.equal(failed.status, 503);
      assert.match(failed.headers.get('content-type') ?? '', /text\/html/);
      assert.equal((await call('GET', '/park/housings')).status, 200);
    });

    it('answers 429 with Retry-After', async () => {
      emu.server.faults.rateLimitCount = 1;
      emu.server.faults.retryAfterS = 7;
      const answer = await call('GET', '/park/housings');
      assert.equal(answer.status, 429);
      assert.equal(answer.headers.get('retry-after'), '7');
    });

    it('resets the connection', async () => {
      emu.server.faults.resetCount = 1;
      await assert.rejects(call('GET', '/park/housings'));
      assert.equal((await call('GET', '/park/housings')).status, 200);
    });

    it('sends malformed JSON and HTML with status 200', async () => {
      emu.server.faults.malformedCount = 1;
      const malformed = await call('GET', `/thermal/housings/${H}/thermal-details`);
      assert.equal(malformed.status, 200);
      assert.equal(malformed.body, undefined);
      emu.server.faults.htmlCount = 1;
      const html = await call('GET', `/thermal/housings/${H}/thermal-details`);
      assert.equal(html.status, 200);
      assert.match(html.text, /<html>/);
    });

    it('limits faults to matching paths', async () => {
      emu.server.faults.status5xxCount = 1;
      emu.server.faults.match = '/programs';
      assert.equal((await call('GET', `/thermal/housings/${H}/thermal-details`)).status, 200);
      assert.equal((await call('GET', `/thermal/housings/${H}/programs`)).status, 503);
      emu.server.resetFaults();
      assert.equal(emu.server.faults.status5xxCount, 0);
    });

    it('resets everything between tests sharing one emulator', async () => {
      await call('POST', zonePath(Z.sdb), { duration: 120, set_point: { instruction: 'comfort' } });
      emu.server.faults.status5xxCount = 5;
      emu.staleTokenStatus = 403;
      emu.reset();
      assert.equal(emu.cognito.stats.passwordLogins, 0);
      assert.equal(emu.server.log.length, 0);
      assert.equal(emu.state.writes.length, 0);
      assert.equal(emu.staleTokenStatus, 401);
      assert.deepEqual((await zoneDetails(Z.sdb)).set_point, { instruction: 'eco' });
    });

    it('logs every request with its status', async () => {
      emu.server.clearLog();
      await call('GET', `/thermal/housings/${H}/thermal-details`);
      await call('POST', zonePath(Z.sdb), { duration: 120, set_point: { instruction: 'comfort' } });
      await call('GET', '/park/housings', undefined, null);
      assert.deepEqual(
        emu.server.log.map((r) => [r.method, r.path, r.status]),
        [
          ['GET', `/thermal/housings/${H}/thermal-details`, 200],
          ['POST', zonePath(Z.sdb), 200],
          ['GET', '/park/housings', 401],
        ],
      );
      assert.equal(emu.server.log[0].headers.authorization, `Bearer ${token}`);
      assert.deepEqual(emu.server.requests('temporary-instruction', 'POST')[0].body, { duration: 120, set_point: { instruction: 'comfort' } });
    });
  });
});
