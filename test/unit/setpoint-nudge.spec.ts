import assert from 'node:assert/strict';
import sinon from 'sinon';
import type { HeatingState } from '../../src/lib/comap/model';
import { currentSetpoint, mergeTemperatureActions, nudge, parseNudge, TemperatureAction } from '../../src/lib/comap/setpoint-nudge';
import { ApiError } from '../../src/lib/http/errors';
import { Debouncer } from '../../src/lib/schedule/debounce';

const H = 'house';
const rel = (delta: number, duration = 120): TemperatureAction => ({ housing: H, cancel: false, delta, duration });
const abs = (setpoint: number, duration = 120): TemperatureAction => ({ housing: H, cancel: false, setpoint, duration });
const cancel: TemperatureAction = { housing: H, cancel: true };

function refused(payload: unknown): void {
  assert.throws(
    () => parseNudge(payload),
    (err: unknown) => err instanceof ApiError && err.code === 'INVALID_INPUT',
    `${JSON.stringify(payload)} is INVALID_INPUT`,
  );
}

describe('relative setpoints (product-spec §7.5)', () => {
  it('reads signed strings and { delta }, rounded to 0.5', () => {
    assert.equal(parseNudge('+0.5'), 0.5);
    assert.equal(parseNudge('-1'), -1);
    assert.equal(parseNudge(' +2 '), 2);
    assert.equal(parseNudge('+0.3'), 0.5);
    assert.equal(parseNudge('-0.3'), -0.5);
    assert.equal(parseNudge('-0.25'), -0.5, 'halves round away from zero, both ways');
    assert.equal(parseNudge('+0.25'), 0.5);
    assert.equal(parseNudge({ delta: -1 }), -1);
    assert.equal(parseNudge({ delta: '1.5' }), 1.5);
    assert.equal(parseNudge('+25'), 25);
    assert.equal(parseNudge({ delta: -25 }), -25);
  });

  it('leaves absolute values and "cancel" to the absolute parser', () => {
    for (const payload of [21, '21', '19.5', 'cancel', 'hot', '', null, undefined, { a: 1 }, [1], true]) {
      assert.equal(parseNudge(payload), undefined, JSON.stringify(payload));
    }
  });

  it('refuses bad nudges with INVALID_INPUT', () => {
    for (const payload of ['+', '-', '+abc', '+ 1', '+1°', '-0', '+0.2', '+25.5', '-26', '+Infinity', `+${'1'.repeat(30)}`]) refused(payload);
    for (const delta of [NaN, Infinity, -Infinity, 0, 0.1, 26, '', 'x', null, [1], { v: 1 }]) refused({ delta });
    refused({ delta: 1, duration: 30 });
  });

  it('adds, rounds to 0.5 and keeps within 5–30 °C', () => {
    assert.equal(nudge(20.5, 0.5), 21);
    assert.equal(nudge(19.3, 0.5), 20, 'a base off the 0.5 grid lands on it');
    assert.equal(nudge(29.5, 1), 30);
    assert.equal(nudge(6, -3), 5);
    assert.equal(nudge(20, 25), 30);
  });

  it('merges a burst: nudges add up, an absolute value then nudges moves it, absolute and cancel win', () => {
    const merge = (...actions: TemperatureAction[]) => actions.reduce(mergeTemperatureActions);
    assert.deepEqual(merge(rel(0.5), rel(0.5), rel(0.5)), rel(1.5));
    assert.deepEqual(merge(rel(1), rel(-0.5)), rel(0.5));
    assert.deepEqual(merge(rel(0.5), abs(19), rel(1)), abs(20), 'last absolute + later nudges');
    assert.deepEqual(merge(abs(29), rel(2)), abs(30), 'kept within range');
    assert.deepEqual(merge(rel(0.5), abs(19)), abs(19));
    assert.deepEqual(merge(rel(0.5), cancel), cancel);
    assert.deepEqual(merge(cancel, rel(0.5)), rel(0.5));
    assert.deepEqual(merge(rel(0.5, 60), rel(0.5, 30)), rel(1, 30), 'the latest duration');
    assert.deepEqual(merge(abs(19, 60), rel(0.5, 30)), abs(19.5, 30));
  });

  it('starts from the temporary setpoint in place, else the setpoint shown', () => {
    const state = (setpoint: number | null, temporary: HeatingState['temporary']) => ({ setpoint, temporary }) as HeatingState;
    assert.equal(currentSetpoint(state(20.5, { active: false })), 20.5);
    assert.equal(currentSetpoint(state(20.5, { active: true, setpoint: 22, endAt: null })), 22);
    assert.equal(currentSetpoint(state(20.5, { active: true, setpoint: null, endAt: null })), 20.5);
    assert.equal(currentSetpoint(state(null, { active: false })), null);
  });

  describe('debouncer merge', () => {
    let clock: sinon.SinonFakeTimers;
    beforeEach(() => {
      clock = sinon.useFakeTimers();
    });
    afterEach(() => clock.restore());

    it('keeps merge(waiting, newer), still hands each replaced value to `replaced`', () => {
      const seen: number[] = [];
      const replaced: number[] = [];
      const debouncer = new Debouncer<number>(100, (v) => seen.push(v), (v) => replaced.push(v), (a, b) => a + b);
      for (const v of [1, 2, 3]) {
        debouncer.push(v);
        clock.tick(50);
      }
      assert.deepEqual(seen, []);
      clock.tick(100);
      assert.deepEqual(seen, [6]);
      assert.deepEqual(replaced, [1, 3], 'the values pushed out: 1, then 1+2');
      debouncer.push(10);
      clock.tick(100);
      assert.deepEqual(seen, [6, 10], 'a new window starts from nothing');
      assert.equal(clock.countTimers(), 0);
    });

    it('without merge the newer value replaces the waiting one', () => {
      const seen: number[] = [];
      const debouncer = new Debouncer<number>(100, (v) => seen.push(v));
      debouncer.push(1);
      debouncer.push(2);
      clock.tick(100);
      assert.deepEqual(seen, [2]);
    });
  });
});
