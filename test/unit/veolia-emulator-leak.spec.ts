import assert from 'node:assert/strict';
import { MAIN_CONTRACT, VEOLIA_CLIENT_IDS, VeoliaEmulator } from '../../src/emulator/veolia';
import { DayRecord } from '../../src/lib/veolia/model';
import { createVeoliaSession } from '../../src/lib/veolia/water';

/** 2026-11-23 07:00 in Paris. */
const T0 = Date.parse('2026-11-23T06:00:00Z');
const LEAK_FROM = '2026-11-10';

describe('Veolia emulator leak knob', () => {
  const clean = new VeoliaEmulator({ now: () => T0 });
  const leaking = new VeoliaEmulator({ now: () => T0 });

  before(async () => {
    await clean.start();
    await leaking.start();
  });
  after(async () => {
    await clean.stop();
    await leaking.stop();
  });

  async function november(emulator: VeoliaEmulator): Promise<DayRecord[]> {
    const session = createVeoliaSession({ portal: 'custom', apiUrl: emulator.url, authUrl: `${emulator.url}/`, clientId: VEOLIA_CLIENT_IDS[0], username: 'demo@example.com', password: 'demo-password', now: () => T0 });
    try {
      return (await session.water.sync(undefined, { range: { from: '2026-11-01', to: '2026-11-30' } })).days;
    } finally {
      session.transport.close();
    }
  }

  it('adds its litres to every day from its start: days, index and months follow', async () => {
    leaking.state.setLeak({ from: LEAK_FROM, litresPerDay: 300 });
    const before = await november(clean);
    const after = await november(leaking);
    assert.deepEqual(after.map((d) => d.date), before.map((d) => d.date));
    assert.ok(after.some((d) => d.date >= LEAK_FROM), 'published days during the leak');
    let leaked = 0;
    for (let i = 0; i < after.length; i++) {
      const inLeak = after[i].date >= LEAK_FROM;
      if (inLeak) leaked += 300;
      // A seeded estimate stays a flat guess, and its index follows the guess.
      if (after[i].estimated) continue;
      assert.equal(after[i].litres, before[i].litres + (inLeak ? 300 : 0), after[i].date);
      assert.equal(after[i].indexLitres, (before[i].indexLitres ?? 0) + leaked, `index of ${after[i].date}`);
    }
    const monthOf = (e: VeoliaEmulator): number => Number(e.state.monthly(MAIN_CONTRACT.id, 2026).find((m) => m.mois === 11)?.consommation?.litre);
    const leakDays = after.filter((d) => d.date >= LEAK_FROM && !d.estimated).length;
    assert.equal(monthOf(leaking) - monthOf(clean), leakDays * 300);
  });

  it('shows in the bills, and clearLeak puts the seeded history back', () => {
    leaking.state.setLeak({ from: '2026-05-01', litresPerDay: 300 });
    const bill = (e: VeoliaEmulator): number => Number(e.state.billing(MAIN_CONTRACT.id).find((p) => p.date_facturation === '2026-06-05')?.volume_facture_eau?.m3);
    // 35 days × 300 L = 10.5 m³, in whole m³.
    assert.ok([10, 11].includes(bill(leaking) - bill(clean)), `${bill(leaking)} vs ${bill(clean)}`);
    leaking.state.clearLeak();
    assert.equal(bill(leaking), bill(clean));
    assert.deepEqual(leaking.state.publishedDay('2026-11-20'), clean.state.publishedDay('2026-11-20'));
    assert.throws(() => leaking.state.setLeak({ from: LEAK_FROM, litresPerDay: -1 }));
  });
});
