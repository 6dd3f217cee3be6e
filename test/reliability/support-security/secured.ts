import { execFileSync } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { ClientRequest } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CognitoEmulator } from '../../../src/emulator/cognito';
import type { NodeRedRuntime } from '../../../scripts/shared/node-red-runtime';

/**
 * Helpers of the security spec: the admin API behind adminAuth, what the emulators' Cognito
 * issued, cookies set by the emulators, a watch on every outgoing connection, a self-signed
 * certificate, and the runtime's whole log.
 */

/** bcrypt, as Node-RED ships it (adminAuth passwords are bcrypt hashes). */
export function bcryptHash(password: string): string {
  const bcryptPath = require.resolve('bcryptjs', { paths: [dirname(require.resolve('node-red/package.json'))] });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const bcrypt = require(bcryptPath) as { hashSync(password: string, rounds: number): string };
  return bcrypt.hashSync(password, 8);
}

/** A bearer token from Node-RED's own token endpoint (the editor's login). */
export async function adminToken(runtime: NodeRedRuntime, username: string, password: string, scope = '*'): Promise<string> {
  const response = await runtime.api('/auth/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ client_id: 'node-red-admin', grant_type: 'password', scope, username, password }),
  });
  if (!response.ok) throw new Error(`login ${username}: HTTP ${response.status}`);
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`login ${username}: no token`);
  return body.access_token;
}

export function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

/** Full deploy through the admin API with a bearer token (NodeRedRuntime.deploy has none). */
export async function deployWithToken(runtime: NodeRedRuntime, token: string, flows: unknown[]): Promise<void> {
  const headers = { ...bearer(token), 'Node-RED-API-Version': 'v2' };
  const { rev } = await runtime.json<{ rev: string }>('/flows', { headers });
  await runtime.json('/flows', {
    method: 'POST',
    headers: { ...headers, 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
    body: JSON.stringify({ rev, flows }),
  });
}

interface AuthAnswer {
  AuthenticationResult?: { AccessToken?: unknown; RefreshToken?: unknown; IdToken?: unknown };
}

/**
 * Records every token the emulator's Cognito hands out and, on each successful login, sets a
 * cookie named `cookieName` with a fresh value (the emulators set none of their own).
 */
export function watchCognito(cognito: CognitoEmulator, cookieName: string): { tokens: Set<string>; cookies: Set<string>; sessions: Set<string> } {
  const tokens = new Set<string>();
  const cookies = new Set<string>();
  // Challenge Sessions (a login waiting for its code): as secret as a token.
  const sessions = new Set<string>();
  const original = cognito.handle.bind(cognito);
  cognito.handle = (req) => {
    const answer = original(req);
    const session = (answer.body as { Session?: unknown } | undefined)?.Session;
    if (typeof session === 'string') sessions.add(session);
    const result = (answer.body as AuthAnswer | undefined)?.AuthenticationResult;
    if (result) {
      for (const value of [result.AccessToken, result.RefreshToken, result.IdToken]) if (typeof value === 'string') tokens.add(value);
      const cookie = `${cookieName}=${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
      cookies.add(cookie);
      return { ...answer, headers: { ...answer.headers, 'Set-Cookie': `${cookie}; Path=/; HttpOnly` } };
    }
    return answer;
  };
  return { tokens, cookies, sessions };
}

export interface Connection {
  channel: 'http' | 'net';
  host: string;
}

/** Every HTTP request and socket this process opens, from the moment it is created. */
export class ConnectionWatch {
  readonly seen: Connection[] = [];
  private readonly onRequest = (message: unknown): void => {
    const request = (message as { request: ClientRequest & { host?: string } }).request;
    this.seen.push({ channel: 'http', host: String(request.host ?? request.getHeader('host') ?? '') });
  };
  private readonly onSocket = (message: unknown): void => {
    const socket = (message as { socket: Socket }).socket;
    // Published before the socket connects: its address is known at lookup, connect or error.
    const entry: Connection = { channel: 'net', host: '(unknown)' };
    this.seen.push(entry);
    socket.once('lookup', (_err: Error | null, address: string) => (entry.host = address));
    socket.once('connect', () => (entry.host = socket.remoteAddress ?? entry.host));
    socket.once('error', (err: Error & { address?: string }) => (entry.host = err.address ?? entry.host));
  };

  start(): this {
    subscribe('http.client.request.start', this.onRequest);
    subscribe('net.client.socket', this.onSocket);
    return this;
  }

  stop(): void {
    unsubscribe('http.client.request.start', this.onRequest);
    unsubscribe('net.client.socket', this.onSocket);
  }

  /** Connections to anything but this machine. */
  remote(): Connection[] {
    return this.seen.filter((c) => !isLoopback(c.host));
  }
}

export function isLoopback(host: string): boolean {
  const name = host.replace(/^\[|\]$/g, '').replace(/:\d+$/, '');
  return name === 'localhost' || name === '::1' || name === '::ffff:127.0.0.1' || /^127(\.\d{1,3}){3}$/.test(name);
}

/** A self-signed certificate for 127.0.0.1 made with openssl (Debian ships it). */
export function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tls-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface LogEntry {
  level: number;
  type?: string;
  id?: string;
  msg?: unknown;
  [key: string]: unknown;
}

/** Everything the runtime logs, at every level, audit events included, as text. */
export class LogCapture {
  readonly lines: string[] = [];

  /** The `logging` entry of Node-RED's settings that feeds this capture. */
  settings(): Record<string, unknown> {
    return {
      console: { level: 'off' },
      capture: { level: 'trace', metrics: false, audit: true, handler: () => (entry: LogEntry) => this.lines.push(format(entry)) },
    };
  }
}

function format(entry: LogEntry): string {
  const { msg, ...rest } = entry;
  const text = msg instanceof Error ? `${msg.message}\n${msg.stack ?? ''}` : typeof msg === 'string' ? msg : safeJson(msg);
  return `${safeJson(rest)} ${text}`;
}

/**
 * The values of `wanted` (value → what it is) that `text` holds as a whole token: not inside a
 * longer number, word or fraction, so that a short synthetic value (`00000`) is not found in a
 * timestamp. A number is found as well written bare as quoted.
 */
export function tokensIn(text: string, wanted: Map<string, string>): string[] {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return [...wanted].filter(([value]) => new RegExp(`(?<![\\w.])${escape(value)}(?![\\w]|\\.\\d)`).test(text)).map(([value, what]) => `${what} (${value})`);
}

export function safeJson(value: unknown): string {
  const seen = new WeakSet<object>();
  return (
    JSON.stringify(value, (_key, item: unknown) => {
      if (typeof item === 'bigint') return item.toString();
      if (item && typeof item === 'object') {
        if (seen.has(item)) return '[circular]';
        seen.add(item);
      }
      return item;
    }) ?? String(value)
  );
}
