import assert from 'node:assert/strict';
import { VeoliaEmulator } from '../../src/emulator/veolia';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeRedRuntime, until } from '../../scripts/shared/node-red-runtime';

describe('e2e: water days survive redeploys and restarts', function () {
  this.timeout(60_000);
  const emulator = new VeoliaEmulator();
  const userDir = mkdtempSync(join(tmpdir(), 'nr-water-'));
  // The node keeps its ledger in the default (persistent) store; the test counts in memory.
  const settings = { contextStorage: { default: { module: 'localfilesystem', config: { flushInterval: 0 } }, counting: { module: 'memory' } } };

  before(() => emulator.start());
  after(async () => {
    await emulator.stop();
    rmSync(userDir, { recursive: true, force: true });
  });

  /** The water node's days reach the runtime's HTTP endpoint through an http-request node. */
  const flows = (marker: string) => [
    { id: 'tab1', type: 'tab', label: 'Water' },
    { id: 'vacct', type: 'veolia-account', portal: 'custom', apiUrl: emulator.url, authUrl: `${emulator.url}/`, clientId: '3kghade1fg54739kj8pkbova8j', credentials: { username: 'demo@example.com', password: 'demo-password' } },
    { id: 'w1', type: 'veolia-water-consumption', z: 'tab1', name: marker, account: 'vacct', contract: '', syncTime: '07:00', historyDays: 5, output: 'days', wires: [['count'], []] },
    { id: 'count', type: 'function', z: 'tab1', func: 'const n = global.get("days", "counting") || []; n.push(msg.payload.date); global.set("days", n, "counting"); return null;', outputs: 1, wires: [[]] },
    { id: 'hin', type: 'http in', z: 'tab1', url: '/days', method: 'get', wires: [['hfn']] },
    { id: 'hfn', type: 'function', z: 'tab1', func: 'msg.payload = global.get("days", "counting") || []; return msg;', outputs: 1, wires: [['hout']] },
    { id: 'hout', type: 'http response', z: 'tab1', wires: [] },
  ];

  async function days(runtime: NodeRedRuntime): Promise<string[]> {
    const response = await fetch(`${runtime.url}/api/days`);
    return response.ok ? ((await response.json()) as string[]) : [];
  }

  it('emits each day once across a redeploy and a Node-RED restart', async () => {
    let runtime = new NodeRedRuntime({ settings, userDir });
    await runtime.start();
    await runtime.deploy(flows('first'));
    const first = await until(async () => ((await days(runtime)).length >= 4 ? days(runtime) : undefined), 10_000, 'the backfill');
    assert.equal(new Set(first).size, first.length);
    await runtime.deploy(flows('second'));
    await new Promise((r) => setTimeout(r, 2500));
    assert.deepEqual(await days(runtime), first, 'nothing re-emitted after a redeploy');
    await runtime.stop();

    runtime = new NodeRedRuntime({ settings, userDir });
    await runtime.start();
    await until(async () => ((await fetch(`${runtime.url}/api/days`)).ok ? true : undefined), 10_000, 'the restarted flows');
    await new Promise((r) => setTimeout(r, 2500));
    const requests = emulator.server.log.length;
    assert.deepEqual(await days(runtime), [], 'nothing re-emitted after a restart');
    assert.equal(emulator.server.log.length, requests, 'and no backfill was fetched');
    await runtime.stop();
  });
});
