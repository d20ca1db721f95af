// The `custos` CLI's stored session across the events that end one: a key revoked (login
// with the new key, over the same session file whose token died with the old key). Each
// command is `node bin/custos.cjs` as a child process, against a server in this process
// on the real PostgreSQL and Redis.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startApp, type RunningApp } from '../../apps/server/src/bootstrap';
import { gln, unitUri } from '../fixtures/ledger-world';
import {
  createTestDatabase,
  serverConfig,
  tempDir,
  testQueuePrefix,
  type TestDatabase,
} from '../storage';

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

describe('custos CLI sessions', () => {
  const work = tempDir('cli-sessions-work');
  let db: TestDatabase;
  let app: RunningApp;
  let env: Record<string, string>;

  const custos = (args: string[], session: string, stdin = ''): Promise<Ran> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [LAUNCHER, ...args], {
        cwd: work.path,
        env: { ...env, CUSTOS_SESSION_FILE: session },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.stdin.end(stdin);
      child.once('exit', (code) => resolve({ code, stdout, stderr }));
    });
  const ok = async (args: string[], session: string, stdin?: string) => {
    const ran = await custos(args, session, stdin);
    if (ran.code !== 0)
      throw new Error(`custos ${args.join(' ')} → ${ran.code}\n${ran.stdout}\n${ran.stderr}`);
    return ran.stdout;
  };

  beforeAll(async () => {
    db = await createTestDatabase('cli_sessions');
    app = await startApp(
      serverConfig(db, testQueuePrefix('cli_sessions'), { CUSTOS_ADMIN_TOKEN: ADMIN_TOKEN }),
      { logger: false },
    );
    env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      CUSTOS_URL: app.url,
      CUSTOS_ADMIN_TOKEN: ADMIN_TOKEN,
    };
  });
  afterAll(async () => {
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
});
