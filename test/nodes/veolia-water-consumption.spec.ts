import assert from 'node:assert/strict';
import { MAIN_CONTRACT, SECOND_CONTRACT, VeoliaEmulator } from '../../src/emulator/veolia';
import { addDays, zonedDate } from '../../src/lib/schedule/daily';
import { collect, DEMO, during, freshEmulatorEach, helper, load, node, type FlowNode } from '../support/flow';

interface DayMsg {
  topic: string;
  timestamp: number;
  payload: { contract: { id: string; meter: string }; date: string; litres: number; indexLitres: number | null; estimated: boolean; billed: { m3: number; from: string | null; to: string | null } | null };
}
interface ErrorMsg {
  error: { code: string; attempts: number; message: string };
}

describe('veolia-water-consumption', function () {
  this.timeout(15_000);
  let emulator: VeoliaEmulator;

  freshEmulatorEach(() => (emulator = new VeoliaEmulator()));

  const flow = (extra: Record<string, unknown> = {}): FlowNode[] => [
    { id: 'tab', type: 'tab' },
    { id: 'vacct', type: 'veolia-account', z: 'tab', portal: 'custom', apiUrl: emulator.url, authUrl: `${emulator.url}/`, clientId: '3kghade1fg54739kj8pkbova8j' },
    { id: 'w1', type: 'veolia-water-consumption', z: 'tab', account: 'vacct', contract: '', syncTime: '07:00', historyDays: 10, output: 'days', wires: [['out'], ['err']], ...extra },
    { id: 'out', type: 'helper', z: 'tab' },
    { id: 'err', type: 'helper', z: 'tab' },
  ];
  const creds = { vacct: DEMO };
  const newestPublished = () => emulator.state.lastPublishedDate();

  // historyDays 10 with publication at J-2: the 9 days from J-10 to J-2.
  it('backfills the history on first deploy, oldest first, with real dates (spec §3.3)', async () => {
    await load(flow(), creds);
    const days = await collect<DayMsg>('out', 9, 8000);
    const dates = days.map((d) => d.payload.date);
    assert.deepEqual([...dates].sort(), dates, 'oldest first');
    assert.equal(dates[dates.length - 1], newestPublished());
    const day = days[days.length - 1];
    assert.equal(day.topic, `veolia/${MAIN_CONTRACT.id}`);
    assert.deepEqual(day.payload.contract, { id: MAIN_CONTRACT.id, meter: MAIN_CONTRACT.meter });
    assert.ok(Number.isInteger(day.payload.litres) && day.payload.litres > 0);
    assert.ok(Number.isInteger(day.payload.indexLitres));
    assert.equal(day.payload.estimated, false);
    assert.ok(day.payload.billed && day.payload.billed.m3 > 0);
    assert.equal(zonedDate(day.timestamp), day.payload.date, 'timestamp is the start of that day in Europe/Paris');
    assert.equal(zonedDate(day.timestamp - 1), addDays(day.payload.date, -1));
  });

  it('re-emits nothing after a redeploy without a context store, then only new or corrected days', async () => {
    await load(flow(), creds);
    await collect<DayMsg>('out', 9, 8000);
    await helper.setFlows(flow(), 'full', creds);
    assert.deepEqual(await during('out', 1500), [], 'nothing re-emitted after the redeploy');
    const date = addDays(newestPublished(), -1);
    emulator.state.estimateDay(date, 999);
    node('w1').receive({});
    const [estimated] = await collect<DayMsg>('out', 1);
    assert.deepEqual([estimated.payload.date, estimated.payload.litres, estimated.payload.estimated], [date, 999, true]);
    emulator.state.correctDay(date, 412);
    node('w1').receive({});
    const [corrected] = await collect<DayMsg>('out', 1);
    assert.deepEqual([corrected.payload.date, corrected.payload.litres, corrected.payload.estimated], [date, 412, false]);
    node('w1').receive({});
    assert.deepEqual(await during('out', 800), [], 'unchanged days are not sent again');
  });

  it('emits the newest day on every input with output "latest"', async () => {
    await load(flow({ output: 'latest' }), creds);
    const [first] = await collect<DayMsg>('out', 1, 8000);
    assert.equal(first.payload.date, newestPublished());
    node('w1').receive({ topic: 'again' });
    const [again] = await collect<DayMsg & { topic: string }>('out', 1);
    assert.equal(again.payload.date, newestPublished());
  });

  it('emits consumption, index and billed with output "values"', async () => {
    await load(flow({ output: 'values' }), creds);
    const msgs = await collect<{ topic: string; payload: number; timestamp: number }>('out', 3, 8000);
    assert.deepEqual(msgs.map((m) => m.topic), ['consumption', 'index', 'billed']);
    assert.ok(msgs.every((m) => typeof m.payload === 'number' && m.timestamp > 0));
  });

  it('re-emits a requested range (history import)', async () => {
    await load(flow(), creds);
    await collect('out', 9, 8000);
    const to = addDays(newestPublished(), -40);
    const from = addDays(to, -2);
    node('w1').receive({ payload: { from, to } });
    const days = await collect<DayMsg>('out', 3);
    assert.deepEqual(days.map((d) => d.payload.date), [from, addDays(from, 1), to]);
  });

  it('reads the second contract of the account', async () => {
    emulator.state.addContract();
    await load(flow({ contract: SECOND_CONTRACT.id, historyDays: 4 }), creds);
    const days = await collect<DayMsg>('out', 3, 8000);
    assert.ok(days.every((d) => d.payload.contract.id === SECOND_CONTRACT.id && d.topic === `veolia/${SECOND_CONTRACT.id}`));
  });

  it('says AUTH_CHALLENGE when the service asks for an e-mail code', async () => {
    emulator.requireEmailCode('demo@example.com');
    await load(flow(), creds);
    const [msg] = await collect<ErrorMsg>('err', 1, 8000);
    assert.equal(msg.error.code, 'AUTH_CHALLENGE');
    // The account's own sentence (spec §8.1: where the code went and how to give it).
    assert.equal(msg.error.message, 'veolia-account.login.challengeEmail');
  });

  for (const payload of [{ from: '2026-13-01', to: '2026-11-01' }, { from: '2026-11-10', to: '2026-11-01' }, { from: 'yesterday', to: 'today' }, { from: '2026-11-01' }]) {
    it(`refuses the range ${JSON.stringify(payload)} without a request`, async () => {
      await load(flow({ historyDays: 3 }), creds);
      await collect('out', 2, 8000);
      const requests = emulator.server.log.length;
      const err = collect<ErrorMsg>('err', 1);
      node('w1').receive({ payload });
      assert.equal((await err)[0].error.code, 'INVALID_INPUT');
      assert.equal(emulator.server.log.length, requests);
    });
  }

  it('says NOT_FOUND for a contract the account does not have', async () => {
    await load(flow({ contract: '123' }), creds);
    const [msg] = await collect<ErrorMsg>('err', 1, 8000);
    assert.equal(msg.error.code, 'NOT_FOUND');
  });
});
