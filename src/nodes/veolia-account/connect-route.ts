import type { NodeAPI } from 'node-red';
import { resolveVeoliaEndpoints } from '../../lib/veolia/portals';
import { listVeolia, veoliaEditorSession, veoliaLoginIdentity, VeoliaListing } from '../../lib/veolia/editor-listing';
import { ConnectForm, registerConnectRoutes, text } from '../shared/connect-route';
import { settingNumber } from '../shared/input';
import { loginTexts, VeoliaAccountNode } from './veolia-account';

/** The endpoint settings as the account node reads them: a named portal uses its own endpoints. */
function endpointSettings(settings: Record<string, unknown>) {
  const portal = text(settings.portal) || 'national';
  const custom = portal === 'custom';
  return {
    portal,
    apiUrl: custom ? text(settings.apiUrl).trim() : undefined,
    authUrl: custom ? text(settings.authUrl).trim() : undefined,
    clientId: custom ? text(settings.clientId).trim() : undefined,
  };
}

function sessionSettings(form: ConnectForm) {
  return {
    ...endpointSettings(form.settings),
    username: form.credentials.username ?? '',
    password: form.credentials.password ?? '',
    refreshToken: form.credentials.refreshToken?.trim() ?? '',
  };
}

/** POST /veolia-account/connect and …/connect/code: the account dialog's Connect, with its Code row (spec §9, §8.1). */
export function registerVeoliaConnectRoute(RED: NodeAPI): void {
  registerConnectRoutes<VeoliaListing>(
    RED,
    {
      type: 'veolia-account',
      credentials: ['username', 'password', 'refreshToken'],
      secrets: ['password', 'refreshToken'],
      open: (form) => veoliaEditorSession({ ...sessionSettings(form), loginTexts: loginTexts(RED), timeoutMs: settingNumber(form.settings.timeout, 20, 1, 120) * 1000 }),
      identity: (form) => veoliaLoginIdentity(sessionSettings(form)),
      fromDeployed: (account) => {
        const water = (account as VeoliaAccountNode).session?.water;
        return water ? listVeolia(water) : undefined;
      },
      endpoints: (settings) => {
        try {
          const endpoints = resolveVeoliaEndpoints(endpointSettings(settings));
          return `${endpoints.authUrl} ${endpoints.apiUrl}`;
        } catch {
          return '';
        }
      },
    },
    true,
  );
}
