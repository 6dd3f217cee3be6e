import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ComapEmulator, COMAP_IDS } from '../../src/emulator/comap';
import { HeatingMonitor } from '../../src/lib/comap/monitor';
import { createComapSession } from '../../src/lib/comap/session';
import { parseOrder } from '../../src/lib/comap/orders';
import { CommandDispatcher } from '../../src/lib/schedule/command-dispatcher';
import { FlowNode, loadFlow, messages, receiver, sleep, unload } from './runtime';

const ROOT = join(__dirname, '..', '..');
const NODE_FILES = ['qivivo-account', 'qivivo-thermostat-in', 'qivivo-zone-order', 'qivivo-set-temperature', 'qivivo-program', 'qivivo-house-mode', 'qivivo-presets'].map((t) =>
  join(ROOT, 'dist', 'nodes', t, `${t}.js`),
);
const CREDENTIALS = { acct: { username: 'demo@example.com', password: 'demo-password' } };

function account(emulator: ComapEmulator, pollInterval: number): FlowNode {
  return { id: 'acct', type: 'qivivo-account', z: 'tab', pollInterval, apiUrl: emulator.apiUrl, authUrl: emulator.authUrl, clientId: '56jcvrtejpracljtirq7qnob44' };
}

/** Requests per poll cycle with `nodes` thermostat-in nodes on one account, after warm-up. */
async function requestsPerCycle(emulator: ComapEmulator, nodes: number, reset = true): Promise<number> {
  if (reset) emulator.reset();
  const flow: FlowNode[] = [{ id: 'tab', type: 'tab' }, account(emulator, 0.005), { id: 'sink', type: 'helper', z: 'tab' }];
  for (let i = 0; i < nodes; i++) flow.push({ id: `t${i}`, type: 'qivivo-thermostat-in', z: 'tab', account: 'acct', housing: '', output: 'state', wires: [['sink'], ['sink']] });
  await loadFlow(NODE_FILES, flow, CREDENTIALS);
  await sleep(1500); // login, housing list and caches
  emulator.server.clearLog();
  await sleep(3000);
  const cycles = emulator.server.requests('/thermal-details').length;
  const total = emulator.server.log.length;
  await unload();
  return cycles ? total / cycles : Number.NaN;
}

/**
 * Requests per poll cycle while the housing shows everything the state carries (a planned
 * holiday, away, presets, schedules): the new fields come from the same reads (spec §7.2).
 */
async function requestsPerCycleFullState(emulator: ComapEmulator): Promise<number> {
  emulator.reset();
  const day = 24 * 3_600_000;
  emulator.state.setHouseModes(COMAP_IDS.maison, { away: true, holiday: { beginAt: Date.now() + day, endAt: Date.now() + 8 * day } });
  return requestsPerCycle(emulator, 1, false);
}

/** Requests of one house-mode command on a warm cache, confirmed on its first read-back (spec §10: 2). */
async function requestsPerHouseMode(emulator: ComapEmulator): Promise<number> {
  emulator.reset();
  const flow: FlowNode[] = [
    { id: 'tab', type: 'tab' },
    account(emulator, 0),
    { id: 'warm', type: 'qivivo-thermostat-in', z: 'tab', account: 'acct', housing: '', output: 'state', wires: [['out'], ['out']] },
    { id: 'mode', type: 'qivivo-house-mode', z: 'tab', account: 'acct', housing: '', retries: 0, retryDelay: 90, wires: [['out'], ['out']] },
    { id: 'out', type: 'helper', z: 'tab' },
  ];
  await loadFlow(NODE_FILES, flow, CREDENTIALS);
  const out = messages('out');
  receiver('warm').receive({});
  while (out.length < 1) await sleep(5);
  emulator.server.clearLog();
  receiver('mode').receive({ payload: 'away' });
  while (out.length < 2) await sleep(5);
  const requests = emulator.server.log.length;
  await unload();
  return requests;
}

/** Password logins over 24 h of 5-min polling with 1-h tokens, on a simulated clock. */
async function logins24h(emulator: ComapEmulator, clock: { now: number }): Promise<{ logins: number; requestsPerCycle: number }> {
  emulator.reset();
  const session = createComapSession({ apiUrl: emulator.apiUrl, authUrl: emulator.authUrl, username: 'demo@example.com', password: 'demo-password', now: () => clock.now });
  const monitor = new HeatingMonitor(session.heating, { intervalMs: 0 });
  const unsubscribe = monitor.subscribe({ housingId: '', onState: () => undefined, onFailure: () => undefined });
  const cycles = 288;
  for (let i = 0; i < cycles; i++) {
    await monitor.pollNow();
    clock.now += 5 * 60_000;
  }
  unsubscribe();
  monitor.close();
  return { logins: session.auth.stats.passwordLogins, requestsPerCycle: emulator.server.log.length / cycles };
}

/**
 * Logins (password or refresh) when 20 commands hit a token the cloud has just expired; commands
 * to one target run one at a time, as the account node runs them.
 */
async function loginsConcurrentExpired(emulator: ComapEmulator): Promise<number> {
  emulator.reset();
  const session = createComapSession({ apiUrl: emulator.apiUrl, authUrl: emulator.authUrl, username: 'demo@example.com', password: 'demo-password' });
  const dispatcher = new CommandDispatcher();
  await session.heating.state();
  emulator.cognito.expireAll();
  const before = session.auth.stats.passwordLogins + session.auth.stats.refreshes;
  const commands = Array.from(
    { length: 20 },
    (_, i) =>
      new Promise<void>((resolve) => {
        const zone = i % 3 === 1 ? 'Chambres' : 'Salle de bain';
        dispatcher.submit<unknown>({
          id: String(i),
          owner: 'bench',
          createdAt: Date.now(),
          deadline: Date.now() + 3_600_000,
          retries: 0,
          retryDelayMs: 90_000,
          attempts: 0,
          target: () => Promise.resolve(i % 3 === 0 ? 'thermostat' : zone),
          run: () => (i % 3 === 0 ? session.heating.setTemperature('', 18 + i / 2, 120) : session.heating.setZoneOrder('', zone, parseOrder(i % 6)!, 120)),
          retrying: () => undefined,
          settled: () => resolve(),
        });
      }),
  );
  await Promise.all([...commands, session.heating.state(), session.heating.state('h-chalet-0002')]);
  return session.auth.stats.passwordLogins + session.auth.stats.refreshes - before;
}

/** Password logins over 24 h of 15-min polling with a wrong password (product-spec §10: only the failed one). */
async function loginsAfterAuthFailed24h(emulator: ComapEmulator, clock: { now: number }): Promise<number> {
  emulator.reset();
  const session = createComapSession({ apiUrl: emulator.apiUrl, authUrl: emulator.authUrl, username: 'demo@example.com', password: 'wrong-password', now: () => clock.now });
  const monitor = new HeatingMonitor(session.heating, { intervalMs: 0, retryBaseMs: 1 });
  const unsubscribe = monitor.subscribe({ housingId: '', onState: () => undefined, onFailure: () => undefined });
  for (let i = 0; i < 96; i++) {
    await monitor.pollNow();
    clock.now += 15 * 60_000;
  }
  unsubscribe();
  monitor.close();
  return emulator.cognito.stats.passwordLogins;
}

export interface RequestsPerCommand {
  setTemperature: number;
  cancel: number;
  zoneOrder: number;
  replaceOrder: number;
  program: number;
  schedule: number;
  /** Presets: the write and its read-back (spec §10: ≤ 2). */
  presetsEdit: number;
}

/** Requests each command node makes on a warm cache (the account polls, so zones and programs are known). */
async function requestsPerCommand(emulator: ComapEmulator): Promise<RequestsPerCommand> {
  emulator.reset();
  const common = { z: 'tab', account: 'acct', housing: '', retries: 0, retryDelay: 90, wires: [['out'], ['out']] };
  const flow: FlowNode[] = [
    { id: 'tab', type: 'tab' },
    account(emulator, 0),
    { id: 'warm', type: 'qivivo-thermostat-in', z: 'tab', account: 'acct', housing: '', output: 'state', wires: [['out'], ['out']] },
    { id: 'temp', type: 'qivivo-set-temperature', duration: 120, debounce: 0, ...common },
    { id: 'zone', type: 'qivivo-zone-order', zone: 'Chambres', duration: 120, ...common },
    { id: 'prog', type: 'qivivo-program', ...common },
    { id: 'presets', type: 'qivivo-presets', ...common },
    { id: 'out', type: 'helper', z: 'tab' },
  ];
  await loadFlow(NODE_FILES, flow, CREDENTIALS);
  const out = messages('out');
  const count = async (node: string, payload: unknown): Promise<number> => {
    const warmed = out.length + 1;
    receiver('warm').receive({});
    while (out.length < warmed) await sleep(5);
    emulator.server.clearLog();
    receiver(node).receive({ payload });
    while (out.length < warmed + 1) await sleep(5);
    return emulator.server.log.length;
  };
  const figures: RequestsPerCommand = {
    setTemperature: await count('temp', 21),
    cancel: await count('temp', 'cancel'),
    zoneOrder: await count('zone', 'eco'),
    replaceOrder: await count('zone', 'confort'),
    program: await count('prog', 'Vacances'),
    schedule: await count('prog', { zone: 'Chambres', schedule: 'Hors-gel' }),
    presetsEdit: await count('presets', { night: 17 }),
  };
  await unload();
  return figures;
}

/** API writes for 100 setpoint messages within 2 s to a set-temperature node (debounce 1000 ms). */
async function writesBurst(emulator: ComapEmulator): Promise<number> {
  emulator.reset();
  const flow: FlowNode[] = [
    { id: 'tab', type: 'tab' },
    account(emulator, 0),
    { id: 's1', type: 'qivivo-set-temperature', z: 'tab', account: 'acct', housing: '', duration: 120, debounce: 1000, retries: 1, retryDelay: 90, wires: [['out'], ['out']] },
    { id: 'out', type: 'helper', z: 'tab' },
  ];
  await loadFlow(NODE_FILES, flow, CREDENTIALS);
  const out = messages('out');
  for (let i = 0; i < 100; i++) {
    receiver('s1').receive({ payload: 18 + (i % 8) * 0.5 });
    await sleep(20);
  }
  while (out.length === 0) await sleep(50);
  await sleep(500);
  await unload();
  return emulator.state.writes.length;
}

/** Median time from an input message to its HTTP request being sent (debounce 0, warm session). */
async function overheadMedianMs(emulator: ComapEmulator): Promise<number> {
  emulator.reset();
  const flow: FlowNode[] = [
    { id: 'tab', type: 'tab' },
    account(emulator, 0),
    { id: 'z1', type: 'qivivo-zone-order', z: 'tab', account: 'acct', housing: '', zone: 'Chambres', duration: 120, retries: 0, retryDelay: 90, wires: [['out'], ['out']] },
    { id: 'out', type: 'helper', z: 'tab' },
  ];
  await loadFlow(NODE_FILES, flow, CREDENTIALS);
  const out = messages('out');
  const samples: number[] = [];
  let sentAt = 0;
  const onRequest = (): void => {
    if (!sentAt) sentAt = performance.now();
  };
  subscribe('http.client.request.start', onRequest);
  for (let i = 0; i < 60; i++) {
    const expected = out.length + 1;
    sentAt = 0;
    const start = performance.now();
    receiver('z1').receive({ payload: i % 2 ? 'eco' : 'confort' });
    while (out.length < expected) await sleep(1);
    if (i >= 10) samples.push(sentAt - start); // the first ones log in and fill the caches
  }
  unsubscribe('http.client.request.start', onRequest);
  await unload();
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

/** Time to require the built node files in a fresh Node.js process. */
function loadMs(): number {
  const script = `const t=performance.now();for(const f of ${JSON.stringify(NODE_FILES)})require(f);console.log(performance.now()-t)`;
  const runs = Array.from({ length: 5 }, () => Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }).trim()));
  return runs.sort((a, b) => a - b)[2];
}

export interface ComapFigures {
  requestsPerCycle1: number;
  requestsPerCycle100: number;
  requestsPerCycle24h: number;
  logins24h: number;
  loginsConcurrentExpired: number;
  loginsAfterAuthFailed24h: number;
  requestsPerCycleFullState: number;
  requestsPerHouseMode: number;
  requestsPerCommand: RequestsPerCommand;
  writesBurst100: number;
  overheadMedianMs: number;
  loadMs: number;
}

export async function measureComap(): Promise<ComapFigures> {
  const clock = { now: Date.parse('2026-11-23T00:00:00Z') };
  const simulated = new ComapEmulator({ now: () => clock.now });
  const live = new ComapEmulator();
  await simulated.start();
  await live.start();
  try {
    const day = await logins24h(simulated, clock);
    return {
      requestsPerCycle1: round(await requestsPerCycle(live, 1)),
      requestsPerCycle100: round(await requestsPerCycle(live, 100)),
      requestsPerCycle24h: round(day.requestsPerCycle),
      logins24h: day.logins,
      loginsConcurrentExpired: await loginsConcurrentExpired(live),
      loginsAfterAuthFailed24h: await loginsAfterAuthFailed24h(simulated, clock),
      requestsPerCycleFullState: round(await requestsPerCycleFullState(live)),
      requestsPerHouseMode: await requestsPerHouseMode(live),
      requestsPerCommand: await requestsPerCommand(live),
      writesBurst100: await writesBurst(live),
      overheadMedianMs: round(await overheadMedianMs(live), 3),
      loadMs: round(loadMs(), 1),
    };
  } finally {
    await simulated.stop();
    await live.stop();
  }
}

function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
