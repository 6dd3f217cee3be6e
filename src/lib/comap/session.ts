import { CognitoAuth } from '../cognito/auth';
import { ApiError } from '../http/errors';
import { Transport } from '../http/transport';
import { checkEndpointUrl } from '../http/url-policy';
import { ComapClient } from './client';
import { HeatingService, HeatingServiceOptions } from './heating';

/** The public endpoints of the Comap cloud (comap-api.md §1.1); all three can be overridden. */
export const COMAP_DEFAULTS = {
  apiUrl: 'https://api.comapsmarthome.com',
  authUrl: 'https://cognito-idp.eu-west-3.amazonaws.com/',
  clientId: '56jcvrtejpracljtirq7qnob44',
} as const;

export interface ComapSessionSettings {
  apiUrl?: string;
  authUrl?: string;
  clientId?: string;
  username: string;
  password: string;
  timeoutMs?: number;
  /** Clock of token expiry and caches (replaceable in tests). */
  now?: () => number;
  service?: Omit<HeatingServiceOptions, 'now'>;
}

export interface ComapSession {
  transport: Transport;
  auth: CognitoAuth;
  client: ComapClient;
  heating: HeatingService;
}

/** One account's session: its own HTTP transport and cookies, Cognito login, client and service. */
export function createComapSession(settings: ComapSessionSettings): ComapSession {
  const apiUrl = checkEndpointUrl(settings.apiUrl || COMAP_DEFAULTS.apiUrl, 'apiUrl').toString();
  const authUrl = checkEndpointUrl(settings.authUrl || COMAP_DEFAULTS.authUrl, 'authUrl').toString();
  if (!settings.username || !settings.password) throw new ApiError('AUTH_FAILED', 'the Comap login and password are not set');
  const transport = new Transport({ service: 'Comap', timeoutMs: settings.timeoutMs });
  const auth = new CognitoAuth(transport, {
    authUrl,
    clientId: settings.clientId || COMAP_DEFAULTS.clientId,
    username: settings.username,
    password: settings.password,
    headers: { Origin: 'https://app.comapsmarthome.com', Referer: 'https://app.comapsmarthome.com/' },
    now: settings.now,
  });
  const client = new ComapClient(transport, auth, apiUrl);
  return { transport, auth, client, heating: new HeatingService(client, { ...settings.service, now: settings.now }) };
}
