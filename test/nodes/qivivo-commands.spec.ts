import assert from 'node:assert/strict';
import { ComapEmulator } from '../../src/emulator/comap';
import { COMAP_IDS } from '../../src/emulator/comap/fixture';
import { collect, DEMO, during, flowWith, helper, load, node } from '../support/flow';
import { TimerTracker } from '../support/timer-tracker';

interface ErrorMsg {
  payload: unknown;
  error: { code: string; message: string; attempts: number; source: { id: string; type: string; name: string } };
}
interface ResultMsg {
  payload: Record<string, unknown>;
  topic?: string;
}

const sejour = COMAP_IDS.zones.sejour;
const chambres = COMAP_IDS.zones.chambres;

describe('Qivivo command nodes', function () {
  this.timeout(15_000);
  const emulator = new ComapEmulator();

  before(() => emulator.start());
  after(() => emulator.stop());
  beforeEach(() => emulator.reset());
  afterEach(() => helper.unload());

  const writes = () => emulator.state.writes.map((w) => `${w.method} ${w.path}`);
  const tempPath = (zone: string) => `/thermal/housings/${COMAP_IDS.maison}/thermal-control/zones/${zone}/temporary-instruction`;

  describe('qivivo-set-temperature', () => {
    const setTemp = (extra: Record<string, unknown> = {}) => ({ id: 'n1', type: 'qivivo-set-temperature', duration: 120, debounce: 0, ...extra });

    it('sets a temporary setpoint and reports it (spec §3.2)', async () => {
      await load(flowWith(emulator, setTemp()));
      const out = collect<ResultMsg>('out', 1);
      node('n1').receive({ payload: 21, topic: 'salon' });
      const [msg] = await out;
      assert.equal(msg.topic, 'salon', 'the original message goes on');
      assert.deepEqual(msg.payload.zone, { id: sejour, name: 'Séjour' });
      assert.equal(msg.payload.setpoint, 21);
      assert.equal(msg.payload.duration, 120);
      assert.match(String(msg.payload.endAt), /^\d{4}-\d\d-\d\dT.*Z$/);
      assert.deepEqual(writes(), [`POST ${tempPath(sejour)}`]);
      assert.deepEqual(emulator.state.writes[0].body, { duration: 120, set_point: { instruction: 21 } });
    });

    it('applies the setpoint set in the node to any message, except "cancel"', async () => {
      await load(flowWith(emulator, setTemp({ setpoint: '19.5' })));
      const out = collect<ResultMsg>('out', 2);
      node('n1').receive({ payload: 1732350000000 });
      await new Promise((r) => setTimeout(r, 200));
      node('n1').receive({ payload: 'cancel' });
      const [set, cancelled] = await out;
      assert.equal(set.payload.setpoint, 19.5);
      assert.equal(cancelled.payload.cancelled, true);
      assert.deepEqual(emulator.state.writes[0].body, { duration: 120, set_point: { instruction: 19.5 } });
    });

    it('refuses a setpoint set in the node outside 5–30 °C, sending nothing', async () => {
      await load(flowWith(emulator, setTemp({ setpoint: '35' })));
      const err = collect<ErrorMsg>('err', 1);
      node('n1').receive({ payload: 21 });
      assert.equal((await err)[0].error.code, 'INVALID_INPUT');
      assert.equal(emulator.server.log.length, 0);
    });

    it('rounds to 0.5 °C and takes msg.duration', async () => {
      await load(flowWith(emulator, setTemp()));
      const out = collect<ResultMsg>('out', 1);
      node('n1').receive({ payload: '19.3', duration: 45 });
      const [msg] = await out;
      assert.equal(msg.payload.setpoint, 19.5);
      assert.deepEqual(emulator.state.writes[0].body, { duration: 45, set_point: { instruction: 19.5 } });
    });

    it('replaces a temporary order already in place (DELETE, then POST)', async () => {
      await load(flowWith(emulator, setTemp()));
      const token = await emulator.login();
      const existing = await fetch(`${emulator.apiUrl}${tempPath(sejour)}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ duration: 60, set_point: { instruction: 18 } }),
      });
      assert.equal(existing.status, 200);
      emulator.state.writes.length = 0;
      const out = collect<ResultMsg>('out', 1);
      node('n1').receive({ payload: 22 });
      await out;
      assert.deepEqual(writes(), [`DELETE ${tempPath(sejour)}`, `POST ${tempPath(sejour)}`]);
    });

    it('cancels a temporary setpoint', async () => {
      await load(flowWith(emulator, setTemp()));
      const out = collect<ResultMsg>('out', 2);
      node('n1').receive({ payload: 21 });
      await new Promise((r) => setTimeout(r, 200));
      node('n1').receive({ payload: 'cancel' });
      const [, cancelled] = await out;
      assert.deepEqual(cancelled.payload, { zone: { id: sejour, name: 'Séjour' }, cancelled: true });
      assert.deepEqual(writes(), [`POST ${tempPath(sejour)}`, `DELETE ${tempPath(sejour)}`]);
    });

    for (const bad of [35, 4, 'hot', null, true, { a: 1 }, [21], '']) {
      it(`refuses ${JSON.stringify(bad)} with INVALID_INPUT and sends nothing`, async () => {
        await load(flowWith(emulator, setTemp()));
        const err = collect<ErrorMsg>('err', 1);
        node('n1').receive({ payload: bad });
        const [msg] = await err;
        assert.equal(msg.error.code, 'INVALID_INPUT');
        assert.equal(msg.error.attempts, 1);
        assert.deepEqual(msg.error.source, { id: 'n1', type: 'qivivo-set-temperature', name: '' });
        assert.deepEqual(await during('out', 100), []);
        assert.equal(emulator.server.log.length, 0, 'no request at all');
      });
    }

    it('refuses a bad msg.duration', async () => {
      await load(flowWith(emulator, setTemp()));
      const err = collect<ErrorMsg>('err', 1);
      node('n1').receive({ payload: 20, duration: 99999 });
      assert.equal((await err)[0].error.code, 'INVALID_INPUT');
      assert.equal(emulator.server.log.length, 0);
    });

    it('sends only the last value of a burst (debounce)', async () => {
      await load(flowWith(emulator, setTemp({ debounce: 300 })));
      const out = collect<ResultMsg>('out', 1);
      for (let i = 0; i < 100; i++) node('n1').receive({ payload: 15 + (i % 10) * 0.5 });
      node('n1').receive({ payload: 23 });
      const [msg] = await out;
      assert.equal(msg.payload.setpoint, 23);
      assert.deepEqual(await during('out', 500), []);
      assert.equal(emulator.state.writes.length, 1);
    });

    it('retries a transient failure after retryDelay, then succeeds', async () => {
      await load(flowWith(emulator, setTemp({ retries: 1, retryDelay: 1 })));
      emulator.server.faults.match = '/temporary-instruction';
      emulator.server.faults.status5xxCount = 1;
      const out = collect<ResultMsg>('out', 1, 5000);
      node('n1').receive({ payload: 20 });
      await new Promise((r) => setTimeout(r, 300));
      const n1 = node('n1') as unknown as { status: { lastCall: { args: Array<{ fill: string }> } } };
      assert.equal(n1.status.lastCall.args[0].fill, 'yellow');
      const [msg] = await out;
      assert.equal(msg.payload.setpoint, 20);
      assert.equal(emulator.state.writes.length, 1, 'applied once');
      assert.equal(n1.status.lastCall.args[0].fill, 'green');
    });

    it('gives up after its retries with the attempt count', async () => {
      await load(flowWith(emulator, setTemp({ retries: 1, retryDelay: 1 })));
      emulator.server.faults.match = '/temporary-instruction';
      emulator.server.faults.status5xxCount = 10;
      const err = collect<ErrorMsg>('err', 1, 5000);
      node('n1').receive({ payload: 20, topic: 'keep me' });
      const [msg] = await err;
      assert.equal(msg.error.code, 'UNAVAILABLE');
      assert.equal(msg.error.attempts, 2);
      assert.equal(msg.payload, 20);
      assert.equal((msg as unknown as { topic: string }).topic, 'keep me');
      assert.equal(emulator.state.writes.length, 0);
    });

    it('keeps a waiting retry across a redeploy without a context store, and applies it once', async () => {
      const flow = flowWith(emulator, setTemp({ retries: 2, retryDelay: 2 }));
      await load(flow);
      emulator.server.faults.match = '/temporary-instruction';
      emulator.server.faults.status5xxCount = 1;
      node('n1').receive({ payload: 18.5 });
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(emulator.state.writes.length, 0);
      await helper.setFlows(flow, 'full', { acct: DEMO });
      const out = collect<ResultMsg>('out', 1, 5000);
      const [msg] = await out;
      assert.equal(msg.payload.setpoint, 18.5);
      await new Promise((r) => setTimeout(r, 2500));
      assert.equal(emulator.state.writes.length, 1, 'applied exactly once');
    });

    it('sends a value still in its debounce window after a redeploy', async () => {
      const flow = flowWith(emulator, setTemp({ debounce: 2000 }));
      await load(flow);
      node('n1').receive({ payload: 22.5 });
      await helper.setFlows(flow, 'full', { acct: DEMO });
      const [msg] = await collect<ResultMsg>('out', 1, 5000);
      assert.equal(msg.payload.setpoint, 22.5);
      assert.equal(emulator.state.writes.length, 1);
    });

    it('logs in once for 20 commands hitting an expired token at once', async () => {
      const flow = flowWith(emulator, setTemp());
      const zoneNodes = ['Chambres', 'Salle de bain'];
      zoneNodes.forEach((zone, i) => flow.push({ id: `z${i}`, type: 'qivivo-zone-order', z: 'tab', account: 'acct', housing: '', zone, duration: 120, retries: 0, retryDelay: 90, wires: [['out'], ['err']] }));
      await load(flow);
      const out = collect<ResultMsg>('out', 1);
      node('n1').receive({ payload: 20 });
      await out;
      emulator.cognito.expireAll();
      const logins = emulator.cognito.stats.passwordLogins + emulator.cognito.stats.refreshes;
      const all = collect<ResultMsg>('out', 20, 10_000);
      for (let i = 0; i < 20; i++) node(`z${i % 2}`).receive({ payload: i % 2 ? 'eco' : 'confort' });
      await all;
      assert.equal(emulator.cognito.stats.passwordLogins + emulator.cognito.stats.refreshes - logins, 1);
    });
  });

  describe('qivivo-zone-order', () => {
    const zoneOrder = (extra: Record<string, unknown> = {}) => ({ id: 'n1', type: 'qivivo-zone-order', zone: '', duration: 120, ...extra });

    it('sets a zone order by name from msg.zone (spec §3.2)', async () => {
      await load(flowWith(emulator, zoneOrder()));
      const out = collect<ResultMsg>('out', 1);
      node('n1').receive({ payload: 'Éco', zone: 'chambres' });
      const [msg] = await out;
      assert.deepEqual(msg.payload.zone, { id: chambres, name: 'Chambres' });
      assert.equal(msg.payload.order, 2);
      assert.equal(msg.payload.orderName, 'Eco');
      assert.equal(msg.payload.duration, 120);
      assert.ok(msg.payload.endAt);
      assert.deepEqual(emulator.state.writes[0].body, { duration: 120, set_point: { instruction: 'eco' } });
    });

    it('uses the configured zone and numbers 0–5', async () => {
      await load(flowWith(emulator, zoneOrder({ zone: chambres })));
      const out = collect<ResultMsg>('out', 1);
      node('n1').receive({ payload: 0 });
      assert.equal((await out)[0].payload.orderName, 'Arrêt');
      assert.deepEqual(emulator.state.writes[0].body, { duration: 120, set_point: { instruction: 'stop' } });
    });

    it('runs commands to one zone one at a time, in order', async () => {
      await load(flowWith(emulator, zoneOrder({ zone: chambres })));
      emulator.server.faults.latencyMs = 50;
      const out = collect<ResultMsg>('out', 3);
      for (const order of ['eco', 'confort', 'hors-gel']) node('n1').receive({ payload: order });
      const msgs = await out;
      assert.deepEqual(msgs.map((m) => m.payload.orderName), ['Eco', 'Confort', 'Hors-Gel']);
      const posts = emulator.state.writes.filter((w) => w.method === 'POST').map((w) => (w.body as { set_point: { instruction: string } }).set_point.instruction);
      assert.deepEqual(posts, ['eco', 'comfort', 'frost_protection']);
    });

    it('refuses an order for the thermostat zone (INVALID_INPUT, nothing written)', async () => {
      await load(flowWith(emulator, zoneOrder()));
      const err = collect<ErrorMsg>('err', 1);
      node('n1').receive({ payload: 'eco', zone: 'Séjour' });
      assert.equal((await err)[0].error.code, 'INVALID_INPUT');
      assert.equal(emulator.state.writes.length, 0);
    });

    it('says NOT_FOUND for an unknown zone, writing nothing', async () => {
      await load(flowWith(emulator, zoneOrder()));
      const err = collect<ErrorMsg>('err', 1);
      node('n1').receive({ payload: 'eco', zone: 'Garage' });
      const [msg] = await err;
      assert.equal(msg.error.code, 'NOT_FOUND');
      assert.equal(msg.error.attempts, 1);
      assert.equal(emulator.state.writes.length, 0);
    });

    for (const [payload, zone] of [['warm', 'Chambres'], [6, 'Chambres'], [NaN, 'Chambres'], ['eco', undefined], ['eco', ''], ['eco', { id: 1 }]] as const) {
      it(`refuses payload ${String(payload)} / zone ${JSON.stringify(zone)} without a request`, async () => {
        await load(flowWith(emulator, zoneOrder()));
        const err = collect<ErrorMsg>('err', 1);
        node('n1').receive({ payload, zone });
        assert.equal((await err)[0].error.code, 'INVALID_INPUT');
        assert.equal(emulator.server.log.length, 0);
      });
    }

    it('cancels a zone order', async () => {
      await load(flowWith(emulator, zoneOrder({ zone: 'Chambres' })));
      const out = collect<ResultMsg>('out', 1);
      node('n1').receive({ payload: 'cancel' });
      assert.deepEqual((await out)[0].payload, { zone: { id: chambres, name: 'Chambres' }, cancelled: true });
    });
  });

  describe('qivivo-program', () => {
    it('activates a program by name, any case (spec §3.2)', async () => {
      await load(flowWith(emulator, { id: 'n1', type: 'qivivo-program' }));
      const out = collect<ResultMsg>('out', 1);
      node('n1').receive({ payload: 'VACANCES' });
      assert.deepEqual((await out)[0].payload, { program: { id: COMAP_IDS.programs.vacances, name: 'Vacances' } });
      assert.deepEqual(writes(), [`POST /thermal/housings/${COMAP_IDS.maison}/programs/${COMAP_IDS.programs.vacances}/activate`]);
      const programs = emulator.state.programs(COMAP_IDS.maison).programs;
      assert.equal(programs.find((p) => p.is_activated)?.title, 'Vacances');
    });

    it('activates a program on a monozone housing too (spec §7.4; more in qivivo-program.spec.ts)', async () => {
      await load(flowWith(emulator, { id: 'n1', type: 'qivivo-program', housing: COMAP_IDS.chalet }));
      const programs = emulator.state.programs(COMAP_IDS.chalet).programs;
      const target = programs.find((p) => !p.is_activated) ?? programs[0];
      const out = collect<ResultMsg>('out', 1);
      node('n1').receive({ payload: target.id });
      await out;
      assert.deepEqual(writes(), [`POST /thermal/housings/${COMAP_IDS.chalet}/programs/${target.id}/activate`]);
    });

    it('activates the program chosen in the node whatever the payload', async () => {
      await load(flowWith(emulator, { id: 'n1', type: 'qivivo-program', program: COMAP_IDS.programs.vacances }));
      const out = collect<ResultMsg>('out', 1);
      node('n1').receive({ payload: 1732350000000 });
      assert.deepEqual((await out)[0].payload, { program: { id: COMAP_IDS.programs.vacances, name: 'Vacances' } });
    });

    it('says NOT_FOUND for an unknown program', async () => {
      await load(flowWith(emulator, { id: 'n1', type: 'qivivo-program' }));
      const err = collect<ErrorMsg>('err', 1);
      node('n1').receive({ payload: 'Été' });
      assert.equal((await err)[0].error.code, 'NOT_FOUND');
      assert.equal(emulator.state.writes.length, 0);
    });

    it('refuses a non-text payload', async () => {
      await load(flowWith(emulator, { id: 'n1', type: 'qivivo-program' }));
      const err = collect<ErrorMsg>('err', 1);
      node('n1').receive({ payload: { name: 'x' } });
      assert.equal((await err)[0].error.code, 'INVALID_INPUT');
      assert.equal(emulator.server.log.length, 0);
    });
  });

  it('releases every timer on close and sends nothing afterwards', async () => {
    const tracker = new TimerTracker().start();
    const flow = flowWith(emulator, { id: 'n1', type: 'qivivo-set-temperature', debounce: 5000, retries: 1, retryDelay: 60 }, { pollInterval: 1 });
    flow.push({ id: 't1', type: 'qivivo-thermostat-in', z: 'tab', account: 'acct', housing: '', output: 'state', wires: [['out'], ['err']] });
    flow.push({ id: 'z1', type: 'qivivo-zone-order', z: 'tab', account: 'acct', housing: '', zone: 'Chambres', retries: 2, retryDelay: 60, wires: [['out'], ['err']] });
    await load(flow);
    emulator.server.faults.match = '/temporary-instruction';
    emulator.server.faults.status5xxCount = 5;
    node('n1').receive({ payload: 20 });
    node('z1').receive({ payload: 'eco' });
    await new Promise((r) => setTimeout(r, 800));
    assert.ok(tracker.pending().length >= 3, `poll, debounce and retry timers are armed: ${tracker.pending().join(' | ')}`);
    await helper.unload();
    await new Promise((r) => setTimeout(r, 20));
    const left = tracker.pending();
    tracker.stop();
    assert.deepEqual(left, [], 'no timer of ours survives close');
    const requests = emulator.server.log.length;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(emulator.server.log.length, requests, 'no request after close');
  });
});
