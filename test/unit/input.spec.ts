import assert from 'node:assert/strict';
import { isCancel, parseDuration, parseReference, parseSetpoint } from '../../src/nodes/shared/input';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
}

describe('input validation', () => {
  it('accepts setpoints 5–30 °C rounded to 0.5', () => {
    assert.equal(parseSetpoint(21), 21);
    assert.equal(parseSetpoint(20.3), 20.5);
    assert.equal(parseSetpoint(20.2), 20);
    assert.equal(parseSetpoint('19.5'), 19.5);
    assert.equal(parseSetpoint(5), 5);
    assert.equal(parseSetpoint(30), 30);
  });

  for (const bad of [4.9, 30.1, NaN, Infinity, -Infinity, '', 'hot', null, undefined, true, {}, [21], '1e400']) {
    it(`refuses setpoint ${String(bad)}`, () => assert.equal(code(() => parseSetpoint(bad)), 'INVALID_INPUT'));
  }

  it('reads durations, defaulting to the node setting', () => {
    assert.equal(parseDuration(undefined, 120), 120);
    assert.equal(parseDuration(30, 120), 30);
    assert.equal(parseDuration('4320', 120), 4320);
  });

  for (const bad of [0, 4321, 1.5, -3, 'soon', NaN, {}, true]) {
    it(`refuses duration ${String(bad)}`, () => assert.equal(code(() => parseDuration(bad, 120)), 'INVALID_INPUT'));
  }

  it('recognises cancel in any case', () => {
    assert.ok(isCancel('Cancel'));
    assert.ok(!isCancel('cancelled'));
    assert.ok(!isCancel(0));
  });

  it('reads references and refuses empty or odd ones', () => {
    assert.equal(parseReference(' Chambres ', 'zone'), 'Chambres');
    assert.equal(parseReference(12, 'zone'), '12');
    for (const bad of ['', '   ', null, {}, [], 1.5, 'x'.repeat(201)]) {
      assert.equal(code(() => parseReference(bad, 'zone')), 'INVALID_INPUT');
    }
  });
});
