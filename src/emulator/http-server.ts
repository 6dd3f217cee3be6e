import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';

/** One request as the emulator saw it, for tests and the benchmark. */
export interface LoggedRequest {
  at: number;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  status: number;
}

export interface EmulatorRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  body: unknown;
  rawBody: string;
}

export interface EmulatorResponse {
  status: number;
  body?: unknown;
  /** Sent as is instead of JSON (HTML pages, malformed bodies). */
  raw?: string;
  headers?: Record<string, string>;
}

/**
 * Faults applied to the next requests. Each `*Count` fault hits that many requests, then clears;
 * `latencyMs` stays until changed. `match` limits faults to paths containing it.
 */
export interface FaultKnobs {
  latencyMs: number;
  match?: string;
  status5xxCount: number;
  status5xx: number;
  resetCount: number;
  hangCount: number;
  htmlCount: number;
  malformedCount: number;
  rateLimitCount: number;
  retryAfterS: number;
}

export function noFaults(): FaultKnobs {
  return { latencyMs: 0, status5xxCount: 0, status5xx: 503, resetCount: 0, hangCount: 0, htmlCount: 0, malformedCount: 0, rateLimitCount: 0, retryAfterS: 1 };
}

export type Handler = (req: EmulatorRequest) => EmulatorResponse | Promise<EmulatorResponse>;

/**
 * The loopback HTTP server under both emulators: JSON in and out, a request log, and the
 * fault knobs common to every route.
 */
export class EmulatorServer {
  readonly log: LoggedRequest[] = [];
  faults: FaultKnobs = noFaults();
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly hanging = new Set<ServerResponse>();

  constructor(private readonly handler: Handler) {}

  get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('emulator not started');
    return `http://127.0.0.1:${address.port}`;
  }

  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => {
      void this.serve(req, res);
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(port, '127.0.0.1', () => resolve());
    });
    return this.url;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }

  clearLog(): void {
    this.log.length = 0;
  }

  resetFaults(): void {
    this.faults = noFaults();
  }

  /** Requests whose path contains `fragment` (and method, if given). */
  requests(fragment = '', method?: string): LoggedRequest[] {
    return this.log.filter((r) => r.path.includes(fragment) && (!method || r.method === method));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawBody = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const request: EmulatorRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: parseJson(rawBody),
      rawBody,
    };
    const entry: LoggedRequest = { at: Date.now(), method: request.method, path: request.path, query: request.query, headers: req.headers, body: request.body, status: 0 };
    this.log.push(entry);
    if (this.faults.latencyMs > 0) await new Promise((r) => setTimeout(r, this.faults.latencyMs));
    const fault = this.takeFault(request.path);
    if (fault === 'reset') {
      entry.status = -1;
      req.socket.destroy();
      return;
    }
    if (fault === 'hang') {
      entry.status = -2;
      this.hanging.add(res);
      res.on('close', () => this.hanging.delete(res));
      return;
    }
    let response: EmulatorResponse;
    if (fault) {
      response = fault;
    } else {
      try {
        response = await this.handler(request);
      } catch (err) {
        response = { status: 500, body: { message: err instanceof Error ? err.message : String(err) } };
      }
    }
    entry.status = response.status;
    const headers: Record<string, string> = { ...response.headers };
    let payload = '';
    if (response.raw !== undefined) payload = response.raw;
    else if (response.body !== undefined) {
      payload = JSON.stringify(response.body);
      headers['Content-Type'] ??= 'application/json';
    }
    res.writeHead(response.status, headers);
    res.end(payload);
  }

  private takeFault(path: string): EmulatorResponse | 'reset' | 'hang' | undefined {
    const f = this.faults;
    if (f.match && !path.includes(f.match)) return undefined;
    if (f.resetCount > 0) {
      f.resetCount--;
      return 'reset';
    }
    if (f.hangCount > 0) {
      f.hangCount--;
      return 'hang';
    }
    if (f.status5xxCount > 0) {
      f.status5xxCount--;
      return { status: f.status5xx, raw: '<html><body><h1>Service unavailable</h1></body></html>', headers: { 'Content-Type': 'text/html' } };
    }
    if (f.rateLimitCount > 0) {
      f.rateLimitCount--;
      return { status: 429, body: { message: 'Too many requests' }, headers: { 'Retry-After': String(f.retryAfterS) } };
    }
    if (f.htmlCount > 0) {
      f.htmlCount--;
      return { status: 200, raw: '<!DOCTYPE html><html><body>Maintenance</body></html>', headers: { 'Content-Type': 'text/html' } };
    }
    if (f.malformedCount > 0) {
      f.malformedCount--;
      return { status: 200, raw: '{"zones": [', headers: { 'Content-Type': 'application/json' } };
    }
    return undefined;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}

function parseJson(raw: string): unknown {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

export function json(status: number, body?: unknown): EmulatorResponse {
  return { status, body };
}
