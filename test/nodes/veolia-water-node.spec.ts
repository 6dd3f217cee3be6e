import assert from 'node:assert/strict';
import type { EventEmitter } from 'node:events';
import type { Node, NodeStatus } from 'node-red';
import { DEMO_PASSWORD, DEMO_USERNAME, MAIN_CONTRACT, SECOND_CONTRACT, VEOLIA_CLIENT_IDS, VeoliaEmulator } from '../../src/emulator/veolia';
import { addDays, zonedDate, zonedTimeToEpoch } from '../../src/lib/schedule/daily';
import { MAX_HISTORY_DAYS } from '../../src/lib/veolia/water';
import { advance, FakeClock, inFlight, installClock, Outputs, realDelay, until } from '../reliability/support/harness';
import { collect, DEMO, during, FlowNode, freshEmulatorEach, helper, load, node } from '../support/flow';
import { TimerTracker } from '../support/timer-tracker';

/** veolia-water-consumption under the release-0.2 rules (product-spec §3.3, §4, §4.1). */

interface DayMsg {
  topic: string;
  payload: { contract: { id: string }; date: string; litres: number; billed: { m3: number; from: string | null; to: string | null } | null };
}
interface ErrorMsg {
  topic?: string;
  error: { code: string; attempts: number; message: string; source: { id: string } };
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const creds = { vacct: DEMO };
type Spied = { status: { args: NodeStatus[][]; lastCall: { args: NodeStatus[] } } };
const lastStatus = (id: string): NodeStatus => (node(id) as unknown as Spied).status.lastCall.args[0];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dayMonth = (date: string) => `${date.slice(8, 10)}/${date.slice(5, 7)}`;

/** The Paris wall-clock time 12 h from now: the daily sync stays out of the way of real-time tests. */
function syncTimeAway(): string {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(Date.now() + 12 * HOUR));
  const part = (type: string): string => parts.find((p) => p.type === type)?.value ?? '00';
  return `${part('hour')}:${part('minute')}`;
}

function flowFor(emulator: VeoliaEmulator, extra: Record<string, unknown> = {}): FlowNode[] {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'vacct', type: 'veolia-account', z: 'tab', portal: 'custom', apiUrl: emulator.url, authUrl: `${emulator.url}/`, clientId: VEOLIA_CLIENT_IDS[0] },
    { id: 'w1', type: 'veolia-water-consumption', z: 'tab', account: 'vacct', contract: '', syncTime: syncTimeAway(), historyDays: 3, output: 'days', wires: [['out'], ['err']], ...extra },
    { id: 'out', type: 'helper', z: 'tab' },
    { id: 'err', type: 'helper', z: 'tab' },
    { id: 'catcher', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'tab' },
    { id: 'completer', type: 'complete', z: 'tab', scope: ['w1'], uncaught: false, wires: [['completed']] },
    { id: 'completed', type: 'helper', z: 'tab' },
  ];
}

/**
 * Timers created by the package (src/lib, src/nodes) under a fake clock and still pending:
 * TimerTracker sees real timers only.
 */
function trackFakeTimers(): { pending(): string[]; restore(): void } {
  const fakeSet = globalThis.setTimeout;
  const fakeClear = globalThis.clearTimeout;
  const live = new Map<unknown, string>();
  const set = (fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]): unknown => {
    const origin = (new Error().stack ?? '').split('\n').find((line) => /src\/(lib|nodes)\//.test(line));
    const id: unknown = fakeSet(
      (...a: unknown[]) => {
        live.delete(id);
        fn(...a);
      },
      ms,
      ...args,
    );
    if (origin) live.set(id, origin.trim());
    return id;
  };
  globalThis.setTimeout = set as unknown as typeof setTimeout;
  globalThis.clearTimeout = ((id?: NodeJS.Timeout) => {
    live.delete(id);
    fakeClear(id);
  }) as typeof clearTimeout;
  return {
    pending: () => [...live.values()],
    restore: () => {
      globalThis.setTimeout = fakeSet;
      globalThis.clearTimeout = fakeClear;
    },
  };
}

describe('veolia-water-consumption (release 0.2)', function () {
  this.timeout(20_000);

  describe('in real time', () => {
    let emulator: VeoliaEmulator;
    const flow = (extra: Record<string, unknown> = {}) => flowFor(emulator, extra);

    freshEmulatorEach(() => (emulator = new VeoliaEmulator()));

    describe('contract change', () => {
      it('syncs right after a redeploy for another contract, not after one for the same', async () => {
        emulator.state.addContract();
        await load(flow(), creds);
        const first = await collect<DayMsg>('out', 2, 8000);
        assert.ok(first.every((d) => d.payload.contract.id === MAIN_CONTRACT.id));
        await helper.setFlows(flow({ contract: SECOND_CONTRACT.id }), 'full', creds);
        const days = await collect<DayMsg>('out', 2, 5000);
        assert.ok(
          days.every((d) => d.payload.contract.id === SECOND_CONTRACT.id),
          days.map((d) => d.topic).join(),
        );
        // Back to the first contract, whose days were all emitted: nothing until the next sync.
        await helper.setFlows(flow(), 'full', creds);
        assert.deepEqual(await during('out', 2000), []);
      });

      it('syncs right after switching from a chosen contract to the default one', async () => {
        emulator.state.addContract();
        await load(flow({ contract: SECOND_CONTRACT.id }), creds);
        await collect<DayMsg>('out', 2, 8000);
        await helper.setFlows(flow({ contract: '' }), 'full', creds);
        const days = await collect<DayMsg>('out', 2, 5000);
        assert.ok(days.every((d) => d.payload.contract.id === MAIN_CONTRACT.id));
      });
    });

    it('shows the newest day known after a range import, not the last day of the range', async () => {
      await load(flow(), creds);
      const days = await collect<DayMsg>('out', 2, 8000);
      const newest = days[days.length - 1].payload;
      assert.equal(lastStatus('w1').text, `${newest.litres} L · ${dayMonth(newest.date)}`);
      const to = addDays(newest.date, -40);
      const from = addDays(to, -2);
      node('w1').receive({ payload: { from, to } });
      const range = await collect<DayMsg>('out', 3);
      assert.deepEqual(range.map((d) => d.payload.date), [from, addDays(from, 1), to]);
      assert.deepEqual(lastStatus('w1'), { fill: 'green', shape: 'dot', text: `${newest.litres} L · ${dayMonth(newest.date)}` });
    });

    it(`refuses a range starting more than ${MAX_HISTORY_DAYS} days ago, with no request`, async () => {
      await load(flow(), creds);
      await collect('out', 2, 8000);
      const today = zonedDate(Date.now());
      const requests = emulator.server.log.length;
      const err = collect<ErrorMsg>('err', 1);
      const tooOld = addDays(today, -MAX_HISTORY_DAYS - 1);
      node('w1').receive({ payload: { from: tooOld, to: addDays(tooOld, 10) } });
      const [msg] = await err;
      assert.equal(msg.error.code, 'INVALID_INPUT');
      assert.match(msg.error.message, /rangeTooOld/, 'its own sentence (the test runtime shows message keys)');
      assert.deepEqual(await during('out', 300), []);
      assert.equal(emulator.server.log.length, requests, 'no request');
      // The oldest day Veolia keeps is still accepted.
      node('w1').receive({ payload: { from: addDays(today, -MAX_HISTORY_DAYS), to: addDays(today, -MAX_HISTORY_DAYS + 5) } });
      assert.deepEqual(await during('err', 1500), []);
    });

    it("sends messages that are the receiver's own: changing one changes no later message", async () => {
      await load(flow({ output: 'latest' }), creds);
      const [first] = await collect<DayMsg>('out', 1, 8000);
      assert.ok(first.payload.billed);
      const billed = { ...first.payload.billed };
      first.payload.billed.m3 = -1;
      first.payload.billed.from = 'changed downstream';
      node('w1').receive({});
      const [second] = await collect<DayMsg>('out', 1);
      assert.deepEqual(second.payload.billed, billed);
    });

    describe('errors are handled once', () => {
      it('output 2 wired: the error goes there, Catch nodes do not see it', async () => {
        await load(flow({ contract: '4040404' }), creds);
        const [automatic] = await collect<ErrorMsg>('err', 1, 8000);
        assert.equal(automatic.error.code, 'NOT_FOUND');
        const err = collect<ErrorMsg>('err', 1);
        node('w1').receive({ payload: { from: 'yesterday', to: 'today' } });
        assert.equal((await err)[0].error.code, 'INVALID_INPUT');
        assert.deepEqual(await during('caught', 500), [], 'no Catch node gets them a second time');
      });

      it('output 2 not wired: Catch nodes get the error with its code', async () => {
        await load(flow({ contract: '4040404', wires: [['out']] }), creds);
        const [automatic] = await collect<ErrorMsg>('caught', 1, 8000);
        assert.equal(automatic.error.code, 'NOT_FOUND');
        assert.equal(automatic.error.source.id, 'w1');
        const caught = collect<ErrorMsg>('caught', 1);
        node('w1').receive({ topic: 'mine', payload: { from: '2026-13-01', to: '2026-11-01' } });
        const [msg] = await caught;
        assert.equal(msg.error.code, 'INVALID_INPUT');
        assert.equal(msg.topic, 'mine');
        assert.deepEqual(await during('err', 300), []);
      });
    });

    it('ends an input message (Complete node) once its days are sent, not before', async () => {
      await load(flow({ output: 'latest' }), creds);
      await collect('out', 1, 8000);
      emulator.server.faults.latencyMs = 300;
      const order: string[] = [];
      (helper.getNode('out') as unknown as EventEmitter).on('input', () => order.push('result'));
      (helper.getNode('completed') as unknown as EventEmitter).on('input', () => order.push('complete'));
      node('w1').receive({});
      await sleep(150);
      assert.deepEqual(order, [], 'nothing is complete while the sync is under way');
      await collect('completed', 1, 5000);
      assert.deepEqual(order, ['result', 'complete']);
    });

    it('neither sends nor logs once closed, when a redeploy cuts a sync short', async () => {
      await load(flow({ output: 'latest' }), creds);
      await collect('out', 1, 8000);
      emulator.server.faults.latencyMs = 400;
      const old = helper.getNode('w1') as unknown as EventEmitter;
      const after: string[] = [];
      let closed = false;
      for (const call of ['error', 'warn', 'log', 'send', 'status']) {
        old.on(`call:${call}`, (c: { args: unknown[] }) => {
          if (closed) after.push(`${call}: ${String(c.args[0])}`);
        });
      }
      const from = emulator.server.log.length;
      // Days the account does not have in cache: the sync needs several requests.
      node('w1').receive({ payload: { from: addDays(zonedDate(Date.now()), -200), to: addDays(zonedDate(Date.now()), -100) } });
      await until('a request of that sync', () => emulator.server.log.length > from);
      (old as unknown as Node).on('close', () => (closed = true));
      await helper.setFlows(flow({ output: 'latest', name: 'redeployed' }), 'full', creds);
      await sleep(1500);
      assert.deepEqual(after, []);
    });

    for (const refusal of ['wrong password', 'e-mail code'] as const) {
      it(`msg.topic "login" lets the account log in again after a refused login (${refusal})`, async () => {
        const expected = refusal === 'wrong password' ? 'AUTH_FAILED' : 'AUTH_CHALLENGE';
        if (refusal === 'wrong password') emulator.cognito.setUser({ username: DEMO_USERNAME, password: 'changed-on-the-portal' });
        else emulator.requireEmailCode(DEMO_USERNAME);
        const logins = () => emulator.cognito.stats.passwordLogins;
        await load(flow({ output: 'latest' }), creds);
        const [first] = await collect<ErrorMsg>('err', 1, 8000);
        assert.equal(first.error.code, expected);
        assert.equal(logins(), 1);
        assert.equal(lastStatus('w1').fill, 'red');

        // The user fixes it on the portal; ordinary messages still do not log in.
        emulator.cognito.setUser({ username: DEMO_USERNAME, password: DEMO_PASSWORD });
        const again = collect<ErrorMsg>('err', 1);
        node('w1').receive({});
        assert.equal((await again)[0].error.code, expected);
        assert.equal(logins(), 1, 'no login for an ordinary message');

        const day = collect<DayMsg>('out', 1);
        node('w1').receive({ topic: 'login' });
        assert.equal((await day)[0].payload.contract.id, MAIN_CONTRACT.id);
        assert.equal(logins(), 2);
        assert.deepEqual(await during('err', 300), []);
      });
    }

    it('leaves no timer of its own after close', async () => {
      const tracker = new TimerTracker().start();
      try {
        await load(flow(), creds);
        await collect('out', 2, 8000);
        // A sync waiting between two attempts of a failing request.
        emulator.burst(503, 100, '/journalieres');
        node('w1').receive({});
        await until('a failed request', () => emulator.server.log.some((r) => r.status === 503));
        await sleep(100);
        assert.ok(tracker.pending().length >= 1, `the daily timer and the retry wait are armed: ${tracker.pending().join(' | ')}`);
        await helper.unload();
        await sleep(50);
        assert.deepEqual(tracker.pending(), []);
      } finally {
        tracker.stop();
      }
    });
  });

  describe('on a fake clock', () => {
    let clock: FakeClock;
    let emulator: VeoliaEmulator;
    const tomorrow = addDays(zonedDate(Date.now()), 1);

    before(() => inFlight.install());
    after(() => inFlight.uninstall());
    afterEach(async () => {
      await helper.unload();
      clock.restore();
      await emulator.stop();
    });

    /** Deployed at 06:58 in Paris with syncTime 07:00; every /espace-client request fails. */
    async function deployBeforeTheDailySync(beforeLoad?: () => void): Promise<Outputs> {
      clock = installClock(zonedTimeToEpoch(tomorrow, 6, 58));
      emulator = new VeoliaEmulator();
      await emulator.start();
      emulator.burst(503, 1000, '/espace-client');
      beforeLoad?.();
      await load(flowFor(emulator, { output: 'latest', syncTime: '07:00' }), creds);
      return new Outputs();
    }

    const espaceClient = () => emulator.server.requests('/espace-client').length;
    /** How many times the node said "retrying". */
    const retryings = () => (node('w1') as unknown as Spied).status.args.filter(([s]) => s.fill === 'yellow').length;
    const isRetrying = () => retryings() > 0 && lastStatus('w1').fill === 'yellow';

    it('runs one retry chain: the daily sync replaces a waiting retry of the first sync', async () => {
      const outputs = await deployBeforeTheDailySync();
      await until('the first sync failing', isRetrying, { clock, maxFakeMs: MIN });
      const afterFirst = espaceClient();
      // The daily sync (07:00 plus up to 5 min of spread) fails too, well before the first sync's retry (07:13).
      await until('the daily sync failing', () => retryings() >= 2, { clock, maxFakeMs: 10 * MIN });
      assert.equal(espaceClient(), 2 * afterFirst);
      assert.ok(Date.now() < zonedTimeToEpoch(tomorrow, 7, 13));
      emulator.server.resetFaults();
      await advance(clock, zonedTimeToEpoch(tomorrow, 8, 0) - Date.now());
      assert.equal(outputs.out.length, 1, 'one sync succeeded: no second chain');
      assert.equal(outputs.err.length, 0);
      assert.equal(espaceClient(), 2 * afterFirst + 1);
      assert.equal(emulator.cognito.stats.passwordLogins, 1);
      assert.equal(lastStatus('w1').fill, 'green');
    });

    it('leaves no timer after close while a retry waits', async () => {
      let timers: ReturnType<typeof trackFakeTimers> | undefined;
      try {
        const outputs = await deployBeforeTheDailySync(() => (timers = trackFakeTimers()));
        await until('the first sync failing', isRetrying, { clock, maxFakeMs: MIN });
        await until('the daily sync failing', () => retryings() >= 2, { clock, maxFakeMs: 10 * MIN });
        assert.ok(timers?.pending().length, 'the daily timer and a retry are armed');
        await helper.unload();
        await realDelay(20);
        assert.deepEqual(timers?.pending(), []);
        const requests = emulator.server.log.length;
        await advance(clock, 2 * HOUR);
        assert.equal(emulator.server.log.length, requests, 'no request after close');
        assert.equal(outputs.out.length + outputs.err.length, 0);
      } finally {
        timers?.restore();
      }
    });

    it('does not retry an automatic sync whose login is refused: one error, one login', async () => {
      clock = installClock();
      emulator = new VeoliaEmulator();
      await emulator.start();
      emulator.cognito.setUser({ username: DEMO_USERNAME, password: 'changed-on-the-portal' });
      await load(flowFor(emulator, { output: 'latest' }), creds);
      const outputs = new Outputs();
      await until('the error', () => outputs.err.length > 0, { clock, maxFakeMs: MIN });
      await advance(clock, HOUR);
      assert.deepEqual(
        outputs.err.map((m) => [m.error?.code, m.error?.attempts]),
        [['AUTH_FAILED', 1]],
      );
      assert.equal(emulator.cognito.stats.passwordLogins, 1);
      assert.notEqual(lastStatus('w1').fill, 'yellow');
    });
  });
});
