import { COMAP_CLIENT_IDS, COMAP_IDS, ComapEmulator, DEMO_PASSWORD, DEMO_USERNAME } from './comap';
import { DEMO_USER, VEOLIA_CLIENT_IDS, VeoliaEmulator } from './veolia';

/**
 * `npm run emulator`: starts the cloud emulators on fixed loopback ports for the demo and manual
 * tries, keeps their values moving, and stops them on Ctrl-C. Another cloud is one more entry in
 * `EMULATORS`.
 */
interface CliEmulator {
  name: string;
  /** Environment variable naming the port, and the port used without it. */
  portEnv: string;
  defaultPort: number;
  start(port: number): Promise<string>;
  stop(): Promise<void>;
  /** Lines printed once started: URLs, credentials, ids. */
  describe(url: string): string[];
  /** Called every TICK_MS so a live dashboard sees changes. */
  tick?(): void;
}

const TICK_MS = 30_000;
/** The water meter publishes a new day every this many ticks (every minute). */
const TICKS_PER_WATER_DAY = 2;

function comapEntry(): CliEmulator {
  const comap = new ComapEmulator();
  return {
    name: 'Comap',
    portEnv: 'COMAP_EMULATOR_PORT',
    defaultPort: 8801,
    start: (port) => comap.start(port),
    stop: () => comap.stop(),
    tick: () => comap.state.tick(),
    describe: (url) => [
      `  auth URL (Cognito): ${url}/`,
      `  API URL:            ${url}`,
      `  client id:          ${COMAP_CLIENT_IDS[0]}`,
      `  login:              ${DEMO_USERNAME} / ${DEMO_PASSWORD}`,
      `  housings:           Maison ${COMAP_IDS.maison} (multizone), Chalet ${COMAP_IDS.chalet} (monozone)`,
    ],
  };
}

function veoliaEntry(): CliEmulator {
  // Clients never ask for days after yesterday: the calendar starts 60 days behind the clock and
  // catches up one day per minute (then one a day, with the clock).
  const veolia = new VeoliaEmulator({ publicationDelayDays: 1, lagDays: 60 });
  let ticks = 0;
  return {
    name: 'Veolia',
    portEnv: 'VEOLIA_EMULATOR_PORT',
    defaultPort: 8802,
    start: (port) => veolia.start(port),
    stop: () => veolia.stop(),
    tick: () => {
      if (++ticks % TICKS_PER_WATER_DAY === 0) veolia.state.catchUpDay();
    },
    describe: (url) => [
      '  portal:             custom',
      `  API URL:            ${url}`,
      `  auth URL (Cognito): ${url}/`,
      `  client id:          ${VEOLIA_CLIENT_IDS[0]}`,
      `  login:              ${DEMO_USER.username} / ${DEMO_USER.password}`,
      `  contracts:          ${(DEMO_USER.contracts ?? []).map((c) => `${c.id} (${c.label})`).join(', ')}`,
      `  newest day:         ${veolia.state.lastPublishedDate()} (one more every ${(TICK_MS * TICKS_PER_WATER_DAY) / 60_000} min until yesterday, then one a day)`,
    ],
  };
}

const EMULATORS: Array<() => CliEmulator> = [comapEntry, veoliaEntry];

function portOf(entry: CliEmulator): number {
  const raw = process.env[entry.portEnv];
  if (raw === undefined || raw === '') return entry.defaultPort;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${entry.portEnv} must be a port number, got "${raw}"`);
  return port;
}

async function main(): Promise<void> {
  const running: CliEmulator[] = [];
  let stopping = false;
  const timer = setInterval(() => running.forEach((e) => e.tick?.()), TICK_MS);
  const stopAll = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    await Promise.all(running.map((e) => e.stop()));
    console.log('Emulators stopped.');
  };

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void stopAll().then(() => process.exit(0));
    });
  }

  try {
    for (const make of EMULATORS) {
      const entry = make();
      const url = await entry.start(portOf(entry));
      running.push(entry);
      console.log(`${entry.name} emulator listening on ${url}`);
      for (const line of entry.describe(url)) console.log(line);
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  console.log('Press Ctrl-C to stop.');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
