import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { NodeRedRuntime, PACKAGE_ROOT } from '../../scripts/shared/node-red-runtime';

const run = promisify(execFile);

interface PackageJson {
  name: string;
  version: string;
  'node-red': { nodes: Record<string, string> };
}

/** One entry of the admin API's GET /nodes. */
interface NodeSet {
  id: string;
  module: string;
  version?: string;
  types: string[];
  enabled: boolean;
  err?: string;
}

const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as PackageJson;
const declaredTypes = Object.keys(pkg['node-red'].nodes).sort();

async function sh(cmd: string, args: string[], cwd: string): Promise<string> {
  try {
    return (await run(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}\n${stderr ?? ''}${stdout ?? ''}`, { cause: err });
  }
}

/**
 * What a fresh clone holds: the tracked files plus the new ones not ignored (work in progress
 * included), so no dist/ — the tarball only has a runtime if packing builds it.
 */
async function copyCheckout(to: string): Promise<void> {
  const listed = await sh('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], PACKAGE_ROOT);
  for (const file of listed.split('\0').filter(Boolean)) {
    if (!existsSync(join(PACKAGE_ROOT, file))) continue; // deleted, not yet committed
    mkdirSync(dirname(join(to, file)), { recursive: true });
    copyFileSync(join(PACKAGE_ROOT, file), join(to, file));
  }
  // The project's dev tools, so that the build can run without a new install.
  symlinkSync(join(PACKAGE_ROOT, 'node_modules'), join(to, 'node_modules'), 'junction');
}

describe('e2e: the npm tarball installed into a fresh Node-RED user directory', function () {
  this.timeout(90_000);
  let work = '';
  let files: string[] = [];
  let runtime: NodeRedRuntime | undefined;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'nr-pack-'));
    const checkout = join(work, 'checkout');
    const out = join(work, 'out');
    const userDir = join(work, 'user');
    mkdirSync(out);
    mkdirSync(userDir);
    await copyCheckout(checkout);
    assert.ok(!existsSync(join(checkout, 'dist')), 'the copy starts without dist/');

    await sh('npm', ['pack', '--pack-destination', out], checkout);
    const tarballs = readdirSync(out).filter((f) => f.endsWith('.tgz'));
    assert.equal(tarballs.length, 1, `one tarball in ${out}`);
    const tarball = join(out, tarballs[0]);
    files = (await sh('tar', ['-tzf', tarball], out)).split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));

    // As a user does it in ~/.node-red: the dependencies come from the npm registry (or its cache).
    writeFileSync(join(userDir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true }));
    await sh('npm', ['install', tarball, '--prefix', userDir, '--omit=dev', '--no-package-lock', '--prefer-offline', '--no-audit', '--no-fund'], userDir);
    // Only what is installed in the user directory: not the checkout through nodesDir.
    runtime = new NodeRedRuntime({ userDir, settings: { nodesDir: [] } });
    await runtime.start();
  });

  after(async () => {
    await runtime?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('holds each node’s built runtime, editor file, catalogs and icons', () => {
    const icons = readdirSync(join(PACKAGE_ROOT, 'icons'));
    for (const type of declaredTypes) {
      assert.ok(files.includes(pkg['node-red'].nodes[type]), `${pkg['node-red'].nodes[type]} in the tarball`);
      const dir = `dist/nodes/${type}`;
      const expected = [`${dir}/${type}.html`, ...icons.map((icon) => `${dir}/icons/${icon}`)];
      for (const lang of ['en-US', 'fr']) expected.push(`${dir}/locales/${lang}/${type}.json`, `${dir}/locales/${lang}/${type}.html`);
      for (const file of expected) assert.ok(files.includes(file), `${file} in the tarball`);
    }
  });

  it('holds the examples, editor resources, README and LICENSE, and no sources or tests', () => {
    const expected = ['package.json', 'README.md', 'LICENSE'];
    for (const dir of ['examples', 'resources']) expected.push(...readdirSync(join(PACKAGE_ROOT, dir)).map((f) => `${dir}/${f}`));
    for (const file of expected) assert.ok(files.includes(file), `${file} in the tarball`);
    const unwanted = files.filter((f) => /^(src|test|scripts|node_modules)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')));
    assert.deepEqual(unwanted, [], 'no sources, tests, scripts or node_modules');
  });

  it('registers every declared node type from the installed module, enabled and without error', async () => {
    assert.ok(runtime, 'runtime started');
    const sets = await runtime.json<NodeSet[]>('/nodes');
    for (const type of declaredTypes) {
      const set = sets.find((s) => s.types.includes(type));
      assert.ok(set, `${type} registered`);
      assert.equal(set.module, pkg.name, `${type} from ${pkg.name}`);
      assert.equal(set.version, pkg.version, `${type} version`);
      assert.equal(set.err, undefined, `${type} failed to load: ${set.err}`);
      assert.equal(set.enabled, true, `${type} enabled`);
    }
    const ours = sets.filter((s) => s.module === pkg.name).flatMap((s) => s.types);
    assert.deepEqual(ours.sort(), declaredTypes, 'exactly the declared types');
  });
});
