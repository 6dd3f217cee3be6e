import { MAIN_CONTRACT, VEOLIA_CLIENT_IDS, VeoliaEmulator } from '../../src/emulator/veolia';
import { addDays } from '../../src/lib/schedule/daily';
import { assessDay, PastDay } from '../../src/lib/veolia/unusual-days';
import { createVeoliaSession } from '../../src/lib/veolia/water';

/**
 * The leak figure of product-spec §10: the emulator's main contract over one year of seeded
 * days, with a 300 L/day leak from a random day. The days come the product's way (emulator over
 * HTTP, Veolia client, WaterService) and each day is assessed on the days before it, as the
 * water node does with its ledger.
 */

export interface LeakRun {
  seed: number;
  leakFrom: string;
  /** Measured days from the leak's first one to the first flag (0 = its first day); null = never. */
  daysToFlag: number | null;
  /** Days flagged before the leak. */
  falseAlarms: number;
}

export interface LeakFigures {
  /** Worst of the runs. */
  leakDaysToFlag: number | null;
  leakFalseAlarms: number;
  runs: LeakRun[];
}

export interface LeakOptions {
  seeds?: number;
  litresPerDay?: number;
}

const YEAR_DAYS = 365;
/** The leak starts no earlier: 8 weeks give the detector 8 of each weekday. */
export const LEAK_EARLIEST_DAY = 56;
const CLOCK = Date.parse('2026-01-01T06:00:00Z');

/** mulberry32: small, seeded, the same starts on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export async function measureLeak(options: LeakOptions = {}): Promise<LeakFigures> {
  const seeds = options.seeds ?? 20;
  const litresPerDay = options.litresPerDay ?? 300;
  const emulator = new VeoliaEmulator({ now: () => CLOCK });
  await emulator.start();
  const session = createVeoliaSession({ portal: 'custom', apiUrl: emulator.url, authUrl: `${emulator.url}/`, clientId: VEOLIA_CLIENT_IDS[0], username: 'demo@example.com', password: 'demo-password', now: () => CLOCK });
  try {
    const last = emulator.state.lastPublishedDate();
    const first = addDays(last, -(YEAR_DAYS - 1));
    const runs: LeakRun[] = [];
    for (let seed = 1; seed <= seeds; seed++) {
      const leakFrom = addDays(first, LEAK_EARLIEST_DAY + Math.floor(random(seed)() * (YEAR_DAYS - LEAK_EARLIEST_DAY)));
      emulator.state.setLeak({ from: leakFrom, litresPerDay, contractId: MAIN_CONTRACT.id });
      const result = await session.water.sync(MAIN_CONTRACT.id, { range: { from: first, to: last } });
      runs.push({ seed, leakFrom, ...assessYear(result.days, leakFrom) });
    }
    const flags = runs.map((r) => r.daysToFlag);
    return {
      leakDaysToFlag: flags.includes(null) ? null : Math.max(...(flags as number[])),
      leakFalseAlarms: Math.max(...runs.map((r) => r.falseAlarms)),
      runs,
    };
  } finally {
    emulator.state.clearLeak(MAIN_CONTRACT.id);
    session.transport.close();
    await emulator.stop();
  }
}

/** Assesses each day on the ones before it, oldest first. */
function assessYear(days: readonly PastDay[], leakFrom: string): Pick<LeakRun, 'daysToFlag' | 'falseAlarms'> {
  const history: PastDay[] = [];
  let falseAlarms = 0;
  let measuredInLeak = 0;
  let daysToFlag: number | null = null;
  for (const day of [...days].sort((a, b) => (a.date < b.date ? -1 : 1))) {
    const flagged = assessDay(day, history).unusual !== null;
    history.push({ date: day.date, litres: day.litres, estimated: day.estimated });
    if (day.date < leakFrom) {
      if (flagged) falseAlarms++;
      continue;
    }
    if (daysToFlag !== null) continue;
    if (flagged) daysToFlag = measuredInLeak;
    // An estimated day cannot be flagged (§8.3): only measured days count towards the delay.
    else if (!day.estimated) measuredInLeak++;
  }
  return { daysToFlag, falseAlarms };
}
