// `custos alerts --follow` across a lost subscription, live. It lists more alerts than one
// page of the alerts query may ask for (ALERTS_MAX_PAGE, the server's cost limit) and
// follows; the server it follows stops (1001 going away), another replica on the same
// database takes more than a page of alerts, and the first server comes back. The CLI
// reconnects, reads the gap page by page, prints every alert exactly once and in order,
// then what the new subscription brings. The CLI is `node bin/custos.cjs` as a child
// process; the servers run in this process on the real PostgreSQL and Redis, in this
// file's own database and queue prefix.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { startApp, type RunningApp } from '../../apps/server/src/bootstrap';
import { AlertListener } from '../../libs/regulators/src/alert-listener.service';
import { ALERTS_MAX_PAGE, CustosClient } from '../../libs/sdk/src/client';
import type { Alert } from '../../libs/sdk/src/types';
import { gln, LedgerWorld, type Party, unitUri } from '../fixtures/ledger-world';
import { freePort } from '../product';
import {
  createTestDatabase,
  serverConfig,
  tempDir,
  testQueuePrefix,
  type TestDatabase,
} from '../storage';
import { until as within } from '../until';

const LAUNCHER = join(__dirname, '..', '..', 'bin', 'custos.cjs');
const ADMIN_TOKEN = 'cli-alerts-e2e-admin-token-0123456789abcdef';
// Each more than one page: the alerts before it starts, the FIRST of them it lists, and
// those raised while the followed server is down.
const BEFORE = ALERTS_MAX_PAGE + 16;
const FIRST = ALERTS_MAX_PAGE + 11;
const GAP = ALERTS_MAX_PAGE + 40;

describe('custos alerts --follow across a lost subscription', () => {
  const work = tempDir('cli-alerts-work');
  const prefix = testQueuePrefix('cli_alerts');
  let db: TestDatabase;
  let port: number;
  /** The server the CLI follows, on a fixed port so that it can come back there. */
  let followed: RunningApp | undefined;
  let replica: RunningApp | undefined;
  let follower: ChildProcess | undefined;
  const start = (env: Record<string, string>) =>
    startApp(serverConfig(db, prefix, { CUSTOS_ADMIN_TOKEN: ADMIN_TOKEN, ...env }), {
      logger: false,
    });

  /** `custos` with the regulator's session file; resolves with its exit and output. */
  const custos = (args: string[]) => {
    const child = spawn(process.execPath, [LAUNCHER, ...args], {
      cwd: work.path,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        CUSTOS_URL: `http://127.0.0.1:${port}`,
        CUSTOS_ADMIN_TOKEN: ADMIN_TOKEN,
        CUSTOS_SESSION_FILE: join(work.path, 'session.json'),
      },
    });
    const output = { stdout: '', stderr: '' };
    child.stdout.on('data', (c: Buffer) => (output.stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output.stderr += c.toString()));
    child.stdin.end();
    const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
      child.once('exit', (code) => resolve({ code, ...output })),
    );
    return { child, output, done };
  };
  const ok = async (args: string[]) => {
    const ran = await custos(args).done;
    if (ran.code !== 0) throw new Error(`custos ${args.join(' ')} → ${ran.code}\n${ran.stderr}`);
  };

  /** One DISPENSE of `count` units never commissioned: one alert each, in one transaction. */
  const raise = async (world: LedgerWorld, pharmacy: Party, tag: string, count: number) => {
    pharmacy.client = undefined; // signs in on the server `world` talks to
    const items = Array.from({ length: count }, (_, i) => unitUri(`${tag}${i}`));
    await world.submit(pharmacy, [world.signed(pharmacy, 'DISPENSE', { items })]);
  };

  beforeAll(async () => {
    db = await createTestDatabase('cli_alerts');
    port = await freePort();
    followed = await start({ PORT: String(port) });
  });
  afterAll(async () => {
    if (follower?.exitCode === null) follower.kill();
    await replica?.stop();
    await followed?.stop();
    await db?.drop();
    work.remove();
  });

  it('reconnects, prints every alert raised while it was away exactly once, in order, then follows on', async () => {
    const world = new LedgerWorld(followed!.url, ADMIN_TOKEN);
    const pharmacy = await world.register(gln('950600000601'), 'Gap Pharmacy', ['DISPENSER']);
    const regulator = gln('950600000602');
    await ok(['keygen', '--out', 'agency.json', '--participant', regulator]);
    await ok(
      ['register', '--id', regulator, '--name', 'Agency', '--role', 'REGULATOR', '--key']
        .concat(['agency.json', '--license-number', 'L-1', '--license-authority', 'EMA'])
        .concat(['--license-valid-until', '2099-12-31']),
    );
    await ok(['login', '--key', 'agency.json']);

    // Alerts before it starts, of which it lists the FIRST most recent, page by page.
    await raise(world, pharmacy, 'BEFORE', BEFORE);
    const follow = custos(['alerts', '--follow', '--first', `${FIRST}`, '--max', `${2 + GAP + 1}`]);
    follower = follow.child;
    const printed = () =>
      follow.output.stdout
        .trim()
        .split('\n')
        .filter((line) => line.length > 0);
    const subscribers = (app: RunningApp) => app.app.get(AlertListener).subscriberCount;
    const until = (what: string, condition: () => boolean, timeoutMs: number) =>
      within(what, condition, timeoutMs).catch((err: Error) => {
        throw new Error(`${err.message}; the CLI printed:\n${follow.output.stderr}`);
      });
    await until('subscribed', () => subscribers(followed!) === 1, 20_000);
    await until('listed', () => follow.output.stderr.includes('waiting for new alerts'), 20_000);

    await raise(world, pharmacy, 'LIVE', 2);
    await until('two live alerts printed', () => printed().length === FIRST + 2, 20_000);

    // The followed server goes; a replica on the same database takes the gap's alerts.
    await followed!.stop();
    followed = undefined;
    replica = await start({ PORT: '0' });
    await raise(new LedgerWorld(replica.url, ADMIN_TOKEN), pharmacy, 'GAP', GAP);
    await replica.stop();
    replica = undefined;
    followed = await start({ PORT: String(port) });
    await until('subscribed again', () => subscribers(followed!) === 1, 30_000);
    await until('the gap printed', () => printed().length === FIRST + 2 + GAP, 30_000);
    await raise(new LedgerWorld(followed.url, ADMIN_TOKEN), pharmacy, 'AFTER', 1);

    const ran = await follow.done;
    expect([ran.code, ran.stderr]).toEqual([0, expect.stringContaining('reconnected')]);

    // Exactly the alerts raised, each once: those listed newest first, then the rest in
    // the order they were raised.
    const client = new CustosClient({ url: followed.url, token: ADMIN_TOKEN });
    const all = (await client.alertList()).reverse().map((a: Alert) => a.identifier);
    expect(all).toHaveLength(BEFORE + 2 + GAP + 1);
    const identifiers = printed().map((line) => line.split(/\s+/)[3]);
    expect(identifiers).toEqual([
      ...all.slice(BEFORE - FIRST, BEFORE).reverse(),
      ...all.slice(BEFORE),
    ]);
  }, 180_000);
});
