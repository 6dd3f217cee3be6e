import type { Node, NodeAPI } from 'node-red';
import type { Request, Response } from 'express';
import { ApiError, toApiError } from '../../lib/http/errors';

type ConfigNode = Node & { configError?: ApiError };

/**
 * An editor endpoint answering from a deployed account (`:id` in the path): 404 NOT_DEPLOYED
 * when the account is not running yet, `{code, message}` with 400/404/502 on failure.
 */
export function registerAccountRoute<A extends ConfigNode, S>(
  RED: NodeAPI,
  path: string,
  accountType: string,
  serviceOf: (account: A) => S | undefined,
  read: (service: S, req: Request) => Promise<unknown>,
): void {
  RED.httpAdmin.get(path, RED.auth.needsPermission(`${accountType}.read`), (req: Request, res: Response) => {
    const account = RED.nodes.getNode(String(req.params.id)) as A | null;
    if (!account || account.type !== accountType) {
      res.status(404).json({ code: 'NOT_DEPLOYED', message: RED._('shared.errors.notDeployed') });
      return;
    }
    const service = serviceOf(account);
    if (!service) {
      const err = account.configError ?? toApiError('account not ready');
      res.status(400).json({ code: err.code, message: err.message });
      return;
    }
    read(service, req).then(
      (body) => res.json(body),
      (thrown: unknown) => {
        const err = toApiError(thrown);
        res.status(err.code === 'NOT_FOUND' ? 404 : 502).json({ code: err.code, message: err.message });
      },
    );
  });
}
