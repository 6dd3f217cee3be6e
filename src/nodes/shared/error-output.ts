import type { Node, NodeMessage } from 'node-red';
import { ApiError, toApiError } from '../../lib/http/errors';

export interface ErrorPayload {
  message: string;
  code: ApiError['code'];
  attempts: number;
  source: { id: string; type: string; name: string };
}

/**
 * Sends the message on the error output (output 2) with `msg.error` (product-spec §4) and logs
 * it, so it shows in the debug sidebar and reaches Catch nodes.
 */
export function sendError(node: Node, msg: NodeMessage, thrown: unknown, attempts = 1): void {
  const err = toApiError(thrown);
  const error: ErrorPayload = {
    message: err.message,
    code: err.code,
    attempts,
    source: { id: node.id, type: node.type, name: node.name ?? '' },
  };
  const out = { ...msg, error } as NodeMessage;
  node.send([null, out]);
  node.error(`${err.code}: ${err.message}`, out);
}
