import express from 'express';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';

export const PACKAGE_ROOT = join(__dirname, '..', '..');

export interface RuntimeOptions {
  /** Node-RED settings merged over the defaults (adminAuth, contextStorage…). */
  settings?: Record<string, unknown>;
  /** Keep this user directory (for restarts and the demo); a temporary one otherwise. */
  userDir?: string;
  /** Listen on this port (0 = any free port). */
  port?: number;
  /** Where flows' HTTP endpoints and Dashboard 2 are served: '/api' by default, '/' as in a standard install (dashboard at /dashboard). */
  httpNodeRoot?: '/' | '/api';
}

/** A warning or error the runtime logged (node.warn / node.error, load and deploy problems). */
export interface RuntimeLog {
  level: 'error' | 'warn';
  type?: string;
  id?: string;
  name?: string;
  message: string;
}

interface LogMessage {
  level: number;
  type?: string;
  id?: string;
  name?: string;
  msg?: unknown;
}

interface RedApi {
  init(server: Server, settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  httpAdmin: express.Express;
  httpNode: express.Express;
}

/**
 * A real Node-RED runtime embedded in the test process, loading this package from the checkout
 * (nodesDir), with its admin API on a loopback port.
 */
export class NodeRedRuntime {
  url = '';
  userDir: string;
  /** Warnings and errors logged since start (kept for assertions; `logs.length = 0` clears). */
  readonly logs: RuntimeLog[] = [];
  private server?: Server;
  private red?: RedApi;
  private readonly ownsUserDir: boolean;
  private readonly nodeRoot: string;

  constructor(private readonly options: RuntimeOptions = {}) {
    this.ownsUserDir = !options.userDir;
    this.nodeRoot = options.httpNodeRoot ?? '/api';
    this.userDir = options.userDir ?? mkdtempSync(join(tmpdir(), 'nr-e2e-'));
  }

  async start(): Promise<string> {
    // A fresh module instance per runtime, so that a test can stop one and start another, and
    // nothing kept in memory by the package's nodes: a restart is a new process.
    for (const key of Object.keys(require.cache)) {
      if (/node_modules[\\/](node-red|@node-red)[\\/]/.test(key) || key.startsWith(join(PACKAGE_ROOT, 'dist') + sep)) delete require.cache[key];
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    this.red = require('node-red') as RedApi;
    const app = express();
    this.server = createServer(app);
    const settingsLogging = (this.options.settings?.logging ?? {}) as Record<string, unknown>;
    const record = (m: LogMessage): void => {
      if (m.level > 30) return;
      const message = m.msg instanceof Error ? m.msg.message : typeof m.msg === 'string' ? m.msg : JSON.stringify(m.msg);
      this.logs.push({ level: m.level <= 20 ? 'error' : 'warn', type: m.type, id: m.id, name: m.name, message });
    };
    this.red.init(this.server, {
      userDir: this.userDir,
      nodesDir: [PACKAGE_ROOT],
      flowFile: 'flows.json',
      credentialSecret: 'e2e-secret',
      httpAdminRoot: '/',
      httpNodeRoot: this.nodeRoot,
      uiPort: 0,
      editorTheme: { tours: false, projects: { enabled: false } },
      telemetry: { enabled: false },
      externalModules: { autoInstall: false, palette: { allowInstall: false } },
      ...this.options.settings,
      logging: { console: { level: 'off' }, ...settingsLogging, recorder: { level: 'warn', metrics: false, audit: false, handler: () => record } },
    });
    app.use('/', this.red.httpAdmin);
    app.use(this.nodeRoot, this.red.httpNode);
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(this.options.port ?? 0, '127.0.0.1', () => resolve());
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    await this.red.start();
    return this.url;
  }

  async stop(): Promise<void> {
    await this.red?.stop();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    if (this.ownsUserDir) rmSync(this.userDir, { recursive: true, force: true });
  }

  async api(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${this.url}${path}`, { ...init, headers: { Accept: 'application/json', ...(init.headers as Record<string, string>) } });
  }

  async json<T = unknown>(path: string, init: RequestInit = {}): Promise<T> {
    const response = await this.api(path, init);
    if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  /** Full deploy through the admin API, as the editor does it. */
  async deploy(flows: unknown[]): Promise<void> {
    // Right after start the runtime may still be loading the saved flows (GET /flows answers null).
    const { rev } = await until(async () => {
      const current = await this.json<{ rev?: string } | null>('/flows', { headers: { 'Node-RED-API-Version': 'v2' } });
      return current && typeof current.rev === 'string' ? { rev: current.rev } : undefined;
    }, 15_000, 'the saved flows to load');
    await this.json('/flows', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Node-RED-API-Version': 'v2', 'Node-RED-Deployment-Type': 'full' },
      body: JSON.stringify({ rev, flows }),
    });
  }
}

/** Polls `check` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function until<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
