// `npm start` builds only when the sources changed (scripts/build.mjs --if-changed): a
// start after a build runs the product at once and leaves dist/ untouched, and the check
// notices every change that a build would compile (and none that it would not).
import { execFileSync, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { startWithNpm } from '../product';
import { tempDir } from '../storage';

const root = join(__dirname, '..', '..');
const dist = join(root, 'dist');

/** Path → modification time of every file under dist/. */
function distTimes(): Map<string, number> {
  const times = new Map<string, number>();
  for (const entry of readdirSync(dist, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    times.set(file, statSync(file).mtimeMs);
  }
  return times;
}

describe('npm start', () => {
  beforeAll(() => {
    // npm test has just built; run on its own, bring dist/ up to date first.
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--if-changed'], {
      cwd: root,
      stdio: 'ignore',
    });
  });

  it('a start after a build does not rebuild: the product runs at once, dist/ untouched', async () => {
    const data = tempDir('start');
    const before = distTimes();
    const started = performance.now();
    const product = await startWithNpm({ CUSTOS_DATA_DIR: data.path });
    const seconds = (performance.now() - started) / 1000;
    try {
      expect(product.output()).toContain('build is up to date');
      expect(product.output()).not.toMatch(/building|built dist/);
      expect(distTimes()).toEqual(before);
      const health = await fetch(`${product.url}/health`);
      expect(health.status).toBe(200);
      console.log(`npm start without a rebuild: listening after ${seconds.toFixed(1)} s`);
    } finally {
      await product.stop(); // npm, the shell and node: npm's own exit code is not the product's
      data.remove();
    }
  }, 180_000);
});

describe('scripts/build.mjs --check', () => {
  /** A copy of what a build reads, with the current build's stamp and entry points. */
  let copy: { path: string; remove(): void };
  const check = () =>
    spawnSync(process.execPath, [join(copy.path, 'scripts', 'build.mjs'), '--check'], {
      cwd: copy.path,
      encoding: 'utf8',
    });

  beforeEach(() => {
    copy = tempDir('build-check');
    for (const name of ['apps', 'libs', 'prisma']) {
      cpSync(join(root, name), join(copy.path, name), { recursive: true });
    }
    mkdirSync(join(copy.path, 'scripts'));
    for (const name of [
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'tsconfig.build.json',
      'scripts/build.mjs',
      'scripts/build-web.mjs',
    ]) {
      cpSync(join(root, name), join(copy.path, name));
    }
    for (const name of ['.build-stamp', 'apps/server/src/main.js', 'web/index.html']) {
      cpSync(join(dist, name), join(copy.path, 'dist', name));
    }
  });
  afterEach(() => copy.remove());

  it('is up to date for an unchanged copy, and for changes a build does not read', () => {
    expect(check().status).toBe(0);
    appendFileSync(join(copy.path, 'libs', 'ledger', 'src', 'jcs.spec.ts'), '\n// a test\n');
    writeFileSync(join(copy.path, 'libs', 'gs1', 'test', 'extra.ts'), '// a test helper\n');
    expect(check().status).toBe(0);
  });

  it.each([
    ['a library source', 'libs/ledger/src/jcs.ts'],
    ['an app source', 'apps/server/src/main.ts'],
    ['the scan page', 'apps/web/src/main.ts'],
    ['the Prisma schema', 'prisma/schema.prisma'],
    ['the compiler options', 'tsconfig.json'],
    ['the locked dependencies', 'package-lock.json'],
  ])('notices a change to %s (%s)', (_what, file) => {
    expect(existsSync(join(copy.path, file))).toBe(true);
    appendFileSync(join(copy.path, file), '\n');
    const result = check();
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('build needed');
  });

  it('notices a new source file and a missing entry point', () => {
    writeFileSync(join(copy.path, 'libs', 'ledger', 'src', 'new-module.ts'), 'export {};\n');
    expect(check().status).toBe(1);
    rmSync(join(copy.path, 'libs', 'ledger', 'src', 'new-module.ts'));
    expect(check().status).toBe(0);
    rmSync(join(copy.path, 'dist', 'apps', 'server', 'src', 'main.js'));
    expect(check().status).toBe(1);
  });
});
