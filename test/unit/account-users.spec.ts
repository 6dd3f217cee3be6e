import assert from 'node:assert/strict';
import type { Node, NodeStatus } from 'node-red';
import { ApiError } from '../../src/lib/http/errors';
import { AccountUsers } from '../../src/nodes/shared/account-users';
import { StatusReporter } from '../../src/nodes/shared/status';

describe('account users', () => {
  const user = (id: string) => {
    const shown: NodeStatus[] = [];
    const node = { id, status: (s: NodeStatus) => shown.push(s) } as unknown as Node;
    return { node, shown, status: new StatusReporter(node) };
  };

  it("shows the account's condition on every user, also on one that arrives later, and clears it once it ends", () => {
    const users = new AccountUsers();
    const a = user('a');
    const b = user('b');
    users.add(a.node, a.status);
    users.set({ loginProblem: new ApiError('AUTH_FAILED', 'refused') });
    users.add(b.node, b.status);
    for (const u of [a, b]) assert.deepEqual(u.shown.at(-1), { fill: 'red', shape: 'ring', text: 'shared.errors.AUTH_FAILED' });
    users.set({ paused: true });
    assert.equal(a.shown.at(-1)?.fill, 'grey');
    users.remove(b.node);
    users.set(undefined);
    assert.deepEqual(a.shown.at(-1), {});
    assert.equal(b.shown.at(-1)?.fill, 'grey', 'a user gone is left alone');
    assert.equal(users.size, 1);
  });
});
