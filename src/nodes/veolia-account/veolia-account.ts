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
}

export default function register(RED: NodeAPI): void {
  function VeoliaAccount(this: VeoliaAccountNode, def: VeoliaAccountDef): void {
    RED.nodes.createNode(this, def);
    const users = new AccountUsers(() => this.session?.auth.reset());
    this.register = (user) => users.add(user);
    this.deregister = (user) => users.remove(user);
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
    this.on('close', (_removed: boolean, done: () => void) => {
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
