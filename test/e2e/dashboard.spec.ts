import assert from 'node:assert/strict';
import { Browser, Page } from 'playwright-core';
import { COMAP_IDS } from '../../src/emulator/comap';
import { Demo, startDemo } from '../../scripts/shared/demo-setup';
import { until } from '../../scripts/shared/node-red-runtime';
import { consoleErrors, launchBrowser, screenshot } from './support/browser';

/** English names of the Comap fil-pilote orders on the heating dashboard. */
const ORDER_LABELS: Record<string, string> = {
  stop: 'Off',
  frost_protection: 'Frost protection',
  eco: 'Eco',
  comfort_minus2: 'Comfort −2',
  comfort_minus1: 'Comfort −1',
  comfort: 'Comfort',
};
const SENT = 'sent — the thermostat applies it within 1–5 min';
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

  /** Polls of the demo's account (every minute) since `after`. */
  const pollsSince = (after: number) => demo.comap.server.log.filter((r) => r.at > after && r.method === 'GET' && r.path.endsWith('/thermal-details')).length;

  it('opens on the heating page with every zone, program, mode and preset of the housing', async () => {
    await page.goto(`${demo.runtime.url}/dashboard`);
    await page.waitForURL(/\/dashboard\/heating$/);
    await page.locator('[data-qh="housing"]').waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('[data-qh="housing"]').innerText(), 'Maison');
    const sejour = demo.comap.state.zoneDetails(COMAP_IDS.maison, COMAP_IDS.zones.sejour);
    assert.match(await widgetText('[data-qh="temperature"]'), new RegExp(`^${String(sejour.temperature)} °C`));
    const setpoint = Number(await page.locator('[data-qh="setpoint-slider"]').inputValue());
    assert.ok(setpoint >= 5 && setpoint <= 30 && setpoint * 2 === Math.round(setpoint * 2), `setpoint ${setpoint}`);

    const details = demo.comap.state.thermalDetails(COMAP_IDS.maison);
    const names = await page.locator('[data-qh="zone-name"]').allInnerTexts();
    assert.deepEqual(names.map((n) => n.trim()), (details.zones ?? []).map((z) => z.title), 'every zone of the housing, by its name');
    for (const id of [COMAP_IDS.zones.chambres, COMAP_IDS.zones.sdb]) {
      const zone = demo.comap.state.zoneDetails(COMAP_IDS.maison, id);
      const select = page.locator(`[data-zone="${id}"] [data-qh="zone-order"]`);
      const shown = await select.evaluate((el: HTMLSelectElement) => el.selectedOptions[0]?.textContent ?? '');
      const temporary = zone.events?.temporary_instruction ? ORDER_LABELS[String(zone.set_point?.instruction)] : 'Follow the program';
      assert.equal(shown, temporary, `${zone.title}`);
    }
    const programs = demo.comap.state.programs(COMAP_IDS.maison).programs;
    assert.deepEqual(await page.locator('[data-qh="program"] option').allInnerTexts(), programs.map((p) => p.title), 'every program');
    assert.equal(await page.locator('[data-qh="program"]').inputValue(), programs.find((p) => p.is_activated)?.title);
    assert.match(await widgetText('[data-qh="mode-state"]'), /^At home/);
    const presets = demo.comap.state.customTemperatures(COMAP_IDS.maison);
    assert.equal(Number(await page.locator('[data-preset="night"]').inputValue()), presets.night);
    assert.equal(Number(await page.locator('[data-preset="presence1"]').inputValue()), presets.connected?.presence_1);
    await screenshot(page, 'dashboard-heating');
    assert.deepEqual(demo.comap.state.writes, [], 'showing values sends no command');
  });

  it('a click on the slider’s track sends the clicked value, says "sent" at once and shows the cloud’s value after the next poll', async () => {
    const slider = page.locator('[data-qh="setpoint-slider"]');
    const before = Number(await slider.inputValue());
    const box = await slider.boundingBox();
    assert.ok(box, 'slider on screen');
    // A click far from the thumb: 90 % of the way (about 27.5 °C).
    const fraction = before > 25 ? 0.1 : 0.9;
    await page.mouse.click(box.x + box.width * fraction, box.y + box.height / 2);
    const clicked = Number(await slider.inputValue());
    assert.ok(Math.abs(clicked - (5 + 25 * fraction)) <= 1, `the clicked value ${clicked}`);
    assert.equal(await widgetText('[data-qh="feedback-setpoint"]'), SENT, 'said at once');
    const write = await until(() => demo.comap.state.writes.find((w) => w.path.endsWith(`/zones/${COMAP_IDS.zones.sejour}/temporary-instruction`)), 10_000, 'the temporary instruction');
    assert.equal(write.method, 'POST');
    assert.deepEqual(write.body, { duration: 120, set_point: { instruction: clicked } });
    await new Promise((r) => setTimeout(r, 1500)); // one debounce period more: still one write
    assert.equal(demo.comap.state.writes.length, 1, 'one write for one click');
    // The next poll (every minute in the demo) shows the cloud's value instead.
    const shown = await until(async () => ((await page.locator('[data-qh="feedback-setpoint"]').count()) ? undefined : widgetText('[data-qh="setpoint-state"]')), 70_000, 'the cloud’s value');
    assert.ok(shown.startsWith(`Temporary setpoint ${clicked.toFixed(1)} °C until `), shown);
  });

  it('a keyboard change of the slider is sent too', async () => {
    const slider = page.locator('[data-qh="setpoint-slider"]');
    const before = Number(await slider.inputValue());
    const writes = demo.comap.state.writes.length;
    await slider.focus();
    await page.keyboard.press(before > 6 ? 'ArrowLeft' : 'ArrowRight');
    await page.keyboard.press(before > 6 ? 'ArrowLeft' : 'ArrowRight');
    const wanted = Number(await slider.inputValue());
    assert.equal(Math.abs(wanted - before), 1, 'two steps of 0.5 °C');
    const write = await until(() => demo.comap.state.writes.slice(writes).find((w) => w.method === 'POST' && w.path.endsWith('/temporary-instruction')), 10_000, 'the keyboard setpoint');
    assert.deepEqual(write.body, { duration: 120, set_point: { instruction: wanted } });
  });

  it('choosing an order in a zone sends it to that zone, and says so at once', async () => {
    await page.locator(`[data-zone="${COMAP_IDS.zones.chambres}"] [data-qh="zone-order"]`).selectOption('1');
    assert.equal(await widgetText(`[data-zone="${COMAP_IDS.zones.chambres}"] [data-qh="feedback-zone"]`), SENT);
    const write = await until(() => demo.comap.state.writes.find((w) => w.path.endsWith(`/zones/${COMAP_IDS.zones.chambres}/temporary-instruction`)), 10_000, 'the zone order');
    assert.deepEqual(write.body, { duration: 120, set_point: { instruction: 'frost_protection' } });
  });

  it('a program change says that it cancels the temporary orders', async () => {
    const programs = demo.comap.state.programs(COMAP_IDS.maison).programs;
    const other = programs.find((p) => !p.is_activated);
    assert.ok(other && typeof other.title === 'string');
    await page.locator('[data-qh="program"]').selectOption(other.title);
    assert.match(await widgetText('[data-qh="feedback-program"]'), /^sent — the thermostat applies it within 1–5 min; temporary orders are cancelled$/);
    const write = await until(() => demo.comap.state.writes.find((w) => w.path.endsWith(`/programs/${other.id}/activate`)), 10_000, 'the program change');
    assert.equal(await page.locator('[data-qh^="feedback-"]').count(), 1, 'the temporary orders’ lines went with them');
    await until(async () => ((await page.locator('[data-qh="feedback-program"]').count()) ? undefined : true), 70_000, 'the cloud’s program');
    assert.ok(pollsSince(write.at) >= 1, 'shown after a poll');
    assert.equal(await page.locator('[data-qh="program"]').inputValue(), other.title);
    assert.match(await widgetText('[data-zone="' + COMAP_IDS.zones.chambres + '"]'), /Follow the program/, 'the temporary order is gone');
  });

  it('edits a preset from the dashboard and says so at once', async () => {
    const night = page.locator('[data-preset="night"]');
    const before = demo.comap.state.customTemperatures(COMAP_IDS.maison).night;
    const wanted = before === 16.5 ? 17 : 16.5;
    await night.fill(String(wanted));
    await night.press('Tab');
    await page.locator('[data-qh="presets-save"]').click();
    assert.equal(await widgetText('[data-qh="feedback-presets"]'), SENT);
    const write = await until(() => demo.comap.state.writes.find((w) => w.method === 'PATCH' && w.path.endsWith('/custom-temperatures')), 10_000, 'the presets write');
    assert.deepEqual(write.body, { night: wanted });
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
    await until(async () => ((await page.locator('[data-qw="latest"]').getAttribute('data-date')) === last ? true : undefined), 10_000, 'the latest day');
    // Days, volumes and dates in the browser's locale (en-US here).
    const usDay = (date: string) => new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' }).format(Date.parse(`${date}T00:00:00Z`));
    assert.match(await widgetText('[data-qw="latest"]'), new RegExp(`^Latest day [\\d,]+ L · ${usDay(last)}$`));
    assert.match(await widgetText('[data-qw="index"]'), /^Meter index [\d,]+\.\d{3} m³$/);
    assert.match(await widgetText('[data-qw="bill"]'), /^Last bill \d+ m³ · [A-Z][a-z]{2} \d{1,2}, \d{4} → [A-Z][a-z]{2} \d{1,2}, \d{4}$/);
    await screenshot(page, 'dashboard-water');
  });

  it('shows the day Veolia publishes next after "Sync now"', async () => {
    demo.veolia.state.advanceDay();
    const next = demo.veolia.state.lastPublishedDate();
    assert.notEqual(await page.locator('[data-qw="latest"]').getAttribute('data-date'), next, 'not shown before the sync');
    await page.getByRole('button', { name: 'Sync now' }).click();
    await until(async () => ((await page.locator('[data-qw="latest"]').getAttribute('data-date')) === next ? true : undefined), 15_000, `the new day ${next}`);
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
