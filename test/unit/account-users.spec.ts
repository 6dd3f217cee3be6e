import assert from 'node:assert/strict';
import type { Node } from 'node-red';
import { AccountUsers } from '../../src/nodes/shared/account-users';

describe('account users', () => {
  const user = (id: string) => ({ id }) as Node;

  it('closes the session when the last user goes, once', () => {
    let closed = 0;
    const users = new AccountUsers(() => closed++);
    users.add(user('a'));
    users.add(user('b'));
    users.remove(user('a'));
    assert.equal(closed, 0);
    users.remove(user('b'));
    users.remove(user('b'));
    assert.equal(closed, 1);
    assert.equal(users.size, 0);
  });
});
