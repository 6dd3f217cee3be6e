// `npm run test:scorecard`: the Flow Library's scorecard (node-red-dev validate, 0.1.6) on the built
// package. Fails unless every check passes. The catalogue host is answered by stub-catalogue.cjs
// (an empty catalogue: P08 and N01 then cannot see clashes); D02/D03 ask the npm registry.
// Run after `npm run build`: the scorecard reads the editor files of dist/nodes.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const require = createRequire(import.meta.url);
const cli = join(require.resolve('node-red-dev/package.json').replace(/package\.json$/, ''), 'bin', 'run');
const out = join(root, 'test-artifacts', 'scorecard.json');
// Scored checks of node-red-dev 0.1.6 (P02 is disabled in its code; P04 prints twice).
const CHECKS = ['P01', 'P03', 'P04', 'P05', 'P06', 'P07', 'P08', 'N01', 'N02', 'D01', 'D02', 'D03'];
const NAMES = {
  P01: 'license',
  P03: 'repository / bugs link',
  P04: 'scoped name',
  P05: "'node-red' keyword",
  P06: 'compatible with the latest Node-RED',
  P07: 'compatible Node.js version',
  P08: 'no similarly named package (empty catalogue stub)',
  N01: 'unique node types (empty catalogue stub)',
  N02: 'an example for every node',
  D01: 'at most 6 dependencies',
  D02: 'no bad package in the dependency tree (npm registry)',
  D03: 'dependencies on their latest versions (npm registry)',
};

function fail(message) {
  console.error(`\nScorecard FAILED: ${message}`);
  process.exit(1);
}

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const flowTypes = [];
for (const [type, file] of Object.entries(pkg['node-red'].nodes)) {
  const html = join(root, file.replace(/\.js$/, '.html'));
  if (!existsSync(html)) fail(`${html} is missing: run npm run build first`);
  if (!/category:\s*'config'/.test(readFileSync(html, 'utf8'))) flowTypes.push(type);
}

mkdirSync(join(root, 'test-artifacts'), { recursive: true });
rmSync(out, { force: true });
const run = spawnSync(process.execPath, ['-r', join(root, 'scripts/scorecard/stub-catalogue.cjs'), cli, 'validate', '-p', root, '-o', out], {
  cwd: root,
  encoding: 'utf8',
  timeout: 180_000,
});
process.stdout.write(run.stdout ?? '');
process.stderr.write(run.stderr ?? '');
if (run.error) fail(`node-red-dev did not run: ${run.error.message}`);
if (!existsSync(out)) fail(`node-red-dev wrote no result (exit ${run.status}); see its output above`);

const score = JSON.parse(readFileSync(out, 'utf8'));
const problems = [];
for (const id of CHECKS) {
  if (!score[id]) problems.push(`${id} (${NAMES[id]}): not run`);
  else if (score[id].test !== true) problems.push(`${id} (${NAMES[id]}): ${JSON.stringify(score[id])}`);
}
// N02 passes vacuously when the editor files cannot be parsed: it must have seen every flow node.
const seen = (score.N02 && score.N02.nodes) || [];
const unseen = flowTypes.filter((t) => !seen.includes(t));
if (score.N02 && score.N02.test === true && unseen.length) problems.push(`N02 passed without seeing ${unseen.join(', ')} (editor file not parsed?)`);
const failedLines = (run.stdout ?? '').split('\n').filter((l) => /❌|⚠️/.test(l));
if (failedLines.length) problems.push(...failedLines.map((l) => `reported: ${l.trim()}`));
if (problems.length) fail(`\n  ${problems.join('\n  ')}`);

const passed = (run.stdout ?? '').split('\n').filter((l) => l.includes('✅')).length;
console.log(`Scorecard: all ${CHECKS.length} scored checks pass (${passed} ✅ lines) → ${out}`);
console.log('Note: P08/N01 ran against an empty catalogue (catalogue.nodered.org is not reachable here).');
