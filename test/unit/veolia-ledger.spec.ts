import assert from 'node:assert/strict';
import { addDays } from '../../src/lib/schedule/daily';
import { dayTimestamp, DayLedger, fingerprint, LEDGER_RETAIN_DAYS } from '../../src/lib/veolia/ledger';
import type { DayRecord } from '../../src/lib/veolia/model';

function day(date: string, litres = 300, estimated = false, indexLitres: number | null = 1000 + litres): DayRecord {
  return { date, litres, indexLitres, estimated };
}

describe('DayLedger', () => {
  it('emits new days oldest first, then nothing for the same days', () => {
    const first = DayLedger.empty().update('A', [day('2026-11-21'), day('2026-11-19'), day('2026-11-20')]);
    assert.deepEqual(
      first.emit.map((d) => d.date),
      ['2026-11-19', '2026-11-20', '2026-11-21'],
    );
    const again = first.ledger.update('A', [day('2026-11-19'), day('2026-11-20'), day('2026-11-21')]);
    assert.deepEqual(again.emit, []);
    assert.equal(again.ledger, first.ledger, 'unchanged ledger is the same object');
  });

  it('re-emits a corrected day (estimate replaced, litres or index changed)', () => {
    const { ledger } = DayLedger.empty().update('A', [day('2026-11-20', 400, true), day('2026-11-21', 300)]);
    const corrected = ledger.update('A', [day('2026-11-20', 350, false), day('2026-11-21', 300)]);
    assert.deepEqual(corrected.emit, [day('2026-11-20', 350, false)]);
    const flagOnly = corrected.ledger.update('A', [{ ...day('2026-11-20', 350, false), estimated: true }]);
    assert.equal(flagOnly.emit.length, 1);
    const indexOnly = corrected.ledger.update('A', [{ ...day('2026-11-21', 300), indexLitres: 5 }]);
    assert.equal(indexOnly.emit.length, 1);
  });

  it('does not treat days older than the emitted history as new, but fills later gaps', () => {
    const first = DayLedger.empty().update('c1', [day('2026-11-10'), day('2026-11-12')]).ledger;
    const next = first.update('c1', [day('2026-11-01'), day('2026-11-10'), day('2026-11-11'), day('2026-11-12'), day('2026-11-13')]);
    assert.deepEqual(next.emit.map((d) => d.date), ['2026-11-11', '2026-11-13']);
  });

  it('keeps contracts apart', () => {
    const { ledger } = DayLedger.empty().update('A', [day('2026-11-20')]);
    assert.equal(ledger.update('B', [day('2026-11-20')]).emit.length, 1);
    assert.equal(ledger.lastDate('A'), '2026-11-20');
    assert.equal(ledger.lastDate('B'), undefined);
  });

  it('is pure: updating never changes the ledger it came from', () => {
    const base = DayLedger.empty().update('A', [day('2026-11-20')]).ledger;
    const before = JSON.stringify(base);
    base.update('A', [day('2026-11-21'), day('2026-11-20', 1)]);
    assert.equal(JSON.stringify(base), before);
  });

  it('re-emits a requested range whatever was emitted, and only that range', () => {
    const { ledger } = DayLedger.empty().update('A', [day('2026-11-18'), day('2026-11-19'), day('2026-11-20')]);
    const replay = ledger.update('A', [day('2026-11-18'), day('2026-11-19'), day('2026-11-20'), day('2026-11-21')], { range: { from: '2026-11-19', to: '2026-11-20' } });
    assert.deepEqual(
      replay.emit.map((d) => d.date),
      ['2026-11-19', '2026-11-20'],
    );
    assert.equal(replay.ledger.has('A', '2026-11-21'), false, 'a day outside the range stays new');
  });

  it('survives a JSON round trip (restart) and drops what it cannot trust', () => {
    const { ledger } = DayLedger.empty().update('A', [day('2026-11-20', 312, false, 337412)]);
    const stored = JSON.parse(JSON.stringify(ledger.toJSON())) as unknown;
    assert.deepEqual(stored, { v: 1, contracts: { A: { '2026-11-20': '312|337412|M' } } });
    const restored = DayLedger.from(stored);
    assert.deepEqual(restored.update('A', [day('2026-11-20', 312, false, 337412)]).emit, []);
    for (const junk of [undefined, null, 'x', [], { v: 2, contracts: {} }, { v: 1, contracts: [] }]) {
      assert.equal(DayLedger.from(junk).lastDate('A'), undefined);
    }
    const partial = DayLedger.from({ v: 1, contracts: { A: { '2026-11-20': '1||M', 'not-a-date': 'x', '2026-11-21': 5 }, B: 'x' } });
    assert.deepEqual(partial.toJSON(), { v: 1, contracts: { A: { '2026-11-20': '1||M' } } });
  });

  it('stays bounded: entries older than the retention window are dropped and never re-emitted', () => {
    const days: DayRecord[] = [];
    for (let i = 0; i < LEDGER_RETAIN_DAYS + 100; i++) days.push(day(addDays('2024-01-01', i)));
    const { ledger, emit } = DayLedger.empty().update('A', days);
    assert.equal(ledger.size('A'), LEDGER_RETAIN_DAYS + 1);
    assert.equal(emit.length, LEDGER_RETAIN_DAYS + 1);
    assert.deepEqual(ledger.update('A', days).emit, []);
    const stored = JSON.stringify(ledger.toJSON());
    assert.ok(stored.length < 40_000, `${stored.length} bytes`);
  });

  it('fingerprints the values that matter, with a null index', () => {
    assert.equal(fingerprint({ litres: 5, indexLitres: null, estimated: true }), '5||E');
    assert.notEqual(fingerprint(day('2026-11-20', 5)), fingerprint(day('2026-11-20', 6)));
  });

  it('gives the Europe/Paris start of a day, across DST', () => {
    assert.equal(new Date(dayTimestamp('2026-11-21')).toISOString(), '2026-11-20T23:00:00.000Z');
    assert.equal(new Date(dayTimestamp('2026-07-14')).toISOString(), '2026-07-13T22:00:00.000Z');
    assert.equal(new Date(dayTimestamp('2026-03-29')).toISOString(), '2026-03-28T23:00:00.000Z');
    assert.equal(new Date(dayTimestamp('2026-10-25')).toISOString(), '2026-10-24T22:00:00.000Z');
    assert.equal(dayTimestamp('2026-03-30') - dayTimestamp('2026-03-29'), 23 * 3600_000);
  });
});
