// The `custos` CLI's stored session across the events that end one: a key revoked (login
// with the new key, over the same session file whose token died with the old key), and a
// session that expires or whose key is revoked under `alerts --follow` (the server closes
// the subscription with 4401 or 4403). Sessions last 60 s here (CUSTOS_SESSION_TTL_SECONDS
// at its least), so the expiry is the server's own. Each command is `node bin/custos.cjs`
// as a child process, against a server in this process on the real PostgreSQL and Redis.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startApp, type RunningApp } from '../../apps/server/src/bootstrap';
import { AlertListener } from '../../libs/regulators/src/alert-listener.service';
import { LedgerWorld, gln, unitUri } from '../fixtures/ledger-world';
import {
  createTestDatabase,
  serverConfig,
  tempDir,
  testQueuePrefix,
  type TestDatabase,
} from '../storage';
import { until } from '../until';

const LAUNCHER = join(__dirname, '..', '..', 'bin', 'custos.cjs');
const ADMIN_TOKEN = 'cli-sessions-e2e-admin-token-0123456789abcdef';
const LICENSE = [
  '--license-number',
  'L-1',
  '--license-authority',
  'Test Agency',
  '--license-valid-until',
  '2099-12-31',
];

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A command still running: what it printed so far, and its end. */
interface Running {
  readonly child: ChildProcess;
  readonly output: { stdout: string; stderr: string };
  readonly done: Promise<Ran>;
}

describe('custos CLI sessions', () => {
  const work = tempDir('cli-sessions-work');
  let db: TestDatabase;
  let app: RunningApp;
  let env: Record<string, string>;
  let world: LedgerWorld;
  const running: ChildProcess[] = [];
  /** Registers a participant from a new key file (keygen, register); logs it in. */
  const registered = async (id: string, name: string, role: string, session: string) => {
    await ok(['keygen', '--out', `${name}.json`, '--participant', id], session);
    await ok(
      ['register', '--id', id, '--name', name, '--role', role, '--key', `${name}.json`, ...LICENSE],
      session,
    );
    await ok(['login', '--key', `${name}.json`], session);
  };
  /** The alertRaised subscriptions this server holds. */
  const subscribers = () => app.app.get(AlertListener).subscriberCount;

  const start = (args: string[], session: string, stdin = ''): Running => {
    const child = spawn(process.execPath, [LAUNCHER, ...args], {
      cwd: work.path,
      env: { ...env, CUSTOS_SESSION_FILE: session },
    });
    const output = { stdout: '', stderr: '' };
    child.stdout.on('data', (c: Buffer) => (output.stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output.stderr += c.toString()));
    child.stdin.end(stdin);
    const done = new Promise<Ran>((resolve) =>
      child.once('exit', (code) => resolve({ code, ...output })),
    );
    running.push(child);
    return { child, output, done };
  };
  const custos = (args: string[], session: string, stdin = ''): Promise<Ran> =>
    start(args, session, stdin).done;
  const ok = async (args: string[], session: string, stdin?: string) => {
    const ran = await custos(args, session, stdin);
    if (ran.code !== 0)
      throw new Error(`custos ${args.join(' ')} → ${ran.code}\n${ran.stdout}\n${ran.stderr}`);
    return ran.stdout;
  };

  beforeAll(async () => {
    db = await createTestDatabase('cli_sessions');
    app = await startApp(
      serverConfig(db, testQueuePrefix('cli_sessions'), {
        CUSTOS_ADMIN_TOKEN: ADMIN_TOKEN,
        CUSTOS_SESSION_TTL_SECONDS: '60',
      }),
      { logger: false },
    );
    env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      CUSTOS_URL: app.url,
      CUSTOS_ADMIN_TOKEN: ADMIN_TOKEN,
    };
    world = new LedgerWorld(app.url, ADMIN_TOKEN);
  });
  afterAll(async () => {
    for (const child of running) if (child.exitCode === null) child.kill();
    await app?.stop();
    await db?.drop();
    work.remove();
  });

  it('logs in with a new key after the old one was revoked, over the same session file', async () => {
    const me = gln('950600000501');
    const session = join(work.path, 'pharmacy-session.json');
    await ok(['keygen', '--out', 'k1.json', '--participant', me], session);
    await ok(['keygen', '--out', 'k2.json', '--participant', me, '--key-id', 'k2'], session);
    await ok(
      [
        'register',
        '--id',
        me,
        '--name',
        'Rotating Pharmacy',
        '--role',
        'DISPENSER',
        '--key',
        'k1.json',
        ...LICENSE,
      ],
      session,
    );
    await ok(['login', '--key', 'k1.json'], session);
    await ok(['keys', 'add', '--new', 'k2.json', '--signer', 'k1.json'], session);
    await ok(['keys', 'revoke', 'k1', '--signer', 'k2.json'], session);

    // The stored token was k1's, and is refused now: login must not send it.
    expect(await ok(['login', '--key', 'k2.json'], session)).toContain(
      `signed in to ${app.url} as ${me} (key k2)`,
    );
    // ... and the new session works: an event signed with k2, submitted with it.
    const dispense = JSON.stringify({ type: 'DISPENSE', items: [unitUri('ROT1')] });
    const submitted = JSON.parse(
      await ok(['submit', '-', '--key', 'k2.json', '--json'], session, dispense),
    ) as { ok: boolean; accepted: number };
    expect(submitted).toMatchObject({ ok: true, accepted: 1 });
  }, 120_000);

  it('alerts --follow signs in again when the session expires (4401) and prints what is raised after', async () => {
    const regulator = gln('950600000502');
    const session = join(work.path, 'regulator-session.json');
    await registered(regulator, 'agency', 'regulator', session);
    const pharmacy = await world.register(gln('950600000503'), 'Pharmacy', ['DISPENSER']);
    const stored = () => JSON.parse(readFileSync(session, 'utf8')) as { token: string };
    const loggedIn = stored().token;

    const follow = start(['alerts', '--follow', '--max', '1', '--json'], session);
    await until('subscribed', () => subscribers() === 1, 20_000);
    // The server closes the stream at the session's expiry, 60 s after login.
    await until(
      'signed in again',
      () => follow.output.stderr.includes('the session expired: signed in again until'),
      90_000,
    );
    await until('subscribed again', () => subscribers() === 1, 20_000);
    // The new token is stored: the next command does not start from the dead one.
    expect(stored().token).not.toBe(loggedIn);
    await world.act(pharmacy, 'DISPENSE', { items: [unitUri('AFTER-RESUME')] });

    const ran = await follow.done;
    expect([ran.code, ran.stderr]).toEqual([0, expect.any(String)]);
    const last = JSON.parse(ran.stdout.trim().split('\n').pop()!) as { identifier: string };
    expect(last.identifier).toBe(unitUri('AFTER-RESUME'));
  }, 180_000);

  it('alerts --follow ends with exit 1 and says so when the key is revoked (4403)', async () => {
    const regulator = gln('950600000504');
    const session = join(work.path, 'revoked-regulator-session.json');
    await registered(regulator, 'revoked-agency', 'regulator', session);

    const follow = start(['alerts', '--follow'], session);
    await until('following', () => follow.output.stderr.includes('waiting for new alerts'), 20_000);
    await until('subscribed', () => subscribers() === 1, 20_000);
    await ok(['keys', 'revoke', 'k1', '--participant', regulator], session);

    const ran = await follow.done;
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain(
      'custos: the key this session was signed in with was revoked, so the server ended the alert stream: sign in with another key (custos login --key <file>) and follow again',
    );
  }, 60_000);
});
