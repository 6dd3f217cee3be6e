import type { Node, NodeAPI, NodeDef } from 'node-red';
import { ComapSession, createComapSession } from '../../lib/comap/session';
import { HeatingMonitor } from '../../lib/comap/monitor';
import { ApiError, toApiError } from '../../lib/http/errors';
import { KeyedSerialQueue } from '../../lib/schedule/serial-queue';
import { settingNumber } from '../shared/input';
import { AccountUsers, SharedAccount } from '../shared/account-users';
import { registerQivivoAdminRoutes } from './admin-routes';

export interface QivivoAccountDef extends NodeDef {
  pollInterval: number | string;
  apiUrl: string;
  authUrl: string;
  clientId: string;
  /** Request timeout in seconds (Advanced). */
  timeout?: number | string;
}

interface QivivoCredentials {
  username?: string;
  password?: string;
}

/** What flow nodes use of their account. */
export interface QivivoAccountNode extends Node<QivivoCredentials>, SharedAccount {
  /** Set when the account's settings are unusable; every use reports it. */
  configError?: ApiError;
  session?: ComapSession;
  monitor?: HeatingMonitor;
  /** Commands to one target run one at a time, in arrival order. */
  commands: KeyedSerialQueue;
}

const FIRST_POLL_DELAY_MS = 500;
/** Longest wait for commands under way when the account closes (Node-RED gives a close 15 s). */
const COMMANDS_CLOSE_WAIT_MS = 10_000;

export default function register(RED: NodeAPI): void {
  function QivivoAccount(this: QivivoAccountNode, def: QivivoAccountDef): void {
    RED.nodes.createNode(this, def);
    this.commands = new KeyedSerialQueue();
    const users = new AccountUsers(() => this.session?.auth.reset());
    this.register = (user) => users.add(user);
    this.deregister = (user) => users.remove(user);
    const minutes = settingNumber(def.pollInterval, 15, 0, 1440);
    try {
      this.session = createComapSession({
        apiUrl: def.apiUrl,
        authUrl: def.authUrl,
        clientId: def.clientId,
        username: this.credentials.username ?? '',
        password: this.credentials.password ?? '',
        timeoutMs: settingNumber(def.timeout, 20, 1, 120) * 1000,
      });
      const intervalMs = minutes * 60_000;
      // Retries inside a cycle stay well within the cycle.
      const retryBaseMs = Math.min(5_000, intervalMs / 10);
      this.monitor = new HeatingMonitor(this.session.heating, { intervalMs, retryBaseMs, firstDelayMs: FIRST_POLL_DELAY_MS });
    } catch (err) {
      this.configError = toApiError(err);
      this.warn(this.configError.message);
    }
    this.on('close', (_removed: boolean, done: () => void) => {
      this.monitor?.close();
      // Commands under way finish (their nodes' close waits for them too); after that nothing
      // more is sent on this session, not even the rest of a poll cycle (product-spec §4).
      const finish = (): void => {
        this.session?.transport.close();
        this.session?.auth.reset();
        done();
      };
      if (this.commands.size === 0) finish();
      else void this.commands.idle(COMMANDS_CLOSE_WAIT_MS).then(finish);
    });
  }

  RED.nodes.registerType<QivivoAccountNode, QivivoAccountDef, Record<string, never>, QivivoCredentials>('qivivo-account', QivivoAccount, {
    credentials: { username: { type: 'text' }, password: { type: 'password' } },
  });
  registerQivivoAdminRoutes(RED);
}
