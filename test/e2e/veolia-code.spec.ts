import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser } from 'playwright-core';
import { DEMO_PASSWORD, DEMO_USERNAME, VeoliaEmulator } from '../../src/emulator/veolia';
import { NodeRedRuntime, until } from '../../scripts/shared/node-red-runtime';
import { launchBrowser, screenshot } from './support/browser';
import { closeDialog, openDialog, openEditor } from './support/editor';

/** Spec §8.1 end to end: a challenged Veolia login answered from the account dialog. */
describe('e2e: a Veolia login code typed in the account dialog', function () {
  this.timeout(90_000);
  const emulator = new VeoliaEmulator();
  const userDir = mkdtempSync(join(tmpdir(), 'nr-code-'));
  let runtime = new NodeRedRuntime({ userDir });
  let browser: Browser;

  before(async () => {
    emulator.requireCode(DEMO_USERNAME, 'EMAIL_OTP');
    await emulator.start();
    await runtime.start();
    await runtime.deploy([
      { id: 'tab1', type: 'tab', label: 'Water code' },
      { id: 'vacct', type: 'veolia-account', name: 'Challenged water', portal: 'custom', apiUrl: emulator.url, authUrl: `${emulator.url}/`, clientId: '3kghade1fg54739kj8pkbova8j', credentials: { username: DEMO_USERNAME, password: DEMO_PASSWORD } },
      { id: 'w1', type: 'veolia-water-consumption', z: 'tab1', name: '', account: 'vacct', contract: '', syncTime: '07:00', historyDays: 3, output: 'latest', x: 160, y: 80, wires: [['keep'], []] },
      { id: 'keep', type: 'function', z: 'tab1', func: 'const d = global.get("days") || []; d.push(msg.payload.date); global.set("days", d); return null;', outputs: 1, x: 360, y: 80, wires: [[]] },
      { id: 'hin', type: 'http in', z: 'tab1', url: '/days', method: 'get', x: 160, y: 160, wires: [['hfn']] },
      { id: 'hfn', type: 'function', z: 'tab1', func: 'msg.payload = global.get("days") || []; return msg;', outputs: 1, x: 360, y: 160, wires: [['hout']] },
      { id: 'hout', type: 'http response', z: 'tab1', x: 540, y: 160, wires: [] },
    ]);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await runtime.stop();
    await emulator.stop();
    rmSync(userDir, { recursive: true, force: true });
  });

  const passwordLogins = (): number => emulator.server.log.filter((r) => (r.body as { AuthFlow?: string } | undefined)?.AuthFlow === 'USER_PASSWORD_AUTH').length;
  const days = async (): Promise<string[]> => {
    const response = await fetch(`${runtime.url}/api/days`);
    return response.ok ? ((await response.json()) as string[]) : [];
  };

  it('shows the Code field, takes the code the emulator "sent", says it was accepted, and the water node sends its day', async () => {
    const sent = await until(async () => emulator.lastCode(DEMO_USERNAME), 15_000, 'the challenged login');
    assert.deepEqual(await days(), [], 'no data before the code');
    const editor = await openEditor(browser, runtime.url, 'en-US');
    try {
      const { page } = editor;
      await openDialog(page, 'veolia-account', 'vacct');
      const row = page.locator('#node-config-veolia-code-row');
      await row.waitFor({ state: 'visible', timeout: 10_000 });
      const hint = page.locator('#node-config-veolia-code-hint');
      await until(async () => (/code by e-mail \(EMAIL_OTP\)/.test(await hint.innerText()) ? true : undefined), 10_000, 'the e-mail code hint');
      await page.fill('#node-config-veolia-code', sent);
      await page.click('#node-config-veolia-code-send');
      await until(async () => (/Code accepted/.test(await hint.innerText()) ? true : undefined), 10_000, '"Code accepted"');
      await screenshot(page, 'veolia-code-accepted');
      await closeDialog(page, 'cancel');
      assert.deepEqual(editor.errors, []);
    } finally {
      await editor.close();
    }
    const received = await until(async () => ((await days()).length > 0 ? days() : undefined), 15_000, "the water node's day message");
    assert.equal(received.length, 1);
    assert.match(received[0], /^\d{4}-\d{2}-\d{2}$/);
    assert.equal(passwordLogins(), 1);
  });

  it('after a Node-RED restart the kept tokens serve: data again, no new password login, no new code', async () => {
    const codes = emulator.cognito.sentCodes.length;
    await runtime.stop();
    runtime = new NodeRedRuntime({ userDir });
    await runtime.start();
    // The flows come back from the user directory; the water node's first sync fetches its day.
    const received = await until(async () => ((await days()).length > 0 ? days() : undefined), 15_000, 'a day after the restart');
    assert.equal(received.length, 1);
    assert.equal(passwordLogins(), 1, 'no password login after the restart');
    assert.equal(emulator.cognito.sentCodes.length, codes, 'no new code asked');
  });
});
