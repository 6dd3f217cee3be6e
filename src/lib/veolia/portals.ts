import { invalidInput } from '../http/errors';
import { checkEndpointUrl } from '../http/url-policy';

/**
 * Veolia portals (veolia-api.md §2.1): each branded site has its own Cognito app client and
 * sometimes its own backend. Only the three rows users have confirmed are listed; `custom`
 * lets a user enter another portal's values without a new release.
 */
export type VeoliaPortalId = 'national' | 'toulouse' | 'perpignan' | 'custom';

export interface VeoliaPortal {
  id: Exclude<VeoliaPortalId, 'custom'>;
  label: string;
  /** The site the user logs into; sent as Origin like the site does. */
  site: string;
  clientId: string;
  apiUrl: string;
  authUrl: string;
}

export const VEOLIA_AUTH_URL = 'https://cognito-idp.eu-west-3.amazonaws.com/';
/** Veolia's public commune look-up: which portal serves a town (veolia-api.md §2.1). */
export const VEOLIA_REFCOMMUNES_URL = 'https://prd-ael-sirius-refcommunes.istefr.fr';
const NATIONAL_BACKEND = 'https://prd-ael-sirius-backend.istefr.fr';

export const VEOLIA_PORTALS: Readonly<Record<VeoliaPortal['id'], VeoliaPortal>> = {
  national: {
    id: 'national',
    label: 'eau.veolia.fr',
    site: 'https://www.eau.veolia.fr',
    clientId: '3kghade1fg54739kj8pkbova8j',
    apiUrl: NATIONAL_BACKEND,
    authUrl: VEOLIA_AUTH_URL,
  },
  toulouse: {
    id: 'toulouse',
    label: 'Eau de Toulouse Métropole',
    site: 'https://eaudetm.monespace.eau.veolia.fr',
    clientId: '19bjc8ldefie683n889iiubjc8',
    apiUrl: NATIONAL_BACKEND,
    authUrl: VEOLIA_AUTH_URL,
  },
  perpignan: {
    id: 'perpignan',
    label: 'Perpignan Méditerranée Métropole',
    site: 'https://www.ea-pm.fr',
    clientId: '54e8dri103e65defj6p67eolli',
    apiUrl: 'https://prd-ael-sirius-pmm-backend.istefr.fr',
    authUrl: VEOLIA_AUTH_URL,
  },
};

export const VEOLIA_PORTAL_IDS: readonly VeoliaPortalId[] = ['national', 'toulouse', 'perpignan', 'custom'];

/**
 * The service refused clients without a browser User-Agent (HTTP 400, veolia-api.md §2.3);
 * the public clients send one, so does this package.
 */
/**
 * Veolia's refresh tokens may live one hour and are not renewed by a refresh (veolia-api.md §11);
 * a daily sync therefore does not offer one older than that.
 */
export const VEOLIA_REFRESH_TOKEN_MAX_AGE_MS = 3_600_000;

export const VEOLIA_USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36';

export interface VeoliaEndpointSettings {
  portal?: string;
  apiUrl?: string;
  authUrl?: string;
  clientId?: string;
}

export interface VeoliaEndpoints {
  portal: VeoliaPortalId;
  /** Backend base URL without a trailing slash. */
  apiUrl: string;
  authUrl: string;
  clientId: string;
  /** Headers the portal's own site sends with its login (Origin). */
  headers: Record<string, string>;
}

const CLIENT_ID = /^[A-Za-z0-9_-]{1,128}$/;

export function isVeoliaPortal(value: unknown): value is VeoliaPortalId {
  return typeof value === 'string' && (VEOLIA_PORTAL_IDS as readonly string[]).includes(value);
}

/**
 * The endpoints for an account's settings. A named portal gives every value, each of which a
 * non-empty setting overrides; `custom` needs the backend URL and client id (the login URL
 * defaults to Veolia's Cognito region). URLs follow the https rule; errors are INVALID_INPUT.
 */
export function resolveVeoliaEndpoints(settings: VeoliaEndpointSettings): VeoliaEndpoints {
  const portalId = blank(settings.portal) ? 'national' : settings.portal.trim();
  if (!isVeoliaPortal(portalId)) {
    throw invalidInput(`unknown Veolia portal "${portalId}" (expected ${VEOLIA_PORTAL_IDS.join(', ')})`);
  }
  const base = portalId === 'custom' ? undefined : VEOLIA_PORTALS[portalId];
  const apiUrl = pick(settings.apiUrl, base?.apiUrl);
  const authUrl = pick(settings.authUrl, base?.authUrl ?? VEOLIA_AUTH_URL);
  const clientId = pick(settings.clientId, base?.clientId);
  if (!apiUrl) throw invalidInput('the Veolia API URL is required for a custom portal');
  if (!clientId) throw invalidInput('the Veolia client id is required for a custom portal');
  if (!CLIENT_ID.test(clientId)) throw invalidInput('the Veolia client id may only contain letters, digits, "-" and "_"');
  return {
    portal: portalId,
    apiUrl: checkEndpointUrl(apiUrl, 'Veolia API URL').toString().replace(/\/+$/, ''),
    authUrl: checkEndpointUrl(authUrl ?? VEOLIA_AUTH_URL, 'Veolia login URL').toString(),
    clientId,
    headers: base ? { Origin: base.site } : {},
  };
}

function blank(value: string | undefined): value is undefined {
  return value === undefined || value.trim() === '';
}

function pick(value: string | undefined, fallback: string | undefined): string | undefined {
  return blank(value) ? fallback : value.trim();
}
