import type { NodeAPI } from 'node-red';
import type { Request, Response } from 'express';
import { VEOLIA_PORTALS } from '../../lib/veolia/portals';
import { registerAccountRoute } from '../shared/admin-route';
import { registerPortalLookupRoute } from './portal-lookup-route';
import { registerLoginRoutes } from './login-routes';
import { registerVeoliaConnectRoute } from './connect-route';
import type { VeoliaAccountNode } from './veolia-account';

/**
 * Admin endpoints behind the editor's portal defaults and contract dropdown. They need the
 * `veolia-account.read` permission and never return credentials.
 */
export function registerVeoliaAdminRoutes(RED: NodeAPI): void {
  registerPortalLookupRoute(RED);
  // Before the login routes: /veolia-account/connect/code is not the code of an account named "connect".
  registerVeoliaConnectRoute(RED);
  registerLoginRoutes(RED);
  RED.httpAdmin.get('/veolia-account/portals', RED.auth.needsPermission('veolia-account.read'), (_req: Request, res: Response) => {
    res.json(Object.fromEntries(Object.values(VEOLIA_PORTALS).map((p) => [p.id, { apiUrl: p.apiUrl, authUrl: p.authUrl, clientId: p.clientId }])));
  });
  registerAccountRoute(
    RED,
    '/veolia-account/:id/contracts',
    'veolia-account',
    (account: VeoliaAccountNode) => account.session?.water,
    async (water) => (await water.contracts()).map((c) => ({ id: c.id, meter: c.meter, label: c.label ?? '' })),
  );
}
