import { ApiError } from './errors';

const LOOPBACK_NAMES = new Set(['localhost', '[::1]', '::1']);

function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_NAMES.has(hostname.toLowerCase()) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * The endpoint rule of product-spec §2.1: https everywhere, plain http only to this machine.
 * Returns the parsed URL, or throws INVALID_INPUT naming the setting.
 */
export function checkEndpointUrl(value: string, setting: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ApiError('INVALID_INPUT', `${setting} is not a valid URL`);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url;
  if (url.protocol === 'http:') {
    throw new ApiError('INVALID_INPUT', `${setting} must use https:// (http:// is allowed for loopback hosts only)`);
  }
  throw new ApiError('INVALID_INPUT', `${setting} must be an https:// URL`);
}
