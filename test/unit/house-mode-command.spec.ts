import assert from 'node:assert/strict';
import sinon from 'sinon';
import type { HeatingState } from '../../src/lib/comap/model';
import type { HouseMode } from '../../src/lib/comap/house-mode';
import {
  applyHouseMode,
  HouseModeDeps,
  HouseModeRequest,
  parseHouseModePayload,
  parseHouseModeTime,
  planHouseModeWrites,
  READ_BACKS_MS,
  showsHouseMode,
} from '../../src/lib/comap/house-mode-command';
import { ApiError, isTransient } from '../../src/lib/http/errors';

const NOW = Date.parse('2026-12-01T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

function invalid(payload: unknown, now = NOW): string {
  try {
    parseHouseModePayload(payload, now);
  } catch (err) {
    assert.ok(err instanceof ApiError, 'an ApiError');
    assert.equal(err.code, 'INVALID_INPUT');
    return err.message;
  }
  assert.fail(`${JSON.stringify(payload)} was accepted`);
}

describe('house mode command (spec §7.1)', () => {
  describe('payloads', () => {
    it('takes every mode name, in any case and with spaces around', () => {
      for (const mode of ['away', 'home', 'cancel-holiday', 'heating-off', 'heating-on']) {
        assert.deepEqual(parseHouseModePayload(mode, NOW), { mode });
        assert.deepEqual(parseHouseModePayload(` ${mode.toUpperCase()} `, NOW), { mode });
        assert.deepEqual(parseHouseModePayload({ mode }, NOW), { mode }, 'the object form too');
      }
    });

    it('takes a holiday to a date, from now', () => {
      assert.deepEqual(parseHouseModePayload({ mode: 'holiday', to: '2026-12-08' }, NOW), { mode: 'holiday', to: '2026-12-07T23:00:00.000Z' });
      assert.deepEqual(parseHouseModePayload({ mode: 'Holiday', from: '', to: '2026-12-08' }, NOW), { mode: 'holiday', to: '2026-12-07T23:00:00.000Z' }, 'an empty from means now');
      assert.deepEqual(parseHouseModePayload({ mode: 'holiday', from: null, to: '2026-12-08' }, NOW), { mode: 'holiday', to: '2026-12-07T23:00:00.000Z' });
    });

    it('takes a holiday with both ends, dates or date-times', () => {
      assert.deepEqual(parseHouseModePayload({ mode: 'holiday', from: '2026-12-19', to: '2027-01-03' }, NOW), {
        mode: 'holiday',
        from: '2026-12-18T23:00:00.000Z',
        to: '2027-01-02T23:00:00.000Z',
      });
      assert.deepEqual(parseHouseModePayload({ mode: 'holiday', from: '2026-12-19T08:30:00Z', to: '2026-12-26T18:00:00+01:00' }, NOW), {
        mode: 'holiday',
        from: '2026-12-19T08:30:00.000Z',
        to: '2026-12-26T17:00:00.000Z',
      });
    });

    it('accepts a start in the past (a holiday already in progress)', () => {
      assert.deepEqual(parseHouseModePayload({ mode: 'holiday', from: '2026-11-28', to: '2026-12-05' }, NOW), {
        mode: 'holiday',
        from: '2026-11-27T23:00:00.000Z',
        to: '2026-12-04T23:00:00.000Z',
      });
    });

    it('refuses unknown modes and shapes with INVALID_INPUT', () => {
      for (const payload of ['vacances', '', 'leave', 3, true, null, undefined, ['away'], {}, { mode: 5 }, { mode: 'party' }]) invalid(payload);
    });

    it('refuses a holiday without its end, saying what to send', () => {
      assert.match(invalid('holiday'), /"to"/);
      assert.match(invalid({ mode: 'holiday' }), /"to"/);
      assert.match(invalid({ mode: 'holiday', to: '' }), /"to"/);
    });

    it('refuses dates that do not parse', () => {
      for (const to of ['next week', '2026-02-30', '2026-13-01', '2026-12-20T25:00', '2026-12-20T10:60', '2026-12-20T10:00+15:00', '20/12/2026', {}, NaN, '2026-12-20Z']) {
        assert.match(invalid({ mode: 'holiday', to }), /"to"/, JSON.stringify(to));
      }
      assert.match(invalid({ mode: 'holiday', from: 'tomorrow', to: '2026-12-20' }), /"from"/);
    });

    it('refuses times no Date can hold or far outside any holiday, and odd types, with INVALID_INPUT (found by fuzzing)', () => {
      for (const to of [1e20, 2 ** 53, Number.MAX_VALUE, 8.64e15, new Date(8.64e15), 5n, [1n], -Infinity]) {
        assert.match(invalid({ mode: 'holiday', to }), /"to"/, String(to));
      }
      for (const from of [-8.64e15, -2e14, 1e20, 5n]) {
        assert.match(invalid({ mode: 'holiday', from, to: '2026-12-20' }), /"from"/, String(from));
      }
    });

    it('refuses an end not after the start', () => {
      invalid({ mode: 'holiday', from: '2026-12-20', to: '2026-12-20' });
      invalid({ mode: 'holiday', from: '2026-12-20', to: '2026-12-19' });
      invalid({ mode: 'holiday', from: '2026-12-20T10:00:00Z', to: '2026-12-20T09:59:59Z' });
    });

    it('refuses an end in the past, or now', () => {
      assert.match(invalid({ mode: 'holiday', to: '2026-11-30' }), /past|after/);
      invalid({ mode: 'holiday', to: iso(NOW) });
      invalid({ mode: 'holiday', from: '2026-11-01', to: '2026-11-30' });
    });

    it('refuses a holiday longer than 365 days', () => {
      assert.deepEqual(parseHouseModePayload({ mode: 'holiday', from: '2027-01-01', to: '2028-01-01' }, NOW).mode, 'holiday', '365 days');
      assert.match(invalid({ mode: 'holiday', from: '2027-01-01', to: '2028-01-01T00:01' }), /365/);
      assert.match(invalid({ mode: 'holiday', to: '2027-12-02' }), /365/, 'from now');
      invalid({ mode: 'holiday', from: '2028-01-01', to: '2029-01-01' }, NOW);
    });

    it('counts 365 days on the calendar across a DST change', () => {
      // 2025-10-26 00:00 is summer time (+02:00), 2026-10-26 00:00 winter time (+01:00): 365 days and 1 hour of real time.
      const now = Date.parse('2025-10-01T00:00:00Z');
      const ok = parseHouseModePayload({ mode: 'holiday', from: '2025-10-26', to: '2026-10-26' }, now);
      assert.deepEqual(ok, { mode: 'holiday', from: '2025-10-25T22:00:00.000Z', to: '2026-10-25T23:00:00.000Z' });
      invalid({ mode: 'holiday', from: '2025-10-26', to: '2026-10-26T00:01' }, now);
    });
  });

  describe('times', () => {
    it('reads YYYY-MM-DD as midnight in Paris, winter and summer', () => {
      assert.equal(iso(parseHouseModeTime('2026-12-20', 'to')), '2026-12-19T23:00:00.000Z');
      assert.equal(iso(parseHouseModeTime('2026-07-14', 'to')), '2026-07-13T22:00:00.000Z');
      assert.equal(iso(parseHouseModeTime('2026-03-29', 'to')), '2026-03-28T23:00:00.000Z', 'the spring change happens at 02:00, midnight is still winter time');
      assert.equal(iso(parseHouseModeTime('2026-10-25', 'to')), '2026-10-24T22:00:00.000Z', 'the autumn change happens at 03:00, midnight is still summer time');
    });

    it('reads a date-time without offset as Paris wall-clock time (a browser datetime field)', () => {
      assert.equal(iso(parseHouseModeTime('2026-12-20T18:30', 'to')), '2026-12-20T17:30:00.000Z');
      assert.equal(iso(parseHouseModeTime('2026-07-14 08:00:15', 'to')), '2026-07-14T06:00:15.000Z');
      assert.equal(iso(parseHouseModeTime('2026-03-29T02:30', 'to')), '2026-03-29T01:30:00.000Z', 'a time skipped in spring moves forward (03:30 CEST)');
      assert.equal(iso(parseHouseModeTime('2026-10-25T02:30', 'to')), '2026-10-25T00:30:00.000Z', 'a time repeated in autumn takes its first occurrence');
    });

    it('reads a date-time with Z or an offset as that instant', () => {
      assert.equal(iso(parseHouseModeTime('2026-12-20T18:30:00.250Z', 'to')), '2026-12-20T18:30:00.250Z');
      assert.equal(iso(parseHouseModeTime('2026-12-20T18:30:00+05:30', 'to')), '2026-12-20T13:00:00.000Z');
      assert.equal(iso(parseHouseModeTime('2026-12-20T18:30-0300', 'to')), '2026-12-20T21:30:00.000Z');
      assert.equal(iso(parseHouseModeTime('2026-12-20t18:30z', 'to')), '2026-12-20T18:30:00.000Z');
    });

    it('takes epoch ms and Date objects as they are', () => {
      assert.equal(parseHouseModeTime(NOW, 'to'), NOW);
      assert.equal(parseHouseModeTime(new Date(NOW), 'to'), NOW);
      assert.throws(() => parseHouseModeTime(new Date(NaN), 'to'), /INVALID|ISO/);
    });
  });

  describe('write plans', () => {
    const mode = (m: Partial<HouseMode> = {}): HouseMode => ({ away: false, holiday: null, heatingSystem: 'on', ...m });

    it('one write for each mode but home', () => {
      assert.deepEqual(planHouseModeWrites({ mode: 'away' }, null, NOW), [{ kind: 'leave-home' }]);
      assert.deepEqual(planHouseModeWrites({ mode: 'cancel-holiday' }, null, NOW), [{ kind: 'cancel-absence' }]);
      assert.deepEqual(planHouseModeWrites({ mode: 'heating-off' }, null, NOW), [{ kind: 'heating-system', state: 'off' }]);
      assert.deepEqual(planHouseModeWrites({ mode: 'heating-on' }, null, NOW), [{ kind: 'heating-system', state: 'on' }]);
      assert.deepEqual(planHouseModeWrites({ mode: 'holiday', from: '2026-12-19T23:00:00.000Z', to: '2027-01-02T23:00:00.000Z' }, null, NOW), [
        { kind: 'set-absence', from: '2026-12-19T23:00:00.000Z', to: '2027-01-02T23:00:00.000Z' },
      ]);
    });

    it('a holiday without start starts when it is written (whole seconds)', () => {
      assert.deepEqual(planHouseModeWrites({ mode: 'holiday', to: '2026-12-07T23:00:00.000Z' }, null, NOW + 1234), [
        { kind: 'set-absence', from: '2026-12-01T10:00:01.000Z', to: '2026-12-07T23:00:00.000Z' },
      ]);
    });

    it('home ends only what is in force', () => {
      const running = { from: '2026-11-30T00:00:00.000Z', to: '2026-12-05T00:00:00.000Z' };
      const planned = { from: '2026-12-20T00:00:00.000Z', to: '2026-12-27T00:00:00.000Z' };
      const over = { from: '2026-11-20T00:00:00.000Z', to: '2026-11-27T00:00:00.000Z' };
      assert.deepEqual(planHouseModeWrites({ mode: 'home' }, mode({ away: true }), NOW), [{ kind: 'cancel-leave-home' }]);
      assert.deepEqual(planHouseModeWrites({ mode: 'home' }, mode({ holiday: running }), NOW), [{ kind: 'cancel-absence' }]);
      assert.deepEqual(planHouseModeWrites({ mode: 'home' }, mode({ away: true, holiday: running }), NOW), [{ kind: 'cancel-leave-home' }, { kind: 'cancel-absence' }]);
      assert.deepEqual(planHouseModeWrites({ mode: 'home' }, mode({ holiday: planned }), NOW), [], 'a holiday planned for later stays');
      assert.deepEqual(planHouseModeWrites({ mode: 'home' }, mode({ away: true, holiday: planned }), NOW), [{ kind: 'cancel-leave-home' }]);
      assert.deepEqual(planHouseModeWrites({ mode: 'home' }, mode({ holiday: over }), NOW), []);
      assert.deepEqual(planHouseModeWrites({ mode: 'home' }, mode({ holiday: { from: null, to: null } }), NOW), [{ kind: 'cancel-absence' }], 'a holiday of unknown dates counts as running');
      assert.deepEqual(planHouseModeWrites({ mode: 'home' }, mode({ heatingSystem: 'off' }), NOW), [], 'heating off is not a mode home ends');
    });
  });

  describe('what shows a mode', () => {
    const holiday = { from: '2026-12-19T23:00:00.000Z', to: '2027-01-02T23:00:00.000Z' };
    const request: HouseModeRequest = { mode: 'holiday', ...holiday };
    const shown = (h: HouseMode['holiday']): HouseMode => ({ away: false, holiday: h, heatingSystem: 'on' });

    it('a holiday with the dates sent, to the minute', () => {
      assert.ok(showsHouseMode(request, holiday, shown(holiday), NOW));
      assert.ok(showsHouseMode(request, holiday, shown({ from: '2026-12-19T23:00:30.000Z', to: '2027-01-02T22:59:45.000Z' }), NOW), 'seconds apart');
      assert.ok(!showsHouseMode(request, holiday, shown({ from: holiday.from, to: '2027-01-02T23:01:00.000Z' }), NOW), 'a minute apart');
      assert.ok(!showsHouseMode(request, holiday, shown({ from: holiday.from, to: null }), NOW));
      assert.ok(!showsHouseMode(request, holiday, shown(null), NOW));
    });

    it('away, home, cancel, heating', () => {
      const base: HouseMode = { away: false, holiday: null, heatingSystem: 'on' };
      assert.ok(showsHouseMode({ mode: 'away' }, undefined, { ...base, away: true }, NOW));
      assert.ok(!showsHouseMode({ mode: 'away' }, undefined, base, NOW));
      assert.ok(showsHouseMode({ mode: 'home' }, undefined, { ...base, holiday: { from: '2026-12-20T00:00:00Z', to: '2026-12-27T00:00:00Z' } }, NOW), 'a planned holiday is not in force');
      assert.ok(!showsHouseMode({ mode: 'home' }, undefined, { ...base, away: true }, NOW));
      assert.ok(showsHouseMode({ mode: 'cancel-holiday' }, undefined, base, NOW));
      assert.ok(!showsHouseMode({ mode: 'cancel-holiday' }, undefined, shown(holiday), NOW));
      assert.ok(showsHouseMode({ mode: 'heating-off' }, undefined, { ...base, heatingSystem: 'off' }, NOW));
      assert.ok(!showsHouseMode({ mode: 'heating-off' }, undefined, base, NOW));
      assert.ok(showsHouseMode({ mode: 'heating-on' }, undefined, base, NOW));
      assert.ok(!showsHouseMode({ mode: 'heating-on' }, undefined, { ...base, heatingSystem: null }, NOW));
    });
  });

  describe('write and read-backs', () => {
    /** A fake cloud on a virtual clock: writes and reads are recorded with their time. */
    function fakeCloud(options: { shownAfterReads?: number; writeMs?: number; mode?: Partial<HouseMode>; failReads?: number[]; failWrite?: ApiError } = {}) {
      let now = NOW;
      let reads = 0;
      let mode: HouseMode = { away: false, holiday: null, heatingSystem: 'on', ...options.mode };
      let pending: Partial<HouseMode> = {};
      const log: string[] = [];
      const readTimes: number[] = [];
      const maxAges: number[] = [];
      const write = (name: string, change: Partial<HouseMode>) => async () => {
        log.push(name);
        now += options.writeMs ?? 0;
        if (options.failWrite) throw options.failWrite;
        pending = change;
        if (!options.shownAfterReads) mode = { ...mode, ...pending };
      };
      const deps: HouseModeDeps = {
        now: () => now,
        sleep: async (ms) => {
          now += ms;
        },
        client: {
          leaveHome: write('leave-home', { away: true }),
          cancelLeaveHome: write('cancel-leave-home', { away: false }),
          setAbsence: async (_h, from, to) => write(`absence ${from} ${to}`, { holiday: { from, to } })(),
          cancelAbsence: write('cancel-absence', { holiday: null }),
          setHeatingSystemState: async (_h, state) => write(`heating ${state}`, { heatingSystem: state })(),
        },
        heating: {
          housing: async (id = '') => ({ id: id || 'h1', name: 'Maison' }),
          state: async (_h, maxAgeMs = 0) => {
            maxAges.push(maxAgeMs);
            if (log.length > 0) {
              readTimes.push(now);
              reads++;
              if (options.failReads?.includes(reads)) throw new ApiError('UNAVAILABLE', 'read down');
              if (options.shownAfterReads && reads >= options.shownAfterReads) mode = { ...mode, ...pending };
            }
            return { mode: structuredClone(mode) } as HeatingState;
          },
          markChanged: () => log.push('markChanged'),
        },
      };
      return { deps, log, readTimes, maxAges, at: () => now };
    }

    it('confirms on the first read-back: one write, one read, no wait', async () => {
      const cloud = fakeCloud();
      const result = await applyHouseMode(cloud.deps, 'h1', { mode: 'away' });
      assert.deepEqual(result, { housing: { id: 'h1', name: 'Maison' }, mode: 'away', confirmed: true, confirmedAt: iso(NOW) });
      assert.deepEqual(cloud.log, ['leave-home', 'markChanged']);
      assert.deepEqual(cloud.readTimes, [NOW]);
      assert.deepEqual(cloud.maxAges, [0], 'a fresh read, not the cached state');
    });

    it('reads again 10 s, 30 s and 60 s after the write, measured from the write', async () => {
      const cloud = fakeCloud({ shownAfterReads: 3, writeMs: 4000 });
      const result = await applyHouseMode(cloud.deps, 'h1', { mode: 'heating-off' });
      const written = NOW + 4000;
      assert.deepEqual(cloud.readTimes, [written, written + 10_000, written + 30_000]);
      assert.equal(result.confirmedAt, iso(written + 30_000));
      assert.deepEqual(READ_BACKS_MS, [0, 10_000, 30_000, 60_000], 'the spec’s points in time');
    });

    it('NOT_CONFIRMED (final, not transient) when the last read-back still does not show it', async () => {
      const cloud = fakeCloud({ shownAfterReads: 5 });
      await assert.rejects(applyHouseMode(cloud.deps, 'h1', { mode: 'away' }), (err: ApiError) => {
        assert.equal(err.code, 'NOT_CONFIRMED');
        assert.ok(!isTransient(err), 'not retried');
        assert.match(err.message, /4 read-back\(s\) over 60 s/);
        return true;
      });
      assert.deepEqual(cloud.readTimes, [NOW, NOW + 10_000, NOW + 30_000, NOW + 60_000]);
      assert.deepEqual(cloud.log, ['leave-home', 'markChanged'], 'written once');
    });

    it('takes the read-back schedule as a parameter', async () => {
      const cloud = fakeCloud({ shownAfterReads: 9 });
      await assert.rejects(applyHouseMode({ ...cloud.deps, readBacksMs: [0, 50] }, 'h1', { mode: 'away' }), { code: 'NOT_CONFIRMED' });
      assert.deepEqual(cloud.readTimes, [NOW, NOW + 50]);
    });

    it('a failed read-back counts as not shown yet; the next one confirms', async () => {
      const cloud = fakeCloud({ failReads: [1, 2] });
      const result = await applyHouseMode(cloud.deps, 'h1', { mode: 'away' });
      assert.equal(result.confirmedAt, iso(NOW + 30_000));
    });

    it('NOT_CONFIRMED names the last read failure', async () => {
      const cloud = fakeCloud({ failReads: [1, 2, 3, 4] });
      await assert.rejects(applyHouseMode(cloud.deps, 'h1', { mode: 'away' }), (err: ApiError) => err.code === 'NOT_CONFIRMED' && /UNAVAILABLE, read down/.test(err.message));
    });

    it('a failed write throws its own error, with no read-back (retries are for it)', async () => {
      const cloud = fakeCloud({ failWrite: new ApiError('UNAVAILABLE', 'down') });
      await assert.rejects(applyHouseMode(cloud.deps, 'h1', { mode: 'heating-on' }), { code: 'UNAVAILABLE' });
      assert.deepEqual(cloud.readTimes, []);
      assert.deepEqual(cloud.log, ['heating on']);
    });

    it('a cancel answered 404 (there was none) is done', async () => {
      const cloud = fakeCloud({ mode: { holiday: null } });
      cloud.deps.client.cancelAbsence = async () => {
        throw new ApiError('NOT_FOUND', 'No absence');
      };
      const result = await applyHouseMode(cloud.deps, 'h1', { mode: 'cancel-holiday' });
      assert.equal(result.mode, 'cancel-holiday');
    });

    it('a holiday: sends its dates and reports them as read back', async () => {
      const cloud = fakeCloud();
      const result = await applyHouseMode(cloud.deps, 'h1', { mode: 'holiday', to: '2026-12-07T23:00:00.000Z' });
      assert.deepEqual(cloud.log, ['absence 2026-12-01T10:00:00.000Z 2026-12-07T23:00:00.000Z', 'markChanged']);
      assert.deepEqual(result, {
        housing: { id: 'h1', name: 'Maison' },
        mode: 'holiday',
        from: '2026-12-01T10:00:00.000Z',
        to: '2026-12-07T23:00:00.000Z',
        confirmed: true,
        confirmedAt: iso(NOW),
      });
    });

    it('home: the state at most 30 s old tells what to end, one write for one mode', async () => {
      const cloud = fakeCloud({ mode: { away: true } });
      await applyHouseMode(cloud.deps, 'h1', { mode: 'home' });
      assert.deepEqual(cloud.log, ['cancel-leave-home', 'markChanged']);
      assert.deepEqual(cloud.maxAges, [30_000, 0]);
    });

    it('home with both in force: both ends, then one read-back', async () => {
      const cloud = fakeCloud({ mode: { away: true, holiday: { from: '2026-11-30T00:00:00.000Z', to: '2026-12-05T00:00:00.000Z' } } });
      await applyHouseMode(cloud.deps, 'h1', { mode: 'home' });
      assert.deepEqual(cloud.log, ['cancel-leave-home', 'markChanged', 'cancel-absence', 'markChanged']);
      assert.equal(cloud.readTimes.length, 1);
    });

    it('home with nothing in force: confirmed at once, nothing sent', async () => {
      const cloud = fakeCloud();
      const result = await applyHouseMode(cloud.deps, 'h1', { mode: 'home' });
      assert.deepEqual(cloud.log, []);
      assert.deepEqual(cloud.maxAges, [30_000]);
      assert.deepEqual(result, { housing: { id: 'h1', name: 'Maison' }, mode: 'home', confirmed: true, confirmedAt: iso(NOW) });
    });
  });

  describe('real timers (sinon)', () => {
    let clock: sinon.SinonFakeTimers;
    beforeEach(() => {
      clock = sinon.useFakeTimers({ now: NOW, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    });
    afterEach(() => clock.restore());

    function deps(showAt: number): { deps: HouseModeDeps; reads: number[] } {
      const reads: number[] = [];
      return {
        reads,
        deps: {
          client: {
            leaveHome: async () => undefined,
            cancelLeaveHome: async () => undefined,
            setAbsence: async () => undefined,
            cancelAbsence: async () => undefined,
            setHeatingSystemState: async () => undefined,
          },
          heating: {
            housing: async () => ({ id: 'h1', name: 'Maison' }),
            state: async () => {
              reads.push(Date.now() - NOW);
              return { mode: { away: Date.now() >= showAt, holiday: null, heatingSystem: 'on' } } as HeatingState;
            },
            markChanged: () => undefined,
          },
        },
      };
    }

    it('waits on timers between read-backs and leaves none behind', async () => {
      const probe = deps(NOW + 45_000);
      const done = applyHouseMode(probe.deps, 'h1', { mode: 'away' });
      await clock.tickAsync(59_999);
      assert.deepEqual(probe.reads, [0, 10_000, 30_000]);
      await clock.tickAsync(1);
      const result = await done;
      assert.deepEqual(probe.reads, [0, 10_000, 30_000, 60_000]);
      assert.equal(result.confirmedAt, iso(NOW + 60_000));
      assert.equal(clock.countTimers(), 0);
    });

    it('on close (signal), stops waiting, reads once at once and ends; no timer left', async () => {
      const probe = deps(Infinity);
      const closing = new AbortController();
      const done = applyHouseMode({ ...probe.deps, signal: closing.signal }, 'h1', { mode: 'away' });
      await clock.tickAsync(12_000);
      assert.equal(clock.countTimers(), 1, 'waiting for the 30 s read-back');
      closing.abort();
      await assert.rejects(done, { code: 'NOT_CONFIRMED' });
      assert.deepEqual(probe.reads, [0, 10_000, 12_000]);
      assert.equal(clock.countTimers(), 0);
    });
  });
});
