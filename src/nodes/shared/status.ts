import type { Node, NodeAPI } from 'node-red';
import { challengeChannel } from '../../lib/cognito/challenge';
import { ApiError } from '../../lib/http/errors';

/** Status texts of product-spec §4: green dot fine, yellow ring retrying, red ring error, grey ring paused or unconfigured. */
export class StatusReporter {
  constructor(
    private readonly node: Node,
    private readonly translate: NodeAPI['_'],
  ) {}

  ok(text: string): void {
    this.node.status({ fill: 'green', shape: 'dot', text: clip(text) });
  }

  busy(): void {
    this.node.status({ fill: 'blue', shape: 'dot', text: this.translate('shared.status.sending') });
  }

  retrying(attempts: number, of: number): void {
    this.node.status({ fill: 'yellow', shape: 'ring', text: this.translate('shared.status.retrying', { attempt: attempts, of }) });
  }

  error(err: ApiError): void {
    this.node.status({ fill: 'red', shape: 'ring', text: clip(this.translate(reasonKey(err))) });
  }

  /** A failure lasting since `since` (polls that keep failing): red until a cycle succeeds. */
  outage(err: ApiError, since: Date): void {
    const time = `${String(since.getHours()).padStart(2, '0')}:${String(since.getMinutes()).padStart(2, '0')}`;
    this.node.status({ fill: 'red', shape: 'ring', text: clip(this.translate('shared.status.since', { reason: this.translate(reasonKey(err)), time })) });
  }

  paused(): void {
    this.node.status({ fill: 'grey', shape: 'ring', text: this.translate('shared.status.paused') });
  }

  unconfigured(): void {
    this.node.status({ fill: 'grey', shape: 'ring', text: this.translate('shared.status.unconfigured') });
  }

  clear(): void {
    this.node.status({});
  }
}

/** The short reason of a failure; a login challenge says where the code was sent ("code needed (e-mail)"). */
function reasonKey(err: ApiError): string {
  if (err.code === 'AUTH_CHALLENGE' && err.challenge) return `shared.status.code.${challengeChannel(err.challenge)}`;
  return `shared.errors.${err.code}`;
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}
