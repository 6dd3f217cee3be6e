import type { Node } from 'node-red';

/** An account config node as its users see it: they register while they run. */
export interface SharedAccount {
  register(user: Node): void;
  deregister(user: Node): void;
}

/**
 * The flow nodes using an account (the core MQTT broker's pattern): when the last one goes,
 * the account closes its session, so no token outlives its users.
 */
export class AccountUsers {
  private readonly users = new Set<string>();

  constructor(private readonly onLastGone: () => void) {}

  add(user: Node): void {
    this.users.add(user.id);
  }

  remove(user: Node): void {
    if (!this.users.delete(user.id)) return;
    if (this.users.size === 0) this.onLastGone();
  }

  get size(): number {
    return this.users.size;
  }
}

/** Registers `user` with its account for as long as it runs. */
export function useAccount(user: Node, account: SharedAccount): void {
  account.register(user);
  user.on('close', () => account.deregister(user));
}
