import type { Node, NodeMessage } from 'node-red';
import { normaliseCode } from '../../lib/cognito/challenge';
import { Done, reportError } from './error-output';

/**
 * The login code of a `msg.payload = {code: "123456"}` (spec §8.1), normalised; "" when the
 * payload holds a `code` that is not 4–8 digits (the caller answers INVALID_INPUT, nothing sent);
 * undefined when the message is not a code at all.
 */
export function readCode(payload: unknown): string | undefined {
  if (!payload || typeof payload !== 'object' || Array.isArray(payload) || !Object.prototype.hasOwnProperty.call(payload, 'code')) return undefined;
  const code = (payload as { code: unknown }).code;
  // `{code: undefined}` is no code, as `{from: undefined}` is no range.
  if (code === undefined) return undefined;
  return normaliseCode(code) ?? '';
}

/** An account that takes login codes (veolia-account). */
export interface CodeAccount {
  submitCode(code: string): Promise<void>;
}

/**
 * Hands a message's code to the account and ends the message: `done()` once the code was
 * accepted (the account then has its water nodes sync), else the reason on the error output
 * (INVALID_INPUT: nothing sent; AUTH_CHALLENGE: wrong or stale code).
 */
export function submitMessageCode(node: Node, account: CodeAccount, code: string, msg: NodeMessage, done: Done, closed: () => boolean = () => false): void {
  account.submitCode(code).then(
    () => {
      if (!closed()) done();
    },
    (thrown: unknown) => {
      if (!closed()) reportError(node, msg, thrown, 1, done);
    },
  );
}
