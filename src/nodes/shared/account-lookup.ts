import type { Node, NodeAPI, NodeMessageInFlow } from 'node-red';
import { ApiError } from '../../lib/http/errors';
import { SharedAccount, useAccount } from './account-users';
import { reportError } from './error-output';
import { StatusReporter } from './status';

type AccountNode = Node & SharedAccount & { configError?: ApiError };

/**
 * The deployed config node of `type` a flow node points at, registered for as long as the flow
 * node runs. When there is none or it cannot be used, the flow node shows "no account" and
 * answers every message with the reason on its error output; undefined is returned.
 */
export function connectAccount<T extends AccountNode>(RED: NodeAPI, node: Node, id: unknown, type: string, status: StatusReporter): T | undefined {
  const account = typeof id === 'string' && id ? (RED.nodes.getNode(id) as T | null) : null;
  const problem = !account || account.type !== type ? new ApiError('INVALID_INPUT', RED._('shared.errors.noAccount')) : account.configError;
  if (problem || !account) {
    status.unconfigured();
    node.on('input', (msg: NodeMessageInFlow, _send, done) => reportError(node, msg, problem, 1, done));
    return undefined;
  }
  useAccount(node, account, status);
  return account;
}
