/**
 * `npm start`: the whole package working without any account. Starts both cloud emulators,
 * then a real Node-RED 4 with this package, Dashboard 2 and every example flow configured
 * against them, and prints the editor and dashboard addresses. Ctrl-C stops everything.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_PASSWORD, DEMO_USERNAME } from '../src/emulator/comap';
import { REFCOMMUNES_PREFIX } from '../src/emulator/veolia';
import { startDemo } from './shared/demo-setup';
import { PACKAGE_ROOT } from './shared/node-red-runtime';

const NODE_RED_PORT = Number(process.env.PORT ?? 1880);
const COMAP_PORT = Number(process.env.COMAP_EMULATOR_PORT ?? 8801);
const VEOLIA_PORT = Number(process.env.VEOLIA_EMULATOR_PORT ?? 8802);
/** The heating values move every 30 s, the water meter publishes a new day every minute. */
const TICK_MS = 30_000;
const DAY_MS = 60_000;
/** `VEOLIA_DEMO_CHALLENGE=EMAIL_OTP` (or `SMS_MFA`): the demo Veolia user's logins ask for a code, printed here. */
const VEOLIA_CHALLENGE = process.env.VEOLIA_DEMO_CHALLENGE?.trim().toUpperCase() || undefined;

async function main(): Promise<void> {
  const userDir = join(PACKAGE_ROOT, '.demo');
  mkdirSync(userDir, { recursive: true });
  // The demo flows are deployed afresh at every start; last run's must not start first.
  for (const file of ['flows.json', 'flows_cred.json']) rmSync(join(userDir, file), { force: true });
  const demo = await startDemo({
    veoliaChallenge: VEOLIA_CHALLENGE,
    onVeoliaCode: (sent) => {
      const by = /SMS/.test(sent.challenge) ? 'SMS' : 'e-mail';
      console.log(`Veolia emulator: code sent by ${by} to ${sent.username} (${sent.challenge}): ${sent.code}`);
    },
    // The account dialog's portal look-up asks the emulator's commune list, never Veolia's.
    runtime: { userDir, port: NODE_RED_PORT, settings: { logging: { console: { level: 'info' } }, veoliaRefcommunesUrl: `http://127.0.0.1:${VEOLIA_PORT}${REFCOMMUNES_PREFIX}` } },
    comapPort: COMAP_PORT,
    veoliaPort: VEOLIA_PORT,
    pollInterval: 1,
    publicationDelayDays: 7,
    waterSyncSeconds: 60,
  });
  const tick = setInterval(() => demo.comap.state.tick(), TICK_MS);
  const day = setInterval(() => demo.veolia.state.advanceDay(), DAY_MS);

  const url = demo.runtime.url;
  console.log('');
  console.log(`Node-RED editor:  ${url}/`);
  console.log(`Dashboard:        ${url}/dashboard`);
  console.log(`Comap emulator:   ${demo.comap.url}  (login ${DEMO_USERNAME} / ${DEMO_PASSWORD})`);
  console.log(`Veolia emulator:  ${demo.veolia.url}  (login ${DEMO_USERNAME} / ${DEMO_PASSWORD})`);
  if (VEOLIA_CHALLENGE) console.log(`Veolia logins ask for a code (${VEOLIA_CHALLENGE}): it is printed here when "sent".`);
  console.log('Portal look-up (Veolia account dialog): try 00000, 00100, 00200, 00300, 00400 or 00500 (synthetic towns).');
  console.log('No account needed: the flows talk to the emulators. Press Ctrl-C to stop.');

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    clearInterval(tick);
    clearInterval(day);
    await demo.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
