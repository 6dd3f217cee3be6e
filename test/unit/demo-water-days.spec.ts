import assert from 'node:assert/strict';
import { addDays } from '../../src/lib/schedule/daily';
import { DayLedger } from '../../src/lib/veolia/ledger';
import { createVeoliaSession, VeoliaSession } from '../../src/lib/veolia/water';
import { DEMO_PASSWORD, DEMO_USERNAME, MAIN_CONTRACT, VEOLIA_CLIENT_IDS, VeoliaEmulator } from '../../src/emulator/veolia';
import { widenWaterHistory } from '../../scripts/shared/demo-setup';

/** 2026-11-23 07:00 in Paris. */
const T0 = Date.parse('2026-11-23T06:00:00Z');
const TODAY = '2026-11-23';
const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/**
 * The demo of `npm start` publishes a water day every minute: the product asks for days up to
 * the real yesterday only, so the emulator's calendar starts behind the clock and catches up.
 */
describe('demo: water days keep coming', () => {
  let clock: number;
  let emu: VeoliaEmulator;
  let session: VeoliaSession;

  beforeEach(async () => {
    clock = T0;
    emu = new VeoliaEmulator({ now: () => clock, lagDays: 10, publicationDelayDays: 1 });
    const url = await emu.start();
    session = createVeoliaSession({
      portal: 'custom',
      apiUrl: url,
      authUrl: `${url}/`,
      clientId: VEOLIA_CLIENT_IDS[0],
      username: DEMO_USERNAME,
      password: DEMO_PASSWORD,
      now: () => clock,
      water: { retry: { sleep: () => Promise.resolve() } },
    });
  });
  afterEach(() => emu.stop());

  it('gives a new day at each minute of the demo past J-1, then one a day with the clock', async () => {
    const first = await session.water.sync(undefined, { historyDays: 40 });
    let ledger = DayLedger.empty().update(MAIN_CONTRACT.id, first.days).ledger;
    assert.equal(ledger.lastDate(MAIN_CONTRACT.id), addDays(TODAY, -11), 'ten days behind J-1 at start');
    const seen: string[] = [];
    // Fifteen minutes of demo on a clock that barely moves: ten caught-up days, then none.
    for (let minute = 0; minute < 15; minute++) {
      clock += MINUTE_MS;
      emu.state.catchUpDay();
      const next = await session.water.sync(undefined, { lastDate: ledger.lastDate(MAIN_CONTRACT.id) });
      const update = ledger.update(MAIN_CONTRACT.id, next.days);
      ledger = update.ledger;
      seen.push(...update.emit.map((d) => d.date));
    }
    assert.deepEqual(
      seen,
      Array.from({ length: 10 }, (_, i) => addDays(TODAY, i - 10)),
      'one new day a minute up to the real yesterday, never beyond',
    );
    assert.equal(emu.state.catchUpDay(), false, 'caught up');
    // Then the clock brings one day a day.
    clock += DAY_MS;
    const tomorrow = await session.water.sync(undefined, { lastDate: ledger.lastDate(MAIN_CONTRACT.id) });
    assert.deepEqual(
      ledger.update(MAIN_CONTRACT.id, tomorrow.days).emit.map((d) => d.date),
      [TODAY],
    );
  });

  it('keeps the bills and the days in the past of the clock while it catches up', async () => {
    for (let i = 0; i < 12; i++) emu.state.catchUpDay();
    const today = emu.state.today();
    assert.ok(today <= TODAY, `the emulator's calendar (${today}) is never after the clock's`);
    const bills = emu.state.billing(MAIN_CONTRACT.id);
    assert.ok(bills.length > 1);
    for (const bill of bills) assert.ok(String(bill.date_facturation) <= TODAY, `bill of ${bill.date_facturation}`);
    assert.ok(emu.state.lastPublishedDate() < TODAY);
  });

  it('widens the water nodes’ history and the day charts by the calendar’s lag', () => {
    const flows = widenWaterHistory(
      [
        { id: 'w', type: 'veolia-water-consumption', historyDays: 30 },
        { id: 'c', type: 'ui-chart', removeOlder: 60, removeOlderUnit: '86400' },
        { id: 'h', type: 'ui-chart', removeOlder: 24, removeOlderUnit: '3600' },
      ],
      60,
    );
    assert.deepEqual(
      flows.map((n) => n.historyDays ?? n.removeOlder),
      [90, 120, 24],
    );
  });
});
