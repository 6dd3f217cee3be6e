import assert from 'node:assert/strict';
import { ModeHistory, ModeSample } from '../../src/lib/comap/mode-history';
import { addDays, zonedTimeToEpoch } from '../../src/lib/schedule/daily';

const MIN = 60_000;
const HOUSE = { id: 'housing-1', name: 'Maison' };
/** A Tuesday; Paris is on UTC+1. */
const D = '2026-11-24';

function at(date: string, hour: number, minute = 0): number {
  return zonedTimeToEpoch(date, hour, minute);
}

function sample(time: number, mode: Partial<ModeSample['mode']> = {}, housing = HOUSE): ModeSample {
  return { housing, mode: { away: false, holiday: null, ...mode }, updatedAt: new Date(time).toISOString() };
}

/** An empty history of an account whose first housing is HOUSE. */
function fresh(): ModeHistory {
  const h = ModeHistory.empty();
  h.setFirst(HOUSE.id);
  return h;
}

/** Polls every `everyMin` minutes from `from` to `to` (included), with the modes `mode(t)` gives. */
function poll(history: ModeHistory, from: number, to: number, everyMin: number, mode: (t: number) => Partial<ModeSample['mode']>): void {
  for (let t = from; t <= to; t += everyMin * MIN) history.record(sample(t, mode(t)));
}

describe('mode history (product-spec §8.3, while-away)', () => {
  it('says away all day when every poll from before midnight to after midnight saw leave-home', () => {
    const h = fresh();
    poll(h, at(addDays(D, -1), 23, 50), at(addDays(D, 1), 0, 10), 15, () => ({ away: true }));
    assert.equal(h.awayAllDay('', D), true);
    assert.equal(h.awayAllDay(HOUSE.id, D), true);
    assert.equal(h.awayAllDay('maison', D), true, 'by name, any case');
    assert.equal(h.awayAllDay('', addDays(D, -1)), undefined, 'the evening before is not the whole day');
    assert.equal(h.awayAllDay('', addDays(D, 1)), undefined, 'the next day is not over');
    assert.equal(h.awayAllDay('other housing', D), undefined);
  });

  it('is false when one poll that day saw the house in use, unknown when polls miss part of it', () => {
    const partial = fresh();
    poll(partial, at(addDays(D, -1), 23, 0), at(addDays(D, 1), 1, 0), 15, (t) => ({ away: t < at(D, 18) }));
    assert.equal(partial.awayAllDay('', D), false, 'came home at 18:00');

    const leftLate = fresh();
    poll(leftLate, at(D, 9, 0), at(addDays(D, 1), 1, 0), 15, () => ({ away: true }));
    assert.equal(leftLate.awayAllDay('', D), undefined, 'no poll before 09:00');

    const gap = fresh();
    poll(gap, at(addDays(D, -1), 23, 0), at(D, 10, 0), 15, () => ({ away: true }));
    poll(gap, at(D, 14, 0), at(addDays(D, 1), 1, 0), 15, () => ({ away: true }));
    assert.equal(gap.awayAllDay('', D), undefined, 'four hours without a poll');

    const shortGap = fresh();
    poll(shortGap, at(addDays(D, -1), 23, 0), at(D, 10, 0), 15, () => ({ away: true }));
    poll(shortGap, at(D, 12, 30), at(addDays(D, 1), 1, 0), 15, () => ({ away: true }));
    assert.equal(shortGap.awayAllDay('', D), true, 'a gap within 3 h still vouches');
  });

  it('counts a running holiday as away, and a planned one not yet', () => {
    const holiday = { from: new Date(at(D, 12)).toISOString(), to: new Date(at(addDays(D, 3), 12)).toISOString() };
    const h = fresh();
    poll(h, at(addDays(D, -1), 12), at(addDays(D, 4), 0), 60, () => ({ holiday }));
    assert.equal(h.awayAllDay('', D), false, 'planned in the morning, the house was in use');
    assert.equal(h.awayAllDay('', addDays(D, 1)), true);
    assert.equal(h.awayAllDay('', addDays(D, 2)), true);
    assert.equal(h.awayAllDay('', addDays(D, 3)), false, 'over at noon');
  });

  it('lets a holiday seen before and after cover days without any poll', () => {
    const holiday = { from: new Date(at(D, 8)).toISOString(), to: new Date(at(addDays(D, 5), 18)).toISOString() };
    const h = fresh();
    // Node-RED stopped from the first day of the holiday to its last one.
    h.record(sample(at(addDays(D, -1), 20), { holiday }));
    h.record(sample(at(addDays(D, 5), 9), { holiday }));
    for (let i = 1; i <= 4; i++) assert.equal(h.awayAllDay('', addDays(D, i)), true, addDays(D, i));
    assert.equal(h.awayAllDay('', D), undefined, 'the holiday started at 08:00');
    // Away mode alone does not bridge such a gap (it may have been cancelled and set again).
    const away = fresh();
    away.record(sample(at(addDays(D, -1), 20), { away: true }));
    away.record(sample(at(addDays(D, 5), 9), { away: true }));
    assert.equal(away.awayAllDay('', addDays(D, 2)), undefined);
    // A holiday changed in between does not bridge it either.
    const changed = fresh();
    changed.record(sample(at(addDays(D, -1), 20), { holiday }));
    changed.record(sample(at(addDays(D, 5), 9), { holiday: { ...holiday, to: new Date(at(addDays(D, 6), 18)).toISOString() } }));
    assert.equal(changed.awayAllDay('', addDays(D, 2)), undefined);
  });

  it('follows Paris days across a clock change (23 h and 25 h days)', () => {
    const h = fresh();
    // The 25th of October has 25 hours; polls end exactly at its Paris midnight.
    poll(h, at('2026-10-24', 23, 0), at('2026-10-26', 0, 0), 30, () => ({ away: true }));
    assert.equal(h.awayAllDay('', '2026-10-25'), true);
    const spring = fresh();
    poll(spring, at('2026-03-28', 23, 0), at('2026-03-29', 23, 30), 30, () => ({ away: true }));
    assert.equal(spring.awayAllDay('', '2026-03-29'), undefined, 'the last half hour of a 23 h day is missing');
  });

  it('keeps 14 days', () => {
    const h = fresh();
    poll(h, at(addDays(D, -1), 23, 0), at(addDays(D, 1), 1, 0), 60, () => ({ away: true }));
    poll(h, at(addDays(D, 12), 10, 0), at(addDays(D, 12), 11, 0), 60, () => ({}));
    assert.equal(h.awayAllDay('', D), true, '13 days later');
    poll(h, at(addDays(D, 13), 10, 0), at(addDays(D, 14), 11, 0), 60, () => ({}));
    assert.equal(h.awayAllDay('', D), undefined, '14 days later');
    assert.ok(!(D in h.toJson().housings[HOUSE.id].days));
  });

  it('round-trips through JSON and carries on after a restart', () => {
    const h = fresh();
    poll(h, at(addDays(D, -1), 23, 0), at(D, 12, 0), 15, () => ({ away: true }));
    const stored = JSON.parse(JSON.stringify(h.toJson())) as unknown;
    const again = ModeHistory.fromJson(stored);
    assert.deepEqual(again.toJson(), h.toJson());
    // Restarted within the gap: the last poll before the restart still vouches for the wait.
    poll(again, at(D, 13, 0), at(addDays(D, 1), 0, 30), 15, () => ({ away: true }));
    assert.equal(again.awayAllDay('', D), true);
  });

  it('reads unusable JSON as an empty history', () => {
    for (const junk of [undefined, null, 'x', { v: 2 }, { v: 1, housings: [] }, { v: 1, housings: { a: { days: { 'not-a-date': { absent: [] } } } } }]) {
      const h = ModeHistory.fromJson(junk);
      assert.equal(h.awayAllDay('', D), undefined);
    }
  });

  it('tells housings apart; an empty setting means the first housing', () => {
    const other = { id: 'housing-2', name: 'Chalet' };
    const h = ModeHistory.empty();
    for (let t = at(addDays(D, -1), 23); t <= at(addDays(D, 1), 1); t += 15 * MIN) {
      h.record(sample(t, { away: true }));
      h.record(sample(t, {}, other));
    }
    assert.equal(h.awayAllDay('', D), undefined, 'first housing not known yet');
    h.setFirst(other.id);
    assert.equal(h.awayAllDay('', D), false);
    assert.equal(h.awayAllDay('Maison', D), true);
    assert.equal(h.awayAllDay('housing-2', D), false);
  });

  it('ignores polls older than the last one', () => {
    const h = fresh();
    poll(h, at(addDays(D, -1), 23, 0), at(addDays(D, 1), 1, 0), 15, () => ({ away: true }));
    h.record(sample(at(D, 12), { away: false }));
    assert.equal(h.awayAllDay('', D), true);
  });
});
