import type { Node, NodeMessage } from 'node-red';
import { ApiError, toApiError } from '../../lib/http/errors';

export interface ErrorPayload {
  message: string;
  code: ApiError['code'];
  attempts: number;
  source: { id: string; type: string; name: string };
  /** AUTH_CHALLENGE: the challenge the service asked for (EMAIL_OTP, SMS_MFA…). */
  challenge?: string;
}

/** Node-RED's `done` of an input message. */
export type Done = (err?: Error) => void;

/** Whether anything is wired to the node's error output (output 2). */
export function errorOutputWired(node: Node): boolean {
  const wires = (node as Node & { wires?: unknown }).wires;
  return Array.isArray(wires) && Array.isArray(wires[1]) && wires[1].length > 0;
}

/**
 * Hands a failure to the user exactly once (product-spec §4.1): on output 2 with `msg.error`
 * when it is wired (and logged as text, which no Catch node sees), otherwise to Catch nodes
 * with the ApiError itself, so that `msg.error.code` reaches them too. `done` ends the input
 * message that asked; without one (a poll, a restored retry) the error is raised directly.
 */
export function reportError(node: Node, msg: NodeMessage, thrown: unknown, attempts = 1, done?: Done): void {
  const err = toApiError(thrown);
  if (errorOutputWired(node)) {
    const error: ErrorPayload = {
      message: err.message,
      code: err.code,
      attempts,
      source: { id: node.id, type: node.type, name: node.name ?? '' },
      ...(err.challenge ? { challenge: err.challenge } : {}),
    };
    node.send([null, { ...msg, error } as NodeMessage]);
    node.error(`${err.code}: ${err.message}`);
    done?.();
    return;
  }
  if (done) done(err);
  else node.error(err, msg);
}
