import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The emulators stand in for the clouds: their dates, ids and rules must be their own, or a test
 * would check the product against itself. They may share the product's types, nothing else.
 */
describe('emulators are independent of the product', () => {
  const root = join(__dirname, '..', '..', 'src', 'emulator');
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));

  it('imports nothing but types from src/lib', () => {
    const offending: string[] = [];
    for (const file of files(root)) {
      const source = readFileSync(file, 'utf8');
      for (const match of source.matchAll(/^\s*(import|export)\s+(type\s+)?[^;]*?from\s+'([^']+)'/gm)) {
        const [, , typeOnly, from] = match;
        if (/(^|\/)lib\//.test(from) && !typeOnly) offending.push(`${relative(root, file)}: ${from}`);
      }
    }
    assert.deepEqual(offending, []);
  });
});
