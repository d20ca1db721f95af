// Storage for tests: every test file gets its own PostgreSQL database and its own queue
// prefix on the real servers (.ci/run points CUSTOS_TEST_DATABASE_URL and
// CUSTOS_TEST_REDIS_URL at them). Nothing is mocked.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { loadConfig, type Config } from '../libs/core/src/config/config';

export const testDatabaseServerUrl =
  process.env.CUSTOS_TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const testRedisUrl = process.env.CUSTOS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

function uniqueName(label: string): string {
  const safe = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 30);
  return `custos_t_${safe}_${randomBytes(4).toString('hex')}`;
}

async function adminQuery(sql: string): Promise<void> {
  const client = new Client({ connectionString: testDatabaseServerUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

/** A new, empty database on the test server. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = uniqueName(label);
  await adminQuery(`CREATE DATABASE "${name}"`);
  const url = new URL(testDatabaseServerUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

/** A unique BullMQ prefix (Redis) or schema (PostgreSQL backend) for one test file. */
export function testQueuePrefix(label: string): string {
  return uniqueName(label).slice(0, 40);
}

export function tempDir(label: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `custos-${label}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * The secrets services mode needs from the environment (it generates none), derived
 * from the database's name: every process and config of one test database agrees, as
 * the replicas of one deployment do. Pass '' for one of them to leave it unset.
 */
export function testSecrets(db: Pick<TestDatabase, 'name'>): Record<string, string> {
  const derive = (what: string) => createHash('sha256').update(`${what}:${db.name}`).digest();
  return {
    CUSTOS_SEALING_KEY: derive('sealing-key').toString('hex'),
    CUSTOS_SESSION_SECRET: derive('session-secret').toString('base64url'),
    CUSTOS_ADMIN_TOKEN: derive('admin-token').toString('base64url'),
  };
}

/**
 * The environment of a product process in services mode on the test servers: its own
 * database, its own queue prefix (from `label`), and testSecrets.
 */
export function servicesEnv(db: TestDatabase, label: string): Record<string, string> {
  return servicesEnvOnQueue(db, testQueuePrefix(label));
}

/** servicesEnv with the queue prefix given, for a process that shares one already made. */
export function servicesEnvOnQueue(db: TestDatabase, prefix: string): Record<string, string> {
  return {
    ...testSecrets(db),
    DATABASE_URL: db.url,
    REDIS_URL: testRedisUrl,
    CUSTOS_QUEUE_PREFIX: prefix,
    // With DATABASE_URL the product binds 0.0.0.0 (for Docker); one started by a test or
    // a bench, with a well-known admin token, is reached over loopback and listens there.
    CUSTOS_BIND_ADDRESS: '127.0.0.1',
  };
}

/** The sealing key (hex seed) each test database's config was given, by database name. */
const sealingKeys = new Map<string, string>();

/**
 * The sealing key seed of a test database: the one its serverConfig was given in this
 * process, else the one testSecrets derives. Fixtures that write participant keys in SQL
 * record them in the key directory with it, as the application would (docs/adr/0014).
 */
export function testSealingSeed(dbName: string): Uint8Array {
  const hex = sealingKeys.get(dbName) ?? testSecrets({ name: dbName }).CUSTOS_SEALING_KEY!;
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/** The log origin of a test database's last serverConfig (the key directory's, plus /keys). */
const logOrigins = new Map<string, string>();

export function testLogOrigin(dbName: string): string {
  return logOrigins.get(dbName) ?? 'custos.local/log';
}

/** Config on the real test servers, in this file's own database and queue prefix. */
export function serverConfig(
  db: TestDatabase,
  prefix: string,
  env: Record<string, string> = {},
): Config {
  const sealingKey = env.CUSTOS_SEALING_KEY ?? testSecrets(db).CUSTOS_SEALING_KEY;
  if (sealingKey) sealingKeys.set(db.name, sealingKey);
  if (env.CUSTOS_LOG_ORIGIN) logOrigins.set(db.name, env.CUSTOS_LOG_ORIGIN);
  return loadConfig({
    DATABASE_URL: db.url,
    REDIS_URL: testRedisUrl,
    CUSTOS_QUEUE_PREFIX: prefix,
    PORT: '0',
    ...testSecrets(db),
    ...env,
  });
}
