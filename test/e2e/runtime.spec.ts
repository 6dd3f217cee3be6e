import assert from 'node:assert/strict';
import { ComapEmulator, COMAP_IDS } from '../../src/emulator/comap';
import { NodeRedRuntime, until } from '../../scripts/shared/node-red-runtime';
import { DECLARED_TYPES } from './support/editor';


describe('e2e: the package in a real Node-RED runtime', function () {
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
  beforeEach(() => emulator.reset());

  const flows = (extra: unknown[] = []) => [
    { id: 'tab1', type: 'tab', label: 'Heating' },
    { id: 'acct', type: 'qivivo-account', name: 'home', pollInterval: 0, apiUrl: emulator.apiUrl, authUrl: emulator.authUrl, clientId: '56jcvrtejpracljtirq7qnob44', credentials: { username: 'demo@example.com', password: 'demo-password' } },
    ...extra,
  ];

  it('loads every node type of the package', async () => {
    const sets = await runtime.json<Array<{ module: string; types: string[]; enabled: boolean; err?: string }>>('/nodes');
    const ours = sets.filter((s) => s.module === '@domotique/node-red-qivivo-veolia');
    assert.ok(ours.length > 0, 'module listed');
    for (const set of ours) assert.equal(set.err, undefined, `${set.types.join()} failed: ${set.err}`);
    const types = ours.flatMap((s) => s.types);
    assert.deepEqual([...types].sort(), [...DECLARED_TYPES].sort(), `the ${DECLARED_TYPES.length} node types of package.json`);
  });

  it('runs a deployed flow against the emulator and keeps credentials out of /flows', async () => {
    await runtime.deploy(
      flows([
        { id: 'inj', type: 'inject', z: 'tab1', once: true, onceDelay: 0.1, payload: '21', payloadType: 'num', topic: '', props: [{ p: 'payload' }], wires: [['set']] },
        { id: 'set', type: 'qivivo-set-temperature', z: 'tab1', account: 'acct', housing: '', duration: 90, debounce: 0, retries: 1, retryDelay: 90, wires: [[], []] },
      ]),
    );
    await until(() => (emulator.state.writes.length ? true : undefined), 5000, 'the setpoint write');
    assert.deepEqual(emulator.state.writes.map((w) => w.body), [{ duration: 90, set_point: { instruction: 21 } }]);
    const saved = JSON.stringify(await runtime.json('/flows'));
    assert.ok(!saved.includes('demo-password') && !saved.includes('demo@example.com'), 'no credentials in /flows');
  });

  it('answers the editor dropdown endpoints from the deployed account', async () => {
    await runtime.deploy(flows([{ id: 'th', type: 'qivivo-thermostat-in', z: 'tab1', account: 'acct', housing: '', output: 'state', wires: [[], []] }]));
    const housings = await until(async () => {
      const response = await runtime.api('/qivivo-account/acct/housings');
      return response.ok ? ((await response.json()) as Array<{ id: string; name: string }>) : undefined;
    }, 5000, 'the deployed account');
    assert.deepEqual(housings.map((h) => h.name), ['Maison', 'Chalet']);
    const zones = await runtime.json<Array<{ id: string; kind: string }>>(`/qivivo-account/acct/housings/${COMAP_IDS.maison}/zones`);
    assert.deepEqual(zones.map((z) => z.kind), ['thermostat', 'pilot-wire', 'pilot-wire']);
    const programs = await runtime.json<Array<{ name: string }>>('/qivivo-account/acct/housings/_/programs');
    assert.deepEqual(programs.map((p) => p.name), ['Semaine', 'Vacances']);
    const missing = await runtime.api('/qivivo-account/nope/housings');
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { code: string }).code, 'NOT_DEPLOYED');
    assert.ok(!JSON.stringify(housings).includes('demo'));
  });
});
