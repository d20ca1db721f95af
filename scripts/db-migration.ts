// `npm run db:migration -- <name>`: writes prisma/migrations/<timestamp>_<name>/migration.sql
// with the SQL that takes the committed migrations to prisma/schema.prisma, computed by
// Prisma's schema engine (WebAssembly) on a throw-away in-memory PGlite.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { diffMigrationsToSchema, readMigrations } from '../libs/core/src/database/schema-engine';

async function main(): Promise<void> {
  const name = process.argv[2];
  if (!name || !/^[a-z][a-z0-9_]{0,60}$/.test(name)) {
    throw new Error('usage: npm run db:migration -- <name in lowercase_with_underscores>');
  }
  const db = new PGlite();
  const sql = await diffMigrationsToSchema(new PrismaPGlite(db));
  await db.close();
  if (!/\b(CREATE|ALTER|DROP)\b/.test(sql)) {
    console.log('schema.prisma and the migrations agree: nothing to write');
    return;
  }
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const dir = join(readMigrations().baseDir, `${stamp}_${name}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'migration.sql'), sql);
  console.log(`wrote ${join(dir, 'migration.sql')}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
