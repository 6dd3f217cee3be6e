import { join } from 'node:path';
import { ComapEmulator, DEMO_PASSWORD, DEMO_USERNAME } from '../../src/emulator/comap';
import type { NewUser } from '../../src/emulator/comap';
import type { SentCode } from '../../src/emulator/cognito';
import { DEMO_PASSWORD as VEOLIA_PASSWORD, DEMO_USERNAME as VEOLIA_USERNAME, VeoliaEmulator } from '../../src/emulator/veolia';
import { FlowNode, mergeExamples, readExamples } from './demo-flows';
import { withUserFlows } from './demo-keep';
import { NodeRedRuntime, PACKAGE_ROOT, RuntimeOptions } from './node-red-runtime';

export const DEMO_COMAP_CLIENT_ID = '56jcvrtejpracljtirq7qnob44';
export const DEMO_VEOLIA_CLIENT_ID = '3kghade1fg54739kj8pkbova8j';
/** Flow tabs a newcomer sees first in the editor; the other examples follow by name. */
const FIRST_EXAMPLES = ['Heating dashboard', 'Water dashboard', 'Alert when a command fails'];

export interface DemoOptions {
  /** Node-RED runtime options (port, userDir, settings). */
  runtime?: RuntimeOptions;
  comapPort?: number;
  veoliaPort?: number;
  /** Minutes between two polls of the Qivivo account (the examples use 15). */
  pollInterval?: number;
  /** Days Veolia lags behind at start; each `advanceDay()` publishes one more day. */
  publicationDelayDays?: number;
  /** Seconds between two "sync now" messages to each water node (0 = none, the daily sync only). */
  waterSyncSeconds?: number;
  /** The demo Veolia user's logins ask for this code challenge (EMAIL_OTP, SMS_MFA). */
  veoliaChallenge?: string;
  /** Told of each code the Veolia emulator "sends". */
  onVeoliaCode?: (sent: SentCode) => void;
  /**
   * The Veolia emulator's calendar starts this many days behind the clock, with days published
   * up to its yesterday; `veolia.state.catchUpDay()` publishes one more until it is caught up
   * (the water nodes' history and the charts are widened by as many days to show them).
   */
  waterLagDays?: number;
  /** More Comap emulator users (e.g. one whose only housing is the second one). */
  comapUsers?: NewUser[];
  /** The demo's Qivivo account logs in as this user (default demo@example.com). */
  qivivoLogin?: { username: string; password: string };
  /** A user's own nodes (tabs, nodes, config nodes) deployed with the examples. */
  userFlows?: FlowNode[];
}

export interface Demo {
  comap: ComapEmulator;
  veolia: VeoliaEmulator;
  runtime: NodeRedRuntime;
  flows: FlowNode[];
  stop(): Promise<void>;
}

/** The demo's accounts: the examples' accounts pointed at the local emulators. */
export function demoAccounts(
  comap: ComapEmulator,
  veolia: VeoliaEmulator,
  pollInterval: number,
  qivivoLogin: { username: string; password: string } = { username: DEMO_USERNAME, password: DEMO_PASSWORD },
): { qivivo: FlowNode; veolia: FlowNode } {
  return {
    qivivo: {
      id: 'demo-qivivo-account',
      type: 'qivivo-account',
      name: 'Demo Qivivo (emulator)',
      pollInterval,
      apiUrl: comap.apiUrl,
      authUrl: comap.authUrl,
      clientId: DEMO_COMAP_CLIENT_ID,
      credentials: { ...qivivoLogin },
    },
    veolia: {
      id: 'demo-veolia-account',
      type: 'veolia-account',
      name: 'Demo Veolia (emulator)',
      portal: 'custom',
      apiUrl: veolia.url,
      authUrl: `${veolia.url}/`,
      clientId: DEMO_VEOLIA_CLIENT_ID,
      credentials: { username: VEOLIA_USERNAME, password: VEOLIA_PASSWORD },
    },
  };
}

/**
 * Water nodes sync once a day; in the demo an inject asks each of them for a sync every
 * `seconds`, so the days the emulator publishes reach the dashboard while one watches.
 */
export function addWaterSync(flows: FlowNode[], seconds: number): FlowNode[] {
  const extra: FlowNode[] = [];
  for (const node of flows) {
    if (node.type !== 'veolia-water-consumption') continue;
    const x = typeof node.x === 'number' ? node.x : 200;
    const y = typeof node.y === 'number' ? node.y : 100;
    extra.push({
      id: `${node.id}-demo-sync`,
      type: 'inject',
      z: node.z,
      name: `demo: sync every ${seconds} s`,
      props: [{ p: 'payload' }, { p: 'topic', vt: 'str' }],
      repeat: String(seconds),
      crontab: '',
      once: false,
      onceDelay: 0.1,
      topic: 'demo-sync',
      payload: '',
      payloadType: 'date',
      x: Math.max(120, x - 200),
      y: y + 60,
      wires: [[node.id]],
    });
  }
  return [...flows, ...extra];
}

/**
 * A water calendar that starts `days` behind the clock: each water node fetches as many more days
 * of history, and each chart of days keeps as many more, so the first page is as full as usual.
 */
export function widenWaterHistory(flows: FlowNode[], days: number): FlowNode[] {
  if (!days) return flows;
  return flows.map((node) => {
    if (node.type === 'veolia-water-consumption') return { ...node, historyDays: Number(node.historyDays ?? 30) + days };
    if (node.type === 'ui-chart' && String(node.removeOlderUnit) === '86400') return { ...node, removeOlder: Number(node.removeOlder) + days };
    return node;
  });
}

/**
 * Both cloud emulators, then a real Node-RED with this package, Dashboard 2 and every example
 * flow deployed against the emulators. Shared by `npm start` and the browser tests, so that the
 * tests check what a newcomer sees.
 */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const comap = new ComapEmulator({ users: options.comapUsers });
  const lagDays = options.waterLagDays ?? 0;
  const veolia = new VeoliaEmulator({ publicationDelayDays: options.publicationDelayDays ?? (lagDays ? 1 : 7), lagDays });
  if (options.veoliaChallenge) veolia.requireCode(VEOLIA_USERNAME, options.veoliaChallenge);
  veolia.cognito.onCodeSent = options.onVeoliaCode;
  // A household on monthly payments with a small balance, so the water pages show a bill.
  veolia.state.setPaymentPlan({ amount: 38 });
  veolia.state.setBalance(12.4);
  // Node endpoints at the root, as in a standard install: the dashboard is at /dashboard.
  const runtime = new NodeRedRuntime({ ...options.runtime, httpNodeRoot: '/' });
  const started: Array<() => Promise<void>> = [];
  const stop = async (): Promise<void> => {
    for (const close of started.reverse()) await close().catch(() => undefined);
    started.length = 0;
  };
  try {
    await comap.start(options.comapPort ?? 0);
    started.push(() => comap.stop());
    await veolia.start(options.veoliaPort ?? 0);
    started.push(() => veolia.stop());
    await runtime.start();
    started.push(() => runtime.stop());
    const rank = (name: string): number => (FIRST_EXAMPLES.includes(name) ? FIRST_EXAMPLES.indexOf(name) : FIRST_EXAMPLES.length);
    const examples = readExamples(join(PACKAGE_ROOT, 'examples')).sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
    const merged = widenWaterHistory(mergeExamples(examples, demoAccounts(comap, veolia, options.pollInterval ?? 1, options.qivivoLogin)), lagDays);
    const flows = withUserFlows(options.waterSyncSeconds ? addWaterSync(merged, options.waterSyncSeconds) : merged, options.userFlows ?? []);
    await runtime.deploy(flows);
    return { comap, veolia, runtime, flows, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
