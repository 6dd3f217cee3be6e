import type { NodeAPI } from 'node-red';
import type { Request, Response } from 'express';
import { toApiError } from '../../lib/http/errors';
import type { VeoliaAccountNode } from './veolia-account';

/**
 * The dialog's side of a challenged login (spec §8.1): GET …/login tells whether a code is
 * awaited (read permission); POST …/code `{code}` answers it (write permission). Neither ever
 * returns a credential, a code or a Session.
 */
export function registerLoginRoutes(RED: NodeAPI): void {
  const deployed = (req: Request, res: Response): VeoliaAccountNode | undefined => {
    const account = RED.nodes.getNode(String(req.params.id)) as VeoliaAccountNode | null;
    if (account && account.type === 'veolia-account') return account;
    res.status(404).json({ error: { code: 'NOT_DEPLOYED', message: RED._('shared.errors.notDeployed') } });
    return undefined;
  };

  // An account not deployed yet has asked for nothing: a plain answer, not an error the browser logs.
  RED.httpAdmin.get('/veolia-account/:id/login', RED.auth.needsPermission('veolia-account.read'), (req: Request, res: Response) => {
    const account = RED.nodes.getNode(String(req.params.id)) as VeoliaAccountNode | null;
    if (account && account.type === 'veolia-account') res.json({ deployed: true, problem: account.loginProblem() });
    else res.json({ deployed: false, problem: null });
  });

  RED.httpAdmin.post('/veolia-account/:id/code', RED.auth.needsPermission('veolia-account.write'), (req: Request, res: Response) => {
    const account = deployed(req, res);
    if (!account) return;
    const code = (req.body as { code?: unknown } | undefined)?.code;
    account.submitCode(typeof code === 'string' || typeof code === 'number' ? String(code) : '').then(
      () => res.json({ ok: true }),
      (thrown: unknown) => {
        const err = toApiError(thrown);
        const status = err.code === 'RATE_LIMITED' ? 429 : err.transient ? 502 : 400;
        res.status(status).json({ error: { code: err.code, message: err.message, ...(err.challenge ? { challenge: err.challenge } : {}) } });
      },
    );
  });
}
