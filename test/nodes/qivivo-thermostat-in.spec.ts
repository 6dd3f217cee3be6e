import assert from 'node:assert/strict';
import { ComapEmulator } from '../../src/emulator/comap';
import { COMAP_IDS, comapFixture, ComapFixture } from '../../src/emulator/comap/fixture';
import { collect, during, flowWith, helper, load, node } from '../support/flow';

interface StateMsg {
  topic: string;
  payload: Record<string, unknown> & { zones: Array<Record<string, unknown>> };
}

describe('qivivo-thermostat-in', function () {
  this.timeout(15_000);
  const emulator = new ComapEmulator();

  before(() => emulator.start());
  after(() => emulator.stop());
  beforeEach(() => emulator.reset());
  afterEach(() => helper.unload());

  it('emits the whole heating state on input (spec §3.1)', async () => {
    await load(flowWith(emulator, { id: 'n1', type: 'qivivo-thermostat-in', output: 'state', onlyChanges: false }));
    const out = collect<StateMsg>('out', 1);
    node('n1').receive({ payload: 'go' });
    const [msg] = await out;
    assert.equal(msg.topic, 'qivivo/Maison');
    const s = msg.payload;
    assert.deepEqual(s.housing, { id: COMAP_IDS.maison, name: 'Maison' });
    assert.equal(typeof s.temperature, 'number');
    assert.equal(typeof s.humidity, 'number');
    assert.equal(typeof s.setpoint, 'number', 'preset resolved to °C');
    assert.equal(s.instruction, 'presence_1');
    assert.equal(s.program, 'Semaine');
    assert.deepEqual((s.programs as unknown[]).length, 2);
    assert.equal((s.thermostat as { battery: number }).battery, 80);
    assert.ok((s.gateway as { serial: string }).serial);
    assert.deepEqual(s.temporary, { active: false });
    for (const key of ['lastPresence', 'heating', 'heatingSystem', 'updatedAt']) assert.ok(key in s, key);
    const zones = s.zones;
    assert.equal(zones[0].kind, 'thermostat');
    const chambres = zones.find((z) => z.name === 'Chambres');
    assert.ok(chambres);
    assert.equal(chambres.kind, 'pilot-wire');
    assert.equal(chambres.orderName, 'Confort');
    assert.equal(chambres.order, 5);
    assert.ok(Array.isArray(chambres.modules) && (chambres.modules as string[]).length > 0);
    assert.match(String(s.updatedAt), /Z$/);
  });

  it('emits one message per value with output "values"', async () => {
    await load(flowWith(emulator, { id: 'n1', type: 'qivivo-thermostat-in', output: 'values', onlyChanges: false }));
    const out = collect<{ topic: string; payload: unknown }>('out', 5);
    node('n1').receive({});
    const msgs = await out;
    assert.equal(msgs[0].topic, 'temperature');
    assert.equal(typeof msgs[0].payload, 'number');
    const all = [...msgs, ...(await during<{ topic: string; payload: unknown }>('out', 200))];
    assert.ok(all.some((m) => m.topic === 'zone/Chambres/order' && m.payload === 5));
    assert.ok(all.every((m) => m.payload !== null && typeof m.payload !== 'object'));
  });

  it('polls once per cycle for any number of nodes on one account', async () => {
    const loginsBefore = emulator.cognito.stats.passwordLogins;
    const flow = flowWith(emulator, { id: 'n0', type: 'qivivo-thermostat-in', output: 'state' }, { pollInterval: 0.01 });
    for (let i = 1; i < 10; i++) flow.push({ id: `n${i}`, type: 'qivivo-thermostat-in', z: 'tab', account: 'acct', housing: '', output: 'state', wires: [['out'], ['err']] });
    await load(flow);
    await collect<StateMsg>('out', 30, 10_000);
    const details = emulator.server.requests('/thermal-details').length;
    const logins = emulator.cognito.stats.passwordLogins - loginsBefore;
    assert.ok(details >= 3 && details <= 4, `thermal-details requests: ${details} for 30 messages`);
    assert.equal(logins, 1);
    const perCycle = emulator.server.log.filter((r) => r.method === 'GET').length / details;
    assert.ok(perCycle < 3, `requests per cycle ${perCycle}`);
  });

  it('emits only changes with onlyChanges', async () => {
    const flow = flowWith(emulator, { id: 'n1', type: 'qivivo-thermostat-in', output: 'values', onlyChanges: true }, { pollInterval: 0.005 });
    await load(flow);
    const first = await during<{ topic: string }>('out', 1000);
    assert.ok(first.length >= 5, 'the first poll sends every value');
    assert.ok(emulator.server.requests('/thermal-details').length >= 2);
    const quiet = await during<{ topic: string }>('out', 600);
    assert.deepEqual(quiet, [], 'nothing changed, nothing sent');
    emulator.state.setTemperature(COMAP_IDS.zones.sejour, 23.1);
    const changed = await during<{ topic: string; payload: unknown }>('out', 700);
    assert.ok(changed.some((m) => m.topic === 'temperature' && m.payload === 23.1));
    assert.ok(!changed.some((m) => ['humidity', 'program', 'setpoint', 'zone/Chambres/order'].includes(m.topic)), JSON.stringify(changed));
  });

  it('pauses and resumes automatic polling', async () => {
    await load(flowWith(emulator, { id: 'n1', type: 'qivivo-thermostat-in', output: 'state' }, { pollInterval: 0.005 }));
    await collect('out', 1);
    node('n1').receive({ topic: 'pause' });
    await new Promise((r) => setTimeout(r, 100));
    const before = emulator.server.requests('/thermal-details').length;
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(emulator.server.requests('/thermal-details').length, before);
    node('n1').receive({ topic: 'resume' });
    await collect('out', 1);
  });

  it('dumps raw cloud data without secrets on topic "debug"', async () => {
    await load(flowWith(emulator, { id: 'n1', type: 'qivivo-thermostat-in', output: 'state' }));
    const out = collect<{ topic: string; payload: unknown }>('out', 1);
    node('n1').receive({ topic: 'debug' });
    const [msg] = await out;
    assert.equal(msg.topic, 'debug');
    const text = JSON.stringify(msg.payload);
    assert.ok(text.includes('thermal_details') || text.includes('zones'));
    assert.ok(!text.includes('demo@example.com') && !text.includes('demo-password'));
    const token = emulator.server.requests('/park/housings')[0].headers.authorization as string;
    assert.ok(!text.includes(token.slice(7)));
  });

  it('sends AUTH_FAILED on the error output for a wrong password', async () => {
    await load(flowWith(emulator, { id: 'n1', type: 'qivivo-thermostat-in', output: 'state' }), { acct: { username: 'demo@example.com', password: 'wrong' } });
    const err = collect<{ error: { code: string; message: string; attempts: number; source: { id: string; type: string } } }>('err', 1);
    node('n1').receive({ payload: 1 });
    const [msg] = await err;
    assert.equal(msg.error.code, 'AUTH_FAILED');
    assert.equal(msg.error.source.id, 'n1');
    assert.equal(msg.error.source.type, 'qivivo-thermostat-in');
    assert.ok(!msg.error.message.includes('wrong'));
  });

  it('reports an error after 3 failed poll cycles and recovers', async () => {
    await load(flowWith(emulator, { id: 'n1', type: 'qivivo-thermostat-in', output: 'state' }, { pollInterval: 0.005 }));
    await collect('out', 1);
    emulator.server.faults.match = '/thermal-details';
    emulator.server.faults.status5xxCount = 1000;
    const err = collect<{ error: { code: string; attempts: number } }>('err', 1, 10_000);
    const [msg] = await err;
    assert.equal(msg.error.code, 'UNAVAILABLE');
    assert.equal(msg.error.attempts, 3);
    emulator.server.resetFaults();
    await collect('out', 1, 5_000);
  });

  it('says NOT_FOUND for a housing the account does not have', async () => {
    await load(flowWith(emulator, { id: 'n1', type: 'qivivo-thermostat-in', housing: 'nope', output: 'state' }));
    const err = collect<{ error: { code: string } }>('err', 1);
    node('n1').receive({});
    assert.equal((await err)[0].error.code, 'NOT_FOUND');
  });

  it('reports a missing account instead of crashing', async () => {
    await load([{ id: 'tab', type: 'tab' }, { id: 'n1', type: 'qivivo-thermostat-in', z: 'tab', account: '', wires: [['out'], ['err']] }, { id: 'out', type: 'helper', z: 'tab' }, { id: 'err', type: 'helper', z: 'tab' }]);
    const err = collect<{ error: { code: string } }>('err', 1);
    node('n1').receive({});
    assert.equal((await err)[0].error.code, 'INVALID_INPUT');
  });

  describe('what 0.2 adds to the state (spec §7.2, §7.4)', () => {
    type Zone = Record<string, unknown>;
    const zoneOf = (msg: StateMsg, name: string): Zone => {
      const found = msg.payload.zones.find((z) => z.name === name);
      assert.ok(found, name);
      return found;
    };

    async function readState(housing = ''): Promise<StateMsg> {
      await load(flowWith(emulator, { id: 'n1', type: 'qivivo-thermostat-in', housing, output: 'state', onlyChanges: false }));
      const out = collect<StateMsg>('out', 1);
      node('n1').receive({});
      return (await out)[0];
    }

    /** The seed data with one change, at a fixed time so that two of them differ only by it. */
    function fixture(edit: (f: ComapFixture) => void = () => undefined, base = comapFixture()): ComapFixture {
      const copy = structuredClone(base);
      edit(copy);
      return copy;
    }
    const openWindowInChambres = (f: ComapFixture): void => {
      for (const zone of f.housings[0].zones) if (zone.id === COMAP_IDS.zones.chambres) zone.open_window = true;
    };

    it('shows the mode, the presets in °C and per zone the next slot, open window, transmission error and schedule', async () => {
      const msg = await readState();
      const s = msg.payload;
      assert.deepEqual(s.mode, { away: false, holiday: null, heatingSystem: 'on' });
      assert.deepEqual(s.presets, { presence1: 20.5, presence2: 20, presence3: 19.5, presence4: 19, night: 17, away: 16, frostProtection: 7 });
      const sejour = zoneOf(msg, 'Séjour');
      assert.equal(sejour.openWindow, false);
      assert.equal(sejour.transmissionError, false);
      assert.deepEqual(sejour.schedule, { id: COMAP_IDS.schedules.sejourSemaine, name: 'Séjour semaine' });
      const next = sejour.next as { at: string; setpoint: number };
      assert.equal(next.setpoint, 17, 'the next preset ("night") in °C');
      assert.match(next.at, /^\d{4}-\d\d-\d\dT\d\d:00:00\.000Z$/);
      assert.ok(Date.parse(next.at) > Date.now());
      const chambres = zoneOf(msg, 'Chambres');
      assert.deepEqual(chambres.schedule, { id: COMAP_IDS.schedules.filPiloteConfort, name: 'Chambres confort' });
      assert.deepEqual(chambres.next, { at: next.at, order: 2, orderName: 'Eco' });
      assert.equal((zoneOf(msg, 'Salle de bain').next as { order: number }).order, 5, 'the next order ("comfort") as its number');
    });

    it('gives null for a preset the cloud has no temperature for', async () => {
      const msg = await readState(COMAP_IDS.chalet);
      assert.deepEqual(msg.payload.presets, { presence1: 19.5, presence2: 19, presence3: 18.5, presence4: null, night: 16, away: 14, frostProtection: 7 });
      assert.deepEqual(zoneOf(msg, 'Chalet').schedule, { id: COMAP_IDS.schedules.chaletAbsent, name: 'Absent' });
    });

    it('shows an open window, and a transmission error with the window unknown (null)', async () => {
      emulator.state.reset(fixture(openWindowInChambres));
      emulator.state.setTransmissionError(COMAP_IDS.zones.sejour);
      const msg = await readState();
      assert.equal(zoneOf(msg, 'Chambres').openWindow, true);
      assert.equal(zoneOf(msg, 'Chambres').transmissionError, false);
      assert.equal(zoneOf(msg, 'Séjour').transmissionError, true);
      assert.equal(zoneOf(msg, 'Séjour').openWindow, null, 'left out by the cloud: null, not false');
    });

    it('shows the heating system off in the mode', async () => {
      emulator.state.setHeatingSystemState(COMAP_IDS.maison, { state: 'off' });
      const msg = await readState();
      assert.deepEqual(msg.payload.mode, { away: false, holiday: null, heatingSystem: 'off' });
    });

    it('shows a leave-home, then a running holiday, in the mode and in the values', async () => {
      const token = await emulator.login();
      const control = async (path: string, body?: unknown): Promise<void> => {
        const url = `${emulator.apiUrl}/thermal/housings/${COMAP_IDS.maison}/thermal-control/${path}`;
        const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
        const response = await fetch(url, { method: 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
        assert.equal(response.status, 200, path);
      };
      const flow = flowWith(emulator, { id: 'n1', type: 'qivivo-thermostat-in', output: 'state', onlyChanges: false });
      flow.push({ id: 'v1', type: 'qivivo-thermostat-in', z: 'tab', account: 'acct', housing: '', output: 'values', onlyChanges: false, wires: [['values'], ['err']] });
      flow.push({ id: 'values', type: 'helper', z: 'tab' });
      // A fresh deploy for each read: a read on demand may be served from the last 30 s.
      const read = async () => {
        await helper.unload();
        await load(flow);
        const out = collect<StateMsg>('out', 1);
        node('n1').receive({});
        const [msg] = await out;
        node('v1').receive({});
        const values = new Map((await during<{ topic: string; payload: unknown }>('values', 300)).map((m) => [m.topic, m.payload]));
        return { mode: msg.payload.mode, values };
      };

      await control('leave-home');
      const away = await read();
      assert.deepEqual(away.mode, { away: true, holiday: null, heatingSystem: 'on' });
      assert.equal(away.values.get('mode'), 'away');
      assert.equal(away.values.get('away'), true);
      assert.ok(!away.values.has('holiday'));

      const from = new Date(Date.now() - 3_600_000).toISOString();
      const to = new Date(Date.now() + 7 * 86_400_000).toISOString();
      await control('absence', { begin_at: from, end_at: to });
      const holiday = await read();
      assert.deepEqual(holiday.mode, { away: true, holiday: { from, to }, heatingSystem: 'on' });
      assert.equal(holiday.values.get('mode'), 'holiday', 'a running holiday wins over the leave-home');
      assert.equal(holiday.values.get('holiday'), to);
    });

    it('shows the schedule a program node just gave the zone', async () => {
      const flow = flowWith(emulator, { id: 'n1', type: 'qivivo-thermostat-in', housing: COMAP_IDS.chalet, output: 'state', onlyChanges: false });
      flow.push({ id: 'p1', type: 'qivivo-program', z: 'tab', account: 'acct', housing: COMAP_IDS.chalet, retries: 1, retryDelay: 90, wires: [['out'], ['err']] });
      await load(flow);
      let out = collect<StateMsg>('out', 1);
      node('n1').receive({});
      assert.equal((zoneOf((await out)[0], 'Chalet').schedule as { name: string }).name, 'Absent');
      out = collect<StateMsg>('out', 1);
      node('p1').receive({ payload: 'Confort matin' });
      await out;
      out = collect<StateMsg>('out', 1);
      node('n1').receive({});
      assert.deepEqual(zoneOf((await out)[0], 'Chalet').schedule, { id: COMAP_IDS.schedules.chaletConfortMatin, name: 'Confort matin' });
    });

    it('sends mode, away and per zone next and openWindow with output "values"', async () => {
      emulator.state.setHeatingSystemState(COMAP_IDS.maison, { state: 'off' });
      await load(flowWith(emulator, { id: 'n1', type: 'qivivo-thermostat-in', output: 'values', onlyChanges: false }));
      node('n1').receive({});
      const all = new Map((await during<{ topic: string; payload: unknown }>('out', 500)).map((m) => [m.topic, m.payload]));
      assert.equal(all.get('mode'), 'off');
      assert.equal(all.get('away'), false);
      assert.ok(!all.has('holiday'), 'no holiday planned: nothing sent');
      assert.equal(all.get('zone/Séjour/next'), 17);
      assert.equal(all.get('zone/Chambres/next'), 2);
      assert.equal(all.get('zone/Salle de bain/next'), 5);
      assert.equal(all.get('zone/Séjour/openWindow'), false);
      assert.equal(all.get('zone/Chambres/openWindow'), false);
    });

    it('emits only changes, including an open window (values) and a transmission error (state)', async () => {
      // A still clock: the next timeslot's start cannot move on during the test.
      const frozen = Date.now();
      const still = new ComapEmulator({ now: () => frozen });
      await still.start();
      try {
        const base = fixture(undefined, comapFixture(frozen));
        still.state.reset(base);
        await load(flowWith(still, { id: 'n1', type: 'qivivo-thermostat-in', output: 'values', onlyChanges: true }, { pollInterval: 0.005 }));
        await during('out', 800);
        assert.deepEqual(await during('out', 600), [], 'nothing changed, nothing sent');
        still.state.reset(fixture(openWindowInChambres, base));
        const changed = await during<{ topic: string; payload: unknown }>('out', 700);
        assert.deepEqual(changed.map((m) => [m.topic, m.payload]), [['zone/Chambres/openWindow', true]]);
        await helper.unload();

        still.state.reset(base);
        await load(flowWith(still, { id: 'n2', type: 'qivivo-thermostat-in', output: 'state', onlyChanges: true }, { pollInterval: 0.005 }));
        await during('out', 800);
        assert.deepEqual(await during('out', 600), [], 'nothing changed, nothing sent');
        // A pilot-wire zone has no measures: the error is all that changes in its state.
        still.state.setTransmissionError(COMAP_IDS.zones.chambres);
        const states = await during<StateMsg>('out', 700);
        assert.equal(states.length, 1);
        assert.equal(zoneOf(states[0], 'Chambres').transmissionError, true);
      } finally {
        await helper.unload();
        await still.stop();
      }
    });
  });
});
