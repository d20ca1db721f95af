import { Inject, Injectable } from '@nestjs/common';
import { Client } from 'pg';
import { STORAGE } from '../tokens';
import type { Storage } from '../database/storage';

/** Keys of the secrets generated into the database (CUSTOS_GENERATE_SECRETS=database). */
export const SECRET_KEY_PREFIX = 'secret.';

/** Small key-value facts the system keeps about itself. */
@Injectable()
export class SystemSettingRepository {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  async get(key: string): Promise<string | undefined> {
    const row = await this.storage.prisma.systemSetting.findUnique({ where: { key } });
    return row?.value;
  }

  async put(key: string, value: string): Promise<void> {
    await this.storage.prisma.systemSetting.upsert({
      where: { key },
      create: { key, value },
      update: { value },
    });
  }

  async keysWithPrefix(prefix: string): Promise<string[]> {
    const rows = await this.storage.prisma.systemSetting.findMany({
      where: { key: { startsWith: prefix } },
      select: { key: true },
      orderBy: { key: 'asc' },
    });
    return rows.map((row) => row.key);
  }

  /** Stores `value` unless the key exists; returns what is stored either way (first writer wins). */
  async putIfAbsent(key: string, value: string): Promise<string> {
    await this.storage.prisma.systemSetting.createMany({
      data: [{ key, value }],
      skipDuplicates: true,
    });
    const stored = await this.get(key);
    if (stored === undefined) throw new Error(`system setting ${key} vanished`);
    return stored;
  }
}

/**
 * The generated secrets a database holds, read before anything else is opened (the
 * configuration was refused): [] when there are none, or no system_setting table yet,
 * or the database does not answer within a few seconds.
 */
export async function generatedSecretKeysIn(databaseUrl: string): Promise<string[]> {
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    const result = await client.query<{ key: string }>(
      `SELECT key FROM system_setting WHERE key LIKE $1 ORDER BY key`,
      [`${SECRET_KEY_PREFIX}%`],
    );
    return result.rows.map((row) => row.key);
  } catch {
    return [];
  } finally {
    await client.end().catch(() => undefined);
  }
}
