import assert from 'node:assert/strict';
import { Browser, BrowserContext, Page } from 'playwright-core';
import { COMAP_IDS } from '../../src/emulator/comap';
import { Demo, startDemo } from '../../scripts/shared/demo-setup';
import { until } from '../../scripts/shared/node-red-runtime';
import { consoleErrors, launchBrowser, screenshot } from './support/browser';

/** A synthetic Comap user whose only housing is the emulator's second one (the Chalet). */
const CHALET_USER = { username: 'chalet@example.com', password: 'chalet-password' };

/**
 * The examples' heating dashboard names no zone: imported into a Node-RED whose account sees
 * another housing, it shows that housing, in the browser's language, locale and time zone.
 */
describe('e2e: the heating dashboard fits any house', function () {
  this.timeout(90_000);
  let demo: Demo;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];

  before(async () => {
    demo = await startDemo({
      pollInterval: 1,
      comapUsers: [{ ...CHALET_USER, housingIds: [COMAP_IDS.chalet] }],
      qivivoLogin: CHALET_USER,
    });
    browser = await launchBrowser();
    context = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris', viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    errors = consoleErrors(page);
  });
  after(async () => {
    await browser?.close();
    await demo?.stop();
  });

  it('shows the second housing’s zones, programs and presets, in French', async () => {
    await page.goto(`${demo.runtime.url}/dashboard/heating`);
    await page.locator('[data-qh="housing"]').waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('[data-qh="housing"]').innerText(), 'Chalet');
    const zones = (demo.comap.state.thermalDetails(COMAP_IDS.chalet).zones ?? []).map((z) => z.title);
    assert.deepEqual((await page.locator('[data-qh="zone-name"]').allInnerTexts()).map((z) => z.trim()), zones);
    const text = await page.locator('.qh').innerText();
    for (const other of ['Maison', 'Séjour', 'Chambres', 'Salle de bain']) assert.ok(!text.includes(other), `nothing of the first housing (${other})`);
    const programs = demo.comap.state.programs(COMAP_IDS.chalet).programs.map((p) => p.title);
    assert.deepEqual(await page.locator('[data-qh="program"] option').allInnerTexts(), programs);
    // A preset the housing leaves empty (presence 4) is not offered.
    assert.equal(await page.locator('[data-preset="presence4"]').count(), 0);
    // In the browser's locale: 14,0 in French.
    assert.equal(await page.locator('[data-preset="away"]').inputValue(), (demo.comap.state.customTemperatures(COMAP_IDS.chalet).away ?? NaN).toLocaleString('fr-FR', { minimumFractionDigits: 1 }));
    await page.locator('header', { hasText: 'Chauffage' }).waitFor({ timeout: 5000 });
    assert.match(text, /Mode de la maison/);
    assert.match(text, /Changer de programme annule les consignes temporaires/);
    assert.ok(!/\b(Setpoint|Program|House mode)\b/.test(text), 'no English on a French page');
    await screenshot(page, 'dashboard-heating-chalet-fr');
  });

  it('writes the reading’s date and time in the browser’s locale and time zone', async () => {
    const shown = (await page.locator('[data-qh="updated"]').innerText()).trim();
    const match = /^Relevé (.+)$/.exec(shown);
    assert.ok(match, shown);
    // The page shows the state's updatedAt; it was read within the last few minutes.
    const french = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Paris' });
    const candidates = Array.from({ length: 6 }, (_, i) => french.format(Date.now() - i * 60_000));
    assert.ok(candidates.includes(match[1]), `"${match[1]}" is one of ${candidates.join(' | ')}`);
    assert.doesNotMatch(match[1], /AM|PM|\d+\/\d+\/\d+/, 'no US date on a French page');
  });

  it('sends a command to the second housing, and says so at once in French', async () => {
    await page.locator('[data-qh="mode-away"]').click();
    assert.equal(await page.locator('[data-qh="feedback-mode"]').innerText(), 'envoyé — le thermostat l’applique sous 1 à 5 min');
    const write = await until(() => demo.comap.state.writes.find((w) => w.path.endsWith('/thermal-control/leave-home')), 10_000, 'the leave-home write');
    assert.ok(write.path.includes(`/housings/${COMAP_IDS.chalet}/`), write.path);
    assert.deepEqual(errors, [], 'no console errors');
  });

  it('plans a holiday from midnight to midnight in the browser’s time zone', async () => {
    await page.locator('[data-qh="holiday-open"]').click();
    const day = (offset: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(Date.now() + offset * 86_400_000);
    await page.locator('[data-qh="holiday-from"]').fill(day(3));
    await page.locator('[data-qh="holiday-to"]').fill(day(10));
    await page.locator('[data-qh="holiday"]').click();
    assert.equal(await page.locator('[data-qh="feedback-mode"]').innerText(), 'envoyé — le thermostat l’applique sous 1 à 5 min');
    const write = await until(() => demo.comap.state.writes.find((w) => w.method === 'POST' && w.path.endsWith('/thermal-control/absence')), 10_000, 'the absence write');
    const body = write.body as { begin_at: string; end_at: string };
    const paris = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'short' });
    assert.equal(paris.format(Date.parse(body.begin_at)).slice(-5), '00:00', body.begin_at);
    assert.equal(paris.format(Date.parse(body.end_at)).slice(-5), '00:00', body.end_at);
    assert.equal(Date.parse(body.end_at) - Date.parse(body.begin_at) >= 7 * 86_400_000 - 3_600_000, true);
  });

  it('writes the water page’s days in French too', async () => {
    await page.goto(`${demo.runtime.url}/dashboard/water`);
    const latest = page.locator('[data-qw="latest"]');
    await latest.waitFor({ timeout: 20_000 });
    const date = await until(async () => (await latest.getAttribute('data-date')) ?? undefined, 10_000, 'the latest day');
    const french = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'medium', timeZone: 'UTC' }).format(Date.parse(`${date}T00:00:00Z`));
    assert.match((await latest.innerText()).replace(/\s+/g, ' '), new RegExp(`^Dernier jour [\\d\\s\u202f]+ L · ${french}$`));
    await page.locator('header', { hasText: 'Eau' }).waitFor({ timeout: 5000 });
    assert.deepEqual(errors, [], 'no console errors');
  });
});
