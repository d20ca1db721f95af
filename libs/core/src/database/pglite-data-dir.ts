// PGlite's first open of a new data folder runs initdb in the opening process: a second
// PGlite and the initdb WebAssembly module beside the first, whose memory that process
// keeps (measured standalone: 771 MB after the in-process init, 421 MB after a GC, peak
// 847 MB; BENCHMARKS.md step 13). So a new folder is initialised by a short-lived child
// process, and the product then opens the finished folder, which PGlite resumes. The child
// builds it in a sibling folder renamed into place once complete, so a start killed
// half-way leaves no half-made database for the next start to resume.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, rmdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** What the child runs: open the folder (argv[1]), which makes PGlite run initdb, and close. */
const CHILD_SOURCE = `
const { PGlite } = require(process.env.CUSTOS_PGLITE_MODULE);
const db = new PGlite(process.argv[1]);
db.waitReady
  .then(() => db.close())
  .then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(String((err && err.stack) || err) + '\\n');
      process.exit(1);
    },
  );
`;

export class DataDirInitError extends Error {
  constructor(dataDir: string, reason: string) {
    super(`could not create the embedded database in ${dataDir}: ${reason}`);
    this.name = 'DataDirInitError';
  }
}

export interface EnsureDataDirOptions {
  /** The child's node arguments (a script and its arguments); tests give a failing one. */
  readonly childArgs?: (folder: string) => readonly string[];
}

/**
 * Makes sure `dataDir` holds a PGlite database: 'existing' when it already does,
 * 'created' once a child process has initialised a new one. Rejects with a
 * DataDirInitError (the child's exit and the end of what it printed) when it could not.
 * The caller holds the data folder's lock (lockDataDir), so no other start races it.
 */
export async function ensurePGliteDataDir(
  dataDir: string,
  options: EnsureDataDirOptions = {},
): Promise<'existing' | 'created'> {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return 'existing';
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
    throw new DataDirInitError(
      dataDir,
      'the folder holds files but no database (no PG_VERSION); move them away, or set CUSTOS_DATA_DIR to another folder',
    );
  }
  const building = join(dirname(dataDir), `.${basename(dataDir)}.init-${process.pid}`);
  rmSync(building, { recursive: true, force: true });
  const args = options.childArgs?.(building) ?? ['-e', CHILD_SOURCE, building];
  try {
    await runChild(dataDir, args);
    if (!existsSync(join(building, 'PG_VERSION'))) {
      throw new DataDirInitError(dataDir, 'the initialising process made no database');
    }
    if (existsSync(dataDir)) rmdirSync(dataDir); // empty: checked above
    renameSync(building, dataDir);
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  return 'created';
}

function runChild(dataDir: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, CUSTOS_PGLITE_MODULE: require.resolve('@electric-sql/pglite') },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-2000);
    });
    child.once('error', (err) => reject(new DataDirInitError(dataDir, err.message)));
    child.once('close', (code, signal) => {
      if (code === 0) return resolve();
      const how = signal ? `killed by ${signal}` : `exit code ${code}`;
      const said = stderr.trim();
      reject(
        new DataDirInitError(
          dataDir,
          `the initialising process failed (${how})${said ? `: ${said}` : ''}`,
        ),
      );
    });
  });
}
