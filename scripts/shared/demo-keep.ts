import type { FlowNode } from './demo-flows';

/** Ids the demo gives the nodes it deploys: merged examples (`x<n>-…`), its accounts, its sync injects. */
export function isDemoNode(node: FlowNode): boolean {
  return /^x\d+-/.test(node.id) || node.id === 'demo-qivivo-account' || node.id === 'demo-veolia-account' || node.id.endsWith('-demo-sync');
}

/**
 * What a user added to the demo's flows: every node the demo did not deploy itself (own tabs,
 * own nodes, own config nodes). The example tabs are deployed afresh at each start.
 */
export function userFlows(previous: readonly FlowNode[]): FlowNode[] {
  return previous.filter((node) => !isDemoNode(node));
}

/**
 * The demo's flows with the user's own nodes added; a user node left on a tab that no longer
 * exists is dropped (the runtime would refuse it).
 */
export function withUserFlows(demo: readonly FlowNode[], user: readonly FlowNode[]): FlowNode[] {
  const ids = new Set(demo.map((n) => n.id));
  const kept = user.filter((n) => !ids.has(n.id));
  const containers = new Set([...demo, ...kept].filter((n) => n.type === 'tab' || n.type === 'subflow').map((n) => n.id));
  return [...demo, ...kept.filter((n) => typeof n.z !== 'string' || n.z === '' || containers.has(n.z))];
}
