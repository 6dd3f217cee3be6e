import assert from 'node:assert/strict';
import { addDays } from '../../src/lib/schedule/daily';
import { assessDay, PastDay, usualRange } from '../../src/lib/veolia/unusual-days';

/** A Wednesday. */
const DAY = '2026-11-25';

/** `weeks` weeks of history before DAY: every day `other` litres, DAY's weekday from `same`. */
function history(same: readonly number[], other = 300): PastDay[] {
  const days: PastDay[] = [];
  const weeks = same.length;
  for (let back = 1; back <= weeks * 7; back++) {
    const date = addDays(DAY, -back);
    const litres = back % 7 === 0 ? same[back / 7 - 1] : other;
    days.push({ date, litres, estimated: false });
  }
  return days;
}

function day(litres: number, estimated = false): PastDay {
  return { date: DAY, litres, estimated };
}

describe('unusual days (product-spec §8.3)', () => {
  it('gives the same weekday range: median of the last 8 same weekdays ± 3 × MAD', () => {
    // The 8 newest same weekdays (the two 900 L weeks are older): median 305, MAD 20.
    const h = history([300, 310, 290, 320, 280, 340, 260, 400, 900, 900]);
    const { usual, unusual } = assessDay(day(350), h);
    assert.deepEqual(usual, { low: 245, high: 365 });
    assert.equal(unusual, null);
    assert.deepEqual(assessDay(day(366), h).unusual, { reason: 'above-usual', reasons: ['above-usual'], litres: 366, expected: 365 });
    assert.equal(assessDay(day(365), h).unusual, null, 'the top of the range is still usual');
  });

  it('never puts the top closer than 50 L to the median (a very regular house)', () => {
    const h = history([300, 300, 301, 299, 300, 300, 302, 300]);
    const { usual } = assessDay(day(340), h);
    assert.deepEqual(usual, { low: 300, high: 350 });
    assert.equal(assessDay(day(350), h).unusual, null);
    assert.equal(assessDay(day(351), h).unusual?.reason, 'above-usual');
  });

  it('uses only the same weekday: other days do not move the range', () => {
    const quiet = history([300, 300, 300, 300, 300, 300, 300, 300], 100);
    const busy = history([300, 300, 300, 300, 300, 300, 300, 300], 900);
    assert.deepEqual(assessDay(day(300), quiet).usual, assessDay(day(300), busy).usual);
  });

  it('has no range before 28 days of history, and no above-usual', () => {
    const h = history([300, 300, 300, 300]).slice(0, 27);
    assert.deepEqual(assessDay(day(5000), h), { usual: null, unusual: null });
    assert.notEqual(assessDay(day(5000), history([300, 300, 300, 300])).usual, null, '28 days are enough');
  });

  it('counts only measured days of history: estimated ones are left out', () => {
    // 28 days, one of them estimated: 27 measured days are not enough.
    const h = history([300, 300, 300, 300]).map((d, i) => (i === 3 ? { ...d, estimated: true } : d));
    assert.equal(assessDay(day(300), h).usual, null);
    // A flat estimate on the same weekday does not narrow the range.
    const spread = history([200, 400, 250, 350, 300, 320, 280, 310, 290]);
    const withGuess = spread.map((d) => (d.date === addDays(DAY, -7) ? { ...d, litres: 300, estimated: true } : d));
    assert.deepEqual(assessDay(day(300), withGuess).usual, usualRange(DAY, spread.filter((d) => d.date !== addDays(DAY, -7))));
  });

  it('takes history in any order, with gaps, ignores later days and negative corrections', () => {
    const h = history([300, 310, 290, 320, 280, 340, 260, 400, 900, 900]);
    const expected = assessDay(day(350), h).usual;
    const shuffled = [...h].reverse();
    const later = { date: addDays(DAY, 7), litres: 10_000, estimated: false };
    const correction = { date: addDays(DAY, -3), litres: -500, estimated: false };
    assert.deepEqual(assessDay(day(350), [...shuffled, later]).usual, expected);
    // The negative day replaces a normal one: 69 days left, same weekdays unchanged.
    assert.deepEqual(assessDay(day(350), [...shuffled.filter((d) => d.date !== correction.date), correction]).usual, expected);
    // Gaps: drop two other weekdays of every week, still ≥ 28 days and the same weekdays.
    const gappy = h.filter((d) => !['1', '2'].includes(String(Math.round((Date.parse(DAY) - Date.parse(d.date)) / 86_400_000) % 7)));
    assert.ok(gappy.length >= 28);
    assert.deepEqual(assessDay(day(350), gappy).usual, expected);
  });

  it('needs at least four same weekdays in the last 16 weeks', () => {
    // 40 days of history without DAY's weekday but for three of them.
    const h: PastDay[] = [];
    for (let back = 1; back <= 40; back++) if (back % 7 !== 0 || back <= 21) h.push({ date: addDays(DAY, -back), litres: 300, estimated: false });
    assert.equal(assessDay(day(900), h).usual, null);
    // Same weekdays older than 16 weeks are not usual any more: 3 recent ones + 4 old ones.
    const sameBack = [7, 14, 21, 17 * 7, 18 * 7, 19 * 7, 20 * 7];
    const old: PastDay[] = [];
    for (let back = 1; back <= 20 * 7; back++) if (back % 7 !== 0 || sameBack.includes(back)) old.push({ date: addDays(DAY, -back), litres: 300, estimated: false });
    assert.equal(assessDay(day(900), old).usual, null);
    old.push({ date: addDays(DAY, -28), litres: 300, estimated: false });
    assert.notEqual(assessDay(day(900), old).usual, null, 'a fourth recent one is enough');
  });

  it('flags above-threshold when litres exceed alertLitres, with or without history', () => {
    assert.deepEqual(assessDay(day(501), [], { alertLitres: 500 }), {
      usual: null,
      unusual: { reason: 'above-threshold', reasons: ['above-threshold'], litres: 501, expected: 500 },
    });
    assert.equal(assessDay(day(500), [], { alertLitres: 500 }).unusual, null);
    assert.equal(assessDay(day(5000), [], { alertLitres: null }).unusual, null);
  });

  it('flags while-away from 30 L on a day away all day', () => {
    const away = (date: string): boolean | undefined => (date === DAY ? true : undefined);
    assert.deepEqual(assessDay(day(30), [], { awayAllDay: away }).unusual, { reason: 'while-away', reasons: ['while-away'], litres: 30, expected: 0 });
    assert.equal(assessDay(day(29), [], { awayAllDay: away }).unusual, null);
    assert.equal(assessDay(day(300), [], { awayAllDay: () => undefined }).unusual, null, 'unknown is not away');
    assert.equal(assessDay(day(300), [], { awayAllDay: () => false }).unusual, null);
    const asked: string[] = [];
    assessDay(day(300), [], { awayAllDay: (date) => (asked.push(date), true) });
    assert.deepEqual(asked, [DAY]);
  });

  it('orders several reasons: while-away, above-threshold, above-usual', () => {
    const h = history([300, 300, 300, 300, 300, 300, 300, 300]);
    const all = assessDay(day(900), h, { alertLitres: 500, awayAllDay: () => true }).unusual;
    assert.deepEqual(all, { reason: 'while-away', reasons: ['while-away', 'above-threshold', 'above-usual'], litres: 900, expected: 0 });
    const two = assessDay(day(900), h, { alertLitres: 500 }).unusual;
    assert.deepEqual(two, { reason: 'above-threshold', reasons: ['above-threshold', 'above-usual'], litres: 900, expected: 500 });
    const usualOnly = assessDay(day(900), h, { alertLitres: 1000 }).unusual;
    assert.deepEqual(usualOnly?.reasons, ['above-usual']);
  });

  it('never flags an estimated day, but still gives its range', () => {
    const h = history([300, 300, 300, 300, 300, 300, 300, 300]);
    const result = assessDay(day(5000, true), h, { alertLitres: 100, awayAllDay: () => true });
    assert.equal(result.unusual, null);
    assert.deepEqual(result.usual, { low: 300, high: 350 });
  });
});
