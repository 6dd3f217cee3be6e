import assert from 'node:assert/strict';
import sinon from 'sinon';
import { ApiError } from '../../src/lib/http/errors';
import { CommandRetrier, PendingCommand } from '../../src/lib/schedule/command-retrier';

type Store = Record<string, PendingCommand<string>>;

describe('command retrier', () => {
  let clock: sinon.SinonFakeTimers;
  let stored: Store;
  let outcomes: string[];
  let failures: number;

  beforeEach(() => {
    clock = sinon.useFakeTimers();
    stored = {};
    outcomes = [];
    failures = 0;
  });
  afterEach(() => clock.restore());

  function make(execute: (command: string) => Promise<string>, retries = 1) {
    return new CommandRetrier<string, string>({
      retries,
      retryDelayMs: 90_000,
      execute,
      onSuccess: (c, r, attempts) => outcomes.push(`ok ${c} ${r} ${attempts}`),
      onRetryScheduled: (c, attempts) => outcomes.push(`retry ${c} ${attempts}`),
      onFailure: (c, err, attempts) => outcomes.push(`fail ${c} ${err.code} ${attempts}`),
      onReplaced: (c) => outcomes.push(`replaced ${c}`),
      store: { load: () => ({ ...stored }), save: (p) => (stored = { ...p }) },
      now: () => Date.now(),
    });
  }

  const flaky = (failTimes: number, code: ApiError['code'] = 'UNAVAILABLE') => async (c: string) => {
    if (failures++ < failTimes) throw new ApiError(code, 'down');
    return `done-${c}`;
  };

  it('retries a transient failure after the delay', async () => {
    const retrier = make(flaky(1));
    retrier.submit('zone', 'eco');
    await clock.tickAsync(0);
    assert.deepEqual(outcomes, ['retry eco 1']);
    assert.ok(stored.zone);
    await clock.tickAsync(89_000);
    assert.equal(outcomes.length, 1);
    await clock.tickAsync(1_000);
    assert.deepEqual(outcomes, ['retry eco 1', 'ok eco done-eco 2']);
    assert.deepEqual(stored, {});
  });

  it('gives up after the configured retries with the attempt count', async () => {
    const retrier = make(flaky(5), 2);
    retrier.submit('zone', 'eco');
    await clock.tickAsync(200_000);
    assert.deepEqual(outcomes, ['retry eco 1', 'retry eco 2', 'fail eco UNAVAILABLE 3']);
    assert.deepEqual(stored, {});
  });

  it('does not retry non-transient failures', async () => {
    const retrier = make(flaky(5, 'NOT_FOUND'));
    retrier.submit('zone', 'eco');
    await clock.tickAsync(0);
    assert.deepEqual(outcomes, ['fail eco NOT_FOUND 1']);
  });

  it('lets a newer command replace a waiting retry', async () => {
    const retrier = make(flaky(1));
    retrier.submit('zone', 'eco');
    await clock.tickAsync(0);
    retrier.submit('zone', 'comfort');
    await clock.tickAsync(200_000);
    assert.deepEqual(outcomes, ['retry eco 1', 'replaced eco', 'ok comfort done-comfort 1']);
    assert.equal(clock.countTimers(), 0);
  });

  it('resumes a stored retry after a restart and applies it once', async () => {
    const first = make(flaky(1));
    first.submit('zone', 'away');
    await clock.tickAsync(0);
    await first.close();
    assert.equal(clock.countTimers(), 0);
    assert.ok(stored.zone, 'the retry is kept for the next instance');
    const applied: string[] = [];
    const second = make(async (c) => {
      applied.push(c);
      return 'ok';
    });
    second.restore();
    await clock.tickAsync(90_000);
    assert.deepEqual(applied, ['away']);
    assert.deepEqual(stored, {});
  });

  it('starts nothing after close', async () => {
    const executed: string[] = [];
    const retrier = make(async (c) => {
      executed.push(c);
      return 'ok';
    });
    await retrier.close();
    retrier.submit('zone', 'eco');
    await clock.tickAsync(100_000);
    assert.deepEqual(executed, []);
  });
});
