import { REFRESH_TOKEN_LIFETIME_S, VeoliaEmulator } from '../../src/emulator/veolia';
import { zonedDate } from '../../src/lib/schedule/daily';
import { DayLedger } from '../../src/lib/veolia/ledger';
import { MonthLedger } from '../../src/lib/veolia/months';
import { createVeoliaSession } from '../../src/lib/veolia/water';

const DAY_MS = 86_400_000;

export interface VeoliaFigures {
  /**
   * Worst day of a simulated year of daily syncs that asks no months, one contract, billing
   * and months on (login renewal included).
   */
  requestsPerSyncSteady: number;
  requestsPerSyncSteadyAverage: number;
  /** Worst day of that year on which the months were asked (a month new or changed). */
  requestsPerSyncNewMonth: number;
  /** How many days of that year asked the months. */
  newMonthDays: number;
  /** First run with the default 30-day backfill. */
  requestsFirstRunBackfill: number;
  /** First run with the longest backfill (730 days). */
  requestsFirstRunBackfill730: number;
  /** Worst day of daily syncs with 1 h access tokens and 1 h refresh tokens without rotation. */
  passwordLoginsPerDay: number;
}

const PASSWORD_LOGIN_DAYS = 14;

/** Password logins each day costs when refresh tokens last one hour (product-spec §10). */
async function measurePasswordLoginsPerDay(): Promise<number> {
  const clock = { now: Date.parse('2026-01-01T06:00:00Z') };
  const emulator = new VeoliaEmulator({ now: () => clock.now, refreshTokenLifetimeS: REFRESH_TOKEN_LIFETIME_S });
  emulator.cognito.knobs.expiresInS = 3600;
  await emulator.start();
  try {
    const session = createVeoliaSession({ portal: 'custom', apiUrl: emulator.url, authUrl: `${emulator.url}/`, clientId: '3kghade1fg54739kj8pkbova8j', username: 'demo@example.com', password: 'demo-password', now: () => clock.now });
    let ledger = DayLedger.empty();
    const perDay: number[] = [];
    for (let day = 0; day < PASSWORD_LOGIN_DAYS; day++) {
      const before = session.auth.stats.passwordLogins;
      const result = await session.water.sync(undefined, { lastDateOf: (id) => ledger.lastDate(id) });
      ledger = ledger.update(result.contract.id, result.days).ledger;
      perDay.push(session.auth.stats.passwordLogins - before);
      clock.now += DAY_MS;
    }
    return Math.max(...perDay);
  } finally {
    await emulator.stop();
  }
}

/**
 * Requests one water sync costs, on a simulated clock: the node's own sequence (ledger,
 * lastDate), with billing (balance and payment plan, as `latest`/`values` do) and the months
 * of `output: months` (asked when a month is new or changed, at most once a day) both on — the
 * most one sync can ask. A "new-month day" is a day the months were asked.
 */
export async function measureVeolia(): Promise<VeoliaFigures> {
  const clock = { now: Date.parse('2026-01-01T06:00:00Z') };
  const emulator = new VeoliaEmulator({ now: () => clock.now });
  emulator.state.setBalance(-12.5);
  emulator.state.setPaymentPlan({ amount: 38 });
  await emulator.start();
  try {
    const session = createVeoliaSession({ portal: 'custom', apiUrl: emulator.url, authUrl: `${emulator.url}/`, clientId: '3kghade1fg54739kj8pkbova8j', username: 'demo@example.com', password: 'demo-password', now: () => clock.now });
    let ledger = DayLedger.empty();
    const months = MonthLedger.from(undefined);
    const syncOnce = async (historyDays = 30): Promise<{ requests: number; monthsAsked: boolean }> => {
      const before = emulator.server.log.length;
      const result = await session.water.sync(undefined, { historyDays, lastDateOf: (id) => ledger.lastDate(id), billing: true });
      ledger = ledger.update(result.contract.id, result.days).ledger;
      const held = ledger.days(result.contract.id);
      const today = zonedDate(clock.now);
      const plan = months.plan(result.contract.id, held, today);
      if (plan) months.apply(result.contract.id, plan, await session.water.monthly(result.contract, plan.years), held, [], today);
      return { requests: emulator.server.log.length - before, monthsAsked: plan !== undefined };
    };
    const firstRun = (await syncOnce()).requests;
    const steady: number[] = [];
    const newMonth: number[] = [];
    for (let day = 0; day < 365; day++) {
      clock.now += DAY_MS;
      const { requests, monthsAsked } = await syncOnce();
      (monthsAsked ? newMonth : steady).push(requests);
    }
    const fresh = createVeoliaSession({ portal: 'custom', apiUrl: emulator.url, authUrl: `${emulator.url}/`, clientId: '3kghade1fg54739kj8pkbova8j', username: 'demo@example.com', password: 'demo-password', now: () => clock.now });
    const before = emulator.server.log.length;
    await fresh.water.sync(undefined, { historyDays: 730 });
    return {
      requestsPerSyncSteady: Math.max(...steady),
      requestsPerSyncSteadyAverage: Math.round((steady.reduce((a, b) => a + b, 0) / steady.length) * 100) / 100,
      requestsPerSyncNewMonth: Math.max(...newMonth),
      newMonthDays: newMonth.length,
      requestsFirstRunBackfill: firstRun,
      requestsFirstRunBackfill730: emulator.server.log.length - before,
      passwordLoginsPerDay: await measurePasswordLoginsPerDay(),
    };
  } finally {
    await emulator.stop();
  }
}
