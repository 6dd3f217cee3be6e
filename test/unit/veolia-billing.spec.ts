import assert from 'node:assert/strict';
import { addDays, zonedDate } from '../../src/lib/schedule/daily';
import { DayLedger } from '../../src/lib/veolia/ledger';
import { MonthLedger } from '../../src/lib/veolia/months';
import { createVeoliaSession, VeoliaSession } from '../../src/lib/veolia/water';
import { DEMO_PASSWORD, DEMO_USERNAME, MAIN_CONTRACT, VEOLIA_CLIENT_IDS, VeoliaEmulator } from '../../src/emulator/veolia';

/** Billing, months and the request budget of a daily sync with them, over HTTP (product-spec §6, §8.2, §10). */

/** 2026-11-23 07:00 in Paris. */
const T0 = Date.parse('2026-11-23T06:00:00Z');
const DAY_MS = 86_400_000;
const PLAN = `/abonnements/${MAIN_CONTRACT.id}/facturation/mensualisation/plan`;
const FACTURATION = `/abonnements/${MAIN_CONTRACT.id}/facturation`;

describe('WaterService: billing and months', () => {
  let clock: number;
  let emu: VeoliaEmulator;
  let session: VeoliaSession;

  beforeEach(async () => {
    clock = T0;
    // Veolia's refresh tokens: 1 h without rotation, so every daily sync logs in with the password.
    emu = new VeoliaEmulator({ now: () => clock });
    const url = await emu.start();
    session = createVeoliaSession({ portal: 'custom', apiUrl: url, authUrl: `${url}/`, clientId: VEOLIA_CLIENT_IDS[0], username: DEMO_USERNAME, password: DEMO_PASSWORD, now: () => clock, water: { retry: { sleep: () => Promise.resolve() } } });
  });
  afterEach(() => emu.stop());

  const paths = (): string[] => {
    const seen = emu.server.log.map((r) => `${r.method} ${r.path}${r.query.annee ? ` ${r.query.annee}${r.query.mois ? `-${r.query.mois}` : ''}` : ''}`);
    emu.server.clearLog();
    return seen;
  };

  it('gives no payment plan when the service answers 204, and the balance of the contract details', async () => {
    const result = await session.water.sync(undefined, { billing: true });
    assert.deepEqual(result.billing, { balance: 0, monthlyPayment: null, nextPayment: null });
    const seen = paths();
    assert.equal(seen.filter((p) => p === `GET ${PLAN}`).length, 1);
    assert.equal(seen.filter((p) => p === `GET ${FACTURATION}`).length, 1, 'the balance comes with the contract details of discovery');
    assert.equal(emu.server.log.length, 0);
  });

  it('gives the balance and the next debit of a plan', async () => {
    emu.state.setBalance(-23.456);
    emu.state.setPaymentPlan({ amount: 41.5, day: 10 });
    const result = await session.water.sync(undefined, { billing: true });
    assert.deepEqual(result.billing, { balance: -23.46, monthlyPayment: 41.5, nextPayment: { date: '2026-12-10', amount: 41.5 } });
    const raw = emu.state.paymentSchedule(MAIN_CONTRACT.id)?.prelevements_echeancier ?? [];
    assert.ok(raw.some((p) => p.date === '2026-11-10' && p.etat_prelevement === 'DONE'));
    assert.ok(raw.some((p) => p.date === '2026-12-10' && p.etat_prelevement === 'WAITING'));
  });

  it('asks no billing without `billing`: contract details are read once, as before', async () => {
    const result = await session.water.sync(undefined, {});
    assert.equal(result.billing, undefined);
    assert.ok(!paths().some((p) => p.includes('/mensualisation/')));
  });

  it('keeps a daily sync with billing and months within 4 requests, 6 on a day the months are asked, over 75 days', async () => {
    emu.state.setPaymentPlan({ amount: 38 });
    let ledger = DayLedger.empty();
    const months = MonthLedger.from(undefined);
    const lastRead = new Map<string, number>();
    const gaps = new Map<string, number>();
    const daily = async (i: number): Promise<{ seen: string[]; asked: boolean }> => {
      const result = await session.water.sync(undefined, { lastDateOf: (id) => ledger.lastDate(id), billing: true });
      ledger = ledger.update(result.contract.id, result.days).ledger;
      const held = ledger.days(result.contract.id);
      const today = zonedDate(clock);
      const plan = months.plan(result.contract.id, held, today);
      if (plan) months.apply(result.contract.id, plan, await session.water.monthly(result.contract, plan.years), held, [], today);
      const seen = paths();
      for (const what of [PLAN, FACTURATION, '/consommations/facturation/', '/espace-client']) {
        const n = seen.filter((p) => p.includes(what) && (what !== FACTURATION || p.endsWith(FACTURATION))).length;
        assert.ok(n <= 1, `day ${i}: ${what} read ${n} times`);
        if (n === 1) {
          gaps.set(what, Math.max(gaps.get(what) ?? 0, i - (lastRead.get(what) ?? 0)));
          lastRead.set(what, i);
        }
      }
      return { seen, asked: plan !== undefined };
    };
    await daily(0);
    const monthDays: string[] = [];
    for (let i = 1; i <= 75; i++) {
      clock = T0 + i * DAY_MS;
      const { seen, asked } = await daily(i);
      const date = addDays('2026-11-23', i);
      assert.equal(seen.filter((s) => s === 'POST /').length, 1, `${date}: one password login`);
      assert.equal(seen.some((s) => s.includes('/mensuelles')), asked);
      if (asked) monthDays.push(date);
      assert.ok(seen.length <= (asked ? 6 : 4), `${date}: ${seen.join(', ')}`);
    }
    // November 30 is published on December 2, December 31 on January 2, January 31 on February 2.
    assert.deepEqual(monthDays, ['2026-12-02', '2027-01-02', '2027-02-02']);
    assert.deepEqual(paths(), []);
    for (const what of [PLAN, FACTURATION, '/consommations/facturation/']) assert.ok((gaps.get(what) ?? 99) <= 4, `${what} read at least every 4 days (${gaps.get(what)})`);
  });

  it('asks one request per year for months, none before the subscription or after this year', async () => {
    const contract = await session.water.contract();
    paths();
    const records = await session.water.monthly(contract, [2023, 2024, 2025, 2026, 2026, 2027]);
    const start = Number(emu.state.contract().subscriptionStart.slice(0, 4));
    assert.ok(start > 2023);
    assert.deepEqual(paths().filter((p) => p.includes('/mensuelles')), [2023, 2024, 2025, 2026].filter((y) => y >= start).map((y) => `GET /consommations/${MAIN_CONTRACT.id}/mensuelles ${y}`));
    const oct = records.find((r) => r.year === 2026 && r.month === 10);
    const octDays = emu.state.published(emu.state.contract()).filter((d) => d.date.startsWith('2026-10'));
    assert.equal(oct?.litres, octDays.reduce((s, d) => s + d.litres, 0), 'the months match the days');
  });

  it('serves the plan route only for the account’s own contract (404 otherwise)', async () => {
    const token = (await session.auth.authorised(async (t) => ({ status: 200, data: t, headers: {} }))).data as string;
    const get = (path: string) => fetch(`${emu.url}${path}`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal((await get(PLAN)).status, 204);
    assert.equal((await get('/abonnements/9999999/facturation/mensualisation/plan')).status, 404);
    emu.state.setPaymentPlan({ amount: 30 });
    const body = (await (await get(PLAN)).json()) as { prelevements_echeancier: Array<{ date: string; montant: number; etat_prelevement: string }> };
    assert.equal(body.prelevements_echeancier.length, 12);
    assert.ok(body.prelevements_echeancier.every((p) => p.montant === 30 && /^\d{4}-\d{2}-15$/.test(p.date)));
    emu.state.setPaymentPlan(null);
    assert.equal((await get(PLAN)).status, 204);
  });
});
