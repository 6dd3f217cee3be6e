import assert from 'node:assert/strict';
import { Browser, Page } from 'playwright-core';
import { Demo, startDemo } from '../../scripts/shared/demo-setup';
import { until } from '../../scripts/shared/node-red-runtime';
import { launchBrowser, screenshot } from './support/browser';
import { ALL_TYPES, closeDialog, EditorNode, EditorWindow, FLOW_TYPES, openDialog, openEditor } from './support/editor';

const CATEGORY = 'Qivivo · Veolia';
/** The palette labels of product-spec §9, as a user reads them. */
const LABELS: Record<string, Record<string, string>> = {
  'en-US': {
    'qivivo-thermostat-in': 'heating state',
    'qivivo-zone-order': 'zone order',
    'qivivo-set-temperature': 'set temperature',
    'qivivo-program': 'heating program',
    'qivivo-house-mode': 'house mode',
    'qivivo-presets': 'presets',
    'veolia-water-consumption': 'water consumption',
    'veolia-alerts': 'water alerts',
  },
  fr: {
    'qivivo-thermostat-in': 'état du chauffage',
    'qivivo-zone-order': 'ordre de zone',
    'qivivo-set-temperature': 'régler la température',
    'qivivo-program': 'programme de chauffage',
    'qivivo-house-mode': 'mode maison',
    'qivivo-presets': 'préréglages',
    'veolia-water-consumption': 'eau consommée',
    'veolia-alerts': 'alertes eau',
  },
};

/** Nodes the editor marks invalid: `valid === false` in RED.nodes, and red triangles drawn on each tab. */
async function invalidNodes(page: Page): Promise<{ invalid: string[]; triangles: number }> {
  return page.evaluate(async () => {
    const RED = (window as unknown as EditorWindow).RED;
    const all: EditorNode[] = [];
    RED.nodes.eachNode((n: EditorNode) => void all.push(n));
    RED.nodes.eachConfig((n: EditorNode) => void all.push(n));
    const invalid = all.filter((n) => n.valid === false).map((n) => `${n.type} ${n.name ?? n.id}: ${(n.validationErrors ?? []).join(', ')}`);
    const tabs = [...new Set(all.map((n) => n.z).filter((z): z is string => typeof z === 'string' && z !== ''))];
    let triangles = 0;
    for (const tab of tabs) {
      RED.workspaces.show(tab);
      await new Promise((resolve) => setTimeout(resolve, 150));
      triangles += Array.from(document.querySelectorAll('#red-ui-workspace-chart .red-ui-flow-node-error')).filter((el) => {
        const box = (el as SVGGraphicsElement).getBoundingClientRect();
        return getComputedStyle(el).display !== 'none' && getComputedStyle(el).visibility !== 'hidden' && box.width > 0;
      }).length;
    }
    return { invalid, triangles };
  });
}

/** One node of each type in the demo flows, for its dialog. */
async function oneOfEach(page: Page): Promise<Record<string, string>> {
  return page.evaluate((types) => {
    const RED = (window as unknown as EditorWindow).RED;
    const found: Record<string, string> = {};
    // no named function inside page.evaluate: the test's compiler would wrap it in a helper the page lacks
    const all: EditorNode[] = [];
    RED.nodes.eachNode((n: EditorNode) => void all.push(n));
    RED.nodes.eachConfig((n: EditorNode) => void all.push(n));
    for (const n of all) if (types.includes(n.type) && !found[n.type]) found[n.type] = n.id;
    return found;
  }, ALL_TYPES);
}

describe('e2e: the first hour with the demo (spec §9)', function () {
  this.timeout(120_000);
  let demo: Demo;
  let browser: Browser;

  before(async () => {
    demo = await startDemo({ pollInterval: 15 });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await demo?.stop();
  });

  for (const lang of ['en-US', 'fr']) {
    it(`shows no invalid node in the freshly started demo, the '${CATEGORY}' category and the §9 labels (${lang})`, async () => {
      const editor = await openEditor(browser, demo.runtime.url, lang);
      try {
        const { page } = editor;
        const { invalid, triangles } = await invalidNodes(page);
        assert.deepEqual(invalid, [], 'no node is invalid');
        assert.equal(triangles, 0, 'no red triangle on any tab');
        const palette = await page.evaluate((types) => {
          const RED = (window as unknown as EditorWindow).RED;
          return types.map((type) => {
            const el = document.querySelector(`.red-ui-palette-node[data-palette-type='${type}']`) as HTMLElement | null;
            const header = el?.closest('.red-ui-palette-category')?.querySelector('.red-ui-palette-header') as HTMLElement | null;
            return { type, category: RED.nodes.getType(type)?.category, header: header?.innerText.trim() ?? null, label: el ? el.innerText.replace(/\s+/g, ' ').trim() : null };
          });
        }, FLOW_TYPES);
        for (const entry of palette) {
          assert.equal(entry.category, CATEGORY, `${entry.type} category`);
          assert.equal(entry.header, CATEGORY, `${entry.type} shown under '${CATEGORY}'`);
          assert.equal(entry.label, LABELS[lang][entry.type], `${entry.type} palette label in ${lang}`);
        }
        await screenshot(page, `first-hour-${lang}-palette`);
        assert.deepEqual(editor.errors, [], 'no console errors');
      } finally {
        await editor.close();
      }
    });
  }

  it('has at most one tip box in each dialog, and shows no field error before a field is touched', async () => {
    const editor = await openEditor(browser, demo.runtime.url, 'en-US');
    try {
      const { page } = editor;
      const ids = await oneOfEach(page);
      for (const type of ALL_TYPES) {
        assert.ok(ids[type], `the demo has a ${type}`);
        await openDialog(page, type, ids[type]);
        const tips = await page.$$eval('.red-ui-tray .form-tips', (els) => els.filter((e) => (e as HTMLElement).offsetParent !== null).length);
        assert.ok(tips <= 1, `${type}: ${tips} tip boxes`);
        const errors = await page.$$eval('.red-ui-tray .qv-error', (els) => els.filter((e) => (e as HTMLElement).offsetParent !== null).map((e) => e.textContent));
        assert.deepEqual(errors, [], `${type}: no field error on opening`);
        await closeDialog(page, 'cancel');
      }

      // A new account: its empty fields wait for a touch; a typed e-mail labels it masked.
      await page.evaluate(() => (window as unknown as EditorWindow).RED.editor.editConfig('', 'qivivo-account', '_ADD_'));
      await page.waitForSelector('.red-ui-tray #node-config-input-username', { state: 'visible' });
      // Node-RED marks invalid fields with .input-error at once; an untouched one keeps its normal border.
      const outlined = async (): Promise<string[]> =>
        page.$$eval('.red-ui-tray .input-error', (els) => {
          const normal = getComputedStyle(document.querySelector('#node-config-input-name') as Element).borderTopColor;
          return els.filter((e) => getComputedStyle(e).borderTopColor !== normal).map((e) => e.id);
        });
      assert.deepEqual(await outlined(), [], 'no red field in a new account dialog');
      assert.deepEqual(await page.$$eval('.red-ui-tray .qv-error', (els) => els.filter((e) => (e as HTMLElement).offsetParent !== null).length), 0);
      await page.fill('#node-config-input-username', 'not-an-address');
      await page.locator('#node-config-input-username').dispatchEvent('change');
      await until(async () => ((await page.locator('.red-ui-tray .qv-error:visible').count()) > 0 ? true : undefined), 5000, 'the e-mail error once touched');
      assert.deepEqual(await outlined(), ['node-config-input-username'], 'the touched field only turns red');
      await page.fill('#node-config-input-username', 'jane.doe@example.com');
      await page.fill('#node-config-input-password', 'secret-for-test');
      await closeDialog(page, 'done');
      const labels = await page.evaluate(() => {
        const RED = (window as unknown as EditorWindow & { RED: { utils: { getNodeLabel(n: EditorNode): string } } }).RED;
        const found: Array<{ label: string; userHint?: unknown }> = [];
        RED.nodes.eachConfig((n: EditorNode) => {
          if (n.type === 'qivivo-account') found.push({ label: RED.utils.getNodeLabel(n), userHint: n.userHint });
        });
        return found;
      });
      const added = labels.find((l) => l.userHint === 'j…@example.com');
      assert.ok(added, JSON.stringify(labels));
      assert.equal(added.label, 'Qivivo account · j…@example.com');
      assert.ok(!JSON.stringify(labels).includes('jane.doe'), 'the address itself is not kept');
    } finally {
      await editor.close();
    }
  });

  it('shows a status in French in a French browser (a paused thermostat)', async () => {
    const thermostat = demo.flows.find((n) => n.type === 'qivivo-thermostat-in');
    assert.ok(thermostat, 'the demo has a thermostat node');
    // Pause belongs to the account: a node added on it pauses every node of the account.
    const added = await demo.runtime.json<{ id: string }>('/flow', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        label: 'pause test',
        nodes: [
          { id: 'fh-pause', type: 'inject', name: 'pause', props: [{ p: 'topic', vt: 'str' }], topic: 'pause', repeat: '', once: false, x: 120, y: 60, wires: [['fh-th']] },
          { id: 'fh-th', type: 'qivivo-thermostat-in', name: 'paused one', account: thermostat.account, housing: '', housingName: '', output: 'state', onlyChanges: false, x: 320, y: 60, wires: [[], []] },
        ],
      }),
    });
    assert.ok(added.id, 'the test flow is added');
    // the added flow starts just after the answer: ask until its inject node is there
    await until(async () => ((await demo.runtime.api('/inject/fh-pause', { method: 'POST' })).status === 200 ? true : undefined), 10_000, 'the pause inject');
    const editor = await openEditor(browser, demo.runtime.url, 'fr');
    try {
      const { page } = editor;
      const shown = await until(
        () =>
          page.evaluate((id) => {
            const node = (window as unknown as EditorWindow).RED.nodes.node(id) as (EditorNode & { status?: { text?: string } }) | null;
            return node?.status?.text === 'en pause' ? node.status.text : undefined;
          }, String(thermostat.id)),
        20_000,
        'the demo thermostat shows "en pause"',
      );
      assert.equal(shown, 'en pause');
      await page.evaluate((z) => (window as unknown as EditorWindow).RED.workspaces.show(String(z)), thermostat.z);
      const drawn = await until(
        () => page.evaluate(() => Array.from(document.querySelectorAll('#red-ui-workspace-chart .red-ui-flow-node-status-label')).map((e) => e.textContent).find((t) => t === 'en pause')),
        10_000,
        'the status label drawn under the node',
      );
      assert.equal(drawn, 'en pause');
      await screenshot(page, 'first-hour-fr-paused');
    } finally {
      await editor.close();
      await demo.runtime.api(`/flow/${added.id}`, { method: 'DELETE' });
    }
  });
});
