// Build: TypeScript to CommonJS, then each node's editor HTML, message catalogs and icons
// placed beside its built .js, where Node-RED's loader looks for them.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const srcNodes = join(root, 'src/nodes');
const distNodes = join(root, 'dist/nodes');
const sharedLocales = join(srcNodes, 'shared/locales');

rmSync(join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });

const nodeTypes = readdirSync(srcNodes, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'shared')
  .map((d) => d.name);

for (const type of nodeTypes) {
  const from = join(srcNodes, type);
  const to = join(distNodes, type);
  mkdirSync(to, { recursive: true });
  const html = join(from, `${type}.html`);
  if (!existsSync(html)) throw new Error(`missing editor file ${html}`);
  cpSync(html, join(to, `${type}.html`));
  cpSync(join(root, 'icons'), join(to, 'icons'), { recursive: true });
  for (const lang of ['en-US', 'fr']) {
    const langDir = join(from, 'locales', lang);
    const out = join(to, 'locales', lang);
    mkdirSync(out, { recursive: true });
    // Texts every node uses at run time (status, errors) live once in shared/ and are merged in.
    const own = JSON.parse(readFileSync(join(langDir, `${type}.json`), 'utf8'));
    const shared = JSON.parse(readFileSync(join(sharedLocales, lang, 'shared.json'), 'utf8'));
    writeFileSync(join(out, `${type}.json`), JSON.stringify({ ...shared, ...own }, null, 2));
    cpSync(join(langDir, `${type}.html`), join(out, `${type}.html`));
  }
}
console.log(`built ${nodeTypes.length} node types into dist/nodes`);
