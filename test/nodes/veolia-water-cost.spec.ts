import assert from 'node:assert/strict';
import type { NodeStatus } from 'node-red';
import sinon from 'sinon';
import { ComapEmulator } from '../../src/emulator/comap';
import { MAIN_CONTRACT, VEOLIA_CLIENT_IDS, VeoliaEmulator } from '../../src/emulator/veolia';
import { addDays, zonedDate, zonedTimeToEpoch } from '../../src/lib/schedule/daily';
import { toCents } from '../../src/lib/veolia/prices';
import { usualRange } from '../../src/lib/veolia/unusual-days';
import { COMAP_IDS } from '../../src/emulator/comap/fixture';
import { ModeHistory } from '../../src/lib/comap/mode-history';
import type { QivivoAccountNode } from '../../src/nodes/qivivo-account/qivivo-account';
import { nodeMemory } from '../../src/nodes/shared/node-memory';
import { accountConfig, collect, DEMO, during, FlowNode, helper, load, node } from '../support/flow';

/** veolia-water-consumption: cost, month, year, billing, `output: months`, unusual days (product-spec §8.2, §8.3). */

interface Total {
  litres: number;
  cost: number | null;
  days: number;
}
interface DayMsg {
  topic: string;
  payload: {
    date: string;
    litres: number;
    estimated: boolean;
    cost: number | null;
    month: Total;
    year: Total;
    usual: { low: number; high: number } | null;
    unusual: { reason: string; reasons: string[]; litres: number; expected: number | null } | null;
    billing?: { balance: number | null; monthlyPayment: number | null; nextPayment: { date: string; amount: number | null } | null };
  };
}
interface MonthMsg {
  topic: string;
  timestamp: number;
  payload: { contract: { id: string }; month: string; litres: number; m3: number; cost: number | null; estimated: boolean };
}
type Spied = { status: { lastCall: { args: NodeStatus[] } } };
const lastStatus = (id: string): NodeStatus => (node(id) as unknown as Spied).status.lastCall.args[0];

describe('veolia-water-consumption: cost, months, billing, unusual days', function () {
  this.timeout(30_000);
  let emulator: VeoliaEmulator;
  let comap: ComapEmulator | undefined;
  let clock: sinon.SinonFakeTimers | undefined;

  afterEach(async () => {
    await helper.unload();
    clock?.restore();
    clock = undefined;
    await emulator.stop();
    await comap?.stop();
    comap = undefined;
  });

  async function start(now?: number): Promise<void> {
    // Only the date is fake: jumping days moves the emulator's calendar and the node's, no timer fires.
    if (now !== undefined) clock = sinon.useFakeTimers({ now, toFake: ['Date'] });
    emulator = new VeoliaEmulator();
    await emulator.start();
  }

  function flow(extra: Record<string, unknown> = {}, more: FlowNode[] = []): FlowNode[] {
    return [
      { id: 'tab', type: 'tab' },
      { id: 'vacct', type: 'veolia-account', z: 'tab', portal: 'custom', apiUrl: emulator.url, authUrl: `${emulator.url}/`, clientId: VEOLIA_CLIENT_IDS[0] },
      // 0.1-shaped by default: no prices, alertLitres, heatingAccount or housing.
      { id: 'w1', type: 'veolia-water-consumption', z: 'tab', account: 'vacct', contract: '', syncTime: '03:00', historyDays: 10, output: 'days', wires: [['out'], ['err']], ...extra },
      { id: 'out', type: 'helper', z: 'tab' },
      { id: 'err', type: 'helper', z: 'tab' },
      ...more,
    ];
  }
  const creds = { vacct: DEMO };
  const published = () => emulator.state.published(emulator.state.contract());

  it('adds cost, month and year to every day, a price changing mid-window, summed from unrounded costs', async () => {
    await start();
    const last = emulator.state.lastPublishedDate();
    const change = addDays(last, -4);
    const prices = [{ from: '2020-01-01', eurPerM3: 4.123 }, { from: change, eurPerM3: 5.377 }];
    await load(flow({ prices: JSON.stringify(prices) }), creds);
    const days = await collect<DayMsg>('out', 9, 10_000);
    const price = (date: string) => (date >= change ? 5.377 : 4.123);
    for (const [i, { payload: day }] of days.entries()) {
      assert.equal(day.cost, toCents((day.litres / 1000) * price(day.date)), day.date);
      const sent = days.slice(0, i + 1).map((d) => d.payload);
      const month = sent.filter((d) => d.date.slice(0, 7) === day.date.slice(0, 7));
      const year = sent.filter((d) => d.date.slice(0, 4) === day.date.slice(0, 4));
      const sum = (list: typeof sent) => ({ litres: list.reduce((s, d) => s + d.litres, 0), cost: toCents(list.reduce((s, d) => s + (d.litres / 1000) * price(d.date), 0)), days: list.length });
      assert.deepEqual(day.month, sum(month), `${day.date}: month`);
      assert.deepEqual(day.year, sum(year), `${day.date}: year`);
    }
    assert.equal(days[days.length - 1].payload.date, last);
  });

  it('starts the year again on January 1st (a range import across the new year)', async () => {
    await start();
    await load(flow({ prices: '[{"from":"2020-01-01","eurPerM3":4}]' }), creds);
    await collect('out', 9, 10_000);
    const year = Number(addDays(emulator.state.lastPublishedDate(), -3).slice(0, 4));
    node('w1').receive({ payload: { from: `${year - 1}-12-30`, to: `${year}-01-02` } });
    const days = (await collect<DayMsg>('out', 4)).map((d) => d.payload);
    const litres = (date: string) => published().find((d) => d.date === date)?.litres ?? NaN;
    assert.deepEqual(days.map((d) => d.date), [`${year - 1}-12-30`, `${year - 1}-12-31`, `${year}-01-01`, `${year}-01-02`]);
    assert.deepEqual(days[1].year, { litres: litres(`${year - 1}-12-30`) + litres(`${year - 1}-12-31`), cost: toCents(((litres(`${year - 1}-12-30`) + litres(`${year - 1}-12-31`)) / 1000) * 4), days: 2 });
    assert.deepEqual(days[2].year, { litres: litres(`${year}-01-01`), cost: toCents((litres(`${year}-01-01`) / 1000) * 4), days: 1 });
    assert.deepEqual(days[3].month.days, 2);
  });

  it('gives null costs without prices (a flow saved before prices existed), and warns of unusable prices', async () => {
    await start();
    await load(flow(), creds);
    const [day] = (await collect<DayMsg>('out', 9, 10_000)).slice(-1);
    assert.deepEqual([day.payload.cost, day.payload.month.cost, day.payload.year.cost], [null, null, null]);
    assert.ok(day.payload.month.litres > 0);
    await helper.unload();
    await load(flow({ prices: '[{"from":"2026-01-01"}]', output: 'latest' }), creds);
    const [latest] = await collect<DayMsg>('out', 1, 10_000);
    assert.equal(latest.payload.cost, null);
    const warned = helper.log().args.filter((a: unknown[]) => JSON.stringify(a).includes('errors.prices') || JSON.stringify(a).includes('Prices ignored'));
    assert.equal(warned.length, 1, 'one warning at start');
  });

  it('adds billing to `latest`: no plan (204), then a plan and a balance', async () => {
    await start();
    await load(flow({ output: 'latest' }), creds);
    const [first] = await collect<DayMsg>('out', 1, 10_000);
    assert.deepEqual(first.payload.billing, { balance: 0, monthlyPayment: null, nextPayment: null });
    assert.equal(emulator.server.requests('/mensualisation/plan').length, 1);
    // A new deploy of the account is a new session: it reads the plan again.
    emulator.state.setBalance(-31.2);
    emulator.state.setPaymentPlan({ amount: 44 });
    await helper.unload();
    await load(flow({ output: 'latest' }), creds);
    node('w1').receive({});
    const [again] = await collect<DayMsg>('out', 1, 10_000);
    const today = zonedDate(Date.now());
    const next = emulator.state.paymentSchedule(MAIN_CONTRACT.id)?.prelevements_echeancier?.find((p) => p.date !== undefined && p.date >= today);
    assert.deepEqual(again.payload.billing, { balance: -31.2, monthlyPayment: 44, nextPayment: { date: next?.date, amount: 44 } });
  });

  it('adds cost, month, year and billing to `values`', async () => {
    await start();
    emulator.state.setPaymentPlan({ amount: 44 });
    await load(flow({ output: 'values', prices: '[{"from":"2020-01-01","eurPerM3":4}]' }), creds);
    const msgs = await collect<{ topic: string; payload: unknown; cost?: number | null; days?: number }>('out', 7, 10_000);
    assert.deepEqual(msgs.map((m) => m.topic), ['consumption', 'index', 'billed', 'cost', 'month', 'year', 'billing']);
    const litres = msgs[0].payload as number;
    assert.equal(msgs[3].payload, toCents((litres / 1000) * 4));
    assert.equal(typeof msgs[4].payload, 'number');
    assert.ok(typeof msgs[4].cost === 'number' && typeof msgs[4].days === 'number');
    assert.equal((msgs[6].payload as { monthlyPayment: number }).monthlyPayment, 44);
  });

  it('`output: months`: the completed months at first, then a month once complete or corrected, asked at most once a day', async () => {
    await start(zonedTimeToEpoch('2026-11-30', 10, 0));
    await load(flow({ output: 'months', historyDays: 40, prices: '[{"from":"2020-01-01","eurPerM3":4}]' }), creds);
    const monthTotal = (month: string) => published().filter((d) => d.date.startsWith(month)).reduce((s, d) => s + d.litres, 0);
    const [oct] = await collect<MonthMsg>('out', 1, 10_000);
    assert.deepEqual(oct.payload, { contract: { id: MAIN_CONTRACT.id, meter: MAIN_CONTRACT.meter }, month: '2026-10', litres: monthTotal('2026-10'), m3: monthTotal('2026-10') / 1000, cost: toCents((monthTotal('2026-10') / 1000) * 4), estimated: published().some((d) => d.date.startsWith('2026-10') && d.estimated) });
    assert.equal(zonedDate(oct.timestamp), '2026-10-01');
    assert.equal(emulator.server.requests('/mensuelles').length, 1);

    /** One sync on `date` at 10:00: its requests and what it sent. */
    const syncOn = async (date: string): Promise<{ requests: string[]; months: MonthMsg[] }> => {
      clock?.setSystemTime(zonedTimeToEpoch(date, 10, 0));
      emulator.server.clearLog();
      const done = during<MonthMsg>('out', 1500);
      node('w1').receive({});
      const months = await done;
      return { requests: emulator.server.log.map((r) => r.path), months };
    };
    const again = await syncOn('2026-11-30');
    assert.deepEqual([again.months, again.requests.filter((p) => p.includes('/mensuelles'))], [[], []], 'same day: nothing asked, nothing sent');
    const dec1 = await syncOn('2026-12-01');
    assert.deepEqual([dec1.months, dec1.requests.filter((p) => p.includes('/mensuelles'))], [[], []], 'November not complete yet (Nov 29 published)');
    assert.ok(dec1.requests.length <= 4, dec1.requests.join(', '));
    const dec2 = await syncOn('2026-12-02');
    assert.deepEqual(dec2.months.map((m) => [m.payload.month, m.payload.litres]), [['2026-11', monthTotal('2026-11')]], 'November complete: sent');
    assert.equal(dec2.requests.filter((p) => p.includes('/mensuelles')).length, 1);
    assert.ok(dec2.requests.length <= 6, dec2.requests.join(', '));
    emulator.state.correctDay('2026-11-28', 999);
    const sameDay = await syncOn('2026-12-02');
    assert.deepEqual([sameDay.months, sameDay.requests.filter((p) => p.includes('/mensuelles'))], [[], []], 'a correction seen on a day the months were asked waits for the next day');
    const dec3 = await syncOn('2026-12-03');
    assert.deepEqual(dec3.months.map((m) => [m.payload.month, m.payload.litres]), [['2026-11', monthTotal('2026-11')]], 'the corrected November');
    const dec4 = await syncOn('2026-12-04');
    assert.deepEqual([dec4.months, dec4.requests.filter((p) => p.includes('/mensuelles'))], [[], []], 'nothing changed');
    assert.ok(dec4.requests.length <= 4, dec4.requests.join(', '));
    assert.equal(dec4.requests.filter((p) => p.includes('/mensualisation/')).length, 0, '`months` spends nothing on billing');
  });

  it('`output: months` re-sends the completed months of a range', async () => {
    await start(zonedTimeToEpoch('2026-11-30', 10, 0));
    await load(flow({ output: 'months', historyDays: 10 }), creds);
    assert.deepEqual(await during('out', 2000), [], 'no month completed within 10 days');
    node('w1').receive({ payload: { from: '2026-08-15', to: '2026-10-31' } });
    const months = await collect<MonthMsg>('out', 3);
    assert.deepEqual(months.map((m) => [m.payload.month, m.payload.cost]), [['2026-08', null], ['2026-09', null], ['2026-10', null]]);
  });

  it('flags a day above the alert threshold, with a warning status', async () => {
    await start();
    await load(flow({ output: 'latest', historyDays: 40, alertLitres: '100' }), creds);
    const [latest] = await collect<DayMsg>('out', 1, 10_000);
    const day = latest.payload;
    const history = published().filter((d) => d.date < day.date && d.date >= addDays(zonedDate(Date.now()), -40));
    assert.deepEqual(day.usual, usualRange(day.date, history));
    assert.ok(day.usual, 'a usual range with 38 days of history');
    if (day.estimated) assert.equal(day.unusual, null, 'estimated days are never flagged');
    else {
      assert.equal(day.unusual?.reason, 'above-threshold');
      assert.equal(day.unusual?.expected, 100);
      assert.deepEqual({ fill: lastStatus('w1').fill, shape: lastStatus('w1').shape }, { fill: 'yellow', shape: 'dot' });
    }
  });

  it('gives usual and unusual null without history, and a green status', async () => {
    await start();
    await load(flow({ output: 'latest', historyDays: 5 }), creds);
    const [latest] = await collect<DayMsg>('out', 1, 10_000);
    assert.deepEqual([latest.payload.usual, latest.payload.unusual], [null, null]);
    assert.equal(lastStatus('w1').fill, 'green');
  });

  it('flags water used while away from the mode history the Qivivo account keeps (no stub)', async () => {
    await start();
    comap = new ComapEmulator();
    await comap.start();
    const heating = { ...accountConfig(comap, { pollInterval: 0 }), id: 'qacct' };
    const water = (): FlowNode[] => flow({ output: 'latest', historyDays: 5, heatingAccount: 'qacct', housing: 'Maison' }, [heating]);
    await load(water(), { ...creds, qacct: DEMO });
    const [first] = await collect<DayMsg>('out', 1, 10_000);
    // What the account's polls would have recorded: the house away from the evening before that day to the morning after.
    const modes = ModeHistory.empty();
    const from = zonedTimeToEpoch(addDays(first.payload.date, -1), 22, 0);
    for (let at = from; at <= from + 28 * 3_600_000; at += 2 * 3_600_000) {
      modes.record({ housing: { id: COMAP_IDS.maison, name: 'Maison' }, mode: { away: true, holiday: null }, updatedAt: new Date(at).toISOString() });
    }
    assert.equal(modes.awayAllDay('Maison', first.payload.date), true);
    const qacct = helper.getNode('qacct');
    nodeMemory<unknown>(qacct, 'modeHistory').set(modes.toJson());
    // A redeploy: the account's next instance reads the days it kept.
    await helper.setFlows(water(), 'full', { ...creds, qacct: DEMO });
    node('w1').receive({});
    const [again] = await collect<DayMsg>('out', 1, 10_000);
    assert.equal(again.payload.date, first.payload.date);
    if (again.payload.estimated || again.payload.litres < 30) assert.equal(again.payload.unusual, null);
    else assert.equal(again.payload.unusual?.reason, 'while-away');
  });

  it('flags water used while the linked Qivivo housing was away all day', async () => {
    await start();
    comap = new ComapEmulator();
    await comap.start();
    const heating = { ...accountConfig(comap, { pollInterval: 0 }), id: 'qacct' };
    await load(flow({ output: 'latest', historyDays: 5, heatingAccount: 'qacct', housing: 'Maison' }, [heating]), { ...creds, qacct: DEMO });
    const [first] = await collect<DayMsg>('out', 1, 10_000);
    assert.equal(first.payload.unusual, null, 'no mode history yet: not known');
    const away = sinon.stub(helper.getNode('qacct') as QivivoAccountNode, 'awayAllDay').returns(true);
    node('w1').receive({});
    const [second] = await collect<DayMsg>('out', 1, 10_000);
    assert.ok(away.calledWith('Maison', second.payload.date), 'asks the housing of the node for that day');
    if (second.payload.estimated || second.payload.litres < 30) assert.equal(second.payload.unusual, null);
    else {
      assert.deepEqual(second.payload.unusual, { reason: 'while-away', reasons: ['while-away'], litres: second.payload.litres, expected: 0 });
      assert.equal(lastStatus('w1').fill, 'yellow');
    }
  });
});
