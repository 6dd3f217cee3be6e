/**
 * `npm run screenshots`: the README's pictures, taken from the running demo so that they show
 * what a newcomer gets. Starts the demo (both emulators, every example, Dashboard 2) in a
 * temporary user directory, drives Debian's Chromium in English and in French, and writes
 * docs/<page>.<en|fr>.png at 1280×800.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, Page } from 'playwright-core';
import { startDemo } from './shared/demo-setup';
import { PACKAGE_ROOT, until } from './shared/node-red-runtime';

const DOCS = join(PACKAGE_ROOT, 'docs');
const VIEWPORT = { width: 1280, height: 800 };
const LOCALES = [
  { suffix: 'en', locale: 'en-US' },
  { suffix: 'fr', locale: 'fr-FR' },
];

/** Waits until every chart of the page has drawn its data (ECharts describes it in aria-label). */
async function chartsDrawn(page: Page): Promise<void> {
  await until(async () => {
    const labels = await page.locator('.nrdb-ui-chart [_echarts_instance_]').evaluateAll((els) => els.map((el) => el.getAttribute('aria-label') ?? ''));
    return labels.length && labels.every((l) => /items are: /.test(l)) ? true : undefined;
  }, 30_000, 'the charts');
}

/** The dashboard pages, each with what shows that it is ready. */
const PAGES: Array<{ name: string; path: string; ready: (page: Page) => Promise<void> }> = [
  { name: 'dashboard-heating', path: '/dashboard/heating', ready: async (page) => void (await page.locator('[data-qh="housing"]').waitFor({ timeout: 30_000 })) },
  { name: 'dashboard-water', path: '/dashboard/water', ready: chartsDrawn },
  { name: 'dashboard-water-cost', path: '/dashboard/water-cost', ready: chartsDrawn },
];

async function main(): Promise<void> {
  mkdirSync(DOCS, { recursive: true });
  const demo = await startDemo({ pollInterval: 1, publicationDelayDays: 2 });
  const written: string[] = [];
  try {
    for (const { suffix, locale } of LOCALES) {
      // One browser per language: date and number fields follow the browser's own language.
      const browser = await chromium.launch({
        executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', `--lang=${locale}`],
        env: { ...process.env, LANG: `${locale.replace('-', '_')}.UTF-8`, LANGUAGE: locale.replace('-', '_') },
      });
      const context = await browser.newContext({ locale, timezoneId: 'Europe/Paris', viewport: VIEWPORT });
      const page = await context.newPage();
      await page.goto(`${demo.runtime.url}/`);
      await page.waitForSelector(".red-ui-palette-node[data-palette-type='qivivo-thermostat-in']", { timeout: 45_000 });
      // The heating dashboard's tab, with the palette's category open.
      await page.waitForSelector('.red-ui-flow-node-group, .red-ui-flow-node', { timeout: 20_000 });
      // The whole flow in view: the sidebar closed.
      await page.evaluate(() => (window as unknown as { RED: { menu: { setSelected(id: string, on: boolean): void } } }).RED.menu.setSelected('menu-item-sidebar', false));
      await page.waitForTimeout(500);
      const file = join(DOCS, `editor.${suffix}.png`);
      await page.screenshot({ path: file });
      written.push(file);
      for (const { name, path, ready } of PAGES) {
        await page.goto(`${demo.runtime.url}${path}`);
        await ready(page);
        // Let the widgets finish their entrance animations.
        await page.waitForTimeout(800);
        const shot = join(DOCS, `${name}.${suffix}.png`);
        await page.screenshot({ path: shot });
        written.push(shot);
      }
      await context.close();
      await browser.close();
    }
  } finally {
    await demo.stop();
  }
  for (const file of written) console.log(file);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
