import type { NodeAPI } from 'node-red';
import type { Request, Response } from 'express';
import { ApiError, toApiError } from '../../lib/http/errors';
import { Transport } from '../../lib/http/transport';
import { AttemptLimit } from '../../lib/schedule/attempt-limit';
import { lookupPortal, parseLookupQuery } from '../../lib/veolia/portal-lookup';
import { VEOLIA_REFCOMMUNES_URL, VEOLIA_USER_AGENT } from '../../lib/veolia/portals';

/** Look-ups the editor may ask per minute, for the whole runtime: a dialog needs a few. */
export const LOOKUPS_PER_MINUTE = 10;
const WINDOW_MS = 60_000;
const TIMEOUT_MS = 10_000;

/**
 * POST veolia-account/portal-lookup `{q}` → `[{town, postalCode, portal, host?, status}]`
 * (product-spec §8.5). It makes the runtime send the typed postal code or town to Veolia's
 * public look-up, an outward action like the dialog's Connect: POST and `veolia-account.write`,
 * so a read-only user, a link or a prefetch cannot set it off. Nothing else is sent, to no
 * other host. `RED.settings.veoliaRefcommunesUrl` points it at another base (the emulator
 * of the demo and tests); the default is Veolia's.
 */
export function registerPortalLookupRoute(RED: NodeAPI, now: () => number = Date.now): void {
  const lookups = new AttemptLimit(LOOKUPS_PER_MINUTE, WINDOW_MS, now);
  RED.httpAdmin.post('/veolia-account/portal-lookup', RED.auth.needsPermission('veolia-account.write'), (req: Request, res: Response) => {
    const fail = (err: ApiError, status: number): void => {
      res.status(status).json({ code: err.code, message: err.message });
    };
    let q: string;
    try {
      q = parseLookupQuery((req.body as { q?: unknown } | undefined)?.q);
    } catch (err) {
      fail(toApiError(err), 400);
      return;
    }
    if (!lookups.take()) {
      fail(new ApiError('RATE_LIMITED', `at most ${LOOKUPS_PER_MINUTE} look-ups a minute: try again shortly`), 429);
      return;
    }
    const transport = new Transport({ service: 'Veolia', timeoutMs: TIMEOUT_MS, userAgent: VEOLIA_USER_AGENT });
    lookupPortal(transport, q, refcommunesUrl(RED)).then(
      (results) => res.json(results),
      (thrown: unknown) => fail(toApiError(thrown), 502),
    ).finally(() => transport.close());
  });
}

function refcommunesUrl(RED: NodeAPI): string {
  const configured = (RED.settings as unknown as Record<string, unknown>).veoliaRefcommunesUrl;
  return typeof configured === 'string' && configured.trim() !== '' ? configured.trim() : VEOLIA_REFCOMMUNES_URL;
}
