import type { Node, NodeAPI } from 'node-red';
import { ApiError } from '../../lib/http/errors';

/**
 * The deployed config node of `type` a flow node points at, or the reason it cannot be used
 * (as an ApiError to send on the error output).
 */
export function findAccount<T extends Node & { configError?: ApiError }>(
  RED: NodeAPI,
  id: unknown,
  type: string,
): { account: T } | { problem: ApiError } {
  const node = typeof id === 'string' && id ? (RED.nodes.getNode(id) as T | null) : null;
  if (!node || node.type !== type) return { problem: new ApiError('INVALID_INPUT', RED._('shared.errors.noAccount')) };
  if (node.configError) return { problem: node.configError };
  return { account: node };
}
