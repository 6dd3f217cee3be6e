import assert from 'node:assert/strict';
import sinon from 'sinon';
import { ApiError } from '../../src/lib/http/errors';
import {
  addDays,
  DailyTimer,
  daysBetween,
  isIsoDate,
  isValidSyncTime,
  nextDailyRun,
  parseSyncTime,
  randomJitterMs,
  startOfZonedDay,
  zonedDate,
  zonedTimeToEpoch,
} from '../../src/lib/schedule/daily';

const iso = (d: Date): string => d.toISOString();

describe('daily schedule', () => {
  describe('sync time validation', () => {
    it('accepts HH:MM on a 24 h clock', () => {
      assert.deepEqual(parseSyncTime('07:00'), { hour: 7, minute: 0 });
      assert.deepEqual(parseSyncTime('23:59'), { hour: 23, minute: 59 });
      assert.deepEqual(parseSyncTime(' 00:05 '), { hour: 0, minute: 5 });
    });

    it('rejects anything else as INVALID_INPUT', () => {
      for (const bad of ['7:00', '24:00', '12:60', '12h30', '', '07:00:00', 700, null, undefined]) {
        assert.equal(isValidSyncTime(bad), false, String(bad));
        assert.throws(() => parseSyncTime(bad), (e: unknown) => e instanceof ApiError && e.code === 'INVALID_INPUT');
      }
    });
  });

  describe('calendar helpers', () => {
    it('checks and shifts calendar dates', () => {
      assert.ok(isIsoDate('2028-02-29'));
      assert.ok(!isIsoDate('2026-02-29'));
      assert.ok(!isIsoDate('2026-2-01'));
      assert.equal(addDays('2026-12-31', 1), '2027-01-01');
      assert.equal(addDays('2026-03-01', -1), '2026-02-28');
      assert.equal(daysBetween('2026-03-28', '2026-03-30'), 2);
    });

    it('gives the Paris date of an instant, whatever the process time zone', () => {
      assert.equal(zonedDate(Date.parse('2026-11-22T23:30:00Z')), '2026-11-23');
      assert.equal(zonedDate(Date.parse('2026-07-01T21:59:00Z')), '2026-07-01');
      assert.equal(zonedDate(Date.parse('2026-07-01T22:00:00Z')), '2026-07-02');
      assert.equal(zonedDate(Date.parse('2026-07-01T22:00:00Z'), 'UTC'), '2026-07-01');
    });

    it('converts Paris wall time to an instant around DST changes', () => {
      assert.equal(new Date(zonedTimeToEpoch('2026-01-15', 7, 0)).toISOString(), '2026-01-15T06:00:00.000Z');
      assert.equal(new Date(zonedTimeToEpoch('2026-07-15', 7, 0)).toISOString(), '2026-07-15T05:00:00.000Z');
      // 02:30 does not exist on 2026-03-29: moved forward by the gap, to 03:30 CEST.
      assert.equal(new Date(zonedTimeToEpoch('2026-03-29', 2, 30)).toISOString(), '2026-03-29T01:30:00.000Z');
      // 02:30 happens twice on 2026-10-25: the first one (CEST).
      assert.equal(new Date(zonedTimeToEpoch('2026-10-25', 2, 30)).toISOString(), '2026-10-25T00:30:00.000Z');
      assert.equal(new Date(startOfZonedDay('2026-10-25')).toISOString(), '2026-10-24T22:00:00.000Z');
    });
  });

  describe('nextDailyRun', () => {
    it('runs today when the time is still ahead, tomorrow otherwise', () => {
      assert.equal(iso(nextDailyRun('07:00', new Date('2026-11-23T05:00:00Z'))), '2026-11-23T06:00:00.000Z');
      assert.equal(iso(nextDailyRun('07:00', new Date('2026-11-23T06:00:00Z'))), '2026-11-24T06:00:00.000Z');
      assert.equal(iso(nextDailyRun('07:00', new Date('2026-11-23T12:00:00Z'))), '2026-11-24T06:00:00.000Z');
    });

    it('adds the jitter to the run time', () => {
      assert.equal(iso(nextDailyRun('07:00', new Date('2026-11-23T05:00:00Z'), 90_000)), '2026-11-23T06:01:30.000Z');
      assert.equal(iso(nextDailyRun('07:00', new Date('2026-11-23T06:01:00Z'), 90_000)), '2026-11-23T06:01:30.000Z');
      // A jitter past midnight still belongs to the previous day's run.
      assert.equal(iso(nextDailyRun('23:59', new Date('2026-11-23T23:00:00Z'), 300_000)), '2026-11-23T23:04:00.000Z');
    });

    it('keeps the Paris wall time across DST changes (23 h and 25 h days)', () => {
      assert.equal(iso(nextDailyRun('07:00', new Date('2026-03-28T06:30:00Z'))), '2026-03-29T05:00:00.000Z');
      assert.equal(iso(nextDailyRun('07:00', new Date('2026-10-24T05:30:00Z'))), '2026-10-25T06:00:00.000Z');
      assert.equal(iso(nextDailyRun('02:30', new Date('2026-03-28T12:00:00Z'))), '2026-03-29T01:30:00.000Z');
    });

    it('follows another zone when asked', () => {
      assert.equal(iso(nextDailyRun('07:00', new Date('2026-11-23T05:00:00Z'), 0, 'UTC')), '2026-11-23T07:00:00.000Z');
    });

    it('draws a jitter inside the bound', () => {
      assert.equal(randomJitterMs(300_000, () => 0.5), 150_000);
      assert.equal(randomJitterMs(-1, () => 0.5), 0);
    });
  });

  describe('DailyTimer', () => {
    let clock: sinon.SinonFakeTimers;

    beforeEach(() => {
      clock = sinon.useFakeTimers({ now: Date.parse('2026-11-23T05:00:00Z'), toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    });

    afterEach(() => clock.restore());

    it('runs once a day at the sync time and stops cleanly', async () => {
      const runs: string[] = [];
      const timer = new DailyTimer(() => {
        runs.push(new Date().toISOString());
      }, { syncTime: '07:00', jitterMs: 60_000 });
      timer.start();
      assert.equal(timer.nextRun?.toISOString(), '2026-11-23T06:01:00.000Z');
      await clock.tickAsync(3_600_000 + 59_000);
      assert.deepEqual(runs, []);
      await clock.tickAsync(1_000);
      assert.deepEqual(runs, ['2026-11-23T06:01:00.000Z']);
      await clock.tickAsync(24 * 3_600_000);
      assert.deepEqual(runs, ['2026-11-23T06:01:00.000Z', '2026-11-24T06:01:00.000Z']);
      timer.stop();
      assert.equal(timer.active, false);
      assert.equal(clock.countTimers(), 0);
      await clock.tickAsync(48 * 3_600_000);
      assert.equal(runs.length, 2);
    });

    it('survives a failing task', async () => {
      let calls = 0;
      const timer = new DailyTimer(() => {
        calls++;
        if (calls === 1) throw new Error('boom');
        return Promise.reject(new Error('later'));
      }, { syncTime: '07:00' });
      timer.start();
      await clock.tickAsync(49 * 3_600_000);
      assert.equal(calls, 3);
      timer.stop();
    });

    it('refuses a bad sync time at construction', () => {
      assert.throws(() => new DailyTimer(() => undefined, { syncTime: '25:00' }), /HH:MM/);
    });
  });
});
