// PGlite gives no error when two processes open one data folder, and one of them then
// loses committed rows (measured with PGlite 0.5, kill -9 mid-write: docs/adr/0001). So the
// embedded mode takes this lock before opening the folder.
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class DataDirInUseError extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `the data folder ${dataDir} is in use by process ${pid}; stop it, or set CUSTOS_DATA_DIR to another folder`,
    );
    this.name = 'DataDirInUseError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * DataDirInUseError when another live process holds the folder's lock; checked before a
 * start opens anything (the lock itself is taken later, by lockDataDir).
 */
export function assertDataDirFree(dataDir: string): void {
  let holder: number;
  try {
    holder = Number.parseInt(readFileSync(join(dataDir, 'custos.lock'), 'utf8'), 10);
  } catch {
    return; // no lock file (or no folder yet)
  }
  if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
    throw new DataDirInUseError(dataDir, holder);
  }
}

/** Takes the folder's lock file; returns the function that releases it. */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'custos.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx', mode: 0o600 });
      return () => {
        try {
          if (readFileSync(path, 'utf8') === String(process.pid)) unlinkSync(path);
        } catch {
          // already gone
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
        throw new DataDirInUseError(dataDir, holder);
      }
      unlinkSync(path); // left by a process that died: take it over
    }
  }
  throw new Error(`could not lock the data folder ${dataDir}`);
}
