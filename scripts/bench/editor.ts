/**
 * The editor's Connect (product-spec §9, §10 "time from Connect click to housings listed"): a real
 * Node-RED runtime loading the built package, its admin API asked POST /qivivo-account/connect
 * as the account dialog does, against the Comap emulator. Each run uses another account id, so
 * each is a real password login (the editor allows 5 a minute per account) and none reuses an
 * earlier run's tokens.
 */
import { ComapEmulator, DEMO_PASSWORD, DEMO_USERNAME } from '../../src/emulator/comap';
import { NodeRedRuntime } from '../shared/node-red-runtime';

export interface EditorFigures {
  /** Median time from the Connect request to the housings' answer, in ms. */
  connectMedianMs: number;
  connectRuns: number;
  /** Password logins the emulator saw per run (1 expected). */
  loginsPerConnect: number;
}

export async function measureEditor(options: { runs?: number } = {}): Promise<EditorFigures> {
  const runs = options.runs ?? 20;
  const emulator = new ComapEmulator();
  await emulator.start();
  const runtime = new NodeRedRuntime();
  await runtime.start();
  try {
    const connect = async (id: string): Promise<number> => {
      const body = {
        id,
        settings: { apiUrl: emulator.apiUrl, authUrl: emulator.authUrl, clientId: '56jcvrtejpracljtirq7qnob44', pollInterval: '15', timeout: '20' },
        credentials: { username: DEMO_USERNAME, password: DEMO_PASSWORD },
      };
      const start = performance.now();
      const response = await runtime.api('/qivivo-account/connect', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      const answer = (await response.json()) as { housings?: unknown[] };
      const ms = performance.now() - start;
      if (!response.ok || !Array.isArray(answer.housings) || answer.housings.length === 0) throw new Error(`Connect answered ${response.status} ${JSON.stringify(answer)}`);
      return ms;
    };
    await connect('bench-warmup');
    const loginsBefore = emulator.cognito.stats.passwordLogins;
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push(await connect(`bench-connect-${i}`));
    times.sort((a, b) => a - b);
    const mid = Math.floor(times.length / 2);
    const median = times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2;
    return {
      connectMedianMs: Math.round(median * 10) / 10,
      connectRuns: runs,
      loginsPerConnect: (emulator.cognito.stats.passwordLogins - loginsBefore) / runs,
    };
  } finally {
    await runtime.stop();
    await emulator.stop();
  }
}
