import assert from 'node:assert/strict';
import { ORDERS, orderFromCode, parseOrder } from '../../src/lib/comap/orders';

describe('fil-pilote orders', () => {
  it('maps 0–5 to the cloud codes and French names', () => {
    assert.deepEqual(
      ORDERS.map((o) => [o.number, o.code, o.name]),
      [
        [0, 'stop', 'Arrêt'],
        [1, 'frost_protection', 'Hors-Gel'],
        [2, 'eco', 'Eco'],
        [3, 'comfort_minus2', 'Confort -2'],
        [4, 'comfort_minus1', 'Confort -1'],
        [5, 'comfort', 'Confort'],
      ],
    );
  });

  const names: Array<[unknown, number]> = [
    [0, 0], ['5', 5], ['Arrêt', 0], ['ARRET', 0], ['off', 0], ['stop', 0], ['Hors-Gel', 1], ['hors gel', 1], ['frost', 1],
    ['éco', 2], ['ECO', 2], ['Confort -2', 3], ['confort-2', 3], ['comfort-2', 3], ['Confort -1', 4], ['comfort-1', 4],
    ['Confort', 5], ['comfort', 5], ['  confort  ', 5],
  ];
  for (const [input, expected] of names) {
    it(`reads ${JSON.stringify(input)} as ${expected}`, () => assert.equal(parseOrder(input)?.number, expected));
  }

  for (const bad of [6, -1, 2.5, NaN, Infinity, '', 'warm', 'confort-3', null, undefined, {}, [], true, 'x'.repeat(1000)]) {
    it(`refuses ${String(JSON.stringify(bad) ?? bad).slice(0, 20)}`, () => assert.equal(parseOrder(bad), undefined));
  }

  it('finds the order of a cloud code', () => {
    assert.equal(orderFromCode('comfort_minus1')?.number, 4);
    assert.equal(orderFromCode('presence_1'), undefined);
  });
});
