/**
 * `npm start`: the whole package working without any account. Starts both cloud emulators,
 * then a real Node-RED 4 with this package, Dashboard 2 and every example flow configured
 * against them, and prints the editor and dashboard addresses. Ctrl-C stops everything.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_PASSWORD, DEMO_USERNAME } from '../src/emulator/comap';
import { REFCOMMUNES_PREFIX } from '../src/emulator/veolia';
import type { FlowNode } from './shared/demo-flows';
import { userFlows } from './shared/demo-keep';
import { startDemo } from './shared/demo-setup';
import { PACKAGE_ROOT } from './shared/node-red-runtime';

const NODE_RED_PORT = Number(process.env.PORT ?? 1880);
const COMAP_PORT = Number(process.env.COMAP_EMULATOR_PORT ?? 8801);
const VEOLIA_PORT = Number(process.env.VEOLIA_EMULATOR_PORT ?? 8802);
/**
 * The heating values move every 30 s. The water meter's calendar starts WATER_LAG_DAYS behind
 * the clock and publishes one more day every minute until it has caught up (an hour), then one a
 * day with the clock: the water nodes never ask for days after the real yesterday, so the
 * emulator's days and bills always lie in the past.
 */
const TICK_MS = 30_000;
const DAY_MS = 60_000;
const WATER_LAG_DAYS = 60;
/** `VEOLIA_DEMO_CHALLENGE=EMAIL_OTP` (or `SMS_MFA`): the demo Veolia user's logins ask for a code, printed here. */
const VEOLIA_CHALLENGE = process.env.VEOLIA_DEMO_CHALLENGE?.trim().toUpperCase() || undefined;

async function main(): Promise<void> {
  const userDir = join(PACKAGE_ROOT, '.demo');
  mkdirSync(userDir, { recursive: true });
  // The example tabs are deployed afresh at every start; the user's own tabs and nodes are kept
  // (their credentials stay in flows_cred.json), and last run's whole flows are copied aside.
  const flowFile = join(userDir, 'flows.json');
  const backup = join(userDir, 'flows.previous.json');
  const previous = existsSync(flowFile) ? readFlows(flowFile) : [];
  if (previous.length) copyFileSync(flowFile, backup);
  const own = userFlows(previous);
  // Last run's example nodes must not start before the fresh ones are deployed.
  writeFileSync(flowFile, JSON.stringify(own));
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
    waterLagDays: WATER_LAG_DAYS,
    waterSyncSeconds: 60,
    userFlows: own,
  });
  const tick = setInterval(() => demo.comap.state.tick(), TICK_MS);
  const day = setInterval(() => demo.veolia.state.catchUpDay(), DAY_MS);

  const url = demo.runtime.url;
  console.log('');
  console.log(`Node-RED editor:  ${url}/`);
  console.log(`Dashboard:        ${url}/dashboard`);
  console.log(`Comap emulator:   ${demo.comap.url}  (login ${DEMO_USERNAME} / ${DEMO_PASSWORD})`);
  console.log(`Veolia emulator:  ${demo.veolia.url}  (login ${DEMO_USERNAME} / ${DEMO_PASSWORD})`);
  if (VEOLIA_CHALLENGE) console.log(`Veolia logins ask for a code (${VEOLIA_CHALLENGE}): it is printed here when "sent".`);
  console.log('Portal look-up (Veolia account dialog): try 00000, 00100, 00200, 00300, 00400 or 00500 (synthetic towns).');
  console.log(`Water: a new day every minute for the first ${WATER_LAG_DAYS} minutes, then one a day.`);
  console.log(`Your own tabs are kept across restarts (${own.length} node(s) kept); the example tabs start afresh.`);
  if (previous.length) console.log(`Last run's flows, as they were: ${backup}`);
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

/** A saved flow file, or nothing when it is not one (a broken file is kept in the backup). */
function readFlows(file: string): FlowNode[] {
  try {
    const flows: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return Array.isArray(flows) ? flows.filter((n): n is FlowNode => !!n && typeof n === 'object' && typeof (n as FlowNode).id === 'string') : [];
  } catch {
    return [];
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
