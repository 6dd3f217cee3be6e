import assert from 'node:assert/strict';
import { allowListed, AllowShape, ANY_KEY, placeholder } from '../../src/lib/redact';

describe('allowListed', () => {
  const RULE: AllowShape = {
    label: 'keep',
    celsius: 'number',
    serial: 'tail',
    items: { id: 'keep' },
    presets: { [ANY_KEY]: 'number' },
  };

  it('keeps listed values and shows every other one as its type only', () => {
    const copy = allowListed(
      {
        label: 'Séjour',
        celsius: 20.5,
        serial: 'SN-TEST-A1B2',
        owner: 'Test Person',
        secret: 42,
        flag: true,
        nested: { anything: 'x' },
        list: ['a', 'b', { c: 1 }, [1]],
        nothing: null,
      },
      RULE,
    );
    assert.deepEqual(copy, {
      label: 'Séjour',
      celsius: 20.5,
      serial: '…A1B2',
      owner: '[string]',
      secret: '[number]',
      flag: '[boolean]',
      nested: '[object]',
      list: ['[string]', '[string]', '[object]', '[array]'],
      nothing: null,
    });
  });

  it('takes the rule item by item in arrays, so their length stays', () => {
    const copy = allowListed({ items: [{ id: 'a', name: 'n' }, { id: 'b' }], serial: ['SN-0001', 'SN-0002'] }, RULE);
    assert.deepEqual(copy, { items: [{ id: 'a', name: '[string]' }, { id: 'b' }], serial: ['…0001', '…0002'] });
  });

  it('refuses a value of another type than its rule allows', () => {
    const copy = allowListed({ label: { street: '1 test street' }, celsius: '20.5', serial: 1234, items: 'not an object' }, RULE);
    assert.deepEqual(copy, { label: '[object]', celsius: '[string]', serial: '[number]', items: '[string]' });
  });

  it('applies the any-key rule of a map to the keys it does not list', () => {
    assert.deepEqual(allowListed({ presets: { eco: 17, comfort: null, odd: 'text' } }, RULE), { presets: { eco: 17, comfort: null, odd: '[string]' } });
  });

  it('masks e-mail addresses and JWTs even in a kept string', () => {
    const copy = allowListed([{ label: 'write to someone@example.test please' }, { label: 'eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl' }], RULE);
    assert.deepEqual(copy, [{ label: 'write to [redacted] please' }, { label: '[redacted]' }]);
  });

  it('stops at a depth that no real data reaches', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100; i++) deep = [deep];
    assert.ok(!JSON.stringify(allowListed(deep, 'keep')).includes('bottom'));
  });

  it('placeholder keeps only types and the length of an array', () => {
    assert.equal(placeholder('x'), '[string]');
    assert.deepEqual(placeholder([1, 'a', null]), ['[number]', '[string]', null]);
    assert.equal(placeholder(undefined), undefined);
  });
});
