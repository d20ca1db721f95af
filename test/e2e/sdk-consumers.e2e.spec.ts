// libs/sdk as third parties consume it (issue 15: "works on Node, CJS and ESM consumers,
// and in the browser"). Node: test/sdk-consumers/consumer.mjs and consumer.cjs import it
// by the package's exports map (`custos/sdk/<file>`, the built dist/libs/sdk) and talk to
// a real server. TypeScript: consumer.mts and consumer.cts type-check against the
// declarations the build emits for libs/sdk. Browser: the SDK's browser files bundle for
// the browser platform with esbuild, which refuses any Node built-in they would pull in.
// Needs `npm run build`.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { startApp, type RunningApp } from '../../apps/server/src/bootstrap';
import { gln } from '../fixtures/ledger-world';
import {
  createTestDatabase,
  serverConfig,
  testQueuePrefix,
  testSecrets,
  type TestDatabase,
} from '../storage';

const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);

describe('libs/sdk for its consumers', () => {
  let db: TestDatabase;
  let app: RunningApp;

  beforeAll(async () => {
    db = await createTestDatabase('sdk_consumers');
    app = await startApp(serverConfig(db, testQueuePrefix('sdk_consumers')), { logger: false });
  });
  afterAll(async () => {
    await app?.stop();
    await db?.drop();
  });

  it.each([
    ['consumer.mjs', gln('950600000601')],
    ['consumer.cjs', gln('950600000602')],
  ])(
    '%s imports custos/sdk/*, registers, signs in and submits a signed event',
    async (file, participant) => {
      const { stdout } = await run(
        process.execPath,
        [
          join(ROOT, 'test', 'sdk-consumers', file),
          app.url,
          testSecrets(db).CUSTOS_ADMIN_TOKEN!,
          participant,
        ],
        {
          cwd: ROOT,
        },
      );
      const answer = JSON.parse(stdout) as {
        verified: boolean;
        ledgerKey: string;
        treeSize: number;
      };
      expect(answer).toEqual({
        verified: true,
        ledgerKey: expect.stringMatching(/^custos\.local\/log\+[0-9a-f]{8}\+/),
        accepted: 1,
      });
    },
  );

  it('type-checks a TypeScript consumer (ESM and CJS) against the built declarations', async () => {
    // consumer.mts and consumer.cts: strict, nodenext, `custos/sdk/*` by the exports map.
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const checked = await run(process.execPath, [
      tsc,
      '-p',
      join(ROOT, 'test', 'sdk-consumers', 'tsconfig.json'),
    ]).catch((err: { stdout: string }) => ({ stdout: err.stdout }));
    expect(checked.stdout).toBe('');
  });

  it('bundles for the browser without any Node built-in', async () => {
    const files = ['client', 'events', 'keys', 'bundle', 'errors', 'key-requests', 'key-listing'];
    const result = await build({
      stdin: {
        contents: files.map((f) => `export * from './libs/sdk/src/${f}';`).join('\n'),
        resolveDir: ROOT,
        loader: 'ts',
      },
      tsconfig: join(ROOT, 'tsconfig.json'),
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    expect(result.outputFiles[0]!.text).toMatch(/\bCustosClient = class\b/);
  });
});
