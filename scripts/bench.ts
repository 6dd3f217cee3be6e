/**
 * `npm run bench`: measures the package against the emulators and prints a table, then one
 * JSON line with every figure. Targets are product-spec §6; the figures are measured, not asserted.
 */
import { measureComap, RequestsPerCommand } from './bench/comap';
import { measureRedeploys } from './bench/redeploy';
import { stopRuntime } from './bench/runtime';
import { measureVeolia } from './bench/veolia';
import { measureLeak } from './bench/leak';
import { measureEditor } from './bench/editor';

interface Row {
  figure: string;
  value: number;
  target: string;
  ok: boolean;
}

/** Requests per command on a warm cache (product-spec §10): 1 each, 2 when a temporary order is replaced. */
function commandRows(figures: RequestsPerCommand): Row[] {
  const targets: Record<keyof RequestsPerCommand, number> = { setTemperature: 1, cancel: 1, zoneOrder: 1, replaceOrder: 2, program: 1, schedule: 1, presetsEdit: 2 };
  return (Object.keys(targets) as Array<keyof RequestsPerCommand>).map((name) => ({
    figure: `Comap requests per command, ${name} (warm cache)`,
    value: figures[name],
    target: `≤ ${targets[name]}`,
    ok: figures[name] <= targets[name],
  }));
}

async function main(): Promise<void> {
  const comap = await measureComap();
  const veolia = await measureVeolia();
  const leak = await measureLeak();
  const redeploy = await measureRedeploys({ deploys: 200 });
  const editor = await measureEditor({ runs: 20 });
  const rows: Row[] = [
    { figure: 'Comap requests per poll cycle, 1 node', value: comap.requestsPerCycle1, target: '≤ 2', ok: comap.requestsPerCycle1 <= 2 },
    { figure: 'Comap requests per poll cycle, 100 nodes', value: comap.requestsPerCycle100, target: '≤ 2', ok: comap.requestsPerCycle100 <= 2 },
    { figure: 'Comap requests per cycle over 24 h (incl. refreshes)', value: comap.requestsPerCycle24h, target: '≤ 2', ok: comap.requestsPerCycle24h <= 2 },
    { figure: 'password logins over 24 h of 5-min polling', value: comap.logins24h, target: '1', ok: comap.logins24h === 1 },
    { figure: 'logins for 20 commands on an expired token', value: comap.loginsConcurrentExpired, target: '1', ok: comap.loginsConcurrentExpired === 1 },
    { figure: 'Comap requests per poll cycle, full state (modes, presets, schedules)', value: comap.requestsPerCycleFullState, target: '≤ 2', ok: comap.requestsPerCycleFullState <= 2 },
    { figure: 'Comap requests per house-mode command, confirmed at once', value: comap.requestsPerHouseMode, target: '2', ok: comap.requestsPerHouseMode === 2 },
    { figure: 'password logins after AUTH_FAILED, 24 h of 15-min polls', value: comap.loginsAfterAuthFailed24h, target: '1', ok: comap.loginsAfterAuthFailed24h === 1 },
    ...commandRows(comap.requestsPerCommand),
    { figure: 'API writes for 100 setpoints in 2 s', value: comap.writesBurst100, target: '≤ 2', ok: comap.writesBurst100 <= 2 },
    { figure: 'input → request overhead, median (ms)', value: comap.overheadMedianMs, target: '≤ 1', ok: comap.overheadMedianMs <= 1 },
    { figure: 'time to load the node files (ms)', value: comap.loadMs, target: '≤ 150', ok: comap.loadMs <= 150 },
    { figure: 'Veolia requests per daily sync (billing, months), worst day of a year', value: veolia.requestsPerSyncSteady, target: '≤ 4', ok: veolia.requestsPerSyncSteady <= 4 },
    { figure: 'Veolia requests per daily sync (billing, months), average', value: veolia.requestsPerSyncSteadyAverage, target: '≤ 4', ok: veolia.requestsPerSyncSteadyAverage <= 4 },
    { figure: `Veolia requests per daily sync on a new-month day, worst of ${veolia.newMonthDays}`, value: veolia.requestsPerSyncNewMonth, target: '≤ 6', ok: veolia.requestsPerSyncNewMonth <= 6 },
    { figure: 'Veolia requests, first run (30-day backfill)', value: veolia.requestsFirstRunBackfill, target: '—', ok: true },
    { figure: 'Veolia requests, first run (730-day backfill)', value: veolia.requestsFirstRunBackfill730, target: '—', ok: true },
    { figure: 'Veolia password logins per day, 1 h refresh tokens', value: veolia.passwordLoginsPerDay, target: '≤ 1', ok: veolia.passwordLoginsPerDay <= 1 },
    { figure: '300 L/day leak: days to flag, worst of 20 starts', value: leak.leakDaysToFlag ?? Infinity, target: '0', ok: leak.leakDaysToFlag === 0 },
    { figure: '300 L/day leak: false alarms before it, worst of 20', value: leak.leakFalseAlarms, target: '0', ok: leak.leakFalseAlarms === 0 },
    { figure: `time from Connect to housings listed, median of ${editor.connectRuns} (ms)`, value: editor.connectMedianMs, target: '≤ 300', ok: editor.connectMedianMs <= 300 },
    { figure: 'heap growth after 200 redeploys, every node (MB)', value: redeploy.heapGrowthMB, target: '≤ 5', ok: redeploy.heapGrowthMB <= 5 },
    { figure: 'active handles after 200 redeploys (vs before)', value: redeploy.handlesAfter, target: `≤ ${redeploy.handlesBefore}`, ok: redeploy.handlesAfter <= redeploy.handlesBefore },
  ];
  const width = Math.max(...rows.map((r) => r.figure.length));
  console.log(`${'figure'.padEnd(width)}  ${'value'.padStart(8)}  target  met`);
  for (const r of rows) console.log(`${r.figure.padEnd(width)}  ${String(r.value).padStart(8)}  ${r.target.padEnd(6)}  ${r.ok ? 'yes' : 'NO'}`);
  console.log(JSON.stringify({ comap, veolia: { ...veolia, leakDaysToFlag: leak.leakDaysToFlag, leakFalseAlarms: leak.leakFalseAlarms }, redeploy: { heapGrowthMB: redeploy.heapGrowthMB, handlesAfter: redeploy.handlesAfter }, editor: { connectMedianMs: editor.connectMedianMs } }));
  await stopRuntime();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
