/**
 * `npm start`: the whole package working without any account. Starts the cloud emulators,
 * then a real Node-RED with this package and every example flow configured against them,
 * and prints the editor and dashboard addresses. Ctrl-C stops everything.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ComapEmulator, DEMO_PASSWORD, DEMO_USERNAME } from '../src/emulator/comap';
import { NodeRedRuntime, PACKAGE_ROOT } from './shared/node-red-runtime';
import { FlowNode, mergeExamples, readExamples } from './shared/demo-flows';

const NODE_RED_PORT = Number(process.env.PORT ?? 1880);
const COMAP_PORT = Number(process.env.COMAP_EMULATOR_PORT ?? 8801);
const TICK_MS = 30_000;

async function main(): Promise<void> {
  const comap = new ComapEmulator();
  await comap.start(COMAP_PORT);
  const tick = setInterval(() => comap.state.tick(), TICK_MS);

  const userDir = join(PACKAGE_ROOT, '.demo');
  mkdirSync(userDir, { recursive: true });
  const runtime = new NodeRedRuntime({ userDir, port: NODE_RED_PORT, settings: { logging: { console: { level: 'info' } } } });
  await runtime.start();

  const qivivo: FlowNode = {
    id: 'demo-qivivo-account',
    type: 'qivivo-account',
    name: 'Demo (emulator)',
    pollInterval: 1,
    apiUrl: comap.apiUrl,
    authUrl: comap.authUrl,
    clientId: '56jcvrtejpracljtirq7qnob44',
    credentials: { username: DEMO_USERNAME, password: DEMO_PASSWORD },
  };
  await runtime.deploy(mergeExamples(readExamples(join(PACKAGE_ROOT, 'examples')), { qivivo }));

  console.log('');
  console.log(`Node-RED editor:  ${runtime.url}/`);
  console.log(`Dashboard:        ${runtime.url}/dashboard`);
  console.log(`Comap emulator:   ${comap.url}  (login ${DEMO_USERNAME} / ${DEMO_PASSWORD})`);
  console.log('Press Ctrl-C to stop.');

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    clearInterval(tick);
    await runtime.stop();
    await comap.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
