import type { Node, NodeAPI, NodeDef } from 'node-red';
import { ApiError, toApiError } from '../../lib/http/errors';
import { createVeoliaSession, VeoliaSession } from '../../lib/veolia/water';
import { AccountUsers, SharedAccount } from '../shared/account-users';
import { settingNumber } from '../shared/input';
import { registerVeoliaAdminRoutes } from './admin-routes';

export interface VeoliaAccountDef extends NodeDef {
  portal: string;
  apiUrl: string;
  authUrl: string;
  clientId: string;
  /** Request timeout in seconds (Advanced). */
  timeout?: number | string;
}

interface VeoliaCredentials {
  username?: string;
  password?: string;
}

/** What flow nodes use of their account. */
export interface VeoliaAccountNode extends Node<VeoliaCredentials>, SharedAccount {
  configError?: ApiError;
  session?: VeoliaSession;
  /** Lets logins start again after a refused one (a flow node got `msg.topic = "login"`). */
  resumeLogins(): void;
}

export default function register(RED: NodeAPI): void {
  function VeoliaAccount(this: VeoliaAccountNode, def: VeoliaAccountDef): void {
    RED.nodes.createNode(this, def);
    // The session (tokens included) lives as long as this node: flow nodes come and go with
    // partial deploys without costing a new password login.
    const users = new AccountUsers();
    this.register = (user, status) => users.add(user, status);
    this.deregister = (user) => users.remove(user);
    this.resumeLogins = () => this.session?.auth.resume();
    // A named portal uses its own endpoints; the stored ones count only for a custom portal.
    const custom = def.portal === 'custom';
    try {
      this.session = createVeoliaSession({
        portal: def.portal || 'national',
        apiUrl: custom ? def.apiUrl : undefined,
        authUrl: custom ? def.authUrl : undefined,
        clientId: custom ? def.clientId : undefined,
        username: this.credentials.username ?? '',
        password: this.credentials.password ?? '',
        timeoutMs: settingNumber(def.timeout, 20, 1, 120) * 1000,
      });
    } catch (err) {
      this.configError = toApiError(err);
      this.warn(this.configError.message);
    }
    // A refused login shows on every node of the account at once (product-spec §4.1).
    const unwatch = this.session?.auth.watch((problem) => users.set(problem ? { loginProblem: problem } : undefined));
    this.on('close', (_removed: boolean, done: () => void) => {
      unwatch?.();
      this.session?.transport.close();
      this.session?.auth.reset();
      done();
    });
  }

  RED.nodes.registerType<VeoliaAccountNode, VeoliaAccountDef, Record<string, never>, VeoliaCredentials>('veolia-account', VeoliaAccount, {
    credentials: { username: { type: 'text' }, password: { type: 'password' } },
  });
  registerVeoliaAdminRoutes(RED);
}
