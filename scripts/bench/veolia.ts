import { REFRESH_TOKEN_LIFETIME_S, VeoliaEmulator } from '../../src/emulator/veolia';
import { DayLedger } from '../../src/lib/veolia/ledger';
import { createVeoliaSession } from '../../src/lib/veolia/water';

const DAY_MS = 86_400_000;

export interface VeoliaFigures {
  /** Worst day of a simulated year of daily syncs, one contract (login renewal included). */
  requestsPerSyncSteady: number;
  requestsPerSyncSteadyAverage: number;
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

/** Requests one water sync costs, on a simulated clock: the node's own sequence (ledger, lastDate). */
export async function measureVeolia(): Promise<VeoliaFigures> {
  const clock = { now: Date.parse('2026-01-01T06:00:00Z') };
  const emulator = new VeoliaEmulator({ now: () => clock.now });
  await emulator.start();
  try {
    const session = createVeoliaSession({ portal: 'custom', apiUrl: emulator.url, authUrl: `${emulator.url}/`, clientId: '3kghade1fg54739kj8pkbova8j', username: 'demo@example.com', password: 'demo-password', now: () => clock.now });
    let ledger = DayLedger.empty();
    const syncOnce = async (historyDays = 30): Promise<number> => {
      const before = emulator.server.log.length;
      const result = await session.water.sync(undefined, { historyDays, lastDateOf: (id) => ledger.lastDate(id) });
      ledger = ledger.update(result.contract.id, result.days).ledger;
      return emulator.server.log.length - before;
    };
    const firstRun = await syncOnce();
    const costs: number[] = [];
    for (let day = 0; day < 365; day++) {
      clock.now += DAY_MS;
      costs.push(await syncOnce());
    }
    const fresh = createVeoliaSession({ portal: 'custom', apiUrl: emulator.url, authUrl: `${emulator.url}/`, clientId: '3kghade1fg54739kj8pkbova8j', username: 'demo@example.com', password: 'demo-password', now: () => clock.now });
    const before = emulator.server.log.length;
    await fresh.water.sync(undefined, { historyDays: 730 });
    return {
      requestsPerSyncSteady: Math.max(...costs),
      requestsPerSyncSteadyAverage: Math.round((costs.reduce((a, b) => a + b, 0) / costs.length) * 100) / 100,
      requestsFirstRunBackfill: firstRun,
      requestsFirstRunBackfill730: emulator.server.log.length - before,
      passwordLoginsPerDay: await measurePasswordLoginsPerDay(),
    };
  } finally {
    await emulator.stop();
  }
}
