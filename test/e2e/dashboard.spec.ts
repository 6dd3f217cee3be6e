import assert from 'node:assert/strict';
import { Browser, Page } from 'playwright-core';
import { COMAP_IDS } from '../../src/emulator/comap';
import { Demo, startDemo } from '../../scripts/shared/demo-setup';
import { until } from '../../scripts/shared/node-red-runtime';
import { consoleErrors, launchBrowser, screenshot } from './support/browser';

/** Labels of the zone dropdowns of the "Heating dashboard" example, by Comap order. */
const ORDER_LABELS: Record<string, string> = {
  stop: 'Off (Arrêt)',
  frost_protection: 'Frost protection (Hors-gel)',
  eco: 'Eco',
  comfort_minus2: 'Comfort -2 (Confort -2)',
  comfort_minus1: 'Comfort -1 (Confort -1)',
  comfort: 'Comfort (Confort)',
};
const DAY_MS = 86_400_000;

/** Date (YYYY-MM-DD) and time (HH:MM) of an instant in Europe/Paris. */
function paris(ms: number): { date: string; time: string } {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(ms);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { date: `${get('year')}-${get('month')}-${get('day')}`, time: `${get('hour')}:${get('minute')}` };
}

/** The instant of a day's midnight in Europe/Paris (UTC+1 in winter, UTC+2 in summer). */
function parisMidnight(date: string): number {
  const found = [1, 2].map((hours) => Date.parse(`${date}T00:00:00Z`) - hours * 3_600_000).find((ms) => paris(ms).date === date && paris(ms).time === '00:00');
  assert.ok(found !== undefined, `midnight of ${date} in Paris`);
  return found;
}

/** The Paris calendar day `days` after `date` (YYYY-MM-DD). */
function daysAfter(date: string, days: number): string {
  return new Date(Date.parse(`${date}T12:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The demo of `npm start` (both emulators, every example, Dashboard 2) seen in a browser:
 * what a newcomer gets without any account.
 */
describe('e2e: the dashboard of npm start', function () {
  this.timeout(90_000);
  let demo: Demo;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  before(async () => {
    demo = await startDemo({ pollInterval: 1, publicationDelayDays: 7 });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    errors = consoleErrors(page);
  });
  after(async () => {
    await browser?.close();
    await demo?.stop();
  });

  const widgetText = async (selector: string) => (await page.locator(selector).innerText()).replace(/\s+/g, ' ').trim();

  it('opens on the heating page with the emulator’s temperature, setpoint, zones and program', async () => {
    await page.goto(`${demo.runtime.url}/dashboard`);
    await page.waitForURL(/\/dashboard\/heating$/);
    const sejour = demo.comap.state.zoneDetails(COMAP_IDS.maison, COMAP_IDS.zones.sejour);
    await page.waitForFunction((t) => document.querySelector('.nrdb-ui-gauge')?.textContent?.includes(t), String(sejour.temperature), { timeout: 20_000 });

    const setpoint = await until(async () => {
      const value = Number(await page.locator('.nrdb-ui-slider [role="slider"]').getAttribute('aria-valuenow'));
      return value > 5 ? value : undefined;
    }, 10_000, 'the setpoint on the slider');
    assert.ok(setpoint <= 30 && setpoint * 2 === Math.round(setpoint * 2), `setpoint ${setpoint}`);

    for (const [zone, id] of [['Chambres', COMAP_IDS.zones.chambres], ['Salle de bain', COMAP_IDS.zones.sdb]] as const) {
      const order = String(demo.comap.state.zoneDetails(COMAP_IDS.maison, id).set_point?.instruction);
      const dropdown = page.locator('.nrdb-ui-dropdown', { hasText: zone });
      await until(async () => ((await dropdown.innerText()).includes(ORDER_LABELS[order]) ? true : undefined), 10_000, `${zone} shows ${order}`);
    }
    const active = demo.comap.state.programs(COMAP_IDS.maison).programs.find((p) => p.is_activated)?.title ?? '';
    await until(async () => ((await page.locator('.nrdb-ui-dropdown', { hasText: 'Program' }).innerText()).includes(active) ? true : undefined), 10_000, 'the active program');
    assert.match(await widgetText('.nrdb-ui-widget.nrdb-ui-text:has-text("Last presence")'), /Last presence \S+/);
    assert.match(await widgetText('.nrdb-ui-widget.nrdb-ui-text:has-text("Temporary orders")'), /Temporary orders (none, the program applies|Thermostat .+)/);
    await screenshot(page, 'dashboard-heating');
    assert.deepEqual(demo.comap.state.writes, [], 'showing values sends no command');
  });

  it('moving the setpoint slider sends one temporary instruction to the cloud', async () => {
    const thumb = page.locator('.nrdb-ui-slider .v-slider-thumb');
    const track = await page.locator('.nrdb-ui-slider .v-slider-track').boundingBox();
    const box = await thumb.boundingBox();
    assert.ok(track && box, 'slider on screen');
    const before = Number(await page.locator('.nrdb-ui-slider [role="slider"]').getAttribute('aria-valuenow'));
    // Drag through several values: the node's debounce keeps only the last one.
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(track.x + track.width * 0.9, box.y + box.height / 2, { steps: 10 });
    await page.mouse.move(track.x + track.width * 0.75, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    const wanted = Number(await page.locator('.nrdb-ui-slider [role="slider"]').getAttribute('aria-valuenow'));
    assert.notEqual(wanted, before, 'the slider moved');
    const write = await until(() => demo.comap.state.writes.find((w) => w.path.endsWith(`/zones/${COMAP_IDS.zones.sejour}/temporary-instruction`)), 10_000, 'the temporary instruction');
    assert.equal(write.method, 'POST');
    assert.deepEqual(write.body, { duration: 120, set_point: { instruction: wanted } });
    await new Promise((r) => setTimeout(r, 1500)); // one debounce period more: still one write
    assert.equal(demo.comap.state.writes.length, 1, 'one write for one drag');
  });

  it('choosing an order in a zone dropdown sends it to that zone', async () => {
    await page.locator('.nrdb-ui-dropdown', { hasText: 'Chambres' }).click();
    await page.getByRole('option', { name: 'Frost protection (Hors-gel)' }).click();
    const write = await until(() => demo.comap.state.writes.find((w) => w.path.endsWith(`/zones/${COMAP_IDS.zones.chambres}/temporary-instruction`)), 10_000, 'the zone order');
    assert.deepEqual(write.body, { duration: 120, set_point: { instruction: 'frost_protection' } });
  });

  it('charts the daily litres on their real dates, with the index and the last bill', async () => {
    await page.goto(`${demo.runtime.url}/dashboard/water`);
    const chart = page.locator('.nrdb-ui-chart [_echarts_instance_]');
    // ECharts describes its data for screen readers: "… The first 10 items are: x, y, x, y …".
    const label = await until(async () => {
      const aria = (await chart.count()) ? await chart.getAttribute('aria-label') : null;
      return aria && /items are: /.test(aria) ? aria : undefined;
    }, 20_000, 'the chart data');
    const numbers = (label.split('items are: ')[1] ?? '').split(',').map((s) => Number(s.trim().replace(/\.$/, ''))).filter((n) => Number.isFinite(n));
    const points = numbers.reduce<Array<{ x: number; y: number }>>((acc, n, i) => (i % 2 ? [...acc.slice(0, -1), { x: acc[acc.length - 1].x, y: n }] : [...acc, { x: n, y: NaN }]), []);
    assert.ok(points.length >= 5, `days on the chart: ${label}`);
    const last = demo.veolia.state.lastPublishedDate();
    const daysBefore = (date: string, days: number) => new Date(Date.parse(`${date}T12:00:00Z`) - days * DAY_MS).toISOString().slice(0, 10);
    const first = paris(points[0].x).date;
    assert.ok(first >= daysBefore(demo.veolia.state.today(), 31) && first <= daysBefore(last, 9), `the first bar (${first}) opens the 30-day history`);
    points.forEach((p, i) => {
      assert.equal(paris(p.x).time, '00:00', 'each bar starts at midnight, Paris time');
      if (i) assert.ok(Math.abs(p.x - points[i - 1].x - DAY_MS) <= 3_600_000, 'one bar per day');
      assert.ok(Number.isInteger(p.y) && p.y > 0, 'litres');
    });
    await until(async () => ((await widgetText('.nrdb-ui-widget.nrdb-ui-text:has-text("Latest day")')).includes(last) ? true : undefined), 10_000, 'the latest day');
    assert.match(await widgetText('.nrdb-ui-widget.nrdb-ui-text:has-text("Meter index")'), /Meter index \d+\.\d{3} m³/);
    assert.match(await widgetText('.nrdb-ui-widget.nrdb-ui-text:has-text("Last bill")'), /Last bill [\d.]+ m³ \(\d{4}-\d\d-\d\d → \d{4}-\d\d-\d\d\)/);
    await screenshot(page, 'dashboard-water');
  });

  it('shows the day Veolia publishes next after "Sync now"', async () => {
    demo.veolia.state.advanceDay();
    const next = demo.veolia.state.lastPublishedDate();
    assert.ok(!(await widgetText('.nrdb-ui-widget.nrdb-ui-text:has-text("Latest day")')).includes(next), 'not shown before the sync');
    await page.getByRole('button', { name: 'Sync now' }).click();
    await until(async () => ((await widgetText('.nrdb-ui-widget.nrdb-ui-text:has-text("Latest day")')).includes(next) ? true : undefined), 15_000, `the new day ${next}`);
  });

  it('notifies a failed command on the dashboard', async () => {
    await page.goto(`${demo.runtime.url}/dashboard/commands`);
    await page.getByRole('button', { name: '35 °C (refused)' }).click();
    const notification = page.locator('.nrdb-ui-notification, .v-snackbar', { hasText: 'Command failed (INVALID_INPUT)' });
    await notification.first().waitFor({ timeout: 10_000 });
    // Let the snackbar finish sliding in before the picture.
    await notification.first().evaluate((el) => Promise.all(el.getAnimations({ subtree: true }).map((a) => a.finished)));
    await screenshot(page, 'dashboard-commands');
    assert.equal(demo.comap.state.writes.filter((w) => w.body && JSON.stringify(w.body).includes('35')).length, 0, 'nothing sent for 35 °C');
    assert.deepEqual(errors, [], 'no console errors on the dashboard');
    assert.deepEqual(demo.runtime.logs.filter((l) => /^ui-|qivivo|veolia/.test(l.type ?? '') && l.level === 'warn'), [], 'no warning from the flows');
  });

  it('plans a holiday from the two dates of the Away page, and shows it once the cloud confirms it', async () => {
    // A household in France: the page shows the times in the browser's zone.
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, timezoneId: 'Europe/Paris', locale: 'en-US' });
    const away = await context.newPage();
    const pageErrors = consoleErrors(away);
    const logsBefore = demo.runtime.logs.length;
    try {
      const from = daysAfter(paris(Date.now()).date, 3);
      const to = daysAfter(from, 7);
      await away.goto(`${demo.runtime.url}/dashboard/away`);
      const result = away.locator('.nrdb-ui-widget.nrdb-ui-template', { hasText: /Nothing sent|Confirmed/ });
      await result.waitFor({ timeout: 20_000 });
      assert.match(await result.innerText(), /Nothing sent from this page yet/);
      await away.locator('.nrdb-ui-form [data-form="form-row-from"] input').fill(from);
      await away.locator('.nrdb-ui-form [data-form="form-row-to"] input').fill(to);
      const before = demo.comap.state.writes.length;
      await away.locator('.nrdb-ui-form [data-action="form-submit"]').click();

      const write = await until(() => demo.comap.state.writes.slice(before).find((w) => w.path.endsWith('/thermal-control/absence')), 10_000, 'the absence write');
      assert.equal(write.method, 'POST');
      assert.ok(write.path.includes(`/housings/${COMAP_IDS.maison}/`), `the first housing: ${write.path}`);
      const body = write.body as { begin_at?: unknown; end_at?: unknown };
      assert.deepEqual(Object.keys(body).sort(), ['begin_at', 'end_at']);
      assert.deepEqual(
        { begin_at: Date.parse(String(body.begin_at)), end_at: Date.parse(String(body.end_at)) },
        { begin_at: parisMidnight(from), end_at: parisMidnight(to) },
        `midnight, Paris time, of ${from} and ${to}: ${JSON.stringify(body)}`,
      );

      // The result shows the holiday's dates once the node read it back from the cloud.
      const day = (date: string) => new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Paris', dateStyle: 'medium' }).format(parisMidnight(date));
      const shown = await until(async () => {
        const text = (await result.innerText()).replace(/\s+/g, ' ');
        return /Confirmed by the cloud/.test(text) ? text : undefined;
      }, 15_000, 'the confirmed holiday on the page');
      assert.match(shown, /^Holiday /, shown);
      assert.ok(shown.includes(day(from)) && shown.includes(day(to)), `${day(from)} → ${day(to)} in "${shown}"`);
      assert.match(shown, /12:00 AM .*→.*12:00 AM/, 'both at midnight');
      assert.match(shown, /· Maison$/, 'names the housing');
      assert.equal(demo.comap.state.modeWrites().length, 1, 'one mode write for one submit');
      await screenshot(away, 'dashboard-away-holiday');
      assert.deepEqual(pageErrors, [], 'no console errors on the Away page');
      assert.deepEqual(demo.runtime.logs.slice(logsBefore).filter((l) => /^ui-|qivivo|veolia/.test(l.type ?? '')), [], 'no warning or error from the flows');
    } finally {
      await context.close();
    }
  });
});
