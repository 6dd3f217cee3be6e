import type { NodeAPI } from 'node-red';
import type { Request, Response } from 'express';
import { toApiError } from '../../lib/http/errors';
import { HeatingService } from '../../lib/comap/heating';
import type { QivivoAccountNode } from './qivivo-account';

/**
 * Admin endpoints behind the editor's housing / zone / program dropdowns. They need the
 * `qivivo-account.read` permission and never return credentials.
 */
export function registerQivivoAdminRoutes(RED: NodeAPI): void {
  const permission = RED.auth.needsPermission('qivivo-account.read');
  const route = (path: string, read: (heating: HeatingService, req: Request) => Promise<unknown>): void => {
    RED.httpAdmin.get(path, permission, (req: Request, res: Response) => {
      const account = RED.nodes.getNode(String(req.params.id)) as QivivoAccountNode | null;
      if (!account || account.type !== 'qivivo-account') {
        res.status(404).json({ code: 'NOT_DEPLOYED', message: RED._('shared.errors.notDeployed') });
        return;
      }
      const heating = account.session?.heating;
      if (!heating) {
        const err = account.configError ?? toApiError('account not ready');
        res.status(400).json({ code: err.code, message: err.message });
        return;
      }
      read(heating, req).then(
        (body) => res.json(body),
        (thrown: unknown) => {
          const err = toApiError(thrown);
          res.status(err.code === 'NOT_FOUND' ? 404 : 502).json({ code: err.code, message: err.message });
        },
      );
    });
  };
  const housingParam = (req: Request): string => (req.params.housing === '_' ? '' : String(req.params.housing));
  route('/qivivo-account/:id/housings', (heating) => heating.housings());
  route('/qivivo-account/:id/housings/:housing/zones', (heating, req) => heating.zones(housingParam(req)));
  route('/qivivo-account/:id/housings/:housing/programs', (heating, req) => heating.programs(housingParam(req)));
}
