/**
 * Root hooks of the compatibility run (scripts/compat/run-node-red-5.sh `--require`s it there
 * only): says which Node and Node-RED ran the suite, and fails the run when they are not the
 * expected majors or when the test helper did not run on the Node-RED given in NODE_RED_PATH.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';

// Works whether this file is loaded as CommonJS (tsx) or as a module (Node 22's own type stripping).
const load = createRequire(join(process.cwd(), 'package.json'));

interface RedModule {
  version(): string;
}

/** What node-red-node-test-helper keeps of the runtime it was initialised with. */
interface HelperInternals {
  _RED?: unknown;
  _NodePrototype?: unknown;
}

function redPath(): string {
  const path = process.env.NODE_RED_PATH;
  assert.ok(path, 'NODE_RED_PATH is set');
  return path;
}

/** The folder holding node-red and its @node-red/* packages in the separate install. */
function redModulesRoot(): string {
  const root = dirname(load.resolve('node-red/package.json', { paths: [dirname(redPath())] }));
  return dirname(root);
}

export const mochaHooks = {
  beforeAll(): void {
    const red = load(redPath()) as RedModule;
    const nodeMajor = Number(process.versions.node.split('.')[0]);
    const redVersion = red.version();
    console.log(`compat: running on Node ${process.version} with Node-RED ${redVersion} (${redPath()})`);
    assert.equal(nodeMajor, Number(process.env.COMPAT_EXPECT_NODE_MAJOR), `Node major of ${process.version}`);
    assert.equal(Number(redVersion.split('.')[0]), Number(process.env.COMPAT_EXPECT_NODE_RED_MAJOR), `Node-RED major of ${redVersion}`);
  },
  afterAll(): void {
    // The helper loads the Node-RED it can resolve when it is first required, then
    // test/support/flow.ts re-initialises it with NODE_RED_PATH: check that this one is in use.
    const helper = load('node-red-node-test-helper') as HelperInternals;
    const root = redModulesRoot();
    const nodePrototype = (load(join(root, '@node-red', 'runtime', 'lib', 'nodes', 'Node.js')) as { prototype: unknown }).prototype;
    assert.equal(helper._RED, load(redPath()), 'the test helper ran the Node-RED of NODE_RED_PATH');
    assert.equal(helper._NodePrototype, nodePrototype, "the flows' nodes were that Node-RED's nodes");
    const runtimeFiles = Object.keys(load.cache).filter((file) => file.startsWith(`${root}${sep}@node-red${sep}runtime${sep}`));
    console.log(`compat: the test helper ran Node-RED ${(load(redPath()) as RedModule).version()} (${runtimeFiles.length} runtime modules from ${root})`);
  },
};
