import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { ComapEmulator } from '../../src/emulator/comap';
import { COMAP_IDS } from '../../src/emulator/comap/fixture';
import { collect, during, flowWith, FlowNode, helper, load, node } from '../support/flow';

interface ResultMsg {
  payload: { zone: { id: string; name: string }; setpoint: number; duration: number; endAt: string; delta?: number };
  topic?: string;
}
interface ErrorMsg {
  error: { code: string; message: string; attempts: number };
}

const MAISON = COMAP_IDS.maison;
const SEJOUR = COMAP_IDS.zones.sejour;
const tempPath = `/thermal/housings/${MAISON}/thermal-control/zones/${SEJOUR}/temporary-instruction`;

/** Relative setpoints of qivivo-set-temperature over HTTP against the emulator (product-spec §7.5). */
describe('qivivo-set-temperature: relative setpoints', function () {
  this.timeout(15_000);
  // The Séjour follows presence_1 (20.5 °C) in the emulator's seed data.
  const emulator = new ComapEmulator();

  before(() => emulator.start());
  after(() => emulator.stop());
  beforeEach(() => emulator.reset());
  afterEach(() => helper.unload());

  const setTemp = (extra: Record<string, unknown> = {}): FlowNode => ({ id: 'n1', type: 'qivivo-set-temperature', duration: 120, debounce: 0, ...extra });
  /** °C of each temporary-instruction POST the cloud accepted. */
  const sent = (on = emulator) => on.state.temporaryInstructionWrites(SEJOUR).map((w) => (w.body as { set_point: { instruction: number } }).set_point.instruction);

  it('"+0.5" sends the current setpoint plus 0.5 and says so', async () => {
    await load(flowWith(emulator, setTemp()));
    const out = collect<ResultMsg>('out', 1);
    node('n1').receive({ payload: '+0.5', topic: 'warmer' });
    const [msg] = await out;
    assert.equal(msg.topic, 'warmer');
    assert.deepEqual({ ...msg.payload, endAt: undefined }, { zone: { id: SEJOUR, name: 'Séjour' }, setpoint: 21, duration: 120, endAt: undefined, delta: 0.5 });
    assert.match(msg.payload.endAt, /Z$/);
    assert.deepEqual(sent(), [21]);
    assert.deepEqual(emulator.state.writes[0].body, { duration: 120, set_point: { instruction: 21 } });
  });

  it('{ delta: -1 } and "-1" lower it, with msg.duration', async () => {
    await load(flowWith(emulator, setTemp()));
    const out = collect<ResultMsg>('out', 2);
    node('n1').receive({ payload: { delta: -1 }, duration: 30 });
    await new Promise((r) => setTimeout(r, 300));
    node('n1').receive({ payload: '-1' });
    const [first, second] = await out;
    assert.equal(first.payload.setpoint, 19.5);
    assert.equal(first.payload.duration, 30);
    assert.equal(first.payload.delta, -1);
    assert.equal(second.payload.setpoint, 18.5, 'from the temporary setpoint just sent');
    assert.deepEqual(sent(), [19.5, 18.5]);
  });

  it('adds up three "+0.5" inside the debounce window: one write of +1.5, every message done', async () => {
    const flow = flowWith(emulator, setTemp({ debounce: 300 }));
    flow.push({ id: 'completer', type: 'complete', z: 'tab', scope: ['n1'], uncaught: false, wires: [['completed']] }, { id: 'completed', type: 'helper', z: 'tab' });
    await load(flow);
    const out = collect<ResultMsg>('out', 1);
    const completed = collect('completed', 3, 5000);
    for (let i = 0; i < 3; i++) node('n1').receive({ payload: '+0.5', topic: `press ${i}` });
    const [msg] = await out;
    assert.equal(msg.topic, 'press 2', 'the last message carries the result');
    assert.equal(msg.payload.setpoint, 22);
    assert.equal(msg.payload.delta, 1.5);
    await completed;
    assert.deepEqual(await during('out', 400), []);
    assert.deepEqual(sent(), [22], 'one write');
  });

  it('in a burst, the last absolute value plus the nudges after it wins', async () => {
    await load(flowWith(emulator, setTemp({ debounce: 300 })));
    const out = collect<ResultMsg>('out', 1);
    for (const payload of ['+0.5', '+0.5', 18, '+1', '-0.5']) node('n1').receive({ payload });
    const [msg] = await out;
    assert.equal(msg.payload.setpoint, 18.5);
    assert.deepEqual(await during('out', 400), []);
    assert.deepEqual(sent(), [18.5]);
  });

  it('adds up nudges sent one after the other without debounce', async () => {
    await load(flowWith(emulator, setTemp()));
    const out = collect<ResultMsg>('out', 3);
    for (let i = 0; i < 3; i++) node('n1').receive({ payload: '+0.5' });
    const msgs = await out;
    assert.deepEqual(msgs.map((m) => m.payload.setpoint), [21, 21.5, 22]);
    assert.deepEqual(sent(), [21, 21.5, 22]);
  });

  it('keeps the result within 30 °C', async () => {
    await load(flowWith(emulator, setTemp()));
    const out = collect<ResultMsg>('out', 3);
    node('n1').receive({ payload: 29.5 });
    await new Promise((r) => setTimeout(r, 200));
    node('n1').receive({ payload: '+1' });
    await new Promise((r) => setTimeout(r, 200));
    node('n1').receive({ payload: { delta: 25 } });
    const msgs = await out;
    assert.deepEqual(msgs.map((m) => m.payload.setpoint), [29.5, 30, 30]);
    assert.deepEqual(sent(), [29.5, 30, 30]);
  });

  it('keeps the result within 5 °C', async () => {
    await load(flowWith(emulator, setTemp()));
    const out = collect<ResultMsg>('out', 1);
    node('n1').receive({ payload: '-20' });
    assert.equal((await out)[0].payload.setpoint, 5);
  });

  it('a retry sends the setpoint worked out at the first attempt, not the change added again', async () => {
    const flow = flowWith(emulator, setTemp({ retries: 1, retryDelay: 1 }));
    flow.push({ id: 'z1', type: 'qivivo-zone-order', z: 'tab', account: 'acct', housing: '', zone: 'Chambres', duration: 120, retries: 0, retryDelay: 90, wires: [['zout'], ['err']] });
    flow.push({ id: 'zout', type: 'helper', z: 'tab' });
    await load(flow);
    emulator.server.faults.match = '/temporary-instruction';
    emulator.server.faults.status5xxCount = 1;
    const out = collect<ResultMsg>('out', 1, 5000);
    node('n1').receive({ payload: '+0.5' });
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(sent(), [], 'the first attempt failed');
    // Meanwhile the setpoint changes elsewhere (the Comap app), and the state is read again.
    const token = await emulator.login();
    const other = await fetch(`${emulator.apiUrl}${tempPath}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ duration: 60, set_point: { instruction: 18 } }),
    });
    assert.equal(other.status, 200);
    const zoneDone = collect('zout', 1);
    node('z1').receive({ payload: 'eco' });
    await zoneDone;
    const [msg] = await out;
    assert.equal(msg.payload.setpoint, 21);
    assert.deepEqual(sent(), [18, 21]);
  });

  it('the node’s own setpoint applies to a nudge message too', async () => {
    await load(flowWith(emulator, setTemp({ setpoint: '19' })));
    const out = collect<ResultMsg>('out', 1);
    node('n1').receive({ payload: '+0.5' });
    const [msg] = await out;
    assert.equal(msg.payload.setpoint, 19);
    assert.equal(msg.payload.delta, undefined);
  });

  for (const bad of ['+', '+abc', '+0.2', '-0', '+26', '-25.5', { delta: 0 }, { delta: 'x' }, { delta: Infinity }, { delta: 30 }, { delta: 1, zone: 'x' }, { delta: null }]) {
    it(`refuses the nudge ${inspect(bad)} with INVALID_INPUT and sends nothing`, async () => {
      await load(flowWith(emulator, setTemp()));
      const err = collect<ErrorMsg>('err', 1);
      node('n1').receive({ payload: bad });
      const [msg] = await err;
      assert.equal(msg.error.code, 'INVALID_INPUT');
      assert.equal(msg.error.attempts, 1);
      assert.deepEqual(await during('out', 100), []);
      assert.equal(emulator.server.log.length, 0, 'no request at all');
    });
  }

  describe('while the thermostat has not applied the last setpoint yet', () => {
    // The cloud shows a new temporary setpoint in `set_point` only minutes later.
    const slow = new ComapEmulator({ applyDelayMs: 10 * 60_000 });
    before(() => slow.start());
    after(() => slow.stop());
    beforeEach(() => slow.reset());

    it('starts from the temporary setpoint in place, so that nudges a few seconds apart add up', async () => {
      await load(flowWith(slow, setTemp()));
      const out = collect<ResultMsg>('out', 2);
      node('n1').receive({ payload: '+0.5' });
      await new Promise((r) => setTimeout(r, 300));
      node('n1').receive({ payload: '+0.5' });
      const msgs = await out;
      assert.deepEqual(msgs.map((m) => m.payload.setpoint), [21, 21.5]);
      assert.deepEqual(sent(slow), [21, 21.5]);
    });
  });
});
