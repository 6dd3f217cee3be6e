import type { EditorSession } from '../editor/connect';
import { resolveVeoliaEndpoints } from './portals';
import { createVeoliaSession, VeoliaSessionSettings, WaterService } from './water';

/** What the account dialog's Connect and the water nodes' dropdown show of a Veolia account. */
export interface VeoliaListing {
  contracts: Array<{ id: string; meter: string; label: string }>;
}

/** Everything a Veolia login depends on, as the account node resolves it (same values, same login). */
export function veoliaLoginIdentity(settings: Pick<VeoliaSessionSettings, 'portal' | 'apiUrl' | 'authUrl' | 'clientId' | 'username' | 'password' | 'refreshToken'>): string[] {
  const endpoints = resolveVeoliaEndpoints(settings);
  const refreshToken = settings.refreshToken?.trim() ?? '';
  return ['veolia', endpoints.portal, endpoints.apiUrl, endpoints.authUrl, endpoints.clientId, settings.username, refreshToken ? '' : settings.password, refreshToken];
}

/** A Veolia session of the editor: the product's own client, listing the contracts with their meter. */
export function veoliaEditorSession(settings: VeoliaSessionSettings): EditorSession<VeoliaListing> {
  // The dialog waits for this answer: a failure is said at once (the user may click again), not retried.
  const session = createVeoliaSession({ ...settings, water: { ...settings.water, retry: { retries: 0 } } });
  return { transport: session.transport, auth: session.auth, list: () => listVeolia(session.water) };
}

/** The account's contracts with their meter. */
export async function listVeolia(water: WaterService): Promise<VeoliaListing> {
  return { contracts: (await water.contracts()).map((c) => ({ id: c.id, meter: c.meter, label: c.label ?? '' })) };
}
