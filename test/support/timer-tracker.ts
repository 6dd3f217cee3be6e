import { createHook } from 'node:async_hooks';

/**
 * Tracks the timers created by the package's own code (src/lib, src/nodes) while enabled, so a
 * test can check that closing the nodes released every one of them.
 */
export class TimerTracker {
  private readonly live = new Map<number, string>();
  private readonly hook = createHook({
    init: (id, type) => {
      if (type !== 'Timeout') return;
      const stack = new Error().stack ?? '';
      const origin = stack.split('\n').find((line) => /src\/(lib|nodes)\//.test(line));
      if (origin) this.live.set(id, origin.trim());
    },
    destroy: (id) => {
      this.live.delete(id);
    },
  });

  start(): this {
    this.hook.enable();
    return this;
  }

  stop(): void {
    this.hook.disable();
  }

  /** Where the still-pending timers were created. */
  pending(): string[] {
    return [...this.live.values()];
  }
}
