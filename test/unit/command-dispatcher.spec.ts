import assert from 'node:assert/strict';
import sinon from 'sinon';
import { ApiError } from '../../src/lib/http/errors';
import { Command, CommandDispatcher, CommandOutcome } from '../../src/lib/schedule/command-dispatcher';

interface Probe {
  command: Command<string>;
  outcomes: Array<CommandOutcome<string>>;
  retries: Array<{ attempts: number; dueAt: number }>;
}

describe('command dispatcher', () => {
  let clock: sinon.SinonFakeTimers;
  let dispatcher: CommandDispatcher;
  let sent: string[];
  /** Failures the fake cloud answers next, in order. */
  let failures: ApiError[];

  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_000_000 });
    dispatcher = new CommandDispatcher();
    sent = [];
    failures = [];
  });
  afterEach(() => clock.restore());

  const unavailable = () => new ApiError('UNAVAILABLE', 'down');

  function probe(value: string, options: Partial<Command<string>> & { target?: () => Promise<string> } = {}): Probe {
    const p: Probe = { outcomes: [], retries: [], command: undefined as unknown as Command<string> };
    p.command = {
      id: value,
      owner: 'node#1',
      createdAt: Date.now(),
      deadline: Date.now() + 3_600_000,
      retries: 1,
      retryDelayMs: 90_000,
      attempts: 0,
      target: () => Promise.resolve('zone-1'),
      run: async () => {
        const failure = failures.shift();
        if (failure) throw failure;
        sent.push(value);
        return value;
      },
      retrying: (attempts, dueAt) => p.retries.push({ attempts, dueAt }),
      settled: (outcome) => p.outcomes.push(outcome),
      ...options,
    };
    return p;
  }

  it('retries a transient failure after the delay, then reports the result', async () => {
    failures = [unavailable()];
    const eco = probe('eco');
    dispatcher.submit(eco.command);
    await clock.tickAsync(0);
    assert.deepEqual(eco.retries, [{ attempts: 1, dueAt: 1_000_000 + 90_000 }]);
    await clock.tickAsync(90_000);
    assert.deepEqual(eco.outcomes, [{ kind: 'done', result: 'eco', attempts: 2 }]);
  });

  it('gives up after its retries, and never retries a failure no retry cures', async () => {
    failures = [unavailable(), unavailable()];
    const eco = probe('eco');
    dispatcher.submit(eco.command);
    await clock.tickAsync(90_000);
    assert.equal(eco.outcomes[0].kind, 'failed');
    assert.equal((eco.outcomes[0] as { attempts: number }).attempts, 2);
    failures = [new ApiError('NOT_FOUND', 'no such zone')];
    const other = probe('other');
    dispatcher.submit(other.command);
    await clock.tickAsync(0);
    assert.deepEqual(other.retries, []);
    assert.equal(other.outcomes[0].kind, 'failed');
  });

  it('a newer command for the target replaces a waiting retry, which ends superseded', async () => {
    failures = [unavailable()];
    const eco = probe('eco');
    dispatcher.submit(eco.command);
    await clock.tickAsync(1000);
    const comfort = probe('comfort');
    dispatcher.submit(comfort.command);
    await clock.tickAsync(200_000);
    assert.deepEqual(sent, ['comfort']);
    assert.deepEqual(eco.outcomes, [{ kind: 'superseded' }]);
  });

  it('a command failing while a newer one is queued behind it is not retried', async () => {
    let release: () => void = () => undefined;
    const eco = probe('eco', {
      run: () =>
        new Promise<string>((_resolve, reject) => {
          release = () => reject(unavailable());
        }),
    });
    dispatcher.submit(eco.command);
    await clock.tickAsync(0);
    const comfort = probe('comfort');
    dispatcher.submit(comfort.command);
    await clock.tickAsync(0);
    release();
    await clock.tickAsync(200_000);
    assert.deepEqual(eco.outcomes, [{ kind: 'superseded' }]);
    assert.deepEqual(sent, ['comfort']);
  });

  it('runs commands to one target one at a time in arrival order', async () => {
    const order: string[] = [];
    const slow = (value: string, ms: number) =>
      probe(value, {
        run: async () => {
          order.push(`start ${value}`);
          await new Promise((r) => setTimeout(r, ms));
          order.push(`end ${value}`);
          return value;
        },
      });
    dispatcher.submit(slow('a', 100).command);
    dispatcher.submit(slow('b', 10).command);
    await clock.tickAsync(500);
    assert.deepEqual(order, ['start a', 'end a', 'start b', 'end b']);
  });

  it('does not send a command past its deadline: EXPIRED', async () => {
    failures = [unavailable()];
    const short = probe('short', { deadline: Date.now() + 60_000 });
    dispatcher.submit(short.command);
    await clock.tickAsync(0);
    assert.equal(short.outcomes[0].kind, 'expired', 'no retry fits before its deadline');
    const stale = probe('stale', { deadline: Date.now() - 1 });
    dispatcher.submit(stale.command);
    await clock.tickAsync(0);
    assert.equal(stale.outcomes[0].kind, 'expired');
    assert.equal((stale.outcomes[0] as { error: ApiError }).error.code, 'EXPIRED');
    assert.deepEqual(sent, []);
  });

  it('a restored retry waits for its time, and an older restored one loses to a newer', async () => {
    const restored = probe('restored', { attempts: 1, dueAt: Date.now() + 30_000, createdAt: Date.now() - 60_000 });
    dispatcher.submit(restored.command);
    await clock.tickAsync(10_000);
    assert.deepEqual(sent, []);
    const older = probe('older', { attempts: 1, dueAt: Date.now() + 30_000, createdAt: Date.now() - 120_000 });
    dispatcher.submit(older.command);
    await clock.tickAsync(30_000);
    assert.deepEqual(sent, ['restored']);
    assert.deepEqual(older.outcomes, [{ kind: 'superseded' }]);
  });

  it("withdraws a closing owner's waiting commands silently and waits for its command under way", async () => {
    failures = [unavailable()];
    const eco = probe('eco');
    dispatcher.submit(eco.command);
    await clock.tickAsync(0);
    let finish: () => void = () => undefined;
    const running = probe('running', {
      target: () => Promise.resolve('zone-2'),
      run: () =>
        new Promise<string>((resolve) => {
          finish = () => resolve('running');
        }),
    });
    dispatcher.submit(running.command);
    await clock.tickAsync(0);
    let withdrawn = false;
    void dispatcher.withdraw('node#1', 10_000).then(() => {
      withdrawn = true;
    });
    await clock.tickAsync(10);
    assert.equal(withdrawn, false, 'waits for the command under way');
    finish();
    await clock.tickAsync(0);
    assert.equal(withdrawn, true);
    assert.deepEqual(running.outcomes, [{ kind: 'done', result: 'running', attempts: 1 }]);
    await clock.tickAsync(200_000);
    assert.deepEqual(eco.outcomes, [], 'its store keeps it for the next instance');
    assert.deepEqual(sent, []);
    dispatcher.submit(probe('late').command);
    await clock.tickAsync(0);
    assert.deepEqual(sent, [], 'a withdrawn owner starts nothing');
  });

  it('starts nothing after close', async () => {
    failures = [unavailable()];
    dispatcher.submit(probe('eco').command);
    await clock.tickAsync(0);
    await dispatcher.close(1000);
    dispatcher.submit(probe('comfort').command);
    await clock.tickAsync(200_000);
    assert.deepEqual(sent, []);
    assert.equal(clock.countTimers(), 0);
  });

  it('a failure to find the target counts as an attempt and is retried like one', async () => {
    let lookups = 0;
    const eco = probe('eco', {
      target: () => (++lookups === 1 ? Promise.reject(unavailable()) : Promise.resolve('zone-1')),
    });
    dispatcher.submit(eco.command);
    await clock.tickAsync(0);
    assert.deepEqual(eco.retries, [{ attempts: 1, dueAt: 1_000_000 + 90_000 }]);
    await clock.tickAsync(90_000);
    assert.deepEqual(eco.outcomes, [{ kind: 'done', result: 'eco', attempts: 2 }]);
  });
});
