import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type FlowNode = Record<string, unknown> & { id: string; type: string };

/** One config node kept for all examples (dashboards share one base and theme; one account per cloud). */
const SHARED_TYPES = new Set(['qivivo-account', 'veolia-account', 'ui-base', 'ui-theme', 'global-config']);

export interface DemoAccounts {
  /** Replaces every qivivo-account of the examples. */
  qivivo?: FlowNode;
  /** Replaces every veolia-account of the examples. */
  veolia?: FlowNode;
}

export function readExamples(dir: string): Array<{ name: string; flow: FlowNode[] }> {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ name: file.replace(/\.json$/, ''), flow: JSON.parse(readFileSync(join(dir, file), 'utf8')) as FlowNode[] }));
}

/**
 * All examples as one set of flows: ids made unique per example, one shared config node per
 * shared type, the accounts replaced by the given ones (pointing at the emulators).
 */
export function mergeExamples(examples: Array<{ name: string; flow: FlowNode[] }>, accounts: DemoAccounts): FlowNode[] {
  const merged: FlowNode[] = [];
  const shared = new Map<string, string>();
  if (accounts.qivivo) {
    merged.push(accounts.qivivo);
    shared.set('qivivo-account', accounts.qivivo.id);
  }
  if (accounts.veolia) {
    merged.push(accounts.veolia);
    shared.set('veolia-account', accounts.veolia.id);
  }
  examples.forEach(({ flow }, index) => {
    const rename = new Map<string, string>();
    for (const node of flow) {
      const sharedId = SHARED_TYPES.has(node.type) ? shared.get(node.type) : undefined;
      if (sharedId) rename.set(node.id, sharedId);
      else if (SHARED_TYPES.has(node.type)) {
        shared.set(node.type, `x${index}-${node.id}`);
        rename.set(node.id, `x${index}-${node.id}`);
      } else rename.set(node.id, `x${index}-${node.id}`);
    }
    for (const node of flow) {
      if (SHARED_TYPES.has(node.type) && rename.get(node.id) !== `x${index}-${node.id}`) continue;
      merged.push(renameIds(node, rename) as FlowNode);
    }
  });
  return merged;
}

function renameIds(value: unknown, rename: Map<string, string>): unknown {
  if (typeof value === 'string') return rename.get(value) ?? value;
  if (Array.isArray(value)) return value.map((v) => renameIds(v, rename));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'info' || k === 'name' ? v : renameIds(v, rename)]));
  }
  return value;
}
