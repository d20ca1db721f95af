// Secrets in services mode (issue 13): the sealing key, the session secret and the admin
// token come from the environment or from files, never from the database unless the
// operator opts in (CUSTOS_GENERATE_SECRETS=database, development only). So the insider
// attack "a database dump is enough to mint regulator tokens and re-sign checkpoints" no
// longer holds: the dump holds no secret. Runs the built product, as an operator does.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gql } from 'graphql-request';
import { SignJWT } from 'jose';
import { Client } from 'pg';
import {
  client,
  failure,
  gln,
  newKey,
  participantInput,
  register,
  signInWith,
} from '../participants';
import { runProductToExit, startProduct } from '../product';
import {
  createTestDatabase,
  tempDir,
  testQueuePrefix,
  testRedisUrl,
  type TestDatabase,
} from '../storage';

// Each test starts the built product two or three times; a loaded machine needs the time.
jest.setTimeout(240_000);

const SECRETS = {
  sealingKey: '5d'.repeat(32),
  sessionSecret: 'session-secret-from-a-file-0123456789abcdefghij',
  adminToken: 'admin-token-from-a-file-0123456789abcdefghijklmn',
};

async function ledgerKey(url: string): Promise<string> {
  return (
    await client(url).request<{ ledgerKey: string }>(gql`
      {
        ledgerKey
      }
    `)
  ).ledgerKey;
}

/** A regulator's session token signed with `key`, as the service signs them (HS256). */
function mintRegulatorToken(key: string, regulatorId: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ roles: ['REGULATOR'] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(regulatorId)
    .setIssuer('custos')
    .setAudience('custos-api')
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(new TextEncoder().encode(key));
}

const ALERTS = gql`
  {
    alerts(first: 1) {
      pageInfo {
        hasNextPage
      }
    }
  }
`;

describe('secrets in services mode', () => {
  let db: TestDatabase;
  let files: ReturnType<typeof tempDir>;
  let pg: Client;
  const base = () => ({
    DATABASE_URL: db.url,
    REDIS_URL: testRedisUrl,
    CUSTOS_QUEUE_PREFIX: testQueuePrefix('secrets'),
  });

  beforeEach(async () => {
    db = await createTestDatabase('secrets_e2e');
    files = tempDir('secret-files');
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterEach(async () => {
    await pg?.end();
    await db?.drop();
    files?.remove();
  });

  function secretFiles(values = SECRETS): Record<string, string> {
    const write = (name: string, value: string) => {
      const path = join(files.path, name);
      writeFileSync(path, `${value}\n`, { mode: 0o600 });
      return path;
    };
    return {
      CUSTOS_SEALING_KEY_FILE: write('sealing-key', values.sealingKey),
      CUSTOS_SESSION_SECRET_FILE: write('session-secret', values.sessionSecret),
      CUSTOS_ADMIN_TOKEN_FILE: write('admin-token', values.adminToken),
    };
  }

  it('refuses to start without them, naming what to set, and touches nothing', async () => {
    const { code, output } = await runProductToExit(base());
    expect(code).toBe(1);
    for (const name of ['CUSTOS_SEALING_KEY', 'CUSTOS_SESSION_SECRET', 'CUSTOS_ADMIN_TOKEN']) {
      expect(output).toContain(`${name}: not set; set it or ${name}_FILE`);
    }
    expect(output).toContain('CUSTOS_GENERATE_SECRETS=database');
    expect(output).not.toContain('earlier start generated');
    const tables = await pg.query(`SELECT 1 FROM pg_tables WHERE tablename = 'system_setting'`);
    expect(tables.rowCount).toBe(0); // refused before migrating
  });

  it('a database dump holds no secret: none of the three, and no key that signs a session', async () => {
    const product = await startProduct({ ...base(), ...secretFiles() });
    try {
      const regulatorKey = newKey('r1');
      const regulatorId = gln(950600000902);
      await register(
        client(product.url, SECRETS.adminToken),
        participantInput(regulatorId, ['REGULATOR'], [regulatorKey]),
      );
      const session = await signInWith(product.url, regulatorId, regulatorKey);
      await client(product.url, session.token).request(ALERTS); // a real session works

      const dump = execFileSync('pg_dump', ['--no-owner', db.url], {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      expect(dump).toContain('system_setting'); // the dump is of the live schema
      for (const secret of Object.values(SECRETS)) expect(dump).not.toContain(secret);
      const kept = await pg.query(`SELECT key, value FROM system_setting`);
      expect(kept.rows.filter((row: { key: string }) => row.key.startsWith('secret.'))).toEqual([]);

      // The attack itself: every value the database holds, tried as the session key.
      for (const row of kept.rows as { value: string }[]) {
        const forged = await mintRegulatorToken(row.value, regulatorId);
        expect((await failure(client(product.url, forged).request(ALERTS))).code).toBe(
          'UNAUTHENTICATED',
        );
      }
      // (The same minting with the real secret is accepted: the check above can fail.)
      const genuine = await mintRegulatorToken(SECRETS.sessionSecret, regulatorId);
      await expect(client(product.url, genuine).request(ALERTS)).resolves.toBeDefined();
    } finally {
      await product.stop();
    }
  });

  it('CUSTOS_GENERATE_SECRETS=database is the explicit opt-in: generated there, said so, dump holds them', async () => {
    const product = await startProduct({ ...base(), CUSTOS_GENERATE_SECRETS: 'database' });
    try {
      expect(product.output()).toMatch(
        /generated sealing-key into the database .*development only/,
      );
      expect(product.output()).toContain(
        `psql "$DATABASE_URL" -Atc "SELECT value FROM system_setting WHERE key = 'secret.admin-token'"`,
      );
      const kept = await pg.query<{ key: string; value: string }>(
        `SELECT key, value FROM system_setting WHERE key LIKE 'secret.%' ORDER BY key`,
      );
      expect(kept.rows.map((row) => row.key)).toEqual([
        'secret.admin-token',
        'secret.sealing-key',
        'secret.session-key',
      ]);
      // Which is why it is for development only: the rows are the admin token and a key
      // that mints a regulator's session.
      const row = (key: string) => kept.rows.find((r) => r.key === key)!.value;
      const regulatorId = gln(950600000904);
      await register(
        client(product.url, row('secret.admin-token')),
        participantInput(regulatorId, ['REGULATOR'], [newKey('r2')]),
      );
      const forged = await mintRegulatorToken(row('secret.session-key'), regulatorId);
      await expect(client(product.url, forged).request(ALERTS)).resolves.toBeDefined();
    } finally {
      await product.stop();
    }
  });

  it('a deployment with generated secrets in system_setting is told how to move them to files, and the moved ones work', async () => {
    const earlier = await startProduct({ ...base(), CUSTOS_GENERATE_SECRETS: 'database' });
    const key = await ledgerKey(earlier.url);
    await earlier.stop();

    const refused = await runProductToExit(base());
    expect(refused.code).toBe(1);
    expect(refused.output).toContain(
      'this database holds secrets an earlier start generated into it (system_setting secret.admin-token, secret.sealing-key, secret.session-key)',
    );
    for (const [name, env] of [
      ['sealing-key', 'CUSTOS_SEALING_KEY_FILE'],
      ['session-key', 'CUSTOS_SESSION_SECRET_FILE'],
      ['admin-token', 'CUSTOS_ADMIN_TOKEN_FILE'],
    ]) {
      expect(refused.output).toContain(
        `(umask 077; psql "$DATABASE_URL" -Atc "SELECT value FROM system_setting WHERE key = 'secret.${name}'" > ${name})   # then ${env}=<path of ${name}>`,
      );
    }
    expect(refused.output).toContain(
      `psql "$DATABASE_URL" -c "DELETE FROM system_setting WHERE key LIKE 'secret.%'"`,
    );

    // Following the hint to the letter (psql, as the operator would).
    const psql = (sql: string) =>
      execFileSync('psql', [db.url, '-Atc', sql], { encoding: 'utf8' }).trim();
    const moved = {
      sealingKey: psql(`SELECT value FROM system_setting WHERE key = 'secret.sealing-key'`),
      sessionSecret: psql(`SELECT value FROM system_setting WHERE key = 'secret.session-key'`),
      adminToken: psql(`SELECT value FROM system_setting WHERE key = 'secret.admin-token'`),
    };
    const env = { ...base(), ...secretFiles(moved) };
    const leftover = await startProduct(env);
    try {
      expect(await ledgerKey(leftover.url)).toBe(key); // the same sealing key, from its file
      expect(leftover.output()).toContain('the database still holds generated secrets');
    } finally {
      await leftover.stop();
    }
    psql(`DELETE FROM system_setting WHERE key LIKE 'secret.%'`);
    const clean = await startProduct(env);
    try {
      expect(await ledgerKey(clean.url)).toBe(key);
      expect(clean.output()).not.toContain('still holds generated secrets');
      const admin = client(clean.url, moved.adminToken);
      await register(admin, participantInput(gln(950600000903), ['DISPENSER'], [newKey('d1')]));
    } finally {
      await clean.stop();
    }
  });
});
