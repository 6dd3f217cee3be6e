import type { NodeAPI } from 'node-red';
import { comapEditorSession, comapLoginIdentity, ComapListing, listComap } from '../../lib/comap/editor-listing';
import { COMAP_DEFAULTS } from '../../lib/comap/session';
import { ConnectForm, registerConnectRoutes, text } from '../shared/connect-route';
import { settingNumber } from '../shared/input';
import type { QivivoAccountNode } from './qivivo-account';

/** The form's values as the account node turns its own into a session. */
function sessionSettings(form: ConnectForm) {
  return {
    apiUrl: text(form.settings.apiUrl).trim(),
    authUrl: text(form.settings.authUrl).trim(),
    clientId: text(form.settings.clientId).trim(),
    username: form.credentials.username ?? '',
    password: form.credentials.password ?? '',
  };
}

/** POST /qivivo-account/connect: the account dialog's Connect and the flow nodes' lists before deploy (spec §9). */
export function registerQivivoConnectRoute(RED: NodeAPI): void {
  registerConnectRoutes<ComapListing>(
    RED,
    {
      type: 'qivivo-account',
      credentials: ['username', 'password'],
      secrets: ['password'],
      open: (form) => comapEditorSession({ ...sessionSettings(form), timeoutMs: settingNumber(form.settings.timeout, 20, 1, 120) * 1000 }),
      identity: (form) => comapLoginIdentity(sessionSettings(form)),
      fromDeployed: (account) => {
        const heating = (account as QivivoAccountNode).session?.heating;
        return heating ? listComap(heating) : undefined;
      },
      endpoints: (settings) => `${text(settings.authUrl).trim() || COMAP_DEFAULTS.authUrl} ${text(settings.apiUrl).trim() || COMAP_DEFAULTS.apiUrl}`,
    },
    false,
  );
}
