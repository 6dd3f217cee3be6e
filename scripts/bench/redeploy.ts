/**
 * Redeploy hygiene (product-spec §4 "Close/redeploy", §6 "heap growth after 200 redeploys"):
 * a real Node-RED runtime with a flow holding every node type of the package, both accounts on
 * their emulators, deployed again and again through the admin API. Used by `npm run bench` and
 * asserted by test/reliability/redeploy.spec.ts; the measurement lives here only.
 */
import { createHook } from 'node:async_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ComapEmulator, COMAP_IDS } from '../../src/emulator/comap';
import { VeoliaEmulator } from '../../src/emulator/veolia';
import { NodeRedRuntime } from '../shared/node-red-runtime';

export interface RedeployOptions {
  /** Full deploys of the flow after the warm-up. */
  deploys: number;
  /** Deploys before the first measurement (module loading, caches, JIT). */
  warmup?: number;
  /** Poll interval of the heating account, in minutes (0.005 = 300 ms). */
  pollMinutes?: number;
  /** How long the emulators are watched after the last close. */
  watchMs?: number;
  /** Called after each measured deploy. */
  onProgress?: (done: number, of: number) => void;
}

export interface RedeployFigures {
  deploys: number;
  /** Heap used after the deploys minus before, after garbage collection, in MB (2^20 bytes). */
  heapGrowthMB: number;
  heapBeforeMB: number;
  heapAfterMB: number;
  /** Active handles (process resources other than timers) with no flow deployed, before and after. */
  handlesBefore: number;
  handlesAfter: number;
  handleTypesBefore: Record<string, number>;
  handleTypesAfter: Record<string, number>;
  /** Live timers created by the package's code with the flow deployed, after warm-up and after the deploys. */
  timersDeployedBefore: number;
  timersDeployedAfter: number;
  /**
   * Live timers created by the package's code once the empty flow is deployed (at once, and
   * after the emulators were watched), and where they were made.
   */
  timersAfterClose: number;
  timerOrigins: string[];
  /** Requests the emulators received during the measured deploys (the nodes did work). */
  requestsDuring: number;
  /** Warnings and errors the runtime logged during the measured deploys: message → count. */
  logged: Record<string, number>;
  /** Requests reaching the emulators after the flow was closed, one of them with requests in flight. */
  requestsAfterClose: number;
  requestsAfterCloseDetail: string[];
  durationMs: number;
}

const MB = 1024 * 1024;
const COMAP_CLIENT = '56jcvrtejpracljtirq7qnob44';
const VEOLIA_CLIENT = '3kghade1fg54739kj8pkbova8j';
const CREDENTIALS = { username: 'demo@example.com', password: 'demo-password' };
/** Time each deploy is left running, in turn: closes land before, during and after the first poll. */
const DWELL_MS = [40, 200, 500];
/** A deploy left running this long has logged in, polled a few times and synced. */
const STEADY_MS = 1500;
/** Answer delay of the emulators while the flow is closed with requests in flight. */
const IN_FLIGHT_LATENCY_MS = 150;
/** Where a cycle is when the flow closes: the login, then each step of a Comap poll and a Veolia sync. */
const IN_FLIGHT_STAGES: Array<['comap' | 'veolia', string]> = [
  ['comap', '/park/housings'],
  ['comap', '/thermal-details'],
  ['veolia', '/espace-client'],
  ['veolia', '/journalieres'],
];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A flow with every node type of the package, both accounts, and injects that exercise each node. */
export function everyNodeFlow(comap: ComapEmulator, veolia: VeoliaEmulator, variant: number, pollMinutes = 0.005, injects = true): Record<string, unknown>[] {
  const name = `redeploy-${variant % 2}`;
  const inject = (id: string, target: string, payload: string, payloadType: string, topic = '') => ({
    id,
    type: 'inject',
    z: 'tabR',
    name,
    once: true,
    onceDelay: 0.1,
    repeat: '',
    topic,
    payload,
    payloadType,
    props: [{ p: 'payload' }, { p: 'topic', vt: 'str' }],
    wires: [[target]],
  });
  const out = [['sink'], ['sink']];
  const nodes = [
    { id: 'tabR', type: 'tab', label: 'Redeploy' },
    { id: 'qacct', type: 'qivivo-account', name, pollInterval: pollMinutes, apiUrl: comap.apiUrl, authUrl: comap.authUrl, clientId: COMAP_CLIENT, credentials: CREDENTIALS },
    { id: 'vacct', type: 'veolia-account', name, portal: 'custom', apiUrl: veolia.url, authUrl: `${veolia.url}/`, clientId: VEOLIA_CLIENT, credentials: CREDENTIALS },
    { id: 'th', type: 'qivivo-thermostat-in', z: 'tabR', name, account: 'qacct', housing: '', output: 'state', onlyChanges: false, wires: out },
    { id: 'zo', type: 'qivivo-zone-order', z: 'tabR', name, account: 'qacct', housing: '', zone: COMAP_IDS.zones.chambres, duration: 60, retries: 1, retryDelay: 1, wires: out },
    { id: 'st', type: 'qivivo-set-temperature', z: 'tabR', name, account: 'qacct', housing: '', duration: 60, debounce: 200, retries: 1, retryDelay: 1, wires: out },
    { id: 'pr', type: 'qivivo-program', z: 'tabR', name, account: 'qacct', housing: '', retries: 1, retryDelay: 1, wires: out },
    { id: 'hm', type: 'qivivo-house-mode', z: 'tabR', name, account: 'qacct', housing: '', retries: 1, retryDelay: 1, wires: out },
    { id: 'ps', type: 'qivivo-presets', z: 'tabR', name, account: 'qacct', housing: '', retries: 1, retryDelay: 1, wires: out },
    { id: 'wa', type: 'veolia-water-consumption', z: 'tabR', name, account: 'vacct', contract: '', syncTime: '07:00', historyDays: 3, output: 'days', prices: '[{"from":"2020-01-01","eurPerM3":4.2}]', alertLitres: 500, heatingAccount: 'qacct', housing: '', wires: out },
    { id: 'al', type: 'veolia-alerts', z: 'tabR', name, account: 'vacct', contract: '', retries: 1, retryDelay: 1, wires: out },
    { id: 'sink', type: 'debug', z: 'tabR', name, active: true, tosidebar: true, console: false, tostatus: false, complete: 'true', targetType: 'full', wires: [] },
  ];
  if (!injects) return nodes;
  return [
    ...nodes,
    inject('i-th', 'th', '', 'date', 'debug'),
    inject('i-zo', 'zo', variant % 2 ? 'eco' : 'confort', 'str'),
    inject('i-st', 'st', String(19 + (variant % 4) / 2), 'num'),
    inject('i-pr', 'pr', COMAP_IDS.programs.semaine, 'str'),
    inject('i-hm', 'hm', variant % 2 ? 'away' : 'home', 'str'),
    inject('i-ps', 'ps', 'get', 'str'),
    inject('i-wa', 'wa', '', 'date'),
    inject('i-al', 'al', variant % 2 ? 'get' : '{"daily":{"enabled":true,"litres":400}}', variant % 2 ? 'str' : 'json'),
  ];
}

/** Timers made by the package's code (built or source) still pending. */
class PackageTimers {
  private readonly live = new Map<number, string>();
  private readonly hook = createHook({
    init: (id, type) => {
      if (type !== 'Timeout') return;
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 20;
      const stack = new Error().stack ?? '';
      Error.stackTraceLimit = limit;
      const origin = stack
        .split('\n')
        .map((line) => line.trim())
        .find((line) => /[\\/](dist|src)[\\/](lib|nodes)[\\/]/.test(line) && !line.includes('node_modules'));
      // Only timers our code arms itself; not those of a request it awaits (axios, sockets).
      if (origin && !origin.startsWith('at async ')) this.live.set(id, origin);
    },
    destroy: (id) => {
      this.live.delete(id);
    },
  });

  start(): void {
    this.hook.enable();
  }

  stop(): void {
    this.hook.disable();
  }

  get count(): number {
    return this.live.size;
  }

  origins(): string[] {
    return [...this.live.values()];
  }
}

function gcFunction(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

async function heapUsedMB(gc: () => void): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed / MB;
}

/** Process resources other than timers (sockets, servers, file handles…), by type. */
function handleTypes(): Record<string, number> {
  const types: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) {
    if (type === 'Timeout' || type === 'Immediate') continue;
    types[type] = (types[type] ?? 0) + 1;
  }
  return types;
}

const total = (types: Record<string, number>): number => Object.values(types).reduce((a, b) => a + b, 0);

/**
 * Handles once idle keep-alive sockets have closed (servers drop them after 5 s, clients after
 * 4–5 s); a socket still open after `maxMs` is counted.
 */
async function settledHandles(maxMs = 12_000): Promise<Record<string, number>> {
  const end = Date.now() + maxMs;
  let types = handleTypes();
  while ((types.TCPSocketWrap ?? 0) > 0 && Date.now() < end) {
    await sleep(250);
    types = handleTypes();
  }
  return types;
}

function describeRequest(emulator: string, r: { method: string; path: string; at: number }, closedAt: number): string {
  return `${emulator} ${r.method} ${r.path} (+${r.at - closedAt} ms)`;
}

/**
 * Deploys the every-node flow `deploys` times (full deploys, a property alternating so every
 * node really restarts) and reports heap growth, handles, package timers, and requests reaching
 * the emulators after the flow was closed.
 */
export async function measureRedeploys(options: RedeployOptions): Promise<RedeployFigures> {
  const started = Date.now();
  const pollMinutes = options.pollMinutes ?? 0.005;
  const watchMs = options.watchMs ?? 2000;
  const comap = new ComapEmulator();
  const veolia = new VeoliaEmulator();
  const runtime = new NodeRedRuntime();
  const timers = new PackageTimers();
  const gc = gcFunction();
  await comap.start();
  await veolia.start();
  await runtime.start();
  timers.start();
  const clearLogs = (): void => {
    comap.reset();
    veolia.server.clearLog();
  };
  const flow = (i: number, injects = true) => everyNodeFlow(comap, veolia, i, pollMinutes, injects);

  try {
    const warmup = options.warmup ?? 10;
    for (let i = 0; i < warmup; i++) {
      await runtime.deploy(flow(i));
      await sleep(DWELL_MS[i % DWELL_MS.length]);
    }
    // The package's timers with the flow running a while (poll, daily schedule).
    await runtime.deploy(flow(warmup));
    await sleep(STEADY_MS);
    const timersDeployedBefore = timers.count;
    await runtime.deploy([]);
    clearLogs();
    runtime.logs.length = 0;
    const handleTypesBefore = await settledHandles();
    const heapBeforeMB = await heapUsedMB(gc);

    let requestsDuring = 0;
    for (let i = 0; i < options.deploys; i++) {
      await runtime.deploy(flow(i));
      await sleep(DWELL_MS[i % DWELL_MS.length]);
      if (i % 20 === 19) {
        requestsDuring += comap.server.log.length + veolia.server.log.length;
        clearLogs();
      }
      options.onProgress?.(i + 1, options.deploys);
    }
    requestsDuring += comap.server.log.length + veolia.server.log.length;
    const logged = distinctMessages(runtime.logs.map((l) => `${l.level} ${l.type ?? ''}: ${l.message}`));

    const detail: string[] = [];
    const timersAtClose: string[] = [];
    /** Deploys the empty flow, then lists what reaches the emulators for a while. */
    const closeAndWatch = async (): Promise<void> => {
      await runtime.deploy([]);
      const closedAt = Date.now();
      timersAtClose.push(...timers.origins());
      const comapClosed = comap.server.log.length;
      const veoliaClosed = veolia.server.log.length;
      await sleep(watchMs);
      detail.push(...comap.server.log.slice(comapClosed).map((r) => describeRequest('comap', r, closedAt)));
      detail.push(...veolia.server.log.slice(veoliaClosed).map((r) => describeRequest('veolia', r, closedAt)));
    };

    // Closed from a steady state, after the flow ran a few poll cycles.
    clearLogs();
    await runtime.deploy(flow(options.deploys));
    await sleep(STEADY_MS);
    const timersDeployedAfter = timers.count;
    await closeAndWatch();

    // Closed in the middle of the first poll or the first water sync (no command running, whose
    // close would wait for it): slow emulators, closed once the request has reached them.
    for (const [emulator, stage] of IN_FLIGHT_STAGES) {
      clearLogs();
      comap.server.faults.latencyMs = IN_FLIGHT_LATENCY_MS;
      veolia.server.faults.latencyMs = IN_FLIGHT_LATENCY_MS;
      await runtime.deploy(flow(options.deploys + 1, false));
      const server = emulator === 'comap' ? comap.server : veolia.server;
      await waitFor(() => server.requests(stage).length > 0, 5000, stage);
      await closeAndWatch();
    }

    clearLogs();
    runtime.logs.length = 0;
    const handleTypesAfter = await settledHandles();
    const heapAfterMB = await heapUsedMB(gc);
    return {
      deploys: options.deploys,
      heapGrowthMB: round(heapAfterMB - heapBeforeMB),
      heapBeforeMB: round(heapBeforeMB),
      heapAfterMB: round(heapAfterMB),
      handlesBefore: total(handleTypesBefore),
      handlesAfter: total(handleTypesAfter),
      handleTypesBefore,
      handleTypesAfter,
      timersDeployedBefore,
      timersDeployedAfter,
      timersAfterClose: timers.count + timersAtClose.length,
      timerOrigins: [...timersAtClose, ...timers.origins()],
      requestsDuring,
      logged,
      requestsAfterClose: detail.length,
      requestsAfterCloseDetail: detail,
      durationMs: Date.now() - started,
    };
  } finally {
    timers.stop();
    await runtime.stop();
    await comap.stop();
    await veolia.stop();
  }
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`the flow sent no ${what} request`);
    await sleep(10);
  }
}

function distinctMessages(lines: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of lines) counts[line] = (counts[line] ?? 0) + 1;
  return counts;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
