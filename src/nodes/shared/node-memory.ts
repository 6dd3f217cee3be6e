import type { Node } from 'node-red';

/**
 * Without a configured context store Node-RED drops a node's context whenever the node closes,
 * redeploys included. What must outlive a redeploy (waiting retries, days already emitted) is
 * therefore also kept here, per node id, and found again by the node's next instance. With a
 * persistent store the node context carries it across restarts too.
 */
const kept = new Map<string, unknown>();

export interface NodeMemory<T> {
  get(): T | undefined;
  set(value: T | undefined): void;
  /** The node was deleted from the flows: nothing of it is kept. */
  forget(): void;
}

export function nodeMemory<T>(node: Node, name: string): NodeMemory<T> {
  const key = `${node.id}/${name}`;
  const context = node.context();
  return {
    get: () => (context.get(name) as T | undefined) ?? (kept.get(key) as T | undefined),
    set: (value) => {
      context.set(name, value);
      if (value === undefined) kept.delete(key);
      else kept.set(key, value);
    },
    forget: () => {
      kept.delete(key);
    },
  };
}

/** Forgets every node's values, as a fresh Node-RED process would (tests start each flow anew). */
export function clearNodeMemory(): void {
  kept.clear();
}
