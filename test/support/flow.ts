import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import helper from 'node-red-node-test-helper';
import type { Node, NodeInitializer } from 'node-red';
import accountNode from '../../src/nodes/qivivo-account/qivivo-account';
import thermostatNode from '../../src/nodes/qivivo-thermostat-in/qivivo-thermostat-in';
import zoneOrderNode from '../../src/nodes/qivivo-zone-order/qivivo-zone-order';
import setTemperatureNode from '../../src/nodes/qivivo-set-temperature/qivivo-set-temperature';
import programNode from '../../src/nodes/qivivo-program/qivivo-program';
import houseModeNode from '../../src/nodes/qivivo-house-mode/qivivo-house-mode';
import presetsNode from '../../src/nodes/qivivo-presets/qivivo-presets';
import { clearNodeMemory } from '../../src/nodes/shared/node-memory';
import veoliaAccountNode from '../../src/nodes/veolia-account/veolia-account';
import waterNode from '../../src/nodes/veolia-water-consumption/veolia-water-consumption';
import alertsNode from '../../src/nodes/veolia-alerts/veolia-alerts';
import { ComapEmulator } from '../../src/emulator/comap';

// NODE_RED_PATH runs the same tests against another Node-RED (the compatibility run uses 5.x).
const nodeRedPath = process.env.NODE_RED_PATH ?? require.resolve('node-red');
helper.init(nodeRedPath);

/** A core node of the Node-RED under test (catch, complete…), to see what users' flows would see. */
const requireFromNodeRed = createRequire(nodeRedPath);
function coreNode(file: string): NodeInitializer {
  return requireFromNodeRed(`@node-red/nodes/core/common/${file}`) as NodeInitializer;
}

export const QIVIVO_NODES = [accountNode, thermostatNode, zoneOrderNode, setTemperatureNode, programNode, presetsNode, houseModeNode];
export const CORE_NODES = [coreNode('25-catch.js'), coreNode('24-complete.js')];
export const ALL_NODES = [...QIVIVO_NODES, veoliaAccountNode, waterNode, alertsNode, ...CORE_NODES];
export const DEMO = { username: 'demo@example.com', password: 'demo-password' };

export type FlowNode = Record<string, unknown> & { id: string; type: string };

/** The account node pointing at the emulator, as the editor would save it. */
export function accountConfig(emulator: ComapEmulator, extra: Record<string, unknown> = {}): FlowNode {
  return { id: 'acct', type: 'qivivo-account', z: 'tab', name: 'home', pollInterval: 0, apiUrl: emulator.apiUrl, authUrl: emulator.authUrl, clientId: '56jcvrtejpracljtirq7qnob44', ...extra };
}

/** A flow with the account, the node under test wired to two helper nodes (out, err), and a tab. */
export function flowWith(emulator: ComapEmulator, node: FlowNode, accountExtra: Record<string, unknown> = {}): FlowNode[] {
  return [
    { id: 'tab', type: 'tab', label: 'test' },
    accountConfig(emulator, accountExtra),
    { z: 'tab', account: 'acct', housing: '', retries: 1, retryDelay: 90, wires: [['out'], ['err']], ...node },
    { id: 'out', type: 'helper', z: 'tab' },
    { id: 'err', type: 'helper', z: 'tab' },
  ];
}

export async function load(flow: FlowNode[], credentials: Record<string, unknown> = { acct: DEMO }): Promise<void> {
  // Each test is a fresh Node-RED: nothing kept from the previous one's nodes of the same id.
  clearNodeMemory();
  await helper.load(ALL_NODES, flow, credentials);
}

export function node(id: string): Node & { receive(msg: Record<string, unknown>): void } {
  return helper.getNode(id) as Node & { receive(msg: Record<string, unknown>): void };
}

function emitter(id: string): EventEmitter {
  return helper.getNode(id) as unknown as EventEmitter;
}

/** The next `count` messages arriving at a helper node. */
export function collect<T = Record<string, unknown>>(id: string, count: number, timeoutMs = 5000): Promise<T[]> {
  const received: T[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${id} got ${received.length}/${count} messages`)), timeoutMs);
    emitter(id).on('input', (msg: T) => {
      received.push(msg);
      if (received.length === count) {
        clearTimeout(timer);
        resolve(received);
      }
    });
  });
}

/** Messages arriving at `id` within `ms`, for "nothing was sent" checks. */
export async function during<T = Record<string, unknown>>(id: string, ms: number): Promise<T[]> {
  const received: T[] = [];
  emitter(id).on('input', (msg: T) => received.push(msg));
  await new Promise((r) => setTimeout(r, ms));
  return received;
}

/**
 * A new emulator for every test of the enclosing suite (`make` also stores it where the tests
 * read it); after each test the flow is unloaded first, then the emulator stopped.
 */
export function freshEmulatorEach(make: () => { start(): Promise<unknown>; stop(): Promise<void> }): void {
  let current: { stop(): Promise<void> } | undefined;
  beforeEach(async () => {
    const emulator = make();
    current = emulator;
    await emulator.start();
  });
  afterEach(async () => {
    await helper.unload();
    await current?.stop();
    current = undefined;
  });
}

export { helper };
