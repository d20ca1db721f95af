import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { diffMigrationsToSchema, readMigrations } from './schema-engine';

describe('prisma/migrations', () => {
  it('build exactly what prisma/schema.prisma describes (npm run db:migration writes the next one)', async () => {
    const db = new PGlite();
    try {
      const drift = await diffMigrationsToSchema(new PrismaPGlite(db));
      expect(drift.replace(/^-- This is an empty migration\.\s*$/m, '').trim()).toBe('');
    } finally {
      await db.close();
    }
  });

  it('are read in name order, each with its SQL', () => {
    const list = readMigrations();
    const names = list.migrationDirectories.map((dir) => dir.path);
    expect(names.length).toBeGreaterThan(0);
    expect([...names].sort()).toEqual(names);
    for (const dir of list.migrationDirectories)
      expect(dir.migrationFile.content.value).toMatch(/CREATE /);
  });
});
