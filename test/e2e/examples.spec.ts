import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import { COMAP_IDS, ComapEmulator, DEMO_PASSWORD, DEMO_USERNAME } from '../../src/emulator/comap';
import { VEOLIA_IDS, VeoliaEmulator } from '../../src/emulator/veolia';
import { FlowNode, readExamples } from '../../scripts/shared/demo-flows';
import { NodeRedRuntime, PACKAGE_ROOT, until } from '../../scripts/shared/node-red-runtime';
import { consoleErrors, launchBrowser, screenshot } from './support/browser';
import { closeDialog, EditorNode, EditorWindow, FLOW_TYPES, openDialog, openEditor } from './support/editor';

const PACKAGE = '@domotique/node-red-qivivo-veolia';
const DASHBOARD_CONFIG = ['ui-base', 'ui-page', 'ui-group', 'ui-theme'];
const examples = readExamples(join(PACKAGE_ROOT, 'examples'));

/** A debug message as the editor receives it over its websocket. */
interface DebugMessage {
  id: string;
  name?: string;
  msg: string;
  format: string;
}

/** The debug messages the editor received so far (collected by the test in `window.__debug`). */
function debugMessages(page: Page): Promise<DebugMessage[]> {
  return page.evaluate(() => (window as unknown as { __debug: DebugMessage[] }).__debug);
}

/**
 * Ids of the deployed nodes an example's check needs, found by type and name: an example may have
 * been imported as a copy, with new ids.
 */
async function importedIds(runtime: NodeRedRuntime): Promise<{ readPresets: string; night17: string; presetsDebug: string; houseModeDebug: string; dailyAlert: string; alertsDebug: string }> {
  const nodes = await runtime.json<Array<{ id: string; type: string; name?: string; wires?: string[][] }>>('/flows');
  const one = (type: string, name?: string): (typeof nodes)[number] => {
    const found = nodes.filter((n) => n.type === type && (name === undefined || n.name === name));
    assert.equal(found.length, 1, `one ${type} node named ${name ?? '(any)'}`);
    return found[0];
  };
  /** The debug node on the first output of the one node of that type that has one (the dashboards wire theirs elsewhere). */
  const debugOf = (type: string): string => {
    const targets = nodes.filter((n) => n.type === type).flatMap((n) => (n.wires?.[0] ?? []).filter((id) => nodes.find((t) => t.id === id)?.type === 'debug'));
    assert.equal(targets.length, 1, `one debug node on a ${type}'s first output`);
    return targets[0];
  };
  return {
    readPresets: one('inject', 'read the presets').id,
    night17: one('inject', 'night 17 °C').id,
    presetsDebug: debugOf('qivivo-presets'),
    houseModeDebug: debugOf('qivivo-house-mode'),
    dailyAlert: one('inject', 'daily alert above 300 L').id,
    alertsDebug: debugOf('veolia-alerts'),
  };
}

/** A debug message's value (the debug node sends it as JSON text). */
function parsed<T>(message: DebugMessage): T {
  assert.equal(message.format.startsWith('Object'), true, `an object, not ${message.format}`);
  return JSON.parse(message.msg) as T;
}

describe('e2e: example flows', function () {
  this.timeout(90_000);

  describe('files', () => {
    it('ship one example per flow node, each a top-level array that starts with a comment', () => {
      assert.ok(examples.length >= 8, 'eight examples or more');
      for (const { name, flow } of examples) {
        assert.ok(Array.isArray(flow), `${name}: top-level array`);
        const first = flow.find((n) => n.type !== 'tab');
        assert.equal(first?.type, 'comment', `${name}: starts with a comment`);
        assert.ok(String(first?.name).length > 10 && String(first?.info).length > 40, `${name}: the comment says what it shows`);
      }
      for (const type of FLOW_TYPES) {
        assert.ok(examples.some(({ flow }) => flow.some((n) => n.type === type)), `${type} has an example`);
      }
      for (const wanted of ['Read water consumption', 'Heating dashboard', 'Water dashboard', 'Alert when a command fails', 'Water alerts']) {
        assert.ok(examples.some((e) => e.name === wanted), `example "${wanted}"`);
      }
    });

    it('are self-contained: every wire, account, group, page, base and theme they use is in the same file', () => {
      for (const { name, flow } of examples) {
        const byId = new Map(flow.map((n) => [n.id, n]));
        assert.equal(byId.size, flow.length, `${name}: unique ids`);
        const ref = (node: FlowNode, key: string, type: string): void => {
          const target = byId.get(String(node[key]));
          assert.equal(target?.type, type, `${name}: ${node.type} ${node.id}.${key} → ${type}`);
        };
        for (const node of flow) {
          for (const output of (node.wires as string[][] | undefined) ?? []) for (const target of output) assert.ok(byId.has(target), `${name}: wire ${node.id} → ${target}`);
          if (node.type.startsWith('qivivo-') && 'account' in node) ref(node, 'account', 'qivivo-account');
          if (node.type === 'veolia-water-consumption' || node.type === 'veolia-alerts') ref(node, 'account', 'veolia-account');
          if (node.type.startsWith('ui-') && 'group' in node) ref(node, 'group', 'ui-group');
          if (node.type === 'ui-group') ref(node, 'page', 'ui-page');
          if (node.type === 'ui-page') {
            ref(node, 'ui', 'ui-base');
            ref(node, 'theme', 'ui-theme');
          }
          if (node.type === 'ui-notification') ref(node, 'ui', 'ui-base');
        }
        if (flow.some((n) => n.type.startsWith('ui-'))) {
          for (const type of DASHBOARD_CONFIG) assert.ok(flow.some((n) => n.type === type), `${name}: has its ${type}`);
        }
      }
      // Merged by `npm start`, the dashboard pages must not collide.
      const paths = examples.flatMap(({ flow }) => flow.filter((n) => n.type === 'ui-page').map((n) => n.path));
      assert.equal(new Set(paths).size, paths.length, 'one path per dashboard page');
    });
  });

  describe('in Node-RED', () => {
    const comap = new ComapEmulator();
    const veolia = new VeoliaEmulator();
    const runtime = new NodeRedRuntime();
    let browser: Browser;

    before(async () => {
      await comap.start();
      await veolia.start();
      await runtime.start();
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      await runtime.stop();
      await veolia.stop();
      await comap.stop();
    });

    /** Clicks an inject node's button, as the editor does (admin API). */
    const inject = async (id: string): Promise<void> => {
      const response = await runtime.api(`/inject/${encodeURIComponent(id)}`, { method: 'POST' });
      assert.equal(response.status, 200, `inject ${id}`);
    };

    /** "Read and edit the presets": "read the presets", then "night 17 °C" (a PATCH, then the presets read back). */
    const runPresetsExample = async (page: Page, ids: { readPresets: string; night17: string; presetsDebug: string }): Promise<void> => {
      interface Presets {
        housing: { id: string; name: string };
        presets: Record<string, number | null>;
      }
      const ofDebug = async (count: number, what: string): Promise<Presets> => {
        const shown = await until(async () => {
          const mine = (await debugMessages(page)).filter((m) => m.id === ids.presetsDebug);
          return mine.length >= count ? mine : undefined;
        }, 10_000, what);
        assert.equal(shown.length, count, `${what}: one message per command`);
        return parsed<Presets>(shown[count - 1]);
      };
      const cloud = (): Presets['presets'] => {
        const ct = comap.state.customTemperatures(COMAP_IDS.maison);
        const c = ct.connected ?? {};
        return { presence1: c.presence_1, presence2: c.presence_2, presence3: c.presence_3, presence4: c.presence_4, night: ct.night, away: ct.away, frostProtection: ct.frost_protection } as Presets['presets'];
      };
      const writesBefore = comap.state.writes.length;
      await inject(ids.readPresets);
      const read = await ofDebug(1, 'the presets read');
      assert.deepEqual(read, { housing: { id: COMAP_IDS.maison, name: 'Maison' }, presets: cloud() }, 'the housing’s presets, in °C');
      assert.equal(comap.state.writes.length, writesBefore, 'a read writes nothing');

      // Someone changed the night preset in the Comap app: the edit puts 17 °C back and reads all of them again.
      comap.state.patchCustomTemperatures(COMAP_IDS.maison, { night: 18 });
      await inject(ids.night17);
      const edited = await ofDebug(2, 'the presets after the edit');
      const patches = comap.state.writes.slice(writesBefore);
      assert.deepEqual(patches.map((w) => ({ method: w.method, path: w.path, body: w.body })), [
        { method: 'PATCH', path: `/thermal/housings/${COMAP_IDS.maison}/custom-temperatures`, body: { night: 17 } },
      ], 'one PATCH with the night preset only');
      assert.equal(edited.presets.night, 17, 'night read back at 17 °C');
      assert.deepEqual(edited.presets, cloud(), 'every preset as the cloud holds it');
    };

    /** "Water alerts": "daily alert above 300 L" posts the whole set to Veolia and shows it as read back. */
    const runAlertsExample = async (page: Page, ids: { dailyAlert: string; alertsDebug: string }): Promise<void> => {
      veolia.alerts.set(VEOLIA_IDS.mainContract, { monthlyM3: 8 });
      await inject(ids.dailyAlert);
      const shown = await until(async () => (await debugMessages(page)).find((m) => m.id === ids.alertsDebug), 10_000, 'the alerts read back');
      const alerts = parsed<{ daily: unknown; monthly: unknown; emptyHome: boolean }>(shown);
      assert.deepEqual([alerts.daily, alerts.monthly, alerts.emptyHome], [{ enabled: true, litres: 300 }, { enabled: true, m3: 8 }, false], 'the daily alert set, the monthly one kept');
      assert.equal(veolia.alerts.settings(VEOLIA_IDS.mainContract)?.seuils?.journalier?.valeur, 300, 'Veolia holds it');
    };

    /** "Away for the week": "Away now" on its dashboard page sends a leave-home; the page shows it once the cloud does. */
    const runAwayExample = async (page: Page, houseModeDebug: string): Promise<void> => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
      const dashboard = await context.newPage();
      const errors = consoleErrors(dashboard);
      try {
        // This runtime serves the flows' HTTP endpoints, and Dashboard 2, under /api.
        await dashboard.goto(`${runtime.url}/api/dashboard/away`);
        const result = dashboard.locator('.nrdb-ui-template', { hasText: /Nothing sent|Confirmed/ });
        await result.waitFor({ timeout: 20_000 });
        assert.match(await result.innerText(), /Nothing sent from this page yet/);
        const modeWrites = comap.state.modeWrites().length;
        await dashboard.getByRole('button', { name: 'Away now' }).click();
        const write = await until(() => comap.state.modeWrites()[modeWrites], 10_000, 'the leave-home write');
        assert.deepEqual({ method: write.method, path: write.path }, { method: 'POST', path: `/thermal/housings/${COMAP_IDS.maison}/thermal-control/leave-home` });
        const message = await until(async () => (await debugMessages(page)).find((m) => m.id === houseModeDebug), 10_000, 'the house mode result');
        const { payload } = parsed<{ payload: { mode: string; confirmed: boolean; confirmedAt: string; housing: { id: string; name: string } } }>(message);
        assert.deepEqual({ ...payload, confirmedAt: typeof payload.confirmedAt }, { mode: 'away', confirmed: true, confirmedAt: 'string', housing: { id: COMAP_IDS.maison, name: 'Maison' } }, 'confirmed by the read-back');
        assert.equal(comap.state.modeWrites().length, modeWrites + 1, 'one write for one click');
        await until(async () => (/^Away\b[\s\S]*Confirmed by the cloud .+ · Maison/.test(await result.innerText()) ? true : undefined), 10_000, 'the page showing the confirmed mode');
        await screenshot(dashboard, 'examples-away-now');
        // Under /api, the dashboard still asks for its favicon at /dashboard/ (dashboard.spec checks the standard root).
        assert.deepEqual(errors.filter((e) => !/404 .*\/dashboard\/favicon\.(ico|svg)$/.test(e)), [], 'no other console errors on the dashboard');
      } finally {
        await context.close();
      }
    };

    it('lists every example under Import > Examples (admin API)', async () => {
      assert.ok((await runtime.json<string[]>('/library/examples/flows/')).includes(PACKAGE), 'the package has examples');
      const listing = await runtime.json<Array<{ fn: string }>>(`/library/examples/flows/${PACKAGE}/`);
      assert.deepEqual(listing.map((e) => e.fn).sort(), examples.map((e) => e.name).sort());
      for (const { name, flow } of examples) {
        const served = await runtime.json<FlowNode[]>(`/library/examples/flows/${PACKAGE}/${encodeURIComponent(name)}`);
        assert.deepEqual(served, flow, `${name} served as is`);
      }
    });

    it('imports every example in the editor, takes the accounts typed in their dialogs, and deploys without errors', async () => {
      const editor = await openEditor(browser, runtime.url, 'en-US');
      const { page } = editor;
      try {
        await page.evaluate(() => {
          const w = window as unknown as EditorWindow & { __debug: unknown[]; RED: { comms: { subscribe(topic: string, cb: (t: string, m: unknown) => void): void } } };
          w.__debug = [];
          w.RED.comms.subscribe('debug', (_topic, msg) => w.__debug.push(msg));
        });
        for (const { name } of examples) {
          // What Import > Examples does, including "Import copy" when ids (the shared accounts) already exist.
          const unknown = await page.evaluate(
            async ({ pkg, name }) => {
              const RED = (window as unknown as EditorWindow).RED;
              const response = await fetch(`library/examples/flows/${pkg}/${encodeURIComponent(name)}`);
              const flow = (await response.json()) as Array<{ type: string }>;
              try {
                RED.view.importNodes(flow, { generateIds: false, addFlow: false });
              } catch (err) {
                if ((err as { code?: string }).code !== 'import_conflict') throw err;
                RED.view.importNodes(flow, { generateIds: true, addFlow: false });
              }
              return flow.filter((n) => !['tab', 'global-config'].includes(n.type) && !RED.nodes.getType(n.type)).map((n) => n.type);
            },
            { pkg: PACKAGE, name },
          );
          assert.deepEqual(unknown, [], `${name}: every node type is installed`);
        }
        const accounts = await page.evaluate(() => {
          const found: Array<{ id: string; type: string }> = [];
          (window as unknown as EditorWindow).RED.nodes.eachConfig((n: EditorNode) => {
            if (n.type.endsWith('-account')) found.push({ id: n.id, type: n.type });
          });
          return found;
        });
        assert.deepEqual(accounts.map((a) => a.type).sort(), ['qivivo-account', 'veolia-account'], 'the examples share one account per cloud');
        // Freshly imported, before any login is typed: no red triangle (credentials the editor has not loaded are not refused).
        const invalidAtImport = await page.evaluate(() => {
          const RED = (window as unknown as EditorWindow).RED;
          const all: EditorNode[] = [];
          RED.nodes.eachNode((n: EditorNode) => void all.push(n));
          RED.nodes.eachConfig((n: EditorNode) => void all.push(n));
          return all.filter((n) => n.valid === false).map((n) => `${n.type} ${n.id} ${(n.validationErrors ?? []).join(',')}`);
        });
        assert.deepEqual(invalidAtImport, [], 'every node is valid right after the import');

        // The user types the logins; here they point at the emulators (Advanced section).
        for (const account of accounts) {
          await openDialog(page, account.type, account.id);
          if (account.type === 'veolia-account') await page.selectOption('#node-config-input-portal', 'custom');
          if (!(await page.isVisible('#node-config-input-apiUrl'))) await page.click('.red-ui-tray a[id$="-advanced-toggle"]');
          const cloud = account.type === 'qivivo-account' ? { api: comap.apiUrl, auth: comap.authUrl } : { api: veolia.url, auth: `${veolia.url}/` };
          await page.fill('#node-config-input-apiUrl', cloud.api);
          await page.fill('#node-config-input-authUrl', cloud.auth);
          await page.fill('#node-config-input-username', DEMO_USERNAME);
          await page.fill('#node-config-input-password', DEMO_PASSWORD);
          await closeDialog(page, 'done');
        }

        const invalid = await page.evaluate(() => {
          const RED = (window as unknown as EditorWindow).RED;
          const all: EditorNode[] = [];
          RED.nodes.eachNode((n: EditorNode) => void all.push(n));
          RED.nodes.eachConfig((n: EditorNode) => void all.push(n));
          return all.filter((n) => n.valid === false).map((n) => `${n.type} ${n.id} ${(n.validationErrors ?? []).join(',')}`);
        });
        assert.deepEqual(invalid, [], 'every imported node is valid');
        await screenshot(page, 'examples-imported');

        await page.click('#red-ui-header-button-deploy');
        await page.waitForSelector('.red-ui-notification:has-text("Successfully deployed")', { timeout: 15_000 });

        // The examples that read on their own do so: the thermostat's state and the newest water day.
        const debug = await until(
          async () => {
            const messages = await page.evaluate(() => (window as unknown as { __debug: DebugMessage[] }).__debug);
            const names = new Set(messages.map((m) => m.name));
            return names.has('state') && names.has('day') ? messages : undefined;
          },
          20_000,
          'the thermostat state and the water day in the debug sidebar',
        );
        assert.ok(debug.find((m) => m.name === 'state')?.msg.includes('"Maison"'), 'the thermostat state names the housing');
        assert.ok(debug.find((m) => m.name === 'day')?.msg.includes('"litres"'), 'the water day has litres');

        const ids = await importedIds(runtime);
        await runPresetsExample(page, ids);
        await runAwayExample(page, ids.houseModeDebug);
        await runAlertsExample(page, ids);

        assert.deepEqual(debug.filter((m) => /^errors?$/.test(m.name ?? '')).map((m) => m.msg), [], 'nothing on an error output');
        assert.deepEqual(runtime.logs.filter((l) => l.level === 'error' || /qivivo|veolia|^ui-/.test(l.type ?? '')), [], 'no runtime error or warning from the flows');
        assert.deepEqual(editor.errors, [], 'no console errors');
        const saved = JSON.stringify(await runtime.json('/flows'));
        assert.ok(!saved.includes(DEMO_PASSWORD), 'the password stays in the credential store');
      } finally {
        await editor.close();
      }
    });
  });
});
