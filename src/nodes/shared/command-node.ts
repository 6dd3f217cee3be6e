import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { ApiError, isApiError } from '../../lib/http/errors';
import { Command, CommandDispatcher, CommandOutcome } from '../../lib/schedule/command-dispatcher';
import { Debouncer } from '../../lib/schedule/debounce';
import { connectAccount } from './account-lookup';
import { SharedAccount } from './account-users';
import { Done, reportError } from './error-output';
import { settingNumber } from './input';
import { nodeMemory } from './node-memory';
import { StatusReporter } from './status';

export interface CommandNodeDef extends NodeDef {
  account: string;
  housing: string;
  retries: number | string;
  retryDelay: number | string;
}

/** A command not finished yet, as the node keeps it: plain JSON, so a context store can hold it. */
export interface StoredCommand<A> {
  action: A;
  /** The fields of the message that asked for it. */
  msg: Record<string, unknown>;
  createdAt: number;
  deadline: number;
  attempts: number;
  dueAt?: number;
}

/** How one kind of command node reads messages and acts; the rest (queue, retries, status, outputs) is shared. */
export interface CommandSpec<Account, A, R> {
  /** The action a message asks for; throws INVALID_INPUT. */
  parse(msg: NodeMessageInFlow): A;
  /** The real target (ids, so that every spelling of it meets in one queue) and the action written with those ids. */
  resolve(account: Account, action: A): Promise<{ target: string; action: A }>;
  execute(account: Account, action: A): Promise<R>;
  /** After this moment sending the action would be wrong (product-spec §4.1). */
  deadline(action: A, createdAt: number): number;
  statusText(result: R): string;
  /** Keep only the last message of a burst (ms). */
  debounceMs?: number;
  /** The action kept when `next` arrives inside the debounce window while `previous` waits; by default `next`. */
  merge?(previous: A, next: A): A;
  /** The queue of the account's commands when the account keeps none itself (`account.commands`). */
  dispatcher?(account: Account): CommandDispatcher;
  /** Takes a message that is no command (e.g. a login code) and ends it; true when it did. */
  intercept?(account: Account, msg: NodeMessageInFlow, done: Done): boolean;
}

/** What a command node needs of its account. */
export interface CommandAccount extends Node, SharedAccount {
  configError?: ApiError;
  /** Absent when the node's spec gives the queue (`dispatcher`). */
  commands?: CommandDispatcher;
  /** Lets logins start again after a refused one. */
  resumeLogins(): void;
}

/** Programs, presets and house modes: a wish a day old is no longer anyone's (product-spec §4.1). */
export const DAY_DEADLINE_MS = 24 * 3_600_000;

const PENDING_KEY = 'pendingCommands';
/** Message properties worth keeping with a waiting command (a message may hold sockets or requests). */
const KEPT_FIELDS = ['_msgid', 'topic', 'payload', 'zone', 'duration'];
/** Longest wait for this node's commands under way when it closes (Node-RED gives a close 15 s). */
const CLOSE_WAIT_MS = 10_000;

let instances = 0;

/**
 * Wires a command node (product-spec §4, §4.1): account lookup, input validation (INVALID_INPUT
 * at once, nothing sent), optional debounce, then the account's queue for the real target. The
 * node keeps every command it has not finished in its context, so a redeploy or a restart re-arms
 * it (or reports it EXPIRED past its deadline); `done` is called when the outcome is known.
 */
export function setupCommandNode<Account extends CommandAccount, A, R>(
  RED: NodeAPI,
  node: Node,
  def: CommandNodeDef,
  accountType: string,
  spec: CommandSpec<Account, A, R>,
): void {
  const status = new StatusReporter(node);
  const account = connectAccount<Account>(RED, node, def.account, accountType, status);
  if (!account) return;
  const commands = spec.dispatcher?.(account) ?? account.commands;
  if (!commands) throw new Error(`${accountType} keeps no command queue`);
  const retries = settingNumber(def.retries, 1, 0, 10);
  const retryDelayMs = settingNumber(def.retryDelay, 90, 1, 3600) * 1000;
  const store = pendingStore<A>(node, spec);
  /** The messages (and their `done`) of the commands this instance took in. */
  const live = new Map<string, { msg: NodeMessage; done?: Done }>();
  const owner = `${node.id}#${++instances}`;
  let sequence = 0;
  let closed = false;

  const settle = (id: string, stored: StoredCommand<A>, outcome: CommandOutcome<R>): void => {
    // After close the next instance owns the stored command: nothing here touches it again.
    if (closed) return;
    const { msg, done } = live.get(id) ?? { msg: stored.msg as NodeMessage };
    live.delete(id);
    store.remove(id);
    switch (outcome.kind) {
      case 'done':
        status.ok(spec.statusText(outcome.result));
        node.send([{ ...msg, payload: outcome.result } as NodeMessage, null]);
        done?.();
        return;
      case 'superseded':
        node.debug(`command ${id} replaced by a newer one for the same target`);
        done?.();
        return;
      default:
        status.error(outcome.error);
        reportError(node, msg, outcome.error, outcome.attempts, done);
    }
  };

  const dispatch = (id: string, stored: StoredCommand<A>): void => {
    let resolved = stored.action;
    const command: Command<R> = {
      id,
      owner,
      createdAt: stored.createdAt,
      deadline: stored.deadline,
      retries,
      retryDelayMs,
      attempts: stored.attempts,
      dueAt: stored.dueAt,
      target: async () => {
        const found = await spec.resolve(account, stored.action);
        resolved = found.action;
        return found.target;
      },
      run: () => spec.execute(account, resolved),
      retrying: (attempts, dueAt) => {
        if (closed) return;
        store.put(id, { ...stored, attempts, dueAt });
        status.retrying(attempts, retries);
      },
      settled: (outcome) => settle(id, stored, outcome),
    };
    commands.submit(command);
  };

  const take = (action: A, msg: NodeMessageInFlow, done: Done | undefined): void => {
    const id = `${node.id}:${Date.now()}:${++sequence}`;
    const createdAt = Date.now();
    const stored: StoredCommand<A> = { action, msg: keep(msg), createdAt, deadline: spec.deadline(action, createdAt), attempts: 0 };
    live.set(id, { msg, done });
    store.put(id, stored);
    status.busy();
    dispatch(id, stored);
  };

  type Burst = { action: A; msg: NodeMessageInFlow; done: Done };
  const { merge } = spec;
  const debouncer = spec.debounceMs
    ? new Debouncer<Burst>(
        spec.debounceMs,
        (burst) => take(burst.action, burst.msg, burst.done),
        // A value replaced inside the window is superseded: its message is done, nothing sent.
        (replaced) => replaced.done(),
        // With `merge` the burst's last message carries the combined action (e.g. nudges added up).
        merge ? (previous, next) => ({ ...next, action: merge.call(spec, previous.action, next.action) }) : undefined,
      )
    : undefined;

  // Commands a previous instance (a redeploy) or process (a restart) did not finish.
  const restored = store.all();
  for (const [id, stored] of Object.entries(restored)) dispatch(id, stored);
  if (Object.keys(restored).length > 0) status.retrying(0, retries);

  node.on('input', (msg: NodeMessageInFlow, _send, done: Done) => {
    if (typeof msg.topic === 'string' && msg.topic.toLowerCase() === 'login') {
      account.resumeLogins();
      done();
      return;
    }
    if (spec.intercept?.(account, msg, done)) return;
    let action: A;
    try {
      action = spec.parse(msg);
    } catch (err) {
      if (isApiError(err)) status.error(err);
      reportError(node, msg, err, 1, done);
      return;
    }
    if (debouncer) debouncer.push({ action, msg, done });
    else take(action, msg, done);
  });

  node.on('close', (removed: boolean, done: () => void) => {
    // A value still in its debounce window is the user's latest wish: the next instance sends it.
    const waiting = debouncer?.take();
    if (waiting) {
      const createdAt = Date.now();
      store.put(`${node.id}:${createdAt}:${++sequence}`, { action: waiting.action, msg: keep(waiting.msg), createdAt, deadline: spec.deadline(waiting.action, createdAt), attempts: 0 });
    }
    commands.withdraw(owner, CLOSE_WAIT_MS).then(() => {
      closed = true;
      if (removed) {
        const dropped = Object.keys(store.all()).length;
        if (dropped > 0) node.warn(RED._('shared.errors.pendingDropped', { count: dropped }));
        store.forget();
      }
      done();
    }, done);
  });
}

interface PendingStore<A> {
  all(): Record<string, StoredCommand<A>>;
  put(id: string, command: StoredCommand<A>): void;
  remove(id: string): void;
  forget(): void;
}

/** The node's unfinished commands, in its context (and in process memory, for redeploys without a context store). */
function pendingStore<A>(node: Node, spec: Pick<CommandSpec<unknown, A, unknown>, 'deadline'>): PendingStore<A> {
  const memory = nodeMemory<Record<string, unknown>>(node, PENDING_KEY);
  const all = (): Record<string, StoredCommand<A>> => {
    const found: Record<string, StoredCommand<A>> = {};
    for (const [id, value] of Object.entries(memory.get() ?? {})) {
      const stored = readStored(value, spec.deadline);
      if (stored) found[id] = stored;
    }
    return found;
  };
  const save = (commands: Record<string, StoredCommand<A>>): void => memory.set(Object.keys(commands).length > 0 ? commands : undefined);
  return {
    all,
    put: (id, command) => save({ ...all(), [id]: command }),
    remove: (id) => {
      const commands = all();
      if (!(id in commands)) return;
      delete commands[id];
      save(commands);
    },
    forget: () => {
      memory.set(undefined);
      memory.forget();
    },
  };
}

/**
 * A stored command, also in the shape release 0.1 kept its waiting retries in
 * (`{command: {action, msg}, attempts, dueAt}` by target), so that none is lost on upgrade.
 */
function readStored<A>(value: unknown, deadline: (action: A, createdAt: number) => number): StoredCommand<A> | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const record = value as Partial<StoredCommand<A>> & { command?: { action?: A; msg?: Record<string, unknown> } };
  if (record.command && 'action' in record.command) {
    const dueAt = typeof record.dueAt === 'number' ? record.dueAt : Date.now();
    const action = record.command.action as A;
    // 0.1 did not keep when a command was asked: its retry was due one delay after its last attempt.
    const createdAt = dueAt - 90_000;
    return { action, msg: record.command.msg ?? {}, createdAt, deadline: deadline(action, createdAt), attempts: Number(record.attempts) || 1, dueAt };
  }
  if (!('action' in record) || typeof record.createdAt !== 'number' || typeof record.deadline !== 'number') return undefined;
  return record as StoredCommand<A>;
}

function keep(msg: NodeMessageInFlow): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const field of KEPT_FIELDS) {
    const value = (msg as Record<string, unknown>)[field];
    if (value === undefined) continue;
    const copy = jsonCopy(value);
    if (copy !== undefined) kept[field] = copy;
  }
  return kept;
}

/** A plain-JSON copy (what a context store can keep), or undefined when there is none. */
function jsonCopy(value: unknown): unknown {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}
