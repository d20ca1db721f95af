// Builds the scan page (apps/web) into dist/web: esbuild bundles the page's TypeScript
// with libs/ledger and @noble into ES modules (the camera code, with zxing-wasm, is a
// separate chunk loaded only when asked for), and copies index.html, styles.css and
// zxing's reader .wasm beside them, so the service serves every asset itself (no CDN).
// The GraphQL explorer (GraphiQL, React) is a second entry with its own page: its
// scripts and styles are loaded only at GET /graphql in a browser, never by the scan page.
// scripts/build.mjs runs it after compiling the server (`npm run build` runs both).
// The page is built into a folder of its own and swapped in whole: a server starting
// meanwhile (the browser tests rebuild the page while other tests start the product)
// reads the old page or the new one, never a half-written or missing dist/web.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'apps/web');
const target = join(root, 'dist/web');
const out = `${target}.building-${process.pid}`;
const assets = join(out, 'assets');
const require = createRequire(import.meta.url);

rmSync(out, { recursive: true, force: true });
mkdirSync(assets, { recursive: true });

await build({
  absWorkingDir: root,
  entryPoints: { app: 'apps/web/src/main.ts', explorer: 'apps/web/src/explorer/explorer.ts' },
  tsconfig: 'apps/web/tsconfig.json',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022', 'chrome100', 'firefox100', 'safari15'],
  outdir: assets,
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  minify: true,
  sourcemap: 'linked',
  legalComments: 'linked',
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' }, // React's production build
});

copyFileSync(join(source, 'index.html'), join(out, 'index.html'));
copyFileSync(join(source, 'explorer.html'), join(out, 'explorer.html'));
copyFileSync(join(source, 'explorer-page.css'), join(assets, 'explorer-page.css'));
copyFileSync(join(source, 'styles.css'), join(assets, 'styles.css'));
copyFileSync(
  require.resolve('zxing-wasm/reader/zxing_reader.wasm'),
  join(assets, 'zxing_reader.wasm'),
);
const old = `${target}.old-${process.pid}`;
if (existsSync(target)) renameSync(target, old);
renameSync(out, target);
rmSync(old, { recursive: true, force: true });
console.log(`scan page built into ${target}`);
