import assert from 'node:assert/strict';
import type { NodeStatus } from 'node-red';
import { ComapEmulator } from '../../src/emulator/comap';
import { COMAP_IDS } from '../../src/emulator/comap/fixture';
import { houseModeTiming, READ_BACKS_MS } from '../../src/lib/comap/house-mode-command';
import { collect, during, flowWith, helper, load, node } from '../support/flow';
import { TimerTracker } from '../support/timer-tracker';

interface ResultMsg {
  payload: Record<string, unknown>;
  topic?: string;
}
interface ErrorMsg {
  payload: unknown;
  error: { code: string; message: string; attempts: number };
}

const MAISON = COMAP_IDS.maison;
const CONTROL = `/thermal/housings/${MAISON}/thermal-control`;
const DETAILS = `/thermal/housings/${MAISON}/thermal-details`;
const DAY = 86_400_000;

type StatusSpy = { status: { lastCall: { args: NodeStatus[] } } };
const lastStatus = (id: string): NodeStatus => (node(id) as unknown as StatusSpy).status.lastCall.args[0];

/** Midnight of a calendar date in Paris, as ISO UTC (winter or summer time). */
function parisMidnight(date: string): string {
  for (const offset of ['+01:00', '+02:00']) {
    const at = new Date(`${date}T00:00:00${offset}`);
    const wall = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hourCycle: 'h23', hour: '2-digit', minute: '2-digit' }).format(at);
    if (wall === '00:00') return at.toISOString();
  }
  throw new Error(`no Paris midnight for ${date}`);
}

function dateIn(days: number): string {
  return new Date(Date.now() + days * DAY).toISOString().slice(0, 10);
}

/** qivivo-house-mode over HTTP against the emulator (spec §7.1). */
describe('qivivo-house-mode', function () {
  this.timeout(15_000);
  const emulator = new ComapEmulator();

  before(() => emulator.start());
  after(() => emulator.stop());
  beforeEach(() => emulator.reset());
  afterEach(async () => {
    houseModeTiming.readBacksMs = READ_BACKS_MS;
    await helper.unload();
  });

  const writes = () => emulator.state.writes.map((w) => `${w.method} ${w.path}`);
  const api = () => emulator.server.log.filter((r) => r.path !== '/').map((r) => `${r.method} ${r.path}`);
  /** Thermal-details reads and mode writes (the catalog, read once on a cold cache, left out). */
  const modeCalls = () => api().filter((c) => c.endsWith('/thermal-details') || c.includes('/thermal-control/'));
  const houseMode = (extra: Record<string, unknown> = {}) => ({ id: 'n1', type: 'qivivo-house-mode', ...extra });

  async function send(payload: unknown, extra: Record<string, unknown> = {}): Promise<ResultMsg> {
    await load(flowWith(emulator, houseMode(extra)));
    const out = collect<ResultMsg>('out', 1);
    node('n1').receive({ payload, topic: 'mode' });
    return (await out)[0];
  }

  async function refused(payload: unknown): Promise<ErrorMsg> {
    const err = collect<ErrorMsg>('err', 1);
    node('n1').receive({ payload });
    return (await err)[0];
  }

  const shown = () => emulator.state.thermalDetails(MAISON);

  describe('each payload writes its request and confirms', () => {
    it('"away": POST leave-home, then the cloud shows events.time_shift', async () => {
      const msg = await send('away');
      assert.deepEqual(writes(), [`POST ${CONTROL}/leave-home`]);
      assert.deepEqual(Object.keys(msg.payload).sort(), ['confirmed', 'confirmedAt', 'housing', 'mode']);
      assert.deepEqual(msg.payload.housing, { id: MAISON, name: 'Maison' });
      assert.equal(msg.payload.mode, 'away');
      assert.equal(msg.payload.confirmed, true);
      assert.ok(Math.abs(Date.parse(String(msg.payload.confirmedAt)) - Date.now()) < 5000);
      assert.equal(msg.topic, 'mode', 'the input message is kept');
      assert.ok(shown().events?.time_shift);
      assert.deepEqual({ fill: lastStatus('n1').fill, text: lastStatus('n1').text }, { fill: 'green', text: 'qivivo-house-mode.status.away' });
    });

    it('a holiday with dates: POST absence with both ends at Paris midnight, confirmed with the dates read back', async () => {
      const from = dateIn(10);
      const to = dateIn(17);
      const msg = await send({ mode: 'holiday', from, to });
      assert.deepEqual(writes(), [`POST ${CONTROL}/absence`]);
      assert.deepEqual(emulator.state.writes[0].body, { begin_at: parisMidnight(from), end_at: parisMidnight(to) });
      assert.equal(msg.payload.mode, 'holiday');
      assert.equal(Date.parse(String(msg.payload.from)), Date.parse(parisMidnight(from)));
      assert.equal(Date.parse(String(msg.payload.to)), Date.parse(parisMidnight(to)));
      assert.equal(msg.payload.confirmed, true);
      assert.equal(Date.parse(String(shown().events?.absence?.end_at)), Date.parse(parisMidnight(to)));
      assert.equal(lastStatus('n1').fill, 'green');
    });

    it('a holiday from now to a date-time', async () => {
      const to = new Date(Date.now() + 3 * DAY).toISOString();
      const before = Date.now();
      const msg = await send({ mode: 'holiday', to });
      const body = emulator.state.writes[0].body as { begin_at: string; end_at: string };
      assert.ok(Math.abs(Date.parse(body.begin_at) - before) < 5000, `begins now: ${body.begin_at}`);
      assert.equal(body.end_at, to);
      assert.equal(Date.parse(String(msg.payload.to)), Date.parse(to));
    });

    it('"cancel-holiday": DELETE absence, the holiday is gone', async () => {
      emulator.state.setHouseModes(MAISON, { holiday: { beginAt: Date.now() + 5 * DAY, endAt: Date.now() + 9 * DAY } });
      const msg = await send('cancel-holiday');
      assert.deepEqual(writes(), [`DELETE ${CONTROL}/absence`]);
      assert.equal(msg.payload.mode, 'cancel-holiday');
      assert.equal(shown().events?.absence, undefined);
    });

    for (const [payload, state] of [
      ['heating-off', 'off'],
      ['heating-on', 'on'],
    ] as const) {
      it(`"${payload}": PUT heating-system-state {state:"${state}"}`, async () => {
        emulator.state.setHouseModes(MAISON, { heatingSystem: state === 'on' ? 'off' : 'on' });
        const msg = await send(payload);
        assert.deepEqual(writes(), [`PUT ${CONTROL}/heating-system-state`]);
        assert.deepEqual(emulator.state.writes[0].body, { state });
        assert.equal(msg.payload.mode, payload);
        assert.equal(shown().heating_system_state, state);
      });
    }

    it('"home" with only a leave-home in force: exactly one write, DELETE leave-home', async () => {
      emulator.state.setHouseModes(MAISON, { away: true });
      const msg = await send('HOME');
      assert.deepEqual(writes(), [`DELETE ${CONTROL}/leave-home`]);
      assert.equal(msg.payload.mode, 'home');
      assert.equal(shown().events?.time_shift, undefined);
    });

    it('"home" with only a holiday in progress: exactly one write, DELETE absence', async () => {
      emulator.state.setHouseModes(MAISON, { holiday: { beginAt: Date.now() - DAY, endAt: Date.now() + DAY } });
      await send('home');
      assert.deepEqual(writes(), [`DELETE ${CONTROL}/absence`]);
    });

    it('"home" with both in force: both ends', async () => {
      emulator.state.setHouseModes(MAISON, { away: true, holiday: { beginAt: Date.now() - DAY, endAt: Date.now() + DAY } });
      await send('home');
      assert.deepEqual(writes().sort(), [`DELETE ${CONTROL}/absence`, `DELETE ${CONTROL}/leave-home`]);
      assert.deepEqual(shown().events, {});
    });

    it('"home" with nothing in force (a holiday planned for later stays): confirmed at once, nothing written', async () => {
      emulator.state.setHouseModes(MAISON, { holiday: { beginAt: Date.now() + 5 * DAY, endAt: Date.now() + 9 * DAY } });
      const msg = await send('home');
      assert.deepEqual(writes(), []);
      assert.equal(msg.payload.confirmed, true);
      assert.ok(shown().events?.absence, 'the planned holiday is kept');
    });
  });

  describe('requests', () => {
    it('a command confirmed on the first read-back costs 2 requests on a warm cache (write + 1 read)', async () => {
      await load(flowWith(emulator, houseMode()));
      const first = collect<ResultMsg>('out', 1);
      node('n1').receive({ payload: 'heating-off' });
      await first;
      emulator.server.clearLog();
      const second = collect<ResultMsg>('out', 1);
      node('n1').receive({ payload: { mode: 'holiday', to: dateIn(6) } });
      await second;
      assert.deepEqual(api(), [`POST ${CONTROL}/absence`, `GET ${DETAILS}`]);
    });

    it('"home" right after "away" uses the state the confirmation read: 2 requests (end + 1 read)', async () => {
      await load(flowWith(emulator, houseMode()));
      const away = collect<ResultMsg>('out', 1);
      node('n1').receive({ payload: 'away' });
      await away;
      emulator.server.clearLog();
      const home = collect<ResultMsg>('out', 1);
      node('n1').receive({ payload: 'home' });
      await home;
      assert.deepEqual(api(), [`DELETE ${CONTROL}/leave-home`, `GET ${DETAILS}`]);
    });

    it('"home" without a state at most 30 s old reads it first', async () => {
      await load(flowWith(emulator, houseMode()));
      emulator.state.setHouseModes(MAISON, { away: true });
      emulator.server.clearLog();
      const out = collect<ResultMsg>('out', 1);
      node('n1').receive({ payload: 'home' });
      await out;
      assert.deepEqual(modeCalls(), [`GET ${DETAILS}`, `DELETE ${CONTROL}/leave-home`, `GET ${DETAILS}`]);
    });
  });

  describe('bad input', () => {
    const bad: Array<[string, unknown]> = [
      ['an unknown mode', 'vacances'],
      ['a number', 3],
      ['a holiday without end', { mode: 'holiday' }],
      ['the string holiday', 'holiday'],
      ['an end not after the start', { mode: 'holiday', from: '2030-01-10', to: '2030-01-10' }],
      ['an end in the past', { mode: 'holiday', to: '2020-01-01' }],
      ['a holiday over 365 days', { mode: 'holiday', from: dateIn(1), to: dateIn(400) }],
      ['an unparseable date', { mode: 'holiday', to: 'next friday' }],
    ];
    for (const [what, payload] of bad) {
      it(`${what}: INVALID_INPUT, nothing sent`, async () => {
        await load(flowWith(emulator, houseMode()));
        emulator.server.clearLog();
        const err = await refused(payload);
        assert.equal(err.error.code, 'INVALID_INPUT');
        assert.equal(err.error.attempts, 1);
        assert.deepEqual(api(), [], 'no request at all');
        assert.deepEqual(writes(), []);
      });
    }
  });

  describe('read-backs', () => {
    it('the cloud shows the mode at the third read: confirmed then, written once', async () => {
      houseModeTiming.readBacksMs = [0, 40, 80, 120];
      await load(flowWith(emulator, houseMode()));
      emulator.state.modeShowDelayReads = 2;
      emulator.server.clearLog();
      const out = collect<ResultMsg>('out', 1);
      node('n1').receive({ payload: 'away' });
      const msg = (await out)[0];
      assert.equal(msg.payload.confirmed, true);
      assert.deepEqual(modeCalls(), [`POST ${CONTROL}/leave-home`, `GET ${DETAILS}`, `GET ${DETAILS}`, `GET ${DETAILS}`]);
    });

    it('NOT_CONFIRMED on output 2 when the cloud shows the mode too late; final: not written again', async () => {
      houseModeTiming.readBacksMs = [0, 40, 80, 120];
      await load(flowWith(emulator, houseMode({ retries: 3, retryDelay: 1 })));
      emulator.state.modeShowDelayReads = 10;
      emulator.server.clearLog();
      const err = collect<ErrorMsg>('err', 1);
      node('n1').receive({ payload: { mode: 'holiday', from: dateIn(20), to: dateIn(27) } });
      const failure = (await err)[0];
      assert.equal(failure.error.code, 'NOT_CONFIRMED');
      assert.equal(failure.error.attempts, 1);
      assert.deepEqual(lastStatus('n1'), { fill: 'red', shape: 'ring', text: 'shared.errors.NOT_CONFIRMED' });
      assert.deepEqual(await during('out', 1500), [], 'no result');
      assert.deepEqual(writes(), [`POST ${CONTROL}/absence`], 'one write, no retry');
      assert.deepEqual(modeCalls(), [`POST ${CONTROL}/absence`, ...Array(4).fill(`GET ${DETAILS}`)], 'read at once, then three more times');
    });

    it('uses the spec’s read-backs by default: at once, 10 s, 30 s, 60 s', () => {
      assert.deepEqual(houseModeTiming.readBacksMs, [0, 10_000, 30_000, 60_000]);
    });

    it('closing while waiting for a read-back leaves no timer and sends no request afterwards', async () => {
      const tracker = new TimerTracker().start();
      await load(flowWith(emulator, houseMode()));
      emulator.state.modeShowDelayReads = 100;
      node('n1').receive({ payload: 'away' });
      for (let i = 0; i < 100 && emulator.server.requests('/thermal-details').length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 100));
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

  describe('retries, one target per housing, deadline', () => {
    it('a failed write is retried and then confirmed', async () => {
      await load(flowWith(emulator, houseMode({ retries: 1, retryDelay: 1 })));
      emulator.server.faults.match = '/leave-home';
      emulator.server.faults.status5xxCount = 1;
      const out = collect<ResultMsg>('out', 1, 5000);
      node('n1').receive({ payload: 'away' });
      assert.equal((await out)[0].payload.mode, 'away');
      assert.deepEqual(writes(), [`POST ${CONTROL}/leave-home`]);
    });

    it('a newer mode for the housing replaces a waiting retry, whichever node and however the housing is named', async () => {
      const flow = flowWith(emulator, houseMode({ retries: 2, retryDelay: 2 }));
      flow.push({ id: 'n2', type: 'qivivo-house-mode', z: 'tab', account: 'acct', housing: MAISON, retries: 1, retryDelay: 90, wires: [['out'], ['err']] });
      await load(flow);
      emulator.server.faults.match = '/leave-home';
      emulator.server.faults.status5xxCount = 1;
      node('n1').receive({ payload: 'away', topic: 'A' });
      for (let i = 0; i < 100 && emulator.server.requests('/leave-home').length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      const out = collect<ResultMsg>('out', 1);
      node('n2').receive({ payload: 'heating-off', topic: 'B' });
      assert.equal((await out)[0].topic, 'B');
      assert.deepEqual(await during('out', 2500), [], 'A, replaced, sends nothing');
      assert.deepEqual(writes(), [`PUT ${CONTROL}/heating-system-state`], 'A is never written');
    });

    it('a holiday still waiting for its retry past its end: EXPIRED, not sent', async () => {
      await load(flowWith(emulator, houseMode({ retries: 5, retryDelay: 1 })));
      emulator.server.faults.match = '/absence';
      emulator.server.faults.status5xxCount = 100;
      const err = collect<ErrorMsg>('err', 1, 5000);
      node('n1').receive({ payload: { mode: 'holiday', to: new Date(Date.now() + 1500).toISOString() } });
      const failure = (await err)[0];
      assert.equal(failure.error.code, 'EXPIRED');
      assert.deepEqual(writes(), []);
    });
  });
});
