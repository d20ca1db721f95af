// `custos alerts --follow` across a lost subscription, live. It lists more alerts than one
// page of the alerts query may ask for (ALERTS_MAX_PAGE, the server's cost limit; the
// servers here allow pages of 100 only, so the CLI halves its pages) and follows; the
// server it follows stops (1001 going away), another replica on the same database takes
// more than a page of alerts, and the first server comes back. The CLI reconnects, the
// server replays the gap page by page, and it prints every alert exactly once and in
// order, then what the new subscription brings. And an alert whose transaction began
// before one it printed, committed while it was away (held open with pg), is printed
// when it reconnects: the replay reaches back a margin before the newest printed. The CLI is `node bin/custos.cjs` as a child
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
import { holdAlert } from '../held-alert';
import { until as within } from '../until';

const LAUNCHER = join(__dirname, '..', '..', 'bin', 'custos.cjs');
const ADMIN_TOKEN = 'cli-alerts-e2e-admin-token-0123456789abcdef';
// Each more than one page: the alerts before it starts, the FIRST of them it lists, and
// those raised while the followed server is down.
const BEFORE = ALERTS_MAX_PAGE + 16;
const FIRST = ALERTS_MAX_PAGE + 11;
const GAP = ALERTS_MAX_PAGE + 40;
/** The servers' largest page (CUSTOS_GRAPHQL_MAX_PAGE): the gap's replay spans pages. */
const MAX_PAGE = 100;

describe('custos alerts --follow across a lost subscription', () => {
  const work = tempDir('cli-alerts-work');
  const prefix = testQueuePrefix('cli_alerts');
  let db: TestDatabase;
  let port: number;
  /** The server the CLI follows, on a fixed port so that it can come back there. */
  let followed: RunningApp | undefined;
  let replica: RunningApp | undefined;
  let follower: ChildProcess | undefined;
  /** On the followed server's fixed port: it reaches it again when it comes back. */
  let world: LedgerWorld;
  let pharmacy: Party;
  const start = (env: Record<string, string>) =>
    startApp(
      serverConfig(db, prefix, {
        CUSTOS_ADMIN_TOKEN: ADMIN_TOKEN,
        CUSTOS_GRAPHQL_MAX_PAGE: String(MAX_PAGE),
        ...env,
      }),
      { logger: false },
    );

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

  const subscribers = (app: RunningApp) => app.app.get(AlertListener).subscriberCount;
  /** `custos alerts --follow …`: its lines printed, and a wait that shows its stderr. */
  const following = (args: string[]) => {
    const follow = custos(['alerts', '--follow', ...args]);
    follower = follow.child;
    const printed = () =>
      follow.output.stdout
        .trim()
        .split('\n')
        .filter((line) => line.length > 0);
    const until = (what: string, condition: () => boolean, timeoutMs: number) =>
      within(what, condition, timeoutMs).catch((err: Error) => {
        throw new Error(`${err.message}; the CLI printed:\n${follow.output.stderr}`);
      });
    return { ...follow, printed, until };
  };

  /** One DISPENSE of `count` units never commissioned: one alert each, in one transaction. */
  const raise = async (via: LedgerWorld, dispenser: Party, tag: string, count: number) => {
    dispenser.client = undefined; // signs in on the server `via` talks to
    const items = Array.from({ length: count }, (_, i) => unitUri(`${tag}${i}`));
    await via.submit(dispenser, [via.signed(dispenser, 'DISPENSE', { items })]);
  };

  beforeAll(async () => {
    db = await createTestDatabase('cli_alerts');
    port = await freePort();
    followed = await start({ PORT: String(port) });
    world = new LedgerWorld(followed.url, ADMIN_TOKEN);
    pharmacy = await world.register(gln('950600000601'), 'Gap Pharmacy', ['DISPENSER']);
    const regulator = gln('950600000602');
    await ok(['keygen', '--out', 'agency.json', '--participant', regulator]);
    await ok(
      ['register', '--id', regulator, '--name', 'Agency', '--role', 'REGULATOR', '--key']
        .concat(['agency.json', '--license-number', 'L-1', '--license-authority', 'EMA'])
        .concat(['--license-valid-until', '2099-12-31']),
    );
    await ok(['login', '--key', 'agency.json']);
  });
  afterAll(async () => {
    if (follower?.exitCode === null) follower.kill();
    await replica?.stop();
    await followed?.stop();
    await db?.drop();
    work.remove();
  });

  it('reconnects, prints every alert raised while it was away exactly once, in order, then follows on', async () => {
    // Alerts before it starts, of which it lists the FIRST most recent, page by page.
    await raise(world, pharmacy, 'BEFORE', BEFORE);
    const follow = following(['--first', `${FIRST}`, '--max', `${2 + GAP + 1}`]);
    const { printed, until } = follow;
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
    await raise(world, pharmacy, 'AFTER', 1);

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

  it('prints an alert committed while it was away by a transaction begun before one it printed', async () => {
    // Raised (raisedAt is its transaction's start) before the alert below, committed later.
    const held = await holdAlert(db.url, 'LATE0');
    try {
      const follow = following(['--first', '1', '--max', '3']);
      const { until } = follow;
      const shown = (tag: string) => follow.output.stdout.includes(tag);
      await until('subscribed', () => subscribers(followed!) === 1, 20_000);
      await raise(world, pharmacy, 'EARLY', 1);
      await until('the alert raised after it printed', () => shown('EARLY0'), 20_000);

      await followed!.stop();
      followed = undefined;
      await until('the stream lost', () => follow.output.stderr.includes('lost the alert'), 20_000);
      await held.commit();
      followed = await start({ PORT: String(port) });
      await until('the late alert printed', () => shown('LATE0'), 30_000);
      await raise(world, pharmacy, 'NEXT', 1);

      const ran = await follow.done;
      expect(ran.code).toBe(0);
      const identifiers = follow.printed().map((line) => line.split(/\s+/)[3]);
      expect(identifiers.slice(1)).toEqual([
        expect.stringContaining('EARLY0'),
        'LATE0',
        expect.stringContaining('NEXT0'),
      ]);
    } finally {
      await held.end();
    }
  }, 120_000);
});
