import assert from 'node:assert/strict';
import { ComapEmulator } from '../../src/emulator/comap';
import { COMAP_IDS } from '../../src/emulator/comap/fixture';
import { addDays, zonedDate, zonedTimeToEpoch } from '../../src/lib/schedule/daily';
import type { QivivoAccountNode } from '../../src/nodes/qivivo-account/qivivo-account';
import { advance, FakeClock, inFlight, installClock } from '../reliability/support/harness';
import { ALL_NODES, accountConfig, DEMO, FlowNode, helper, load } from '../support/flow';

/** qivivo-account keeps which days each housing was away all day, from its own polls (spec §8.3). */

const HOUR = 3_600_000;

describe('qivivo-account: days away all day', function () {
  this.timeout(60_000);
  let clock: FakeClock;
  let emulator: ComapEmulator;
  const day = addDays(zonedDate(Date.now()), 3);

  before(() => inFlight.install());
  after(() => inFlight.uninstall());
  afterEach(async () => {
    await helper.unload();
    clock.restore();
    await emulator.stop();
  });

  function flow(housing = ''): FlowNode[] {
    return [
      { id: 'tab', type: 'tab', label: 'test' },
      accountConfig(emulator, { pollInterval: 30 }),
      // A heating-state node: the account polls for it, and the history reads those polls.
      { id: 'n1', type: 'qivivo-thermostat-in', z: 'tab', account: 'acct', housing, output: 'state', onlyChanges: true, wires: [[]] },
    ];
  }

  function account(): QivivoAccountNode {
    return helper.getNode('acct') as QivivoAccountNode;
  }

  async function start(housing = ''): Promise<void> {
    // 22:00 in Paris the evening before, the house already on leave-home.
    clock = installClock(zonedTimeToEpoch(addDays(day, -1), 22, 0));
    emulator = new ComapEmulator({ now: () => Date.now() });
    await emulator.start();
    emulator.state.setHouseModes(COMAP_IDS.maison, { away: true });
    await load(flow(housing));
  }

  it('is true for a day the polls saw away from midnight to midnight, false once someone is home', async () => {
    await start();
    const requestsBefore = emulator.server.log.length;
    await advance(clock, 27 * HOUR);
    assert.equal(account().awayAllDay('', day), true);
    assert.equal(account().awayAllDay(COMAP_IDS.maison, day), true);
    assert.equal(account().awayAllDay('Maison', day), true);
    assert.equal(account().awayAllDay(COMAP_IDS.chalet, day), undefined, 'the chalet is never polled');
    assert.equal(account().awayAllDay('', addDays(day, -1)), undefined, 'polls began at 22:00');
    const thermalReads = emulator.server.log.slice(requestsBefore).filter((r) => /thermal-details/.test(r.path)).length;
    assert.ok(thermalReads <= 27 * 2 + 2, `one read per poll, no extra request: ${thermalReads}`);

    emulator.state.setHouseModes(COMAP_IDS.maison, { away: false });
    await advance(clock, 2 * HOUR);
    assert.equal(account().awayAllDay('', addDays(day, 1)), false, 'back home the next night');
    assert.equal(account().awayAllDay('', day), true);
  });

  it('asks the cloud nothing of its own: without a polling node, nothing is known', async () => {
    clock = installClock(zonedTimeToEpoch(addDays(day, -1), 22, 0));
    emulator = new ComapEmulator({ now: () => Date.now() });
    await emulator.start();
    emulator.state.setHouseModes(COMAP_IDS.maison, { away: true });
    await load([{ id: 'tab', type: 'tab', label: 'test' }, accountConfig(emulator, { pollInterval: 30 })]);
    await advance(clock, 27 * HOUR);
    assert.deepEqual(emulator.server.log, []);
    assert.equal(account().awayAllDay('', day), undefined);
  });

  it('keeps the days across a redeploy; an empty housing is the first one even when polled by id', async () => {
    await start(COMAP_IDS.maison);
    await advance(clock, 27 * HOUR);
    assert.equal(account().awayAllDay('', day), true);
    await helper.unload();
    // The same flow again, without the fresh-process reset of load().
    await helper.load(ALL_NODES, flow(COMAP_IDS.maison), { acct: DEMO });
    assert.equal(account().awayAllDay('', day), true);
  });
});
