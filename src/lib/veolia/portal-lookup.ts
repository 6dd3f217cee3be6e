import { ApiError, invalidInput } from '../http/errors';
import type { Transport } from '../http/transport';
import { VEOLIA_PORTALS, VEOLIA_REFCOMMUNES_URL, VeoliaPortal } from './portals';

/** Which portal serves a town (product-spec §8.5). */
export interface PortalLookupResult {
  town: string;
  postalCode: string;
  /** The portal to choose, or null when this package has none for the town. */
  portal: VeoliaPortal['id'] | null;
  /** The site the town's customers log into, when Veolia names one. */
  host?: string;
  status: 'national' | 'redirected' | 'unsupported' | 'not-served' | 'maintenance';
}

export const MAX_TOWN_LENGTH = 60;
/** A town name as people type it: letters (any accent), spaces, hyphens, apostrophes, dots. */
const TOWN = /^[\p{L}][\p{L}\s'’.-]*$/u;
const POSTAL_CODE = /^\d{5}$/;

/** A 5-digit postal code or a town name (≤ 60 characters); anything else is INVALID_INPUT. */
export function parseLookupQuery(value: unknown): string {
  const q = typeof value === 'string' ? value.trim() : '';
  if (POSTAL_CODE.test(q)) return q;
  if (q.length >= 2 && q.length <= MAX_TOWN_LENGTH && TOWN.test(q)) return q;
  throw invalidInput(`enter a 5-digit postal code or a town name (2–${MAX_TOWN_LENGTH} letters)`);
}

/** Portal of each site host Veolia redirects to. */
const PORTAL_BY_HOST: ReadonlyMap<string, VeoliaPortal['id']> = new Map(
  Object.values(VEOLIA_PORTALS).flatMap((p) => {
    const host = new URL(p.site).hostname;
    return [
      [host, p.id],
      [host.replace(/^www\./, ''), p.id],
      [`www.${host.replace(/^www\./, '')}`, p.id],
    ] as Array<[string, VeoliaPortal['id']]>;
  }),
);

function hostOf(url: unknown): string | undefined {
  if (typeof url !== 'string' || url.trim() === '') return undefined;
  const text = url.trim();
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`).hostname.toLowerCase() || undefined;
  } catch {
    return undefined;
  }
}

function text(value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' ? value.trim() : '';
}

/** The look-up's answer in the product's words; entries of an unknown kind are left out. */
export function toLookupResults(raw: unknown): PortalLookupResult[] {
  if (raw === null) return [];
  if (!Array.isArray(raw)) throw new ApiError('PROTOCOL', 'Veolia sent an unexpected commune list');
  const results: PortalLookupResult[] = [];
  for (const entry of raw) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) continue;
    const record = entry as Record<string, unknown>;
    const town = text(record.libelle);
    if (!town) continue;
    const base = { town, postalCode: text(record.code_postal) };
    switch (record.type_commune) {
      case 'NON_REDIRIGE':
        results.push({ ...base, portal: 'national', host: new URL(VEOLIA_PORTALS.national.site).hostname, status: 'national' });
        break;
      case 'REDIRIGE': {
        const host = hostOf(record.url_redirection);
        const portal = host ? PORTAL_BY_HOST.get(host) : undefined;
        if (portal) results.push({ ...base, portal, host, status: portal === 'national' ? 'national' : 'redirected' });
        else results.push({ ...base, portal: null, ...(host ? { host } : {}), status: 'unsupported' });
        break;
      }
      case 'NON_DESSERVIE':
        results.push({ ...base, portal: null, status: 'not-served' });
        break;
      case 'EN_MAINTENANCE':
        results.push({ ...base, portal: null, status: 'maintenance' });
        break;
      default:
        break;
    }
  }
  return results;
}

/**
 * Asks Veolia's public commune look-up (no login, nothing but the query is sent) which portal
 * serves a postal code or town.
 */
export async function lookupPortal(transport: Transport, query: unknown, baseUrl: string = VEOLIA_REFCOMMUNES_URL): Promise<PortalLookupResult[]> {
  const q = parseLookupQuery(query);
  const response = await transport.request({ method: 'GET', url: `${baseUrl.replace(/\/+$/, '')}/communes-nationales`, params: { q } });
  return toLookupResults(response.data);
}
