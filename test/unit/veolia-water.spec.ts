import assert from 'node:assert/strict';
import { ApiError } from '../../src/lib/http/errors';
import { attemptsOf } from '../../src/lib/http/retry';
import { addDays } from '../../src/lib/schedule/daily';
import { DayLedger } from '../../src/lib/veolia/ledger';
import { createVeoliaSession, MAX_HISTORY_DAYS, VeoliaSession, WaterServiceOptions } from '../../src/lib/veolia/water';
import {
  DEMO_PASSWORD,
  DEMO_USER,
  DEMO_USERNAME,
  MAIN_CONTRACT,
  REFRESH_TOKEN_LIFETIME_S,
  SECOND_CONTRACT,
  VEOLIA_CLIENT_IDS,
  VeoliaEmulator,
} from '../../src/emulator/veolia';

/** 2026-11-23 07:00 in Paris. */
const T0 = Date.parse('2026-11-23T06:00:00Z');
const TODAY = '2026-11-23';
const DAY_MS = 86_400_000;
/**
 * Most tests count the data calls of a sync: their refresh tokens outlive the test. Veolia's
 * 1 h tokens without rotation have their own test.
 */
const LONG_REFRESH_S = 365 * 86_400;

async function rejects(promise: Promise<unknown>, code: string): Promise<ApiError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ApiError, `expected ApiError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected ${code}`);
}

describe('WaterService', () => {
  let clock: number;
  let emu: VeoliaEmulator;
  let url: string;
  let session: VeoliaSession;

  function connect(water: WaterServiceOptions = {}, username = DEMO_USERNAME): VeoliaSession {
    return createVeoliaSession({
      portal: 'custom',
      apiUrl: url,
      authUrl: `${url}/`,
      clientId: VEOLIA_CLIENT_IDS[0],
      username,
      password: DEMO_PASSWORD,
      now: () => clock,
      water: { retry: { sleep: () => Promise.resolve() }, ...water },
    });
  }

  /** Requests the emulator saw since the last call, as "METHOD path[ month]". */
  function drain(): string[] {
    const seen = emu.server.log.map((r) => `${r.method} ${r.path}${r.query.mois ? ` ${r.query.annee}-${r.query.mois}` : ''}`);
    emu.server.clearLog();
    return seen;
  }

  beforeEach(async () => {
    clock = T0;
    emu = new VeoliaEmulator({
      now: () => clock,
      users: [DEMO_USER, { username: 'empty@example.com', password: DEMO_PASSWORD, contracts: [] }],
      refreshTokenLifetimeS: LONG_REFRESH_S,
    });
    url = await emu.start();
    session = connect();
  });

  afterEach(() => emu.stop());

  describe('first run', () => {
    it('backfills the default 30 days in 6 requests, login included', async () => {
      const result = await session.water.sync(undefined, {});
      assert.deepEqual(drain(), [
        'POST /',
        'GET /espace-client',
        `GET /abonnements/${MAIN_CONTRACT.id}/facturation`,
        `GET /consommations/${MAIN_CONTRACT.id}/journalieres 2026-10`,
        `GET /consommations/${MAIN_CONTRACT.id}/journalieres 2026-11`,
        `GET /consommations/facturation/${MAIN_CONTRACT.id}`,
      ]);
      assert.deepEqual(result.contract, {
        id: MAIN_CONTRACT.id,
        meter: MAIN_CONTRACT.meter,
        pds: MAIN_CONTRACT.pds,
        subscriptionStart: addDays(TODAY, -MAIN_CONTRACT.startDaysAgo),
        label: MAIN_CONTRACT.label,
        owner: { contactId: MAIN_CONTRACT.contactId, tierId: MAIN_CONTRACT.tierId },
      });
      assert.equal(result.days[0].date, addDays(TODAY, -30));
      assert.equal(result.days[result.days.length - 1].date, addDays(TODAY, -2));
      assert.equal(result.days.length, 29);
      for (const d of result.days) {
        assert.ok(Number.isInteger(d.litres) && Number.isInteger(d.indexLitres));
        const published = emu.state.publishedDay(d.date);
        assert.deepEqual(d, { date: d.date, litres: published?.litres, indexLitres: published?.indexLitres, estimated: published?.estimated });
      }
      assert.deepEqual(result.billed, { m3: result.billed?.m3, from: '2025-12-05', to: '2026-06-05' });
      assert.ok((result.billed?.m3 ?? 0) > 10);
      assert.ok(Number.isInteger(result.billed?.m3), 'billed in whole m³');
    });

    it('never asks for a month before the subscription start, even with the longest backfill', async () => {
      const start = emu.state.contract().subscriptionStart;
      const result = await session.water.sync(MAIN_CONTRACT.id, { historyDays: MAX_HISTORY_DAYS });
      const months = emu.server.requests('/journalieres').map((r) => `${r.query.annee}-${r.query.mois.padStart(2, '0')}`);
      assert.equal(months[0], start.slice(0, 7));
      assert.ok(months.every((m) => m >= start.slice(0, 7)));
      assert.equal(months.length, 24);
      assert.equal(result.days[0].date, start);
      assert.ok(result.days.every((d) => d.date >= start));
    });

    it('starts a recent contract at its subscription start', async () => {
      emu.state.addContract();
      const result = await session.water.sync(SECOND_CONTRACT.id, { historyDays: 30 });
      const start = addDays(TODAY, -SECOND_CONTRACT.startDaysAgo);
      assert.deepEqual(result.months, [{ year: 2026, month: 11 }]);
      assert.equal(result.days[0].date, start);
      assert.equal(result.contract.pds, SECOND_CONTRACT.pds);
    });

    it('validates its options', async () => {
      for (const historyDays of [0, 731, 1.5, Number.NaN]) await rejects(session.water.sync(undefined, { historyDays }), 'INVALID_INPUT');
      await rejects(session.water.sync(undefined, { range: { from: '2026-11-10', to: '2026-11-01' } }), 'INVALID_INPUT');
      await rejects(session.water.sync(undefined, { range: { from: '2026-11-31', to: '2026-12-01' } }), 'INVALID_INPUT');
      await rejects(session.water.sync(undefined, { lastDate: 'yesterday' }), 'INVALID_INPUT');
      assert.deepEqual(drain(), [], 'no request for bad input');
    });
  });

  describe('contracts', () => {
    it('discovers every contract of the account, with details fetched once', async () => {
      emu.state.addContract();
      const list = await session.water.contracts();
      assert.deepEqual(
        list.map((c) => [c.id, c.pds, c.meter]),
        [
          [MAIN_CONTRACT.id, MAIN_CONTRACT.pds, MAIN_CONTRACT.meter],
          [SECOND_CONTRACT.id, SECOND_CONTRACT.pds, SECOND_CONTRACT.meter],
        ],
      );
      drain();
      await session.water.contracts();
      assert.deepEqual(drain(), [], 'served from cache');
      clock += 25 * 3600_000;
      await session.water.contracts();
      assert.deepEqual(drain(), ['POST /', 'GET /espace-client'], 'after the TTL only the listing is asked again');
      const second = await session.water.sync(SECOND_CONTRACT.id, {});
      assert.equal(second.contract.id, SECOND_CONTRACT.id);
    });

    it('skips a listed contract the service has no details for, keeping the others', async () => {
      const stale = emu.state.addContract({ ...SECOND_CONTRACT, id: '1000999', contactId: '2000999', tierId: '3000999' });
      const original = emu.state.facturation.bind(emu.state);
      emu.state.facturation = (id: string) => (id === stale.id ? { solde: 0 } : original(id));
      const list = await session.water.contracts();
      assert.deepEqual(
        list.map((c) => c.id),
        [MAIN_CONTRACT.id],
      );
      await rejects(session.water.sync(stale.id, {}), 'NOT_FOUND');
    });

    it('shares one discovery between concurrent callers', async () => {
      await Promise.all([session.water.contracts(), session.water.contracts(), session.water.contract(MAIN_CONTRACT.id)]);
      assert.equal(emu.server.requests('/espace-client').length, 1);
      assert.equal(emu.server.requests('/', 'POST').length, 1);
    });

    it('says NOT_FOUND for a contract the account does not have, or an account without any', async () => {
      await rejects(session.water.sync('0000000', {}), 'NOT_FOUND');
      assert.equal(emu.server.requests('/journalieres').length, 0);
      await rejects(connect({}, 'empty@example.com').water.sync(undefined, {}), 'NOT_FOUND');
    });
  });

  describe('steady state', () => {
    it('costs at most 4 requests per daily sync, token renewal included, over 45 days', async () => {
      let ledger = DayLedger.empty();
      const first = await session.water.sync(undefined, { historyDays: 30 });
      ledger = ledger.update(first.contract.id, first.days).ledger;
      drain();
      const counts: number[] = [];
      const byDay: string[] = [];
      for (let i = 1; i <= 45; i++) {
        // 07:00 plus a jitter that varies from day to day.
        clock = T0 + i * DAY_MS + ((i * 37) % 300) * 1000;
        const result = await session.water.sync(undefined, { lastDate: ledger.lastDate(MAIN_CONTRACT.id) });
        const update = ledger.update(result.contract.id, result.days);
        ledger = update.ledger;
        const seen = drain();
        counts.push(seen.length);
        byDay.push(`${addDays(TODAY, i)}: ${seen.length}`);
        assert.ok(seen.length <= 4, `${addDays(TODAY, i)}: ${seen.join(', ')}`);
        assert.equal(seen.filter((s) => s === 'POST /').length, 1, 'the token of yesterday is renewed once');
        assert.ok(!seen.some((s) => s.includes('/abonnements/')), 'contract details are never asked again');
        assert.deepEqual(
          update.emit.map((d) => d.date),
          [addDays(TODAY, i - 2)],
          `day ${i}: exactly the newly published day`,
        );
      }
      assert.equal(Math.max(...counts), 4);
      assert.ok(counts.reduce((a, b) => a + b, 0) / counts.length < 4);
      assert.ok(byDay.length === 45);
    });

    it('logs in with the password once a day when refresh tokens last 1 h without rotation', async () => {
      await emu.stop();
      emu = new VeoliaEmulator({ now: () => clock, refreshTokenLifetimeS: REFRESH_TOKEN_LIFETIME_S });
      url = await emu.start();
      session = connect();
      let ledger = DayLedger.empty();
      const first = await session.water.sync(undefined, {});
      ledger = ledger.update(first.contract.id, first.days).ledger;
      for (let i = 1; i <= 7; i++) {
        clock = T0 + i * DAY_MS;
        const logins = session.auth.stats.passwordLogins;
        const refused = emu.cognito.stats.failures;
        const result = await session.water.sync(undefined, { lastDate: ledger.lastDate(MAIN_CONTRACT.id) });
        ledger = ledger.update(result.contract.id, result.days).ledger;
        assert.equal(session.auth.stats.passwordLogins - logins, 1, `day ${i}`);
        assert.equal(emu.cognito.stats.failures - refused, 0, `day ${i}: yesterday's refresh token, known dead, is not offered`);
        assert.deepEqual(
          result.days.map((d) => d.date).slice(-1),
          [addDays(TODAY, i - 2)],
        );
      }
    });

    it('costs at most 3 requests when the token is still valid', async () => {
      await session.water.sync(undefined, {});
      for (const [at, expected] of [
        [T0 + 10 * 60_000, 1],
        [Date.parse('2026-12-03T06:00:00Z'), 2],
      ] as const) {
        clock = at;
        await session.water.contracts();
        drain();
        clock += 60_000;
        await session.water.sync(undefined, { lastDate: '2026-11-21' });
        const seen = drain();
        assert.ok(!seen.includes('POST /'), seen.join(', '));
        assert.ok(seen.length <= 3, seen.join(', '));
        assert.equal(seen.filter((s) => s.includes('/journalieres')).length, expected);
      }
    });

    it('asks only for the current month mid-month, and for the previous one early in the month', async () => {
      const long = { contractsTtlMs: 30 * DAY_MS, billedTtlMs: 30 * DAY_MS };
      session = connect(long);
      await session.water.sync(undefined, {});
      const monthsOn = async (date: string, lastDate: string): Promise<string[]> => {
        clock = Date.parse(`${date}T06:00:00Z`);
        drain();
        const r = await session.water.sync(undefined, { lastDate });
        return r.months.map((m) => `${m.year}-${m.month}`);
      };
      assert.deepEqual(await monthsOn('2026-11-24', '2026-11-21'), ['2026-11']);
      assert.deepEqual(await monthsOn('2026-12-01', '2026-11-28'), ['2026-11']);
      assert.deepEqual(await monthsOn('2026-12-03', '2026-11-30'), ['2026-11', '2026-12']);
      assert.deepEqual(await monthsOn('2026-12-10', '2026-12-07'), ['2026-12']);
      // The latest known day is in the previous month: that month is asked again.
      assert.deepEqual(await monthsOn('2026-12-12', '2026-11-25'), ['2026-11', '2026-12']);
    });

    it('re-emits an estimate once it is corrected', async () => {
      emu.state.estimateDay('2026-11-20', 999);
      const first = await session.water.sync(undefined, {});
      const { ledger } = DayLedger.empty().update(MAIN_CONTRACT.id, first.days);
      assert.deepEqual(first.days.find((d) => d.date === '2026-11-20')?.estimated, true);
      emu.state.correctDay('2026-11-20', 410);
      clock += DAY_MS;
      const next = await session.water.sync(undefined, { lastDate: ledger.lastDate(MAIN_CONTRACT.id) });
      const update = ledger.update(MAIN_CONTRACT.id, next.days);
      assert.deepEqual(
        update.emit.map((d) => [d.date, d.litres, d.estimated]),
        [
          ['2026-11-20', 410, false],
          ['2026-11-22', emu.state.publishedDay('2026-11-22')?.litres, emu.state.publishedDay('2026-11-22')?.estimated],
        ],
      );
    });

    it('emits a missing day once it is published late, and keeps a negative correction as is', async () => {
      emu.state.setMissingDays(['2026-11-19']);
      const first = await session.water.sync(undefined, {});
      assert.ok(!first.days.some((d) => d.date === '2026-11-19'));
      const { ledger } = DayLedger.empty().update(MAIN_CONTRACT.id, first.days);
      emu.state.setMissingDays([]);
      emu.state.negativeCorrection('2026-11-22', -120);
      clock += DAY_MS;
      const next = await session.water.sync(undefined, { lastDate: ledger.lastDate(MAIN_CONTRACT.id) });
      const update = ledger.update(MAIN_CONTRACT.id, next.days);
      assert.deepEqual(
        update.emit.map((d) => [d.date, d.litres < 0, d.estimated]),
        [
          ['2026-11-19', false, emu.state.publishedDay('2026-11-19')?.estimated],
          ['2026-11-21', false, true],
          ['2026-11-22', true, false],
        ],
      );
      assert.equal(update.emit[2].litres, -120);
    });

    it('picks up a new meter number after a replacement, with one extra request', async () => {
      session = connect({ contractsTtlMs: 30 * DAY_MS, billedTtlMs: 30 * DAY_MS });
      const first = await session.water.sync(undefined, {});
      assert.equal(first.contract.meter, MAIN_CONTRACT.meter);
      emu.state.replaceMeter('2026-11-22', 'NEWMETER01', 5);
      clock += DAY_MS;
      drain();
      const next = await session.water.sync(undefined, { lastDate: '2026-11-21' });
      assert.equal(next.contract.meter, 'NEWMETER01');
      assert.deepEqual(drain(), ['POST /', `GET /consommations/${MAIN_CONTRACT.id}/journalieres 2026-11`, 'GET /espace-client']);
      const replaced = next.days.find((d) => d.date === '2026-11-22');
      assert.ok((replaced?.indexLitres ?? Infinity) < 1000);
      clock += DAY_MS;
      const after = await session.water.sync(undefined, { lastDate: '2026-11-22' });
      assert.equal(after.contract.meter, 'NEWMETER01');
      assert.deepEqual(drain(), ['POST /', `GET /consommations/${MAIN_CONTRACT.id}/journalieres 2026-11`], 'the same drop is not looked into twice');
    });

    it('shows a new day at each advanceDay() of a live demo on an unchanged clock', async () => {
      await emu.stop();
      emu = new VeoliaEmulator({ now: () => clock, publicationDelayDays: 5 });
      url = await emu.start();
      session = connect();
      const first = await session.water.sync(undefined, {});
      let ledger = DayLedger.empty().update(MAIN_CONTRACT.id, first.days).ledger;
      assert.equal(ledger.lastDate(MAIN_CONTRACT.id), addDays(TODAY, -5));
      for (const expected of [-4, -3, -2, -1]) {
        emu.state.advanceDay();
        const next = await session.water.sync(undefined, { lastDate: ledger.lastDate(MAIN_CONTRACT.id) });
        const update = ledger.update(MAIN_CONTRACT.id, next.days);
        ledger = update.ledger;
        assert.deepEqual(
          update.emit.map((d) => d.date),
          [addDays(TODAY, expected)],
        );
      }
    });

    it('handles a meter without telemetry: no days, billed volume still given', async () => {
      emu.state.setTelemetry(false);
      const first = await session.water.sync(undefined, {});
      assert.deepEqual(first.days, []);
      assert.ok(first.billed);
      clock += DAY_MS;
      drain();
      const next = await session.water.sync(undefined, {});
      assert.deepEqual(next.days, []);
      assert.ok(drain().length <= 4, 'a meter that never emits backfills again, within the same budget');
    });
  });

  describe('history import', () => {
    it('fetches a range whatever was emitted, clamped to the subscription start and yesterday', async () => {
      const first = await session.water.sync(undefined, {});
      const { ledger } = DayLedger.empty().update(MAIN_CONTRACT.id, first.days);
      const replay = await session.water.sync(undefined, { range: { from: '2026-11-01', to: '2026-11-05' } });
      assert.deepEqual(replay.months, [{ year: 2026, month: 11 }]);
      assert.deepEqual(
        replay.days.map((d) => d.date),
        ['2026-11-01', '2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05'],
      );
      assert.equal(ledger.update(MAIN_CONTRACT.id, replay.days, { range: { from: '2026-11-01', to: '2026-11-05' } }).emit.length, 5);

      const start = emu.state.contract().subscriptionStart;
      const old = await session.water.sync(undefined, { range: { from: '2020-01-01', to: addDays(start, 3) } });
      assert.deepEqual(old.months, [{ year: Number(start.slice(0, 4)), month: Number(start.slice(5, 7)) }]);
      assert.equal(old.days[0].date, start);
      const future = await session.water.sync(undefined, { range: { from: '2027-01-01', to: '2027-01-05' } });
      assert.deepEqual(future.months, []);
      assert.deepEqual(future.days, []);
    });
  });

  describe('failures', () => {
    it('retries a 502 burst inside the sync', async () => {
      emu.burst(502, 2, '/journalieres');
      const result = await session.water.sync(undefined, {});
      assert.equal(result.days.length, 29);
      assert.deepEqual(
        emu.server.requests('/journalieres').map((r) => r.status),
        [502, 502, 200, 200],
      );
    });

    it('gives up with RATE_LIMITED after its retries, counting the attempts', async () => {
      await session.water.contracts();
      emu.burst(429, 10, '/journalieres');
      const err = await rejects(session.water.sync(undefined, { historyDays: 5 }), 'RATE_LIMITED');
      assert.equal(attemptsOf(err), 3);
      assert.equal(emu.server.requests('/journalieres').length, 3);
    });

    it('renews a token refused with 403 once and goes on', async () => {
      await session.water.sync(undefined, {});
      emu.state.staleTokenStatus = 403;
      emu.cognito.revokeAll();
      drain();
      clock += 60_000;
      const result = await session.water.sync(undefined, { lastDate: '2026-11-21' });
      assert.ok(result.days.length > 0);
      assert.deepEqual(drain().slice(0, 3), [`GET /consommations/${MAIN_CONTRACT.id}/journalieres 2026-11`, 'POST /', `GET /consommations/${MAIN_CONTRACT.id}/journalieres 2026-11`]);
    });

    it('says AUTH_CHALLENGE when the service wants an e-mail code, and AUTH_FAILED for a wrong password', async () => {
      emu.requireEmailCode(DEMO_USERNAME);
      await rejects(session.water.sync(undefined, {}), 'AUTH_CHALLENGE');
      emu.requireEmailCode(DEMO_USERNAME, false);
      const wrong = createVeoliaSession({ portal: 'custom', apiUrl: url, authUrl: `${url}/`, clientId: VEOLIA_CLIENT_IDS[0], username: DEMO_USERNAME, password: 'nope' });
      const err = await rejects(wrong.water.sync(undefined, {}), 'AUTH_FAILED');
      assert.equal(attemptsOf(err), 1, 'no retry on a wrong password');
    });

    it('says UNAVAILABLE when the login answers an empty body every time', async () => {
      emu.cognito.knobs.emptyBodyCount = 10;
      const err = await rejects(session.water.sync(undefined, {}), 'UNAVAILABLE');
      assert.equal(attemptsOf(err), 3);
    });
  });
});
