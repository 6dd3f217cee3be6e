import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import { ComapEmulator } from '../../src/emulator/comap';
import { DEMO_PASSWORD, DEMO_USERNAME, MAIN_CONTRACT, VeoliaEmulator } from '../../src/emulator/veolia';
import { NodeRedRuntime, PACKAGE_ROOT, until } from '../../scripts/shared/node-red-runtime';
import { launchBrowser, screenshot } from './support/browser';
import { closeDialog, EditorPage, EditorWindow, openDialog, openEditor, optionLabels } from './support/editor';

/** Spec §9 end to end: Connect from the account dialogs, and the flow nodes' lists, before any deploy. */

function sentence(type: string, lang: string, path: string, vars: Record<string, string | number> = {}): string {
  let value: unknown = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'src/nodes', type, 'locales', lang, `${type}.json`), 'utf8'));
  for (const key of [type, ...path.split('.')]) value = (value as Record<string, unknown>)[key];
  assert.equal(typeof value, 'string', `${lang} ${type}.${path}`);
  return (value as string).replace(/__(\w+)__/g, (all, name: string) => String(vars[name] ?? all));
}

const passwordLogins = (log: Array<{ body?: unknown }>): number => log.filter((r) => (r.body as { AuthFlow?: string } | undefined)?.AuthFlow === 'USER_PASSWORD_AUTH').length;

async function resultText(page: Page, selector: string, pattern: RegExp, what: string): Promise<string> {
  return until(
    async () => {
      const shown = (await page.locator(selector).isVisible()) ? await page.locator(selector).innerText() : '';
      return pattern.test(shown) ? shown : undefined;
    },
    15_000,
    what,
  );
}

/** Imports nodes into the open editor (nothing is deployed). */
async function importNodes(page: Page, nodes: Array<Record<string, unknown>>): Promise<void> {
  await page.evaluate((list) => {
    const RED = (window as unknown as EditorWindow).RED;
    const z = RED.workspaces.active();
    RED.view.importNodes(list.map((n) => (n.type.toString().endsWith('-account') ? n : { ...n, z })));
  }, nodes as Array<Record<string, unknown> & { type: string }>);
}

describe('e2e: Connect from the account dialogs, lists before the first deploy', function () {
  this.timeout(120_000);
  const comap = new ComapEmulator();
  const veolia = new VeoliaEmulator();
  const runtime = new NodeRedRuntime();
  let browser: Browser;
  let editor: EditorPage;

  before(async () => {
    await comap.start();
    await veolia.start();
    await runtime.start();
    browser = await launchBrowser();
    editor = await openEditor(browser, runtime.url, 'en-US');
  });
  after(async () => {
    await editor?.close();
    await browser?.close();
    await runtime.stop();
    await comap.stop();
    await veolia.stop();
  });

  it('Qivivo: a wrong password shows the AUTH_FAILED sentence; the right one lists the demo housings with their zones — nothing deployed', async () => {
    const { page } = editor;
    await importNodes(page, [{ id: 'qa', type: 'qivivo-account', name: 'Home', pollInterval: 15, apiUrl: comap.apiUrl, authUrl: comap.authUrl, clientId: '56jcvrtejpracljtirq7qnob44', timeout: 20 }]);
    await openDialog(page, 'qivivo-account', 'qa');
    await page.fill('#node-config-input-username', DEMO_USERNAME);
    await page.fill('#node-config-input-password', 'Wr0ng-password');
    await page.click('#node-config-qivivo-connect');
    const refused = sentence('qivivo-account', 'en-US', 'connect.error.AUTH_FAILED', { service: 'Comap' });
    await resultText(page, '#node-config-qivivo-connect-result', new RegExp(refused.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'the AUTH_FAILED sentence');
    await page.fill('#node-config-input-password', DEMO_PASSWORD);
    await page.click('#node-config-qivivo-connect');
    const listed = await resultText(page, '#node-config-qivivo-connect-result', /Maison[\s\S]*Chalet/, 'the housings listed');
    assert.match(listed, /2 housing\(s\) found/);
    assert.match(listed, /Maison — zones: .+, .+/);
    assert.ok(!listed.includes(DEMO_PASSWORD));
    await screenshot(page, 'connect-qivivo-housings');
    await closeDialog(page, 'done');
    const deployed = await runtime.json<unknown[]>('/flows');
    assert.deepEqual(deployed, [], 'nothing was deployed');
  });

  it("a flow node's housing and zone dropdowns fill from the account as edited, with no further login", async () => {
    const { page } = editor;
    const logins = passwordLogins(comap.server.log);
    await importNodes(page, [{ id: 'zo', type: 'qivivo-zone-order', name: 'zone order', account: 'qa', housing: '', zone: '', duration: 120, retries: 1, retryDelay: 90, x: 300, y: 300, wires: [[], []] }]);
    await openDialog(page, 'qivivo-zone-order', 'zo');
    const housings = await until(async () => {
      const labels = await optionLabels(page, '#node-input-housing');
      return labels.includes('Maison') && labels.includes('Chalet') ? labels : undefined;
    }, 15_000, 'the housing list');
    assert.equal(housings.length, 3, housings.join(' | '));
    const zones = await until(async () => {
      const labels = await optionLabels(page, '#node-input-zone');
      return labels.length > 1 ? labels : undefined;
    }, 15_000, 'the zone list');
    assert.ok(zones.length >= 2, zones.join(' | '));
    await screenshot(page, 'connect-zone-dropdown-before-deploy');
    await closeDialog(page, 'cancel');
    assert.equal(passwordLogins(comap.server.log), logins, 'the dialog logged in again');
  });

  it('Veolia: a challenged login shows the Code field; the code is accepted and the contracts are listed; the water node lists them before deploy', async () => {
    const { page } = editor;
    veolia.requireCode(DEMO_USERNAME, 'EMAIL_OTP');
    await importNodes(page, [{ id: 'va', type: 'veolia-account', name: 'Water', portal: 'custom', apiUrl: veolia.url, authUrl: `${veolia.url}/`, clientId: '3kghade1fg54739kj8pkbova8j', timeout: 20 }]);
    await openDialog(page, 'veolia-account', 'va');
    await page.fill('#node-config-input-username', DEMO_USERNAME);
    await page.fill('#node-config-input-password', DEMO_PASSWORD);
    await page.click('#node-config-veolia-connect');
    await page.locator('#node-config-veolia-code-row').waitFor({ state: 'visible', timeout: 15_000 });
    await resultText(page, '#node-config-veolia-code-hint', /code by e-mail \(EMAIL_OTP\)/, 'the e-mail code hint');
    await page.fill('#node-config-veolia-code', veolia.lastCode(DEMO_USERNAME) ?? '');
    await page.click('#node-config-veolia-code-send');
    const listed = await resultText(page, '#node-config-veolia-connect-result', new RegExp(MAIN_CONTRACT.meter), 'the contract with its meter');
    assert.match(listed, /1 contract\(s\) found/);
    assert.ok(await page.locator('#node-config-veolia-code-row').isHidden(), 'the Code row goes once answered');
    await screenshot(page, 'connect-veolia-code-contracts');
    await closeDialog(page, 'done');

    const logins = passwordLogins(veolia.server.log);
    await importNodes(page, [{ id: 'wc', type: 'veolia-water-consumption', name: 'water', account: 'va', contract: '', syncTime: '07:00', historyDays: 30, output: 'latest', x: 300, y: 400, wires: [[], []] }]);
    await openDialog(page, 'veolia-water-consumption', 'wc');
    const contracts = await until(async () => {
      const labels = await optionLabels(page, '#node-input-contract');
      return labels.some((l) => l.includes(MAIN_CONTRACT.meter)) ? labels : undefined;
    }, 15_000, 'the contract list');
    assert.equal(contracts.length, 2, contracts.join(' | '));
    await closeDialog(page, 'cancel');
    assert.equal(passwordLogins(veolia.server.log), logins, 'no second login, no second code');
    assert.deepEqual(editor.errors.filter((e) => !/status of 400/.test(e)), [], 'console errors other than the refused logins');
  });

  it('in a French editor, the refused login is said in French', async () => {
    const fr = await openEditor(browser, runtime.url, 'fr');
    try {
      const { page } = fr;
      await importNodes(page, [{ id: 'qf', type: 'qivivo-account', name: 'Maison', pollInterval: 15, apiUrl: comap.apiUrl, authUrl: comap.authUrl, clientId: '56jcvrtejpracljtirq7qnob44', timeout: 20 }]);
      await openDialog(page, 'qivivo-account', 'qf');
      await page.fill('#node-config-input-username', DEMO_USERNAME);
      await page.fill('#node-config-input-password', 'Wr0ng-password');
      await page.click('#node-config-qivivo-connect');
      const refused = sentence('qivivo-account', 'fr', 'connect.error.AUTH_FAILED', { service: 'Comap' });
      const shown = await resultText(page, '#node-config-qivivo-connect-result', /Comap/, 'the refusal');
      assert.equal(shown.trim(), refused);
      await closeDialog(page, 'cancel');
    } finally {
      await fr.close();
    }
  });
});
