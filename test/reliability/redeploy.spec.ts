import assert from 'node:assert/strict';
import { measureRedeploys, RedeployFigures } from '../../scripts/bench/redeploy';
import { NodeRedRuntime, until } from '../../scripts/shared/node-red-runtime';
import { ComapEmulator } from '../../src/emulator/comap';

/**
 * product-spec §4 (close/redeploy: timers and listeners released, no request after close) and
 * §6 (heap growth after 200 redeploys of a flow with every node ≤ 5 MB), in a real Node-RED
 * runtime loading the built package (npm run build first; npm test does).
 */
describe('reliability: 200 full redeploys of a flow with every node type', function () {
  this.timeout(180_000);
  let figures: RedeployFigures;

  before(async () => {
    figures = await measureRedeploys({ deploys: Number(process.env.REDEPLOYS ?? 200) });
    const { requestsAfterCloseDetail, timerOrigins, logged, ...summary } = figures;
    console.log(`      redeploy figures: ${JSON.stringify(summary)}`);
    if (requestsAfterCloseDetail.length) console.log(`      requests after close: ${requestsAfterCloseDetail.join('; ')}`);
    if (timerOrigins.length) console.log(`      timers left: ${timerOrigins.join('; ')}`);
    for (const [line, count] of Object.entries(logged)) console.log(`      logged ${count}×: ${line}`);
  });

  it('really ran the nodes against both emulators', () => {
    assert.equal(figures.deploys, Number(process.env.REDEPLOYS ?? 200));
    assert.ok(figures.requestsDuring >= figures.deploys, `only ${figures.requestsDuring} requests in ${figures.deploys} deploys`);
    assert.ok(figures.timersDeployedBefore > 0, 'the running flow has timers of its own (poll, daily schedule)');
  });

  it('keeps heap growth within 5 MB', () => {
    assert.ok(figures.heapGrowthMB <= 5, `heap grew by ${figures.heapGrowthMB} MB`);
  });

  it('leaves no more active handles than before', () => {
    assert.ok(
      figures.handlesAfter <= figures.handlesBefore,
      `handles ${JSON.stringify(figures.handleTypesBefore)} → ${JSON.stringify(figures.handleTypesAfter)}`,
    );
  });

  it("releases every timer of the package's code on close", () => {
    assert.deepEqual(figures.timerOrigins, []);
    assert.ok(figures.timersDeployedAfter <= figures.timersDeployedBefore + 1, `${figures.timersDeployedBefore} → ${figures.timersDeployedAfter} timers with the flow running`);
  });

  it('sends no request once the flow is closed, even with requests in flight', () => {
    assert.deepEqual(figures.requestsAfterCloseDetail, []);
    assert.equal(figures.requestsAfterClose, 0);
  });
});

describe('reliability: a command under way when the flow is redeployed', function () {
  this.timeout(60_000);
  const emulator = new ComapEmulator();
  const runtime = new NodeRedRuntime();

  before(async () => {
    await emulator.start();
    await runtime.start();
  });
  after(async () => {
    await runtime.stop();
    await emulator.stop();
  });

  const flow = (name: string, inject: boolean) => [
    { id: 'tabC', type: 'tab', label: 'Command' },
    { id: 'acct', type: 'qivivo-account', name, pollInterval: 0, apiUrl: emulator.apiUrl, authUrl: emulator.authUrl, clientId: '56jcvrtejpracljtirq7qnob44', credentials: { username: 'demo@example.com', password: 'demo-password' } },
    { id: 'set', type: 'qivivo-set-temperature', z: 'tabC', name, account: 'acct', housing: '', duration: 60, debounce: 0, retries: 1, retryDelay: 90, wires: [[], []] },
    ...(inject
      ? [{ id: 'inj', type: 'inject', z: 'tabC', once: true, onceDelay: 0.1, payload: '21.5', payloadType: 'num', topic: '', props: [{ p: 'payload' }], wires: [['set']] }]
      : []),
  ];

  it('is completed once while the old flow closes, and nothing is sent afterwards', async () => {
    emulator.server.faults.latencyMs = 200;
    await runtime.deploy(flow('first', true));
    // Redeployed while the command looks the housing up: its write has not been sent yet.
    await until(() => (emulator.server.requests('/park/housings').length > 0 ? true : undefined), 5000, 'the command under way');
    assert.equal(emulator.state.writes.length, 0);
    await runtime.deploy(flow('second', false));
    const closed = emulator.server.log.length;
    assert.deepEqual(emulator.state.writes.map((w) => w.body), [{ duration: 60, set_point: { instruction: 21.5 } }]);
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual(emulator.server.log.slice(closed).map((r) => `${r.method} ${r.path}`), []);
    assert.equal(emulator.state.writes.length, 1);
    assert.deepEqual(runtime.logs.filter((l) => l.level === 'error'), []);
  });
});
