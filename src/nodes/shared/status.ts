import type { Node } from 'node-red';
import { challengeChannel } from '../../lib/cognito/challenge';
import { ApiError } from '../../lib/http/errors';

/**
 * Status texts of product-spec §4: green dot fine, yellow ring retrying, red ring error, grey ring
 * paused or unconfigured. The editor translates a status text that starts with a letter through
 * the node's catalog (as core nodes' "node-red:common.status.…"), so fixed texts go out as catalog
 * keys and reach each browser in its own language; dynamic ones are numbers, units and names
 * ("20.5 °C · 19 °C", "↻ 1/3"), which need no translation. Every key used here is in
 * shared/locales (merged into each node's catalog by scripts/build.mjs).
 */
export class StatusReporter {
  constructor(private readonly node: Node) {}

  /** A catalog key ("shared.status.synced"), or a value shown as it is: numbers, units, names. */
  ok(text: string): void {
    this.node.status({ fill: 'green', shape: 'dot', text: clip(text) });
  }

  busy(): void {
    this.node.status({ fill: 'blue', shape: 'dot', text: 'shared.status.sending' });
  }

  retrying(attempts: number, of: number): void {
    this.node.status({ fill: 'yellow', shape: 'ring', text: `↻ ${attempts}/${of}` });
  }

  error(err: ApiError): void {
    this.node.status({ fill: 'red', shape: 'ring', text: reasonKey(err) });
  }

  /** A failure lasting since `since` (polls that keep failing): "<code> · HH:MM", red until a cycle succeeds. */
  outage(err: ApiError, since: Date): void {
    const time = `${String(since.getHours()).padStart(2, '0')}:${String(since.getMinutes()).padStart(2, '0')}`;
    this.node.status({ fill: 'red', shape: 'ring', text: `${err.code} · ${time}` });
  }

  paused(): void {
    this.node.status({ fill: 'grey', shape: 'ring', text: 'shared.status.paused' });
  }

  unconfigured(): void {
    this.node.status({ fill: 'grey', shape: 'ring', text: 'shared.status.unconfigured' });
  }

  clear(): void {
    this.node.status({});
  }
}

/** The short reason of a failure; a login challenge says where the code was sent ("code needed (e-mail)"). */
export function reasonKey(err: ApiError): string {
  if (err.code === 'AUTH_CHALLENGE' && err.challenge) return `shared.status.code.${challengeChannel(err.challenge)}`;
  return `shared.errors.${err.code}`;
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}
