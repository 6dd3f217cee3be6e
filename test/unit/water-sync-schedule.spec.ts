import assert from 'node:assert/strict';
import sinon from 'sinon';
import { ApiError } from '../../src/lib/http/errors';
import { zonedTimeToEpoch } from '../../src/lib/schedule/daily';
import { FIRST_SYNC_DELAY_MS, RETRY_DELAY_MS, SYNC_RETRIES, SyncSchedule, SyncScheduleOptions } from '../../src/lib/veolia/sync-schedule';

const MIN = 60_000;
const HOUR = 60 * MIN;
/** 2026-11-23 06:00 in Paris: the daily sync (07:00) is one hour away. */
const T0 = zonedTimeToEpoch('2026-11-23', 6, 0);
const unavailable = () => new ApiError('UNAVAILABLE', 'Veolia answered 503');

interface Harness {
  schedule: SyncSchedule;
  /** Epoch ms of each sync started. */
  starts: number[];
  retries: Array<{ attempt: number; of: number; code: string }>;
  failures: Array<{ attempts: number; code: string }>;
}

describe('water sync schedule', () => {
  let clock: sinon.SinonFakeTimers;
  let schedule: SyncSchedule | undefined;

  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: T0, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    schedule?.close();
    schedule = undefined;
    clock.restore();
  });

  /** A schedule whose sync answers with `outcome(n)` for the n-th sync (1-based): undefined = success. */
  function harness(outcome: (n: number) => ApiError | undefined | Promise<void>, options: Partial<SyncScheduleOptions> = {}): Harness {
    const starts: Harness['starts'] = [];
    const retries: Harness['retries'] = [];
    const failures: Harness['failures'] = [];
    schedule = new SyncSchedule({
      syncTime: '07:00',
      sync: () => {
        starts.push(Date.now());
        const result = outcome(starts.length);
        if (result instanceof Promise) return result;
        return result ? Promise.reject(result) : Promise.resolve();
      },
      onRetry: (err, attempt, of) => retries.push({ attempt, of, code: err.code }),
      onFailure: (err, attempts) => failures.push({ attempts, code: err.code }),
      ...options,
    });
    return { schedule, starts, retries, failures };
  }

  it('syncs shortly after start when asked, then every day at the sync time', async () => {
    const h = harness(() => undefined);
    h.schedule.start(true);
    await clock.tickAsync(FIRST_SYNC_DELAY_MS);
    assert.deepEqual(h.starts, [T0 + FIRST_SYNC_DELAY_MS]);
    await clock.tickAsync(25 * HOUR);
    assert.deepEqual(h.starts.slice(1), [zonedTimeToEpoch('2026-11-23', 7, 0), zonedTimeToEpoch('2026-11-24', 7, 0)]);
  });

  it('has no first sync when not asked', async () => {
    const h = harness(() => undefined);
    h.schedule.start(false);
    await clock.tickAsync(59 * MIN);
    assert.deepEqual(h.starts, []);
  });

  it(`retries a transient failure ${SYNC_RETRIES} times, ${RETRY_DELAY_MS / MIN} min apart, then reports it once`, async () => {
    const h = harness(() => unavailable());
    h.schedule.start(true);
    await clock.tickAsync(FIRST_SYNC_DELAY_MS);
    assert.equal(h.schedule.retrying, true);
    await clock.tickAsync(50 * MIN);
    const first = T0 + FIRST_SYNC_DELAY_MS;
    assert.deepEqual(h.starts, [first, first + RETRY_DELAY_MS, first + 2 * RETRY_DELAY_MS, first + 3 * RETRY_DELAY_MS]);
    assert.deepEqual(h.retries, [
      { attempt: 1, of: 3, code: 'UNAVAILABLE' },
      { attempt: 2, of: 3, code: 'UNAVAILABLE' },
      { attempt: 3, of: 3, code: 'UNAVAILABLE' },
    ]);
    assert.deepEqual(h.failures, [{ attempts: 4, code: 'UNAVAILABLE' }]);
    assert.equal(h.schedule.retrying, false);
  });

  it('stops retrying once an attempt succeeds', async () => {
    const h = harness((n) => (n < 3 ? unavailable() : undefined));
    h.schedule.start(true);
    await clock.tickAsync(55 * MIN);
    assert.equal(h.starts.length, 3);
    assert.deepEqual(h.failures, []);
    assert.equal(h.schedule.retrying, false);
  });

  for (const code of ['AUTH_FAILED', 'AUTH_CHALLENGE', 'NOT_FOUND', 'PROTOCOL'] as const) {
    it(`does not retry ${code}: the error goes out once`, async () => {
      const h = harness(() => new ApiError(code, 'no'));
      h.schedule.start(true);
      await clock.tickAsync(55 * MIN);
      assert.equal(h.starts.length, 1);
      assert.deepEqual(h.retries, []);
      assert.deepEqual(h.failures, [{ attempts: 1, code }]);
    });
  }

  it('a sync asked while one is under way joins it', async () => {
    let finish!: () => void;
    const h = harness(() => new Promise<void>((resolve) => (finish = resolve)));
    const a = h.schedule.request();
    const b = h.schedule.request();
    await clock.tickAsync(0);
    assert.equal(h.starts.length, 1);
    finish();
    await Promise.all([a, b]);
    assert.equal(h.starts.length, 1);
  });

  it('a sync asked while a retry waits replaces it: one chain, whatever asks', async () => {
    const h = harness(() => unavailable());
    h.schedule.start(true);
    await clock.tickAsync(FIRST_SYNC_DELAY_MS);
    assert.equal(h.starts.length, 1);
    await clock.tickAsync(5 * MIN);
    await h.schedule.request();
    assert.equal(h.starts.length, 2, 'the new sync runs at once');
    await clock.tickAsync(14 * MIN);
    assert.equal(h.starts.length, 2, 'the replaced retry never fires');
    await clock.tickAsync(MIN);
    assert.equal(h.starts.length, 3, 'the new chain retries 15 min after its own failure');
    // Up to 06:59, before the daily sync: the first attempt, then the 4 of the one chain left.
    await clock.tickAsync(zonedTimeToEpoch('2026-11-23', 6, 59) - Date.now());
    assert.equal(h.starts.length, 1 + 4);
    assert.deepEqual(h.failures, [{ attempts: 4, code: 'UNAVAILABLE' }], 'one error');
  });

  it('the daily sync falling while a retry waits does not start a second chain', async () => {
    // Deployed at 06:55: the first sync fails, its retry would come at 07:10; the 07:00 sync takes its place.
    clock.setSystemTime(zonedTimeToEpoch('2026-11-23', 6, 55));
    const h = harness(() => unavailable());
    h.schedule.start(true);
    await clock.tickAsync(HOUR + 10 * MIN);
    const at = (hh: number, mm: number): number => zonedTimeToEpoch('2026-11-23', hh, mm);
    assert.deepEqual(h.starts, [at(6, 55) + FIRST_SYNC_DELAY_MS, at(7, 0), at(7, 15), at(7, 30), at(7, 45)]);
    assert.deepEqual(h.failures, [{ attempts: 4, code: 'UNAVAILABLE' }]);
  });

  it('a sync done elsewhere ends a waiting retry and the pending first sync', async () => {
    const h = harness(() => unavailable());
    h.schedule.start(true);
    h.schedule.satisfied();
    await clock.tickAsync(10 * MIN);
    assert.equal(h.starts.length, 0, 'no first sync');
    await h.schedule.request();
    assert.equal(h.schedule.retrying, true);
    h.schedule.satisfied();
    assert.equal(h.schedule.retrying, false);
    await clock.tickAsync(40 * MIN);
    assert.equal(h.starts.length, 1);
    assert.deepEqual(h.failures, []);
  });

  it('close() leaves no timer, in whatever state', async () => {
    const h = harness(() => unavailable());
    h.schedule.start(true);
    assert.ok(clock.countTimers() >= 2, 'the daily and the first sync are armed');
    h.schedule.close();
    assert.equal(clock.countTimers(), 0);

    const g = harness(() => unavailable());
    g.schedule.start(true);
    await clock.tickAsync(FIRST_SYNC_DELAY_MS);
    assert.equal(g.schedule.retrying, true);
    g.schedule.close();
    assert.equal(clock.countTimers(), 0, 'nor the waiting retry');
    await clock.tickAsync(2 * 24 * HOUR);
    assert.equal(g.starts.length, 1);
    assert.equal(g.failures.length, 0);
  });

  it('after close, an attempt under way reports nothing and arms nothing', async () => {
    let fail!: (err: ApiError) => void;
    const h = harness(() => new Promise<void>((_resolve, reject) => (fail = reject)));
    h.schedule.start(false);
    const run = h.schedule.request();
    h.schedule.close();
    fail(new ApiError('AUTH_FAILED', 'no'));
    await run;
    assert.deepEqual(h.failures, []);
    assert.equal(clock.countTimers(), 0);
    assert.equal(h.schedule.retrying, false);
    await h.schedule.request();
    h.schedule.start(true);
    assert.equal(h.starts.length, 1, 'a closed schedule starts nothing');
    assert.equal(clock.countTimers(), 0);
  });

  it('a throwing callback or sync never escapes into a timer', async () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown): number => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      const h = harness(() => unavailable(), {
        onRetry: () => {
          throw new Error('status broke');
        },
        onFailure: () => {
          throw new Error('output broke');
        },
      });
      h.schedule.start(true);
      await clock.tickAsync(55 * MIN);
      const s = new SyncSchedule({
        syncTime: '07:00',
        sync: () => {
          throw new Error('sync threw');
        },
        onRetry: () => undefined,
        onFailure: () => undefined,
      });
      await s.request();
      s.close();
      await clock.tickAsync(0);
      assert.deepEqual(rejections, []);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });
});
