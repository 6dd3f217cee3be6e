import { CognitoEmulator } from '../cognito';
import { EmulatorRequest, EmulatorResponse, Handler, json } from '../http-server';
import { VeoliaAlerts } from './alerts';
import { REFCOMMUNES_PREFIX, refcommunes } from './refcommunes';
import { VeoliaState } from './state';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const YEAR = /^\d{4}$/;
/** Months are sent without zero padding (veolia-api.md §2.4 (3)). */
const MONTH = /^([1-9]|1[0-2])$/;

type Route = (req: EmulatorRequest, username: string, match: RegExpExecArray) => EmulatorResponse;

/**
 * The Veolia cloud on one port: Cognito (POST with X-Amz-Target) and the backend routes of
 * veolia-api.md §2.4, each behind the Bearer check.
 */
export function createVeoliaHandler(state: VeoliaState, cognito: CognitoEmulator, alertStore: VeoliaAlerts = new VeoliaAlerts()): Handler {
  const routes: Array<[RegExp, Route]> = [
    [/^\/espace-client$/, espaceClient],
    [/^\/abonnements\/([^/]+)\/facturation$/, facturation],
    [/^\/abonnements\/([^/]+)\/facturation\/mensualisation\/plan$/, paymentPlan],
    [/^\/consommations\/facturation\/([^/]+)$/, billing],
    [/^\/consommations\/([^/]+)\/journalieres$/, daily],
    [/^\/consommations\/([^/]+)\/mensuelles$/, monthly],
    [/^\/alertes\/([^/]+)$/, alerts],
  ];

  function espaceClient(req: EmulatorRequest, username: string): EmulatorResponse {
    if (!req.query['type-front']) return badRequest('type-front est obligatoire');
    return json(200, state.espaceClient(username));
  }

  function facturation(_req: EmulatorRequest, username: string, m: RegExpExecArray): EmulatorResponse {
    const c = state.ownsContract(username, decodeURIComponent(m[1]));
    return c ? json(200, state.facturation(c.id)) : notFound();
  }

  function paymentPlan(_req: EmulatorRequest, username: string, m: RegExpExecArray): EmulatorResponse {
    const c = state.ownsContract(username, decodeURIComponent(m[1]));
    if (!c) return notFound();
    const plan = state.paymentSchedule(c.id);
    // No monthly payments: 204, as the service answers (veolia-api.md §2.4 (8)).
    return plan ? json(200, plan) : { status: 204 };
  }

  function billing(_req: EmulatorRequest, username: string, m: RegExpExecArray): EmulatorResponse {
    const c = state.ownsContract(username, decodeURIComponent(m[1]));
    return c ? json(200, state.billing(c.id)) : notFound();
  }

  function daily(req: EmulatorRequest, username: string, m: RegExpExecArray): EmulatorResponse {
    const c = state.ownsContract(username, decodeURIComponent(m[1]));
    if (!c) return notFound();
    const problem = checkKey(req, c.seed.pds) ?? (MONTH.test(req.query.mois ?? '') ? undefined : 'mois invalide');
    if (problem) return badRequest(problem);
    return json(200, state.daily(c.id, Number(req.query.annee), Number(req.query.mois)));
  }

  function monthly(req: EmulatorRequest, username: string, m: RegExpExecArray): EmulatorResponse {
    const c = state.ownsContract(username, decodeURIComponent(m[1]));
    if (!c) return notFound();
    const problem = checkKey(req, c.seed.pds);
    if (problem) return badRequest(problem);
    return json(200, state.monthly(c.id, Number(req.query.annee)));
  }

  function alerts(req: EmulatorRequest, username: string, m: RegExpExecArray): EmulatorResponse {
    const c = state.ownsContract(username, req.query.abo_id ?? '');
    if (!req.query.abo_id) return badRequest('abo_id est obligatoire');
    if (!c || c.seed.pds !== decodeURIComponent(m[1])) return notFound();
    // No alert configured, and none possible without telemetry: both answer 204.
    return alertStore.get(c);
  }

  /** The POST names its contract in the body (abo_id), not in the query. */
  function setAlerts(req: EmulatorRequest, username: string, m: RegExpExecArray): EmulatorResponse {
    const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
    const c = state.ownsContract(username, String(body.abo_id ?? ''));
    if (!c) return badRequest('abo_id invalide');
    if (c.seed.pds !== decodeURIComponent(m[1])) return notFound();
    return alertStore.post(req, c, { contactId: c.seed.contactId, tierId: c.seed.tierId, meter: c.meterOn(state.today()) });
  }

  return (req) => {
    if (CognitoEmulator.handles(req)) return cognito.handle(req);
    // The public commune look-up shares the port, under its own prefix and without a login.
    if (req.path.startsWith(`${REFCOMMUNES_PREFIX}/`)) return refcommunes(req);
    const route = routes.find(([pattern]) => pattern.test(req.path));
    if (!route) return notFound();
    const post = req.method === 'POST' && route[1] === alerts;
    if (req.method !== 'GET' && !post) return json(405, { message: 'Method Not Allowed' });
    const check = cognito.check(req.headers.authorization);
    if (!check.ok) {
      const stale = check.reason === 'expired' || check.reason === 'revoked';
      return json(stale ? state.staleTokenStatus : 401, { message: stale ? 'Token expired' : 'Unauthorized' });
    }
    const match = route[0].exec(req.path) as RegExpExecArray;
    return (post ? setAlerts : route[1])(req, check.username, match);
  };
}

/** The parameters every consumption call carries; each missing or wrong one is a 400. */
function checkKey(req: EmulatorRequest, pds: string): string | undefined {
  if (!YEAR.test(req.query.annee ?? '')) return 'annee invalide';
  if (!req.query['numero-pds']) return 'numero-pds est obligatoire';
  if (req.query['numero-pds'] !== pds) return 'numero-pds inconnu';
  if (!DATE.test(req.query['date-debut-abonnement'] ?? '')) return 'date-debut-abonnement invalide';
  return undefined;
}

function badRequest(message: string): EmulatorResponse {
  return json(400, { code: 'BAD_REQUEST', message });
}

function notFound(): EmulatorResponse {
  return json(404, { message: 'Not Found' });
}
