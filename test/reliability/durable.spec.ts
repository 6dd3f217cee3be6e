import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMAP_IDS, ComapEmulator, WriteRecord } from '../../src/emulator/comap';
import { NodeRedRuntime, PACKAGE_ROOT, until } from '../../scripts/shared/node-red-runtime';
import { helper, load, node } from '../support/flow';
import { comapAccount, CrashGuard, CREDENTIALS, flowOf, Outputs, realDelay } from './support/harness';

/**
 * Durable commands: a command waiting for its retry while the cloud is down (5xx) survives a
 * redeploy and a Node-RED restart (pending retries live in a persistent localfilesystem
 * context store), and is applied exactly once when the cloud is back. A newer command for the
 * same zone replaces a pending retry; commands to one zone run in arrival order.
 */

const { chambres } = COMAP_IDS.zones;
const TEMPORARY = `/zones/${chambres}/temporary-instruction`;

function postsTo(emulator: ComapEmulator): WriteRecord[] {
  return emulator.state.writes.filter((w) => w.method === 'POST' && w.path.endsWith(TEMPORARY));
}

function instructions(emulator: ComapEmulator): unknown[] {
  return postsTo(emulator).map((w) => (w.body as { set_point?: { instruction?: unknown } }).set_point?.instruction);
}

/** The runtime loads the package from dist/: build it when a source file is newer. */
function ensureBuilt(): void {
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((max, e) => {
      const path = join(dir, e.name);
      return Math.max(max, e.isDirectory() ? newest(path) : statSync(path).mtimeMs);
    }, 0);
  const built = join(PACKAGE_ROOT, 'dist', 'nodes', 'qivivo-zone-order', 'qivivo-zone-order.js');
  let builtAt: number;
  try {
    builtAt = statSync(built).mtimeMs;
  } catch {
    builtAt = 0;
  }
  if (builtAt < newest(join(PACKAGE_ROOT, 'src'))) execFileSync(process.execPath, [join(PACKAGE_ROOT, 'scripts', 'build.mjs')], { cwd: PACKAGE_ROOT, stdio: 'ignore' });
}

describe('durable commands', function () {
  this.timeout(90_000);
  const guard = new CrashGuard();
  before(() => guard.install());
  after(() => guard.uninstall());
  afterEach(() => assert.deepEqual(guard.take(), [], 'no unhandled rejection, no uncaught exception'));

  describe('in a real Node-RED runtime with a persistent context store', () => {
    const emulator = new ComapEmulator();
    let userDir = '';
    let runtime: NodeRedRuntime | undefined;
    const settings = {
      contextStorage: { default: { module: 'localfilesystem', config: { flushInterval: 0 } }, counting: { module: 'memory' } },
    };

    before(async () => {
      ensureBuilt();
      await emulator.start();
    });
    after(() => emulator.stop());
    beforeEach(() => {
      emulator.reset();
      userDir = mkdtempSync(join(tmpdir(), 'nr-durable-'));
    });
    afterEach(async () => {
      await runtime?.stop();
      runtime = undefined;
      rmSync(userDir, { recursive: true, force: true });
    });

    /** Commands come in over HTTP (GET /api/cmd?order=…); results and errors are counted in memory. */
    const flows = (marker: string): unknown[] => [
      { id: 'tab', type: 'tab', label: 'Durable' },
      {
        id: 'acct',
        type: 'qivivo-account',
        name: 'home',
        pollInterval: 0,
        apiUrl: emulator.apiUrl,
        authUrl: emulator.authUrl,
        clientId: '56jcvrtejpracljtirq7qnob44',
        credentials: { username: 'demo@example.com', password: 'demo-password' },
      },
      { id: 'hin', type: 'http in', z: 'tab', url: '/cmd', method: 'get', wires: [['fn']] },
      { id: 'fn', type: 'function', z: 'tab', func: 'msg.payload = msg.req.query.order; return msg;', outputs: 1, wires: [['z1', 'hres']] },
      { id: 'hres', type: 'http response', z: 'tab', wires: [] },
      { id: 'z1', type: 'qivivo-zone-order', z: 'tab', name: marker, account: 'acct', housing: '', zone: 'Chambres', duration: 120, retries: 10, retryDelay: 1, wires: [['ok'], ['ko']] },
      { id: 'ok', type: 'function', z: 'tab', func: 'const a = global.get("ok", "counting") || []; a.push(msg.payload.orderName); global.set("ok", a, "counting"); return null;', outputs: 1, wires: [[]] },
      { id: 'ko', type: 'function', z: 'tab', func: 'const a = global.get("ko", "counting") || []; a.push(msg.error.code); global.set("ko", a, "counting"); return null;', outputs: 1, wires: [[]] },
      { id: 'rin', type: 'http in', z: 'tab', url: '/results', method: 'get', wires: [['rfn']] },
      { id: 'rfn', type: 'function', z: 'tab', func: 'msg.payload = { ok: global.get("ok", "counting") || [], ko: global.get("ko", "counting") || [] }; return msg;', outputs: 1, wires: [['rres']] },
      { id: 'rres', type: 'http response', z: 'tab', wires: [] },
    ];

    async function started(): Promise<NodeRedRuntime> {
      const r = new NodeRedRuntime({ settings, userDir });
      await r.start();
      runtime = r;
      return r;
    }

    /** Deploys and waits until the flow answers over HTTP. */
    async function deploy(r: NodeRedRuntime, marker: string): Promise<void> {
      await r.deploy(flows(marker));
      await flowsRunning(r);
    }

    async function flowsRunning(r: NodeRedRuntime): Promise<void> {
      await until(async () => ((await fetch(`${r.url}/api/results`)).ok ? true : undefined), 15_000, 'the flows to run');
    }

    async function command(r: NodeRedRuntime, order: string): Promise<void> {
      const response = await fetch(`${r.url}/api/cmd?order=${encodeURIComponent(order)}`);
      assert.equal(response.status, 200);
    }

    async function results(r: NodeRedRuntime): Promise<{ ok: string[]; ko: string[] }> {
      return (await (await fetch(`${r.url}/api/results`)).json()) as { ok: string[]; ko: string[] };
    }

    /** The cloud refuses writes with 503 until `back()`. */
    function cloudDown(): void {
      emulator.server.faults.match = '/temporary-instruction';
      emulator.server.faults.status5xxCount = 1_000_000;
    }
    const back = (): void => emulator.server.resetFaults();
    const failedPosts = (): number => emulator.server.requests(TEMPORARY, 'POST').filter((r) => r.status === 503).length;

    /** The node's stored pending retries, as the localfilesystem store wrote them. */
    function storedPending(): string {
      const dir = join(userDir, 'context');
      const files: string[] = [];
      const walk = (d: string): void => {
        for (const e of readdirSync(d, { withFileTypes: true })) {
          if (e.isDirectory()) walk(join(d, e.name));
          else files.push(readFileSync(join(d, e.name), 'utf8'));
        }
      };
      walk(dir);
      return files.join('\n');
    }

    it('a command waiting for its retry survives a redeploy and is applied exactly once', async () => {
      const r = await started();
      await deploy(r, 'first');
      cloudDown();
      await command(r, 'eco');
      await until(() => (failedPosts() >= 1 ? true : undefined), 10_000, 'the first attempt');
      await deploy(r, 'second');
      const afterRedeploy = failedPosts();
      await until(() => (failedPosts() > afterRedeploy ? true : undefined), 10_000, 'a retry by the redeployed node');
      assert.deepEqual(postsTo(emulator), [], 'nothing applied while the cloud is down');
      back();
      await until(() => (postsTo(emulator).length >= 1 ? true : undefined), 10_000, 'the command applied');
      await realDelay(3000);
      assert.deepEqual(instructions(emulator), ['eco'], 'applied exactly once');
      assert.deepEqual(await results(r), { ok: ['Eco'], ko: [] }, 'one result, from the redeployed node');
    });

    it('a command waiting for its retry survives a Node-RED restart and is applied exactly once', async () => {
      let r = await started();
      await deploy(r, 'first');
      cloudDown();
      await command(r, 'hors-gel');
      await until(() => (failedPosts() >= 1 ? true : undefined), 10_000, 'the first attempt');
      await realDelay(300);
      assert.match(storedPending(), /frost_protection|hors-gel/i, 'the pending retry is in the persistent context store');
      await r.stop();
      runtime = undefined;
      const whileStopped = failedPosts();
      await realDelay(1500);
      assert.equal(failedPosts(), whileStopped, 'nothing sent while Node-RED is stopped');

      r = await started();
      await flowsRunning(r);
      await until(() => (failedPosts() > whileStopped ? true : undefined), 15_000, 'a retry after the restart');
      assert.deepEqual(postsTo(emulator), []);
      back();
      await until(() => (postsTo(emulator).length >= 1 ? true : undefined), 10_000, 'the command applied');
      await realDelay(3000);
      assert.deepEqual(instructions(emulator), ['frost_protection'], 'applied exactly once');
      assert.deepEqual(await results(r), { ok: ['Hors-Gel'], ko: [] }, 'its result goes out after the restart');
      assert.doesNotMatch(storedPending(), /frost_protection/, 'nothing left pending');
    });

    it('a newer command replaces a pending retry, across a redeploy: only the newer is applied', async () => {
      const r = await started();
      await deploy(r, 'first');
      cloudDown();
      await command(r, 'eco');
      await until(() => (failedPosts() >= 1 ? true : undefined), 10_000, 'the first attempt of eco');
      await deploy(r, 'second');
      await command(r, 'confort');
      const before = failedPosts();
      await until(() => (failedPosts() > before ? true : undefined), 10_000, 'an attempt of confort');
      back();
      await until(() => (postsTo(emulator).length >= 1 ? true : undefined), 10_000, 'a command applied');
      await realDelay(3000);
      assert.deepEqual(instructions(emulator), ['comfort'], 'only the newer command is applied, once');
      assert.deepEqual((await results(r)).ok, ['Confort']);
    });

    describe('a holiday (qivivo-house-mode, spec §7.1)', () => {
      const ABSENCE = '/thermal-control/absence';
      /** Holidays come in over HTTP (GET /api/holiday?to=…); results and error codes are counted in memory. */
      const holidayFlows = (): unknown[] => [
        ...flows('house-mode').filter((n) => !['z1', 'hin', 'fn', 'hres'].includes((n as { id: string }).id)),
        { id: 'hin2', type: 'http in', z: 'tab', url: '/holiday', method: 'get', wires: [['fn2']] },
        { id: 'fn2', type: 'function', z: 'tab', func: 'msg.payload = { mode: "holiday", to: msg.req.query.to }; return msg;', outputs: 1, wires: [['hm', 'hres2']] },
        { id: 'hres2', type: 'http response', z: 'tab', wires: [] },
        { id: 'hm', type: 'qivivo-house-mode', z: 'tab', name: 'house mode', account: 'acct', housing: '', retries: 10, retryDelay: 2, wires: [['hok'], ['ko']] },
        { id: 'hok', type: 'function', z: 'tab', func: 'const a = global.get("ok", "counting") || []; a.push(msg.payload.mode + " " + msg.payload.to); global.set("ok", a, "counting"); return null;', outputs: 1, wires: [[]] },
      ];
      const absencePosts = (): WriteRecord[] => emulator.state.writes.filter((w) => w.method === 'POST' && w.path.endsWith(ABSENCE));
      const failedAbsencePosts = (): number => emulator.server.requests(ABSENCE, 'POST').filter((r) => r.status === 503).length;

      async function ask(r: NodeRedRuntime, to: string): Promise<void> {
        const response = await fetch(`${r.url}/api/holiday?to=${encodeURIComponent(to)}`);
        assert.equal(response.status, 200);
      }

      /** Started, the holiday asked while the cloud refuses it, its first attempt failed, then Node-RED stopped. */
      async function askedThenStopped(to: string): Promise<number> {
        const r = await started();
        await r.deploy(holidayFlows());
        await flowsRunning(r);
        emulator.server.faults.match = ABSENCE;
        emulator.server.faults.status5xxCount = 1_000_000;
        await ask(r, to);
        await until(() => (failedAbsencePosts() >= 1 ? true : undefined), 10_000, 'the first attempt');
        await realDelay(300);
        assert.ok(storedPending().includes(to), 'the waiting holiday is in the persistent context store');
        await r.stop();
        runtime = undefined;
        return failedAbsencePosts();
      }

      it('a holiday waiting for its retry survives a Node-RED restart and is applied once, confirmed', async () => {
        const to = new Date(Date.now() + 7 * 86_400_000).toISOString();
        const whileStopped = await askedThenStopped(to);
        await realDelay(1000);
        assert.equal(failedAbsencePosts(), whileStopped, 'nothing sent while Node-RED is stopped');
        const r = await started();
        await flowsRunning(r);
        await until(() => (failedAbsencePosts() > whileStopped ? true : undefined), 15_000, 'a retry after the restart');
        back();
        await until(() => (absencePosts().length >= 1 ? true : undefined), 10_000, 'the holiday applied');
        await until(async () => ((await results(r)).ok.length > 0 ? true : undefined), 10_000, 'the confirmed result');
        await realDelay(2500);
        assert.deepEqual(absencePosts().map((w) => (w.body as { end_at: string }).end_at), [to], 'applied exactly once');
        assert.deepEqual(await results(r), { ok: [`holiday ${to}`], ko: [] }, 'its result goes out after the restart');
        assert.ok(!storedPending().includes(to), 'nothing left pending');
      });

      it('a holiday waiting for its retry is not sent past its end: EXPIRED after the restart', async () => {
        const to = new Date(Date.now() + 4000).toISOString();
        const whileStopped = await askedThenStopped(to);
        await until(() => (Date.now() > Date.parse(to) + 300 ? true : undefined), 10_000, 'the end of the holiday');
        back();
        const r = await started();
        await flowsRunning(r);
        await until(async () => ((await results(r)).ko.length > 0 ? true : undefined), 15_000, 'the outcome after the restart');
        await realDelay(1000);
        assert.deepEqual(await results(r), { ok: [], ko: ['EXPIRED'] });
        assert.equal(emulator.server.requests(ABSENCE, 'POST').length, whileStopped, 'not sent after the restart');
        assert.deepEqual(absencePosts(), []);
        assert.ok(!storedPending().includes(to), 'nothing left pending');
      });
    });
  });

  describe('order and replacement (test helper)', () => {
    const emulator = new ComapEmulator();
    before(() => emulator.start());
    after(() => emulator.stop());
    beforeEach(() => emulator.reset());
    afterEach(() => helper.unload());

    const zoneOrder = (extra: Record<string, unknown> = {}) => ({ id: 'n1', type: 'qivivo-zone-order', account: 'acct', housing: '', zone: '', duration: 120, retries: 3, retryDelay: 1, ...extra });

    it('commands to one zone run one at a time, in arrival order, whatever name they use for it', async () => {
      await load(flowOf([comapAccount(emulator, { timeout: 5 })], [zoneOrder()]), CREDENTIALS);
      const outputs = new Outputs();
      emulator.server.faults.latencyMs = 30;
      const orders = ['eco', 'confort', 'hors-gel', 'arret', 'confort-1', 'confort-2', 'eco', 'confort'];
      const names = ['Chambres', 'chambres', chambres, 'CHAMBRES'];
      orders.forEach((payload, i) => node('n1').receive({ payload, zone: names[i % names.length], topic: String(i) }));
      await until(() => (outputs.out.length + outputs.err.length >= orders.length ? true : undefined), 15_000, 'every result');
      assert.deepEqual(outputs.err.map((m) => m.error), [], 'no command failed');
      assert.deepEqual(instructions(emulator), ['eco', 'comfort', 'frost_protection', 'stop', 'comfort_minus1', 'comfort_minus2', 'eco', 'comfort'], 'applied in arrival order');
      const view = emulator.state.zoneDetails(COMAP_IDS.maison, chambres);
      assert.equal(view.events?.temporary_instruction?.set_point?.instruction, 'comfort', 'the last command is the one in force');
    });

    it('a newer command replaces a pending retry; the replaced one is never applied later', async () => {
      await load(flowOf([comapAccount(emulator, { timeout: 5 })], [zoneOrder({ zone: 'Chambres', retryDelay: 2 })]), CREDENTIALS);
      const outputs = new Outputs();
      emulator.server.faults.match = '/temporary-instruction';
      emulator.server.faults.status5xxCount = 1;
      node('n1').receive({ payload: 'eco', topic: 'A' });
      await until(() => (emulator.server.requests(TEMPORARY, 'POST').length >= 1 ? true : undefined), 5000, 'A failing once');
      await realDelay(100);
      node('n1').receive({ payload: 'confort', topic: 'B' });
      await until(() => (outputs.out.length >= 1 ? true : undefined), 5000, 'B applied');
      await realDelay(3500);
      assert.deepEqual(instructions(emulator), ['comfort'], 'A, replaced while waiting for its retry, is never applied');
      assert.deepEqual(
        outputs.out.map((m) => m.topic),
        ['B'],
      );
      assert.deepEqual(outputs.err, []);
    });
  });
});
