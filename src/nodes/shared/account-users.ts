import type { Node } from 'node-red';
import { ApiError } from '../../lib/http/errors';
import { StatusReporter } from './status';

/**
 * What every node of an account shows, whatever it did last (product-spec §4.1): logins stopped
 * after a refused login, or the account's polling paused. None: each node shows its own.
 */
export type AccountCondition = { loginProblem: ApiError } | { paused: true } | undefined;

/** An account config node as its users see it: they register while they run. */
export interface SharedAccount {
  register(user: Node, status: StatusReporter): void;
  deregister(user: Node): void;
}

/** The flow nodes using an account, so that the account can show its condition on all of them. */
export class AccountUsers {
  private readonly users = new Map<string, StatusReporter>();
  private condition: AccountCondition;

  add(user: Node, status: StatusReporter): void {
    this.users.set(user.id, status);
    if (this.condition) show(status, this.condition);
  }

  remove(user: Node): void {
    this.users.delete(user.id);
  }

  /** Shows `condition` on every user; back to each node's own status when it ends. */
  set(condition: AccountCondition): void {
    const ended = this.condition !== undefined && condition === undefined;
    this.condition = condition;
    for (const status of this.users.values()) {
      if (condition) show(status, condition);
      else if (ended) status.clear();
    }
  }

  get size(): number {
    return this.users.size;
  }
}

function show(status: StatusReporter, condition: NonNullable<AccountCondition>): void {
  if ('loginProblem' in condition) status.error(condition.loginProblem);
  else status.paused();
}

/** Registers `user` with its account for as long as it runs. */
export function useAccount(user: Node, account: SharedAccount, status: StatusReporter): void {
  account.register(user, status);
  user.on('close', () => account.deregister(user));
}
