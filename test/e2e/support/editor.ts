import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import { PACKAGE_ROOT } from '../../../scripts/shared/node-red-runtime';
import { consoleErrors } from './browser';

export const FLOW_TYPES = [
  'qivivo-thermostat-in',
  'qivivo-zone-order',
  'qivivo-set-temperature',
  'qivivo-program',
  'qivivo-house-mode',
  'qivivo-presets',
  'veolia-water-consumption',
  'veolia-alerts',
];
export const CONFIG_TYPES = ['qivivo-account', 'veolia-account'];
export const ALL_TYPES = [...CONFIG_TYPES, ...FLOW_TYPES];

/** The node types package.json declares ("node-red"."nodes"): what Node-RED loads. */
export const DECLARED_TYPES: readonly string[] = Object.keys(
  (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } })['node-red'].nodes,
);

/** The parts of the editor's `RED` object the tests use. */
export interface EditorNode {
  id: string;
  type: string;
  name?: string;
  z?: string;
  valid?: boolean;
  validationErrors?: string[];
  _def: { category?: string; color?: string; icon?: string; paletteLabel?: unknown };
  [key: string]: unknown;
}

export interface EditorRed {
  nodes: {
    node(id: string): EditorNode | null;
    filterNodes(filter: { type?: string; z?: string }): EditorNode[];
    eachConfig(cb: (node: EditorNode) => void): void;
    eachNode(cb: (node: EditorNode) => void): void;
    getType(type: string): { category: string; color: string; icon: string } | undefined;
    dirty(): boolean;
  };
  editor: { edit(node: EditorNode): void; editConfig(name: string, type: string, id: string): void };
  view: { importNodes(nodes: unknown[], options?: Record<string, unknown>): void };
  tray: { close(): void };
  sidebar: { help: { show(type: string): void } };
  workspaces: { active(): string; show(id: string): void };
}

/** Access to `window.RED` inside `page.evaluate`. */
export type EditorWindow = Window & { RED: EditorRed };

export interface EditorPage {
  page: Page;
  errors: string[];
  /** Failed requests (4xx/5xx) to the package's own files: icons, editor script, catalogs, help. */
  missing: string[];
  close(): Promise<void>;
}

/** Opens the Node-RED editor in a browser context with the given language (`en-US`, `fr`). */
export async function openEditor(browser: Browser, url: string, locale: string): Promise<EditorPage> {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = consoleErrors(page);
  const missing: string[] = [];
  page.on('response', (response) => {
    const target = response.url();
    if (response.status() >= 400 && /qivivo|veolia/.test(target)) missing.push(`${response.status()} ${target}`);
  });
  try {
    await page.goto(url);
    await page.waitForSelector(".red-ui-palette-node[data-palette-type='qivivo-thermostat-in']", { timeout: 45_000 });
  } catch (err) {
    await context.close();
    const detail = [...errors, ...missing].join('; ') || 'no console error';
    throw new Error(`the editor did not show the package's nodes (${detail}): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return { page, errors, missing, close: () => context.close() };
}

/** Opens the edit tray of a flow node or a config node, and waits for its form to be ready. */
export async function openDialog(page: Page, type: string, id: string): Promise<void> {
  await page.evaluate(
    ({ type, id }) => {
      const RED = (window as unknown as EditorWindow).RED;
      if (type.endsWith('-account')) RED.editor.editConfig('', type, id);
      else {
        const node = RED.nodes.node(id);
        if (!node) throw new Error(`no node ${id}`);
        RED.editor.edit(node);
      }
    },
    { type, id },
  );
  const prefix = type.endsWith('-account') ? 'node-config-input' : 'node-input';
  await page.waitForSelector(`.red-ui-tray #${prefix}-name`, { state: 'visible' });
}

/** Closes the open tray with its Cancel or Done button and waits until it is gone. */
export async function closeDialog(page: Page, button: 'cancel' | 'done'): Promise<void> {
  const selector = button === 'done' ? '#node-dialog-ok, #node-config-dialog-ok' : '#node-dialog-cancel, #node-config-dialog-cancel';
  // On a loaded machine a click can land while the tray is still sliding in and be lost: click again.
  for (let attempt = 1; ; attempt++) {
    await page.locator(`.red-ui-tray ${selector}`).last().click();
    try {
      await page.waitForSelector('.red-ui-tray', { state: 'detached', timeout: 10_000 });
      return;
    } catch (err) {
      if (attempt >= 3 || (await page.locator('.red-ui-tray').count()) === 0) throw err;
    }
  }
}

/** Text of the open tray, for language and untranslated-key checks. */
export async function trayText(page: Page): Promise<string> {
  return page.locator('.red-ui-tray').last().innerText();
}

/** Catalog keys shown as such mean a missing translation (e.g. "qivivo-zone-order.label.zone"). */
export function untranslatedKeys(text: string): string[] {
  return text.match(/\b(?:qivivo|veolia)-[a-z-]+\.[a-zA-Z]+(?:\.[a-zA-Z]+)*\b/g) ?? [];
}

/** Option labels of a <select> in the open tray. */
export async function optionLabels(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(`${selector} option`, (options) => options.map((o) => (o.textContent ?? '').trim()));
}
