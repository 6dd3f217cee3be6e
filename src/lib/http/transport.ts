import axios, { AxiosError, AxiosInstance, Method } from 'axios';
import { wrapper } from 'axios-cookiejar-support';
import { CookieJar } from 'tough-cookie';
import { ApiError, SessionClosedError } from './errors';
import { checkEndpointUrl } from './url-policy';

export const DEFAULT_TIMEOUT_MS = 20_000;
export const DEFAULT_USER_AGENT = 'node-red-qivivo-veolia';

export interface HttpRequest {
  method: Method;
  /** Absolute URL, checked against the endpoint rule before anything is sent. */
  url: string;
  headers?: Record<string, string>;
  params?: Record<string, string | number>;
  /** Sent as JSON unless already a string. */
  body?: unknown;
}

export interface HttpResponse {
  status: number;
  /** Parsed JSON body; `null` for an empty body (e.g. 204). */
  data: unknown;
}

export interface TransportOptions {
  /** Names the remote service in error messages ("Comap", "Veolia"). */
  service: string;
  timeoutMs?: number;
  userAgent?: string;
}

/**
 * One HTTP session: an axios instance with its own cookie jar, a timeout on every request,
 * the https-only rule, raw-text bodies parsed in one place, and one mapping from HTTP and
 * network failures to ApiError codes. Each account owns one, and closes it when it closes.
 */
export class Transport {
  readonly service: string;
  private readonly axios: AxiosInstance;
  private readonly userAgent: string;
  private closed = false;

  constructor(options: TransportOptions) {
    this.service = options.service;
    this.userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
    this.axios = axios.create({
      jar: new CookieJar(),
      timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxRedirects: 0,
      responseType: 'text',
      transformResponse: [(raw: unknown) => raw],
      validateStatus: () => true,
      transitional: { clarifyTimeoutError: true },
    });
    // Runs after the cookie-jar interceptor (axios runs request interceptors last-added first):
    // certificate checks stay on whatever the process environment says.
    this.axios.interceptors.request.use((config) => {
      const agent = config.httpsAgent as { options?: Record<string, unknown> } | undefined;
      if (agent?.options) agent.options.rejectUnauthorized = true;
      return config;
    });
    wrapper(this.axios);
  }

  /**
   * No request starts after this (product-spec §4): whatever was still under way (a poll cycle,
   * a sync, a login) fails at its next request with SessionClosedError. Requests already sent
   * complete.
   */
  close(): void {
    this.closed = true;
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    if (this.closed) throw new SessionClosedError(this.service);
    const url = checkEndpointUrl(req.url, `${this.service} URL`);
    const label = `${req.method.toUpperCase()} ${url.pathname}`;
    let response;
    try {
      response = await this.axios.request<string>({
        method: req.method,
        url: url.toString(),
        params: req.params,
        data: req.body === undefined || typeof req.body === 'string' ? req.body : JSON.stringify(req.body),
        headers: {
          Accept: 'application/json',
          'User-Agent': this.userAgent,
          ...(req.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          ...req.headers,
        },
      });
    } catch (err) {
      throw this.networkError(err, label);
    }
    const data = parseBody(response.data, response.status);
    if (response.status >= 200 && response.status < 300) {
      if (data === INVALID_BODY) {
        throw new ApiError('PROTOCOL', `${this.service} sent an unreadable answer to ${label}`, { status: response.status });
      }
      return { status: response.status, data };
    }
    throw this.statusError(response.status, data === INVALID_BODY ? undefined : data, response.headers['retry-after'], label);
  }

  private statusError(status: number, body: unknown, retryAfter: unknown, label: string): ApiError {
    const where = `${this.service} answered HTTP ${status} to ${label}`;
    if (status === 429) {
      return new ApiError('RATE_LIMITED', `${where} (too many requests)`, { status, body, retryAfterMs: parseRetryAfter(retryAfter) });
    }
    if (status === 401 || status === 403) return new ApiError('AUTH_FAILED', `${where} (not authorised)`, { status, body });
    if (status === 404) return new ApiError('NOT_FOUND', `${where} (not found)`, { status, body });
    if (status === 408 || status === 504) return new ApiError('TIMEOUT', `${where} (gateway timeout)`, { status, body });
    if (status >= 500) return new ApiError('UNAVAILABLE', `${where} (service unavailable)`, { status, body });
    return new ApiError('PROTOCOL', `${where}`, { status, body });
  }

  private networkError(err: unknown, label: string): ApiError {
    const code = err instanceof AxiosError ? err.code : undefined;
    if (code === 'ETIMEDOUT' || code === 'ECONNABORTED') {
      return new ApiError('TIMEOUT', `${this.service} did not answer ${label} in time`);
    }
    const reason = code ?? (err instanceof Error ? err.message : 'network error');
    return new ApiError('UNAVAILABLE', `${this.service} could not be reached for ${label} (${reason})`);
  }
}

const INVALID_BODY = Symbol('invalid body');

function parseBody(raw: unknown, status: number): unknown {
  if (raw === undefined || raw === null || raw === '' || status === 204) return null;
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return INVALID_BODY;
  }
}

/** Retry-After in seconds or as an HTTP date, as milliseconds from now. */
export function parseRetryAfter(value: unknown, now: number = Date.now()): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
