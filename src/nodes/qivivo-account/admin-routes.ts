import type { NodeAPI } from 'node-red';
import type { Request } from 'express';
import { registerAccountRoute } from '../shared/admin-route';
import type { QivivoAccountNode } from './qivivo-account';
import { registerQivivoConnectRoute } from './connect-route';

/**
 * Admin endpoints behind the editor's housing / zone / program / schedule dropdowns. They need the
 * `qivivo-account.read` permission and never return credentials.
 */
export function registerQivivoAdminRoutes(RED: NodeAPI): void {
  const heatingOf = (account: QivivoAccountNode) => account.session?.heating;
  const housingParam = (req: Request): string => (req.params.housing === '_' ? '' : String(req.params.housing));
  registerAccountRoute(RED, '/qivivo-account/:id/housings', 'qivivo-account', heatingOf, (heating) => heating.housings());
  registerAccountRoute(RED, '/qivivo-account/:id/housings/:housing/zones', 'qivivo-account', heatingOf, (heating, req) => heating.zones(housingParam(req)));
  // On a monozone housing the list also holds its schedules, as `{ id, name, kind: 'schedule' }` (spec §7.4).
  registerAccountRoute(RED, '/qivivo-account/:id/housings/:housing/programs', 'qivivo-account', heatingOf, (heating, req) =>
    heating.programChoices(housingParam(req)),
  );
  registerQivivoConnectRoute(RED);
  // The program node's schedule list, for a zone it gives a schedule to: `[{ id, name }]`.
  registerAccountRoute(RED, '/qivivo-account/:id/housings/:housing/schedules', 'qivivo-account', heatingOf, (heating, req) => heating.schedules(housingParam(req)));
}
