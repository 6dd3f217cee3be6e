import { EventEmitter } from 'node:events';
import helper from 'node-red-node-test-helper';
import type { Node } from 'node-red';

/** A real Node-RED runtime (the test helper's) loading the built package nodes, for measurements. */
helper.init(require.resolve('node-red'));

export type FlowNode = Record<string, unknown> & { id: string; type: string };
export type Receiver = Node & { receive(msg: Record<string, unknown>): void };

export async function loadFlow(nodeFiles: string[], flow: FlowNode[], credentials: Record<string, unknown>): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const modules = nodeFiles.map((file) => require(file) as { default: Parameters<typeof helper.load>[0] });
  await helper.load(modules.map((m) => m.default) as Parameters<typeof helper.load>[0], flow, credentials);
}

export function receiver(id: string): Receiver {
  return helper.getNode(id) as Receiver;
}

export function messages(id: string): unknown[] {
  const received: unknown[] = [];
  (helper.getNode(id) as unknown as EventEmitter).on('input', (msg: unknown) => received.push(msg));
  return received;
}

export async function unload(): Promise<void> {
  await helper.unload();
}

export async function stopRuntime(): Promise<void> {
  await Promise.resolve(helper.stopServer() as unknown).catch(() => undefined);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
