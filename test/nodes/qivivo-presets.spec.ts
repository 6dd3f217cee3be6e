import assert from 'node:assert/strict';
import { ComapEmulator } from '../../src/emulator/comap';
import { COMAP_IDS } from '../../src/emulator/comap/fixture';
import { collect, during, flowWith, FlowNode, helper, load, node } from '../support/flow';

interface PresetsMsg {
  payload: { housing: { id: string; name: string }; presets: Record<string, number | null> };
  topic?: string;
}
interface ErrorMsg {
  error: { code: string; message: string; attempts: number };
}
interface StateMsg {
  payload: { setpoint: number; instruction: string; presets?: Record<string, number | null> };
}

const MAISON = COMAP_IDS.maison;
const PRESETS = { presence1: 20.5, presence2: 20, presence3: 19.5, presence4: 19, night: 17, away: 16, frostProtection: 7 };

/** qivivo-presets over HTTP against the emulator (product-spec §7.3). */
describe('qivivo-presets', function () {
  this.timeout(15_000);
  const emulator = new ComapEmulator();

  before(() => emulator.start());
  after(() => emulator.stop());
  beforeEach(() => emulator.reset());
  afterEach(() => helper.unload());

  const presetsNode = (extra: Record<string, unknown> = {}): FlowNode => ({ id: 'n1', type: 'qivivo-presets', ...extra });
  /** API requests (the login excluded) since the log was last cleared. */
  const api = () => emulator.server.log.filter((r) => r.path !== '/').map((r) => `${r.method} ${r.path}`);
  const customTemperatures = `/thermal/housings/${MAISON}/custom-temperatures`;

  async function send(payload: unknown): Promise<PresetsMsg> {
    const out = collect<PresetsMsg>('out', 1);
    node('n1').receive({ payload, topic: 'presets' });
    return (await out)[0];
  }

  it('sends the presets on "get", with one request once the housing is known', async () => {
    await load(flowWith(emulator, presetsNode()));
    const first = await send('get');
    assert.deepEqual(first.payload, { housing: { id: MAISON, name: 'Maison' }, presets: PRESETS });
    assert.equal(first.topic, 'presets', 'the original message goes on');
    emulator.server.clearLog();
    const again = await send(1732350000000);
    assert.deepEqual(again.payload.presets, PRESETS, 'any non-object reads too');
    assert.deepEqual(api(), [`GET ${customTemperatures}`]);
    assert.deepEqual(emulator.state.writes, []);
  });

  it('edits only the presets named: one PATCH with flat Comap keys, one read-back, all presets sent', async () => {
    await load(flowWith(emulator, presetsNode({ housing: MAISON })));
    await send('get');
    emulator.server.clearLog();
    const msg = await send({ night: 17.5, presence2: '19.5', frostProtection: 8 });
    assert.deepEqual(msg.payload, { housing: { id: MAISON, name: 'Maison' }, presets: { ...PRESETS, night: 17.5, presence2: 19.5, frostProtection: 8 } });
    assert.deepEqual(api(), [`PATCH ${customTemperatures}`, `GET ${customTemperatures}`], 'two requests: write, then read back');
    assert.deepEqual(emulator.state.writes.map((w) => w.body), [{ presence_2: 19.5, night: 17.5, frost_protection: 8 }]);
    const held = emulator.state.customTemperatures(MAISON);
    assert.equal(held.night, 17.5);
    assert.equal(held.connected?.presence_2, 19.5);
    assert.equal(held.connected?.presence_1, 20.5, 'the others are left alone');
  });

  it('edits with at most two requests on a cold start once logged in and the housing known', async () => {
    await load(flowWith(emulator, presetsNode()));
    const msg = await send({ away: 15 });
    assert.equal(msg.payload.presets.away, 15);
    const requests = api().filter((r) => !r.endsWith('/park/housings'));
    assert.deepEqual(requests, [`PATCH ${customTemperatures}`, `GET ${customTemperatures}`]);
  });

  for (const bad of [{ comfort: 20 }, { presence_1: 20 }, { night: 31 }, { away: 4.5 }, { frostProtection: 16 }, { night: 'warm' }, { night: 17, bogus: 1 }, {}, [17]]) {
    it(`refuses ${JSON.stringify(bad)} with INVALID_INPUT and sends nothing`, async () => {
      await load(flowWith(emulator, presetsNode()));
      const err = collect<ErrorMsg>('err', 1);
      node('n1').receive({ payload: bad });
      const [msg] = await err;
      assert.equal(msg.error.code, 'INVALID_INPUT');
      assert.equal(msg.error.attempts, 1);
      assert.deepEqual(await during('out', 100), []);
      assert.equal(emulator.server.log.length, 0, 'no request at all');
    });
  }

  it('says NOT_FOUND for a housing the account does not have, writing nothing', async () => {
    await load(flowWith(emulator, presetsNode({ housing: 'housing-unknown-0000' })));
    const err = collect<ErrorMsg>('err', 1);
    node('n1').receive({ payload: { night: 17 } });
    assert.equal((await err)[0].error.code, 'NOT_FOUND');
    assert.deepEqual(emulator.state.writes, []);
  });

  it('shows the new presets in the thermostat state after an edit', async () => {
    const flow = flowWith(emulator, presetsNode());
    flow.push({ id: 't1', type: 'qivivo-thermostat-in', z: 'tab', account: 'acct', housing: '', output: 'state', onlyChanges: false, wires: [['state'], ['err']] });
    flow.push({ id: 'state', type: 'helper', z: 'tab' });
    await load(flow);
    const read = async (): Promise<StateMsg> => {
      const states = collect<StateMsg>('state', 1);
      node('t1').receive({ payload: 'refresh' });
      return (await states)[0];
    };
    const before = await read();
    assert.equal(before.payload.instruction, 'presence_1');
    assert.equal(before.payload.setpoint, 20.5);
    await send({ presence1: 22, night: 16.5 });
    const after = await read();
    assert.equal(after.payload.setpoint, 22, 'the setpoint follows the edited preset at once, not after the catalog’s hour');
    assert.equal(after.payload.presets?.presence1, 22);
    assert.equal(after.payload.presets?.night, 16.5);
  });

  it('retries an edit after a transient failure; a read meanwhile does not replace it', async () => {
    await load(flowWith(emulator, presetsNode({ retries: 1, retryDelay: 1 })));
    await send('get');
    emulator.server.faults.match = '/custom-temperatures';
    emulator.server.faults.status5xxCount = 1;
    const out = collect<PresetsMsg>('out', 2, 5000);
    node('n1').receive({ payload: { night: 18 }, topic: 'edit' });
    await new Promise((r) => setTimeout(r, 300));
    const n1 = node('n1') as unknown as { status: { lastCall: { args: Array<{ fill: string }> } } };
    assert.equal(n1.status.lastCall.args[0].fill, 'yellow', 'the edit waits for its retry');
    node('n1').receive({ payload: 'get', topic: 'read' });
    const [read, edit] = await out;
    assert.equal(read.topic, 'read');
    assert.equal(read.payload.presets.night, 17, 'read before the retry');
    assert.equal(edit.topic, 'edit');
    assert.equal(edit.payload.presets.night, 18);
    assert.equal(emulator.state.writes.length, 1, 'applied once');
  });
});
