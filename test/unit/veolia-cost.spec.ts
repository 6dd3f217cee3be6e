import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError } from '../../src/lib/http/errors';
import { billingOf } from '../../src/lib/veolia/billing';
import type { LedgerDay } from '../../src/lib/veolia/ledger';
import { DayLedger } from '../../src/lib/veolia/ledger';
import { monthCost, MonthLedger } from '../../src/lib/veolia/months';
import { costOf, parsePrices, priceOn, toCents } from '../../src/lib/veolia/prices';
import { dayTotals } from '../../src/lib/veolia/totals';

/** Prices, month and year totals, billing and the months ledger (product-spec §8.2). */

function days(from: string, litres: number[], estimated: number[] = []): LedgerDay[] {
  const start = Date.parse(`${from}T12:00:00Z`);
  return litres.map((l, i) => ({ date: new Date(start + i * 86_400_000).toISOString().slice(0, 10), litres: l, estimated: estimated.includes(i) }));
}

describe('water prices', () => {
  it('reads rules from JSON text or a list, sorted; empty or absent = no price', () => {
    assert.deepEqual(parsePrices(undefined), []);
    assert.deepEqual(parsePrices(''), []);
    assert.deepEqual(parsePrices('[]'), []);
    assert.deepEqual(parsePrices('[{"from":"2026-07-01","eurPerM3":4.5},{"from":"2026-01-01","eurPerM3":"4.12"}]'), [
      { from: '2026-01-01', eurPerM3: 4.12 },
      { from: '2026-07-01', eurPerM3: 4.5 },
    ]);
  });

  for (const bad of ['{', '{"from":"2026-01-01"}', '[{"from":"2026-02-30","eurPerM3":4}]', '[{"from":"2026-01-01","eurPerM3":-1}]', '[{"from":"2026-01-01","eurPerM3":101}]', '[{"from":"2026-01-01","eurPerM3":"x"}]', '[{"from":"2026-01-01","eurPerM3":4},{"from":"2026-01-01","eurPerM3":5}]', '[null]']) {
    it(`refuses ${bad} as INVALID_INPUT`, () => {
      assert.throws(() => parsePrices(bad), (err: unknown) => err instanceof ApiError && err.code === 'INVALID_INPUT');
    });
  }

  it('prices a day with the last rule starting on or before it, none before the first', () => {
    const rules = parsePrices([{ from: '2026-01-01', eurPerM3: 4 }, { from: '2026-11-15', eurPerM3: 5 }]);
    assert.equal(priceOn(rules, '2025-12-31'), null);
    assert.equal(priceOn(rules, '2026-01-01'), 4);
    assert.equal(priceOn(rules, '2026-11-14'), 4);
    assert.equal(priceOn(rules, '2026-11-15'), 5);
    assert.equal(costOf(rules, '2026-11-20', 312), 1.56);
    assert.equal(costOf([], '2026-11-20', 312), null);
  });

  it('rounds to cents without float noise or -0', () => {
    assert.equal(toCents(0.285), 0.29);
    assert.equal(toCents(1.005), 1.01);
    assert.equal(toCents(-0.001), 0);
    assert.ok(!Object.is(toCents(-0.001), -0));
    assert.equal(toCents(-1.234), -1.23);
  });
});

describe('month and year totals', () => {
  const rules = parsePrices([{ from: '2025-01-01', eurPerM3: 3.333 }, { from: '2026-11-15', eurPerM3: 4.777 }]);
  // 2026-11-10 … 2026-11-20: 300 L a day, the 16th estimated at 999 L.
  const nov = days('2026-11-10', [300, 300, 300, 300, 300, 300, 999, 300, 300, 300, 300], [6]);

  it('sums the month up to and including the day, with a price change mid-month summed unrounded', () => {
    const day = nov[8]; // 2026-11-18
    const t = dayTotals(day, nov, rules);
    const before = nov.slice(0, 5).reduce((s, d) => s + (d.litres / 1000) * 3.333, 0);
    const after = nov.slice(5, 9).reduce((s, d) => s + (d.litres / 1000) * 4.777, 0);
    assert.deepEqual(t.month, { litres: 300 * 8 + 999, cost: toCents(before + after), days: 9 });
    assert.equal(t.cost, toCents(0.3 * 4.777));
    // Rounding each day first would give another total: the sum is of unrounded costs.
    const roundedFirst = nov.slice(0, 9).reduce((s, d) => s + toCents(costOf(rules, d.date, d.litres) ?? 0), 0);
    assert.notEqual(toCents(roundedFirst), t.month.cost);
  });

  it('counts the day with the values being sent, not those the ledger held', () => {
    const t = dayTotals({ date: '2026-11-16', litres: 310, estimated: false }, nov, rules);
    assert.equal(t.month.litres, 300 * 6 + 310);
    assert.equal(t.month.days, 7);
  });

  it('starts a new month and a new year at their first day', () => {
    const turn = days('2026-12-30', [100, 200, 400, 800]);
    const jan1 = dayTotals(turn[2], turn, rules);
    assert.deepEqual(jan1.month, { litres: 400, cost: toCents(0.4 * 4.777), days: 1 });
    assert.deepEqual(jan1.year, { litres: 400, cost: toCents(0.4 * 4.777), days: 1 });
    const dec31 = dayTotals(turn[1], turn, rules);
    assert.deepEqual(dec31.month, { litres: 300, cost: toCents(0.3 * 4.777), days: 2 });
    assert.equal(dayTotals(turn[3], turn, rules).year.litres, 1200);
  });

  it('gives null costs without prices, and for a period with an unpriced day', () => {
    const t = dayTotals(nov[3], nov, []);
    assert.deepEqual([t.cost, t.month.cost, t.year.cost], [null, null, null]);
    assert.equal(t.month.litres, 1200);
    const late = parsePrices([{ from: '2026-11-12', eurPerM3: 4 }]);
    const partly = dayTotals(nov[4], nov, late);
    assert.equal(partly.cost, 1.2);
    assert.equal(partly.month.cost, null, 'the 10th and 11th have no price');
  });

  it('reads its days back from a ledger stored by 0.1/0.2 (same JSON)', () => {
    const stored = { v: 1, contracts: { c1: { '2026-11-10': '300|1000|M', '2026-11-11': '-20||E', bad: '1|2|M', '2026-11-12': 'x|1|M' } } };
    assert.deepEqual(DayLedger.from(stored).days('c1'), [
      { date: '2026-11-10', litres: 300, estimated: false },
      { date: '2026-11-11', litres: -20, estimated: true },
    ]);
    assert.deepEqual(DayLedger.from(stored).toJSON(), { v: 1, contracts: { c1: { '2026-11-10': '300|1000|M', '2026-11-11': '-20||E', '2026-11-12': 'x|1|M' } } });
  });
});

describe('billing', () => {
  const plan = {
    prelevements_echeancier: [
      { date: '2026-10-15', montant: 40, etat_prelevement: 'DONE' },
      { date: '2026-11-15', montant: 42.5, etat_prelevement: 'WAITING' },
      { date: '2026-12-15', montant: '45,00', etat_prelevement: 'WAITING' },
    ],
  };

  it('gives the balance, the next debit and its amount as the monthly payment', () => {
    assert.deepEqual(billingOf({ solde: -12.345 }, plan, '2026-11-20'), { balance: -12.35, monthlyPayment: 42.5, nextPayment: { date: '2026-11-15', amount: 42.5 } });
    assert.deepEqual(billingOf({ solde: 0 }, { prelevements_echeancier: plan.prelevements_echeancier.map((p) => ({ ...p, etat_prelevement: 'DONE' })) }, '2026-11-20'), {
      balance: 0,
      monthlyPayment: 45,
      nextPayment: { date: '2026-12-15', amount: 45 },
    });
  });

  it('says null for what it does not have: no plan (204), no balance, an empty or odd plan', () => {
    assert.deepEqual(billingOf({ solde: 7 }, null, '2026-11-20'), { balance: 7, monthlyPayment: null, nextPayment: null });
    assert.deepEqual(billingOf(undefined, { prelevements_echeancier: [] }, '2026-11-20'), { balance: null, monthlyPayment: null, nextPayment: null });
    assert.deepEqual(billingOf({ solde: 'n/a' as unknown as number }, { prelevements_echeancier: [{ date: 'soon', montant: 30 }] }, '2026-11-20'), { balance: null, monthlyPayment: 30, nextPayment: null });
  });
});

describe('months ledger (output: months)', () => {
  const c = 'c1';
  const oct = days('2026-10-24', Array.from({ length: 29 }, () => 300)); // 2026-10-24 … 2026-11-21
  const record = (month: number, litres: number, estimated = false) => ({ year: 2026, month, litres, indexLitres: null, estimated });

  it('asks for the completed months it holds days of, once a day, and sends each value once', () => {
    const ledger = MonthLedger.from(undefined);
    const plan = ledger.plan(c, oct, '2026-11-23');
    assert.deepEqual(plan, { months: ['2026-10'], years: [2026], force: false });
    const sent = ledger.apply(c, plan!, [record(10, 9300), record(11, 6300)], oct, [], '2026-11-23');
    assert.deepEqual(sent, [{ month: '2026-10', litres: 9300, m3: 9.3, cost: null, estimated: false }]);
    assert.equal(ledger.plan(c, oct, '2026-11-23'), undefined, 'asked today already');
    const again = MonthLedger.from(JSON.parse(JSON.stringify(ledger.toJSON())));
    assert.equal(again.plan(c, oct, '2026-11-24'), undefined, 'nothing new the next day, also after a restart');
  });

  it('asks again when a month completes or a day of a completed month changes; resends only a changed value', () => {
    const ledger = MonthLedger.from(undefined);
    ledger.apply(c, ledger.plan(c, oct, '2026-11-23')!, [record(10, 9300)], oct, [], '2026-11-23');
    const toNov30 = [...oct, ...days('2026-11-22', Array.from({ length: 9 }, () => 300))];
    assert.deepEqual(ledger.plan(c, toNov30, '2026-12-02')?.months, ['2026-11'], 'November complete once its last day is held');
    ledger.apply(c, ledger.plan(c, toNov30, '2026-12-02')!, [record(10, 9300), record(11, 9000)], toNov30, [], '2026-12-02');
    const corrected = toNov30.map((d) => (d.date === '2026-10-30' ? { ...d, litres: 450 } : d));
    const plan = ledger.plan(c, corrected, '2026-12-03');
    assert.deepEqual(plan?.months, ['2026-10']);
    assert.deepEqual(ledger.apply(c, plan!, [record(10, 9450)], corrected, [], '2026-12-03').map((m) => m.litres), [9450]);
    const same = corrected.map((d) => (d.date === '2026-11-02' ? { ...d, estimated: true } : d));
    const unchanged = ledger.plan(c, same, '2026-12-04');
    assert.deepEqual(unchanged?.months, ['2026-11']);
    assert.deepEqual(ledger.apply(c, unchanged!, [record(11, 9000)], same, [], '2026-12-04'), [], 'Veolia gives the same value: not sent again');
  });

  it('re-sends the completed months of a range (history import), whatever was sent', () => {
    const ledger = MonthLedger.from(undefined);
    ledger.apply(c, ledger.plan(c, oct, '2026-11-23')!, [record(10, 9300)], oct, [], '2026-11-23');
    const plan = ledger.plan(c, oct, '2026-11-23', { from: '2026-09-01', to: '2026-11-20' });
    assert.deepEqual(plan, { months: ['2026-09', '2026-10'], years: [2026], force: true });
    assert.deepEqual(ledger.apply(c, plan!, [record(9, 8000), record(10, 9300)], oct, [], '2026-11-23').map((m) => m.month), ['2026-09', '2026-10']);
  });

  it('prices a month at its price, weighted by the days held when the price changes within it', () => {
    const rules = parsePrices([{ from: '2026-01-01', eurPerM3: 4 }, { from: '2026-10-16', eurPerM3: 5 }]);
    assert.equal(monthCost('2026-09', 9000, [], rules), 36);
    const held = days('2026-10-01', Array.from({ length: 31 }, (_, i) => (i < 15 ? 100 : 300)));
    // 1.5 m³ held at 4 €, 4.8 m³ at 5 €: 6.3 m³ held; 9 m³ from Veolia split the same way.
    assert.equal(monthCost('2026-10', 9000, held, rules), toCents((9 * (1.5 * 4 + 4.8 * 5)) / 6.3));
    assert.equal(monthCost('2026-10', 9000, [], parsePrices([{ from: '2026-10-02', eurPerM3: 4 }])), null, 'the 1st has no price');
  });
});

describe('water node texts', () => {
  it('names every unusual reason (the warning status is its key) in en-US and fr', () => {
    for (const lang of ['en-US', 'fr']) {
      const texts = JSON.parse(readFileSync(join(__dirname, `../../src/nodes/veolia-water-consumption/locales/${lang}/veolia-water-consumption.json`), 'utf8'))['veolia-water-consumption'];
      for (const reason of ['while-away', 'above-threshold', 'above-usual']) assert.ok(texts.reason[reason], `${lang}: ${reason}`);
      assert.ok(texts.option.months && texts.errors.prices && texts.validation.prices.twice, lang);
    }
  });
});
