import assert from 'node:assert/strict';
import sinon from 'sinon';
import type { Node, NodeStatus } from 'node-red';
import { ComapEmulator } from '../../src/emulator/comap';
import { COMAP_IDS } from '../../src/emulator/comap/fixture';
import { nodeMemory } from '../../src/nodes/shared/node-memory';
import type { QivivoAccountNode } from '../../src/nodes/qivivo-account/qivivo-account';
import { accountConfig, ALL_NODES, collect, DEMO, during, flowWith, FlowNode, helper, load, node } from '../support/flow';

/** Release 0.2, product-spec §4.1: one command, one outcome. */

interface ErrorMsg {
  payload: unknown;
  error: { code: string; message: string; attempts?: number; source: { id: string; type: string } };
}

const chambres = COMAP_IDS.zones.chambres;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type StatusSpy = { status: { args: NodeStatus[][]; lastCall: { args: NodeStatus[] } } };
const lastStatus = (id: string): NodeStatus => (node(id) as unknown as StatusSpy).status.lastCall.args[0];
const statuses = (id: string): NodeStatus[] => (node(id) as unknown as StatusSpy).status.args.map((a) => a[0]);

/** One Comap emulator for the whole file, reset before each test. */
function withEmulator(): ComapEmulator {
  const emulator = new ComapEmulator();
  before(() => emulator.start());
  after(() => emulator.stop());
  beforeEach(() => emulator.reset());
  afterEach(() => helper.unload());
  return emulator;
}

describe('one command, one outcome (spec §4.1)', function () {
  this.timeout(20_000);
  const emulator = withEmulator();

  const zoneWrites = () => emulator.state.writes.filter((w) => w.path.includes(`/zones/${chambres}/temporary-instruction`));
  const zoneOrder = (id: string, extra: Record<string, unknown> = {}): FlowNode => ({
    id,
    type: 'qivivo-zone-order',
    z: 'tab',
    account: 'acct',
    housing: '',
    zone: '',
    duration: 120,
    retries: 1,
    retryDelay: 1,
    wires: [['out'], ['err']],
    ...extra,
  });

  describe('a newer command replaces a waiting retry whatever the spelling and the node', () => {
    const spellings: Array<{ name: string; first: Record<string, unknown>; second: Record<string, unknown>; secondNode?: string; housing?: string }> = [
      { name: 'zone name, then the same zone by id', first: { zone: 'Chambres' }, second: { zone: chambres } },
      { name: 'letter case and accents', first: { zone: 'CHAMBRES' }, second: { zone: 'chambres' } },
      { name: 'another node on the same zone', first: { zone: 'Chambres' }, second: { zone: chambres }, secondNode: 'n2' },
      { name: 'housing "" in one node, its id in the other', first: { zone: 'Chambres' }, second: { zone: 'Chambres' }, secondNode: 'n3' },
    ];
    for (const c of spellings) {
      it(c.name, async () => {
        await load([
          { id: 'tab', type: 'tab' },
          accountConfig(emulator),
          zoneOrder('n1'),
          zoneOrder('n2'),
          zoneOrder('n3', { housing: COMAP_IDS.maison }),
          { id: 'out', type: 'helper', z: 'tab' },
          { id: 'err', type: 'helper', z: 'tab' },
        ]);
        // Warm the account's zone list, as a running installation has it.
        await (helper.getNode('acct') as QivivoAccountNode).session!.heating.zones('');
        emulator.server.faults.match = '/temporary-instruction';
        emulator.server.faults.status5xxCount = 1;
        node('n1').receive({ payload: 'eco', ...c.first });
        await sleep(300);
        assert.equal(lastStatus('n1').fill, 'yellow', 'the first command waits for its retry');
        const out = collect<{ payload: { order: number; zone: { id: string } } }>('out', 1, 4000);
        node(c.secondNode ?? 'n1').receive({ payload: 'confort', ...c.second });
        const [result] = await out;
        assert.equal(result.payload.order, 5);
        // Past the first one's retry delay: it must not come back.
        const later = await during<{ payload: { order: number } }>('out', 1500);
        assert.deepEqual(later, [], 'the replaced command sends nothing');
        const posts = zoneWrites().filter((w) => w.method === 'POST');
        assert.deepEqual(
          posts.map((w) => (w.body as { set_point: { instruction: string } }).set_point.instruction),
          ['comfort'],
          'eco never reached the cloud after confort',
        );
      });
    }
  });

  it('calls done() when the outcome is known, not when the command is queued (Complete node)', async () => {
    await load([
      ...flowWith(emulator, { id: 'n1', type: 'qivivo-set-temperature', debounce: 0, duration: 120 }),
      { id: 'completer', type: 'complete', z: 'tab', scope: ['n1'], uncaught: false, wires: [['completed']] },
      { id: 'completed', type: 'helper', z: 'tab' },
    ]);
    emulator.server.faults.latencyMs = 300;
    const order: string[] = [];
    (helper.getNode('out') as unknown as NodeJS.EventEmitter).on('input', () => order.push('result'));
    (helper.getNode('completed') as unknown as NodeJS.EventEmitter).on('input', () => order.push('complete'));
    node('n1').receive({ payload: 21 });
    await sleep(150);
    assert.deepEqual(order, [], 'nothing is complete while the request is under way');
    await collect('completed', 1, 5000);
    assert.deepEqual(order, ['result', 'complete']);
  });

  describe('errors are handled once', () => {
    const withCatch = (wired: boolean): FlowNode[] => [
      { id: 'tab', type: 'tab' },
      accountConfig(emulator),
      { id: 'n1', type: 'qivivo-zone-order', z: 'tab', account: 'acct', housing: '', zone: '', duration: 120, retries: 0, retryDelay: 1, wires: wired ? [['out'], ['err']] : [['out']] },
      { id: 'out', type: 'helper', z: 'tab' },
      { id: 'err', type: 'helper', z: 'tab' },
      { id: 'catcher', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper', z: 'tab' },
    ];

    it('output 2 wired: the error goes there, not to Catch nodes', async () => {
      await load(withCatch(true));
      const err = collect<ErrorMsg>('err', 1);
      node('n1').receive({ payload: 'eco', zone: 'Nowhere' });
      assert.equal((await err)[0].error.code, 'NOT_FOUND');
      assert.deepEqual(await during('caught', 300), [], 'Catch nodes do not see it a second time');
    });

    it('output 2 not wired: Catch nodes get it, with its code', async () => {
      await load(withCatch(false));
      const caught = collect<ErrorMsg>('caught', 1);
      node('n1').receive({ payload: 'warm', zone: 'Chambres', topic: 'mine' });
      const [msg] = await caught;
      assert.equal(msg.error.code, 'INVALID_INPUT');
      assert.match(msg.error.message, /order/);
      assert.equal((msg as unknown as { topic: string }).topic, 'mine');
      assert.equal(msg.error.source.id, 'n1');
    });
  });

  it('a stored command past its deadline is reported EXPIRED after a restart, never sent', async () => {
    // What release 0.1 kept for a retry waiting at shutdown, three days before this start.
    const threeDaysAgo = Date.now() - 3 * 24 * 3_600_000;
    const fakeNode = { id: 'n1', context: () => ({ get: () => undefined, set: () => undefined }) } as unknown as Node;
    const action = { zone: 'Chambres', cancel: false, order: { number: 2, code: 'eco', name: 'Eco' }, duration: 120 };
    nodeMemory(fakeNode, 'pendingCommands').set({
      '/zone/Chambres': { command: { id: 'n1:old:1', key: '/zone/Chambres', action, msg: { payload: 'eco', zone: 'Chambres' } }, attempts: 1, dueAt: threeDaysAgo },
    });
    const err = new Promise<ErrorMsg[]>((resolve) => {
      void helper.load(ALL_NODES, flowWith(emulator, zoneOrder('n1')), { acct: DEMO }).then(() => resolve(collect<ErrorMsg>('err', 1)));
    });
    const [msg] = await err;
    assert.equal(msg.error.code, 'EXPIRED');
    assert.equal(msg.payload, 'eco');
    await sleep(300);
    assert.deepEqual(emulator.state.writes, [], 'nothing was sent');
  });

  it('a command waiting at close is re-armed by the next instance with its deadline', async () => {
    await load(flowWith(emulator, zoneOrder('n1', { retryDelay: 1 })));
    emulator.server.faults.match = '/temporary-instruction';
    emulator.server.faults.status5xxCount = 1;
    node('n1').receive({ payload: 'eco', zone: 'Chambres' });
    await sleep(300);
    await helper.unload();
    // The same flow again in the same process (a redeploy): the retry is applied once.
    await helper.load(ALL_NODES, flowWith(emulator, zoneOrder('n1', { retryDelay: 1 })), { acct: DEMO });
    const [msg] = await collect<{ payload: { order: number } }>('out', 1, 5000);
    assert.equal(msg.payload.order, 2);
    assert.equal(zoneWrites().filter((w) => w.method === 'POST').length, 1);
  });

  it('a closed node neither sends nor logs what its cut-short work ends with', async () => {
    await load(flowWith(emulator, { id: 'n1', type: 'qivivo-thermostat-in', output: 'state' }));
    emulator.server.faults.latencyMs = 200;
    // Own spies on the instance: the test helper's spies on Node's prototype end with unload().
    const n1 = node('n1') as unknown as { error: (...args: unknown[]) => void; send: (...args: unknown[]) => void; receive(msg: object): void };
    const logged = sinon.spy();
    const sent = sinon.spy();
    n1.error = logged;
    n1.send = sent;
    n1.receive({ payload: 'now' });
    await sleep(50);
    await helper.unload();
    await sleep(800);
    assert.deepEqual(logged.args.map((a: unknown[]) => String(a[0])), [], 'nothing logged after close');
    assert.equal(sent.callCount, 0);
  });
});

describe('accounts: logins, sessions, pause and outages (spec §4.1)', function () {
  this.timeout(20_000);
  const emulator = withEmulator();

  const thermostat = (id: string): FlowNode => ({ id, type: 'qivivo-thermostat-in', z: 'tab', account: 'acct', housing: '', output: 'state', wires: [['out'], ['err']] });
  const twoNodes = (pollInterval: number): FlowNode[] => [
    { id: 'tab', type: 'tab' },
    accountConfig(emulator, { pollInterval }),
    thermostat('n1'),
    { id: 'z1', type: 'qivivo-zone-order', z: 'tab', account: 'acct', housing: '', zone: 'Chambres', duration: 120, retries: 1, retryDelay: 90, wires: [['out'], ['err']] },
    { id: 'out', type: 'helper', z: 'tab' },
    { id: 'err', type: 'helper', z: 'tab' },
  ];

  it('after a refused password no further login is made, every node shows it red at once, and "login" tries again', async () => {
    await load(twoNodes(0.005), { acct: { username: DEMO.username, password: 'wrong' } });
    const [msg] = await collect<ErrorMsg>('err', 1, 3000);
    assert.equal(msg.error.code, 'AUTH_FAILED');
    await sleep(1200);
    assert.equal(emulator.cognito.stats.passwordLogins, 1, 'polls go on without logging in again');
    for (const id of ['n1', 'z1']) {
      assert.deepEqual(lastStatus(id), { fill: 'red', shape: 'ring', text: 'shared.errors.AUTH_FAILED' }, id);
      assert.ok(!statuses(id).some((s) => s.fill === 'yellow'), `${id} never showed "retrying"`);
    }
    assert.equal((await during('err', 600)).length, 0, 'the error went out once, not every cycle');
    node('z1').receive({ payload: 'eco' });
    await sleep(200);
    assert.equal(emulator.cognito.stats.passwordLogins, 1, 'a command does not log in either');
    node('n1').receive({ topic: 'login' });
    await sleep(300);
    assert.equal(emulator.cognito.stats.passwordLogins, 2, '"login" makes one new attempt');
  });

  it('keeps its session when its flow nodes are redeployed (no new password login)', async () => {
    await load(flowWith(emulator, thermostat('n1')));
    const out = collect('out', 1);
    node('n1').receive({});
    await out;
    const account = helper.getNode('acct') as QivivoAccountNode;
    // A partial deploy: the flow node goes, the account stays.
    await new Promise<void>((resolve) => (node('n1') as unknown as { close(removed: boolean): Promise<void> }).close(false).then(() => resolve()));
    emulator.cognito.expireAll();
    await account.session!.heating.state('', 0);
    assert.equal(emulator.cognito.stats.passwordLogins, 1, 'the refresh token was kept');
  });

  it('pause belongs to the account: every node stops polling, shows paused, and stays paused after a redeploy', async () => {
    const flow = [...twoNodes(0.005), thermostat('n2')];
    await load(flow);
    await collect('out', 2, 3000);
    node('n1').receive({ topic: 'pause' });
    await sleep(100);
    const before = emulator.server.requests('/thermal-details').length;
    await sleep(800);
    assert.equal(emulator.server.requests('/thermal-details').length, before, 'n2 does not keep the account polling');
    for (const id of ['n1', 'n2', 'z1']) assert.equal(lastStatus(id).text, 'shared.status.paused', id);
    await helper.unload();
    await helper.load(ALL_NODES, flow, { acct: DEMO });
    await sleep(800);
    assert.equal(emulator.server.requests('/thermal-details').length, before, 'still paused after the redeploy');
    node('n2').receive({ topic: 'resume' });
    await collect('out', 1, 3000);
  });

  it('an outage shows red with its start time until a cycle succeeds, never "retrying 4/3"', async () => {
    await load(flowWith(emulator, thermostat('n1'), { pollInterval: 0.005 }));
    await collect('out', 1);
    emulator.server.faults.match = '/thermal-details';
    emulator.server.faults.status5xxCount = 1000;
    await collect<ErrorMsg>('err', 1, 10_000);
    const cyclesAtError = emulator.server.requests('/thermal-details').length;
    while (emulator.server.requests('/thermal-details').length < cyclesAtError + 6) await sleep(100);
    const shown = statuses('n1');
    assert.ok(!shown.some((s) => /\/3/.test(String(s.text)) && /retry/.test(String(s.text))), JSON.stringify(shown));
    assert.equal(lastStatus('n1').fill, 'red');
    assert.match(String(lastStatus('n1').text), /^UNAVAILABLE · \d\d:\d\d$/, 'the code and the start time, no words');
    emulator.server.resetFaults();
    await collect('out', 1, 5000);
    assert.equal(lastStatus('n1').fill, 'green');
  });

  it('every message holds its own objects (no shared state through msg.payload)', async () => {
    await load([...flowWith(emulator, thermostat('n1')), thermostat('n2')]);
    const first = collect<{ payload: { zones: unknown[]; temperature: number } }>('out', 1);
    node('n1').receive({});
    const [msg] = await first;
    msg.payload.zones.length = 0;
    msg.payload.temperature = -99;
    // Served from the account's fresh cache: it must not show the first receiver's edits.
    const second = collect<{ payload: { zones: unknown[]; temperature: number } }>('out', 1);
    node('n2').receive({});
    const [again] = await second;
    assert.ok(again.payload.zones.length > 0);
    assert.notEqual(again.payload.temperature, -99);
  });
});
