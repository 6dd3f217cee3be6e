import assert from 'node:assert/strict';
import sinon from 'sinon';
import { Debouncer } from '../../src/lib/schedule/debounce';
import { Poller } from '../../src/lib/schedule/poller';
import { KeyedSerialQueue } from '../../src/lib/schedule/serial-queue';

describe('scheduling helpers', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers();
  });
  afterEach(() => clock.restore());

  it('debounce keeps only the last value of a burst', () => {
    const seen: number[] = [];
    const debouncer = new Debouncer<number>(1000, (v) => seen.push(v));
    for (let i = 0; i < 100; i++) {
      debouncer.push(i);
      clock.tick(20);
    }
    assert.deepEqual(seen, []);
    clock.tick(1000);
    assert.deepEqual(seen, [99]);
    assert.equal(clock.countTimers(), 0);
  });

  it('debounce 0 hands over at once, cancel drops a waiting value', () => {
    const seen: number[] = [];
    new Debouncer<number>(0, (v) => seen.push(v)).push(1);
    const later = new Debouncer<number>(50, (v) => seen.push(v));
    later.push(2);
    later.cancel();
    clock.tick(100);
    assert.deepEqual(seen, [1]);
    assert.equal(clock.countTimers(), 0);
  });

  it('poller chains cycles without overlap and stops cleanly', async () => {
    let runs = 0;
    const poller = new Poller(async () => {
      runs++;
    }, 1000);
    poller.start(0);
    await clock.tickAsync(0);
    assert.equal(runs, 1);
    await clock.tickAsync(3000);
    assert.equal(runs, 4);
    poller.stop();
    await clock.tickAsync(10_000);
    assert.equal(runs, 4);
    assert.equal(clock.countTimers(), 0);
  });

  it('poller survives a failing cycle', async () => {
    let runs = 0;
    const poller = new Poller(async () => {
      runs++;
      throw new Error('boom');
    }, 1000);
    poller.start(0);
    await clock.tickAsync(2500);
    assert.equal(runs, 3);
    poller.stop();
  });
});

describe('serial queue', () => {
  it('runs tasks of one key in order, other keys alongside', async () => {
    const queue = new KeyedSerialQueue();
    const events: string[] = [];
    const task = (name: string, ms: number, fail = false) => () =>
      new Promise<string>((resolve, reject) =>
        setTimeout(() => {
          events.push(name);
          if (fail) reject(new Error(name));
          else resolve(name);
        }, ms),
      );
    const results = await Promise.allSettled([
      queue.run('a', task('a1', 30, true)),
      queue.run('a', task('a2', 1)),
      queue.run('b', task('b1', 10)),
    ]);
    assert.deepEqual(events, ['b1', 'a1', 'a2']);
    assert.equal(results[0].status, 'rejected');
    assert.equal(results[1].status, 'fulfilled');
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(queue.size, 0);
  });
});
