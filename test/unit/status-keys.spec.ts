import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Node, NodeStatus } from 'node-red';
import { ORDERS } from '../../src/lib/comap/orders';
import { ApiError, ErrorCode } from '../../src/lib/http/errors';
import { StatusReporter } from '../../src/nodes/shared/status';

// The editor translates a status text that starts with a letter through the node's catalog
// (node._(text), no interpolation): every key a node can show must be in en-US and fr, and texts
// that are not keys must hold no words. The test runtime loads no catalog, hence this scan.
const NODES = join(__dirname, '..', '..', 'src', 'nodes');
const KEY_RE = /^(shared|qivivo-[a-z-]+|veolia-[a-z-]+)\.[A-Za-z0-9_.-]+$/;
const LANGS = ['en-US', 'fr'];
const CODES: Record<ErrorCode, true> = {
  INVALID_INPUT: true,
  AUTH_FAILED: true,
  AUTH_CHALLENGE: true,
  NOT_FOUND: true,
  RATE_LIMITED: true,
  TIMEOUT: true,
  UNAVAILABLE: true,
  PROTOCOL: true,
  NOT_CONFIRMED: true,
  EXPIRED: true,
};
/** Values of the `${…}` part of the status keys built in the nodes (a new one must be listed here). */
const TEMPLATE_VALUES: Record<string, readonly string[]> = {
  'qivivo-zone-order.status.order.${result.order}': ORDERS.map((o) => String(o.number)),
  'qivivo-house-mode.status.${result.mode}': ['away', 'home', 'cancel-holiday', 'heating-off', 'heating-on'],
  'veolia-water-consumption.reason.${unusual.reason}': ['while-away', 'above-threshold', 'above-usual'],
};

function catalog(type: string, lang: string): Record<string, unknown> {
  const dir = type === 'shared' ? join(NODES, 'shared', 'locales', lang, 'shared.json') : join(NODES, type, 'locales', lang, `${type}.json`);
  return JSON.parse(readFileSync(dir, 'utf8')) as Record<string, unknown>;
}

function lookup(tree: Record<string, unknown>, key: string): unknown {
  return key.split('.').reduce<unknown>((at, part) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[part] : undefined), tree);
}

/** The node types whose catalog holds `key`: a shared key is merged into every node's catalog (scripts/build.mjs). */
function missing(key: string): string[] {
  const owner = key.split('.')[0];
  return LANGS.flatMap((lang) => {
    const text = lookup(catalog(owner, lang), key);
    if (typeof text !== 'string' || text.trim() === '') return [`${lang}: ${key} missing`];
    if (/__\w+__/.test(text)) return [`${lang}: ${key} has a parameter the editor cannot fill (${text})`];
    return [];
  });
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? (e.name === 'locales' ? [] : sources(join(dir, e.name))) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('status texts reach the browser in its language', () => {
  it('StatusReporter shows catalog keys (en-US and fr) or texts without words', () => {
    const shown: NodeStatus[] = [];
    const status = new StatusReporter({ status: (s: NodeStatus) => shown.push(s) } as unknown as Node);
    status.busy();
    status.retrying(1, 3);
    status.paused();
    status.unconfigured();
    for (const code of Object.keys(CODES) as ErrorCode[]) {
      status.error(new ApiError(code, 'x'));
      status.outage(new ApiError(code, 'x'), new Date(2026, 0, 5, 7, 3));
    }
    for (const challenge of ['EMAIL_OTP', 'SMS_MFA', 'CUSTOM_CHALLENGE']) status.error(new ApiError('AUTH_CHALLENGE', 'x', { challenge }));
    const texts = shown.map((s) => String(s.text));
    const keys = texts.filter((t) => KEY_RE.test(t));
    assert.ok(keys.includes('shared.status.code.email') && keys.includes('shared.errors.AUTH_FAILED'), keys.join(', '));
    assert.deepEqual(keys.flatMap(missing), []);
    const others = texts.filter((t) => !KEY_RE.test(t));
    assert.ok(others.includes('↻ 1/3') && others.includes('UNAVAILABLE · 07:03'), others.join(', '));
    assert.deepEqual(
      others.filter((t) => /[a-zà-ÿ]{3,}/.test(t)),
      [],
      'no lower-case word outside the catalogs',
    );
  });

  it('every status key written in the nodes is in en-US and fr, without parameters', () => {
    const found = new Set<string>();
    for (const file of sources(NODES)) {
      const code = readFileSync(file, 'utf8');
      for (const m of code.matchAll(/['`]((?:shared|qivivo-[a-z-]+|veolia-[a-z-]+)\.(?:status|reason)\.[A-Za-z0-9_.${}-]+)['`]/g)) found.add(m[1]);
    }
    const keys = [...found].flatMap((key) => {
      if (!key.includes('${')) return [key];
      const values = TEMPLATE_VALUES[key];
      assert.ok(values, `the values of ${key} are listed in TEMPLATE_VALUES`);
      return values.map((v) => key.replace(/\$\{[^}]+\}/, v));
    });
    assert.ok(keys.includes('qivivo-zone-order.status.order.5') && keys.includes('shared.status.synced'), keys.join(', '));
    assert.deepEqual(keys.flatMap(missing), []);
  });
});
