import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { tempDir } from '../../../../test/storage';
import { DataDirInitError, ensurePGliteDataDir } from './pglite-data-dir';

describe('ensurePGliteDataDir (a new folder initialised in a child process)', () => {
  const dir = tempDir('pglite-init');
  afterAll(() => dir.remove());

  it('creates the database in a new folder, and a second call reuses it', async () => {
    const dataDir = join(dir.path, 'pgdata');
    await expect(ensurePGliteDataDir(dataDir)).resolves.toBe('created');
    expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);
    // Nothing of the child's building folder is left beside it.
    expect(readdirSync(dir.path)).toEqual(['pgdata']);

    const db = new PGlite(dataDir);
    await db.exec('CREATE TABLE kept (v text); INSERT INTO kept VALUES ($$here$$)');
    await db.close();
    await expect(ensurePGliteDataDir(dataDir)).resolves.toBe('existing');
    const again = new PGlite(dataDir);
    try {
      const { rows } = await again.query<{ v: string }>('SELECT v FROM kept');
      expect(rows).toEqual([{ v: 'here' }]);
    } finally {
      await again.close();
    }
  });

  it('initialises an empty folder that already exists', async () => {
    const dataDir = join(dir.path, 'empty');
    mkdirSync(dataDir);
    await expect(ensurePGliteDataDir(dataDir)).resolves.toBe('created');
    expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);
  });

  it('says why when the child fails, and leaves no folder behind', async () => {
    const dataDir = join(dir.path, 'failing');
    const failing = ensurePGliteDataDir(dataDir, {
      childArgs: () => ['-e', 'process.stderr.write("no space left on device"); process.exit(3)'],
    });
    await expect(failing).rejects.toBeInstanceOf(DataDirInitError);
    await expect(failing).rejects.toThrow(
      `could not create the embedded database in ${dataDir}: the initialising process failed (exit code 3): no space left on device`,
    );
    expect(existsSync(dataDir)).toBe(false);
    expect(readdirSync(dir.path).filter((f) => f.includes('failing'))).toEqual([]);
  });

  it('refuses a folder that holds files but no database', async () => {
    const dataDir = join(dir.path, 'stray');
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'notes.txt'), 'not a database');
    await expect(ensurePGliteDataDir(dataDir)).rejects.toThrow(
      'the folder holds files but no database (no PG_VERSION)',
    );
  });
});
