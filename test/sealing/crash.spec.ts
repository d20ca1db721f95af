// Exactly once across a crash: a sealer process is SIGKILLed inside its seal transaction
// (every write of the block done, not committed) while another sealer waits on the
// sequencer lock. Nothing of the killed block survives, the waiting sealer takes over
// the same events, and the whole ledger then verifies: no gap, no duplicate, acceptance
// order, every proof, the naive root.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  createTestDatabase,
  testQueuePrefix,
  testRedisUrl,
  testSecrets,
  type TestDatabase,
} from '../storage';
import { loadConfig } from '../../libs/core/src/config/config';
import { insertPending, shipEvent, testSigner } from './fixture';
import { checkLedger } from './ledger-check';
import { openSealer, type TestSealer } from './sealer';

const ROOT = join(__dirname, '..', '..');

function startChild(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      '-r',
      join(__dirname, '..', 'resolve-ts.cjs'),
      join(__dirname, 'crash-sealer.ts'),
    ],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', TS_NODE_PROJECT: 'tsconfig.jest.json', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  return { child, output: () => output };
}

async function waitFor(what: () => boolean, label: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!what()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a sealer killed mid-seal', () => {
  let db: TestDatabase;
  let pg: Client;
  let survivor: TestSealer;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    db = await createTestDatabase('seal_crash');
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await survivor?.close();
    await pg?.end();
    await db?.drop();
  });

  it('loses, duplicates, reorders and forks nothing; another sealer takes over', async () => {
    const env = {
      ...testSecrets(db),
      DATABASE_URL: db.url,
      REDIS_URL: testRedisUrl,
      CUSTOS_QUEUE_PREFIX: testQueuePrefix('seal_crash'),
      SEAL_MAX_EVENTS: '100',
      SEAL_MAX_WAIT_MS: '1',
    };
    const config = loadConfig(env);
    survivor = await openSealer(config); // migrates the new database
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    const a = testSigner('9506000000003');
    await insertPending(
      pg,
      Array.from({ length: 750 }, (_, i) => shipEvent(a, '9506000000010', `C${i}`)),
    );

    const run = startChild({ ...env, CRASH_AT_HEIGHT: '3' });
    child = run.child;
    await waitFor(() => run.output().includes('IN_TX 3'), 'the child inside block 3');
    expect(run.output()).toMatch(/WROTE 0 100\nWROTE 1 200\nWROTE 2 300\nWROTE 3 400\nIN_TX 3/);

    // The survivor queues on the sequencer lock while the child holds it.
    let sealedBySurvivor: number | undefined;
    const waiting = survivor.sealing.sealBlock().then((r) => (sealedBySurvivor = r.block?.height));
    await new Promise((r) => setTimeout(r, 700));
    expect(sealedBySurvivor).toBeUndefined();
    const before = await pg.query<{ blocks: string; sealed: string; nodes: string }>(
      `SELECT (SELECT count(*) FROM block) AS blocks,
              (SELECT count(*) FROM ledger_event WHERE leaf_index IS NOT NULL) AS sealed,
              (SELECT count(*) FROM tree_node WHERE level = 0) AS nodes`,
    );
    expect(before.rows[0]).toEqual({ blocks: '3', sealed: '300', nodes: '300' });

    child.kill('SIGKILL');
    await waiting;
    expect(sealedBySurvivor).toBe(3); // the same height, the same events, from the survivor

    // A restarted sealer process finishes the rest.
    const restart = startChild({ ...env, CRASH_AT_HEIGHT: '-1' });
    child = restart.child;
    await waitFor(() => restart.output().includes('DRAINED'), 'the restarted sealer to drain');
    expect(restart.output()).toMatch(/WROTE 4 500\nWROTE 5 600\nWROTE 6 700\nWROTE 7 750\n/);

    expect(await checkLedger(survivor, pg)).toEqual({ blocks: 8, entries: 750, pending: 0 });
  }, 180_000);
});
