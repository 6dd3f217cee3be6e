import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { ApiError, isApiError } from '../../lib/http/errors';
import { CommandRetrier, PendingCommand } from '../../lib/schedule/command-retrier';
import { Debouncer } from '../../lib/schedule/debounce';
import { connectAccount } from './account-lookup';
import { nodeMemory } from './node-memory';
import { SharedAccount } from './account-users';
import { sendError } from './error-output';
import { settingNumber } from './input';
import { StatusReporter } from './status';

export interface CommandNodeDef extends NodeDef {
  account: string;
  housing: string;
  retries: number | string;
  retryDelay: number | string;
}

/** A command as kept for retries: plain JSON, with the fields of the message that asked for it. */
export interface StoredCommand<A> {
  /** Unique per message, to hand each result to the message that asked for it. */
  id: string;
  key: string;
  action: A;
  msg: Record<string, unknown>;
}

/** How one kind of command node reads messages and acts; the rest (retries, status, outputs) is shared. */
export interface CommandSpec<Account, A, R> {
  /** Target key (commands to one key run in order and replace each other's retries) and action; throws INVALID_INPUT. */
  parse(msg: NodeMessageInFlow): { key: string; action: A };
  execute(account: Account, action: A): Promise<R>;
  statusText(result: R): string;
  /** Keep only the last message of a burst (ms). */
  debounceMs?: number;
}

const PENDING_KEY = 'pendingCommands';
/** Message properties worth keeping with a waiting retry (a message may hold sockets or requests). */
const KEPT_FIELDS = ['_msgid', 'topic', 'payload', 'zone', 'duration'];

/**
 * Wires a command node: account lookup, input validation (INVALID_INPUT at once, nothing sent),
 * optional debounce, one-at-a-time per target, delayed retries kept in node context, the two
 * outputs and the status.
 */
export function setupCommandNode<
  Account extends Node & SharedAccount & { configError?: ApiError; commands: { run<T>(key: string, task: () => Promise<T>): Promise<T> } },
  A,
  R,
>(
  RED: NodeAPI,
  node: Node,
  def: CommandNodeDef,
  accountType: string,
  spec: CommandSpec<Account, A, R>,
): void {
  const status = new StatusReporter(node, RED._);
  const account = connectAccount<Account>(RED, node, def.account, accountType, status);
  if (!account) return;
  const retries = settingNumber(def.retries, 1, 0, 10);
  const retryDelayMs = settingNumber(def.retryDelay, 90, 1, 3600) * 1000;
  const pendingMemory = nodeMemory<Record<string, PendingCommand<StoredCommand<A>>>>(node, PENDING_KEY);
  const originals = new Map<string, NodeMessage>();
  let sequence = 0;

  const messageOf = (stored: StoredCommand<A>): NodeMessage => originals.get(stored.id) ?? (stored.msg as NodeMessage);

  const retrier = new CommandRetrier<StoredCommand<A>, R>({
    retries,
    retryDelayMs,
    execute: (stored) => account.commands.run(stored.key, () => spec.execute(account, stored.action)),
    onSuccess: (stored, result) => {
      const msg = messageOf(stored);
      originals.delete(stored.id);
      status.ok(spec.statusText(result));
      node.send([{ ...msg, payload: result } as NodeMessage, null]);
    },
    onRetryScheduled: (_stored, attempts) => status.retrying(attempts, retries),
    onFailure: (stored, err, attempts) => {
      const msg = messageOf(stored);
      originals.delete(stored.id);
      status.error(err);
      sendError(node, msg, err, attempts);
    },
    onReplaced: (stored) => originals.delete(stored.id),
    store: {
      load: () => ({ ...(pendingMemory.get() ?? {}) }),
      save: (pending) => pendingMemory.set(Object.keys(pending).length ? pending : undefined),
    },
  });

  const stored = (key: string, action: A, msg: NodeMessageInFlow): StoredCommand<A> => ({ id: `${node.id}:${Date.now()}:${++sequence}`, key, action, msg: keep(msg) });
  const submit = (key: string, action: A, msg: NodeMessageInFlow): void => {
    const command = stored(key, action, msg);
    originals.set(command.id, msg);
    status.busy();
    retrier.submit(key, command);
  };
  const debouncer = spec.debounceMs ? new Debouncer<{ key: string; action: A; msg: NodeMessageInFlow }>(spec.debounceMs, (c) => submit(c.key, c.action, c.msg)) : undefined;

  retrier.restore();
  if (retrier.waiting.length > 0) status.retrying(0, retries);

  node.on('input', (msg: NodeMessageInFlow, _send, done) => {
    let parsed: { key: string; action: A };
    try {
      parsed = spec.parse(msg);
    } catch (err) {
      if (isApiError(err)) status.error(err);
      sendError(node, msg, err);
      done();
      return;
    }
    if (debouncer) debouncer.push({ ...parsed, msg });
    else submit(parsed.key, parsed.action, msg);
    done();
  });

  node.on('close', (removed: boolean, done: () => void) => {
    // A value still in its debounce window is the user's latest wish: the next instance sends it.
    const waiting = debouncer?.take();
    if (waiting) retrier.defer(waiting.key, stored(waiting.key, waiting.action, waiting.msg));
    retrier.close().then(() => {
      if (removed) {
        const dropped = Object.keys(pendingMemory.get() ?? {}).length;
        if (dropped > 0) node.warn(RED._('shared.errors.pendingDropped', { count: dropped }));
        pendingMemory.forget();
      }
      done();
    }, done);
  });
}

function keep(msg: NodeMessageInFlow): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const field of KEPT_FIELDS) {
    const value = (msg as Record<string, unknown>)[field];
    if (value !== undefined && isJsonSafe(value)) kept[field] = value;
  }
  return kept;
}

function isJsonSafe(value: unknown): boolean {
  try {
    return JSON.stringify(value) !== undefined;
  } catch {
    return false;
  }
}
