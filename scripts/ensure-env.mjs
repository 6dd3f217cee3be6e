// Makes a fresh machine ready for `npm test` / `npm start`: installs the npm packages when they
// are missing or older than package-lock.json, and (with --chromium) Debian's Chromium for the
// browser tests. Anything it cannot do itself it explains, and exits non-zero.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const wantChromium = process.argv.includes('--chromium');

function run(cmd, args) {
  console.log(`> ${cmd} ${args.join(' ')}`);
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`\n${cmd} ${args.join(' ')} failed (exit ${result.status}).`);
    process.exit(result.status ?? 1);
  }
}

const marker = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');
if (!existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs + 1000)) {
  run('npm', existsSync(lock) ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund']);
}

if (wantChromium) {
  const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(chromium)) {
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    const hasApt = (() => {
      try {
        execFileSync('apt-get', ['--version'], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    })();
    if (isRoot && hasApt) {
      run('apt-get', ['update', '-qq']);
      run('apt-get', ['install', '-y', '-qq', 'chromium']);
    } else {
      console.error(
        `The browser tests need Chromium at ${chromium}.\n` +
          `Install it with: sudo apt-get install -y chromium   (Debian/Ubuntu)\n` +
          'or point CHROMIUM_PATH at an installed Chromium or Chrome.',
      );
      process.exit(1);
    }
  }
}
