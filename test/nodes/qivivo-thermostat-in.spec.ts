import assert from 'node:assert/strict';
import { ComapEmulator } from '../../src/emulator/comap';
import { COMAP_IDS } from '../../src/emulator/comap/fixture';
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
});
