// Prisma Migrate without the native schema engine: the same engine compiled to
// WebAssembly (@prisma/schema-engine-wasm), driven through a Prisma driver adapter, so
// `applyMigrations` (what `prisma migrate deploy` runs) works on PostgreSQL and on
// embedded PGlite alike and keeps Prisma's own `_prisma_migrations` history.
// See docs/adr/0001-storage-and-queue.md for why.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';

interface MigrationList {
  baseDir: string;
  lockfile: { path: string; content: string | null };
  shadowDbInitScript: string;
  migrationDirectories: {
    path: string;
    migrationFile: { path: string; content: { tag: 'ok'; value: string } };
  }[];
}

const noFilters = { externalTables: [], externalEnums: [] };

interface WasmSchemaEngine {
  applyMigrations(input: {
    migrationsList: MigrationList;
    filters: typeof noFilters;
  }): Promise<{ appliedMigrationNames: string[] }>;
  diff(params: object): Promise<{ exitCode: number; stdout: string | null }>;
  free(): void;
}

// Node has WebAssembly; TypeScript declares it only in the DOM library.
type WasmExports = Record<string, unknown>;
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: WasmExports };
};

interface WasmBindings {
  __wbg_set_wasm(exports: WasmExports): void;
  SchemaEngine: {
    new: (
      options: object,
      log: (line: string) => void,
      adapter: object,
    ) => Promise<WasmSchemaEngine>;
  };
}

let bindings: WasmBindings | undefined;

/** The package is built for bundlers (`import * as wasm from '*.wasm'`), so we instantiate it. */
function loadBindings(): WasmBindings {
  if (bindings) return bindings;
  const bgPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- path resolved above
  const bg = require(bgPath) as WasmBindings;
  const module = new WebAssembly.Module(readFileSync(bgPath.replace(/\.js$/, '.wasm')));
  const instance = new WebAssembly.Instance(module, { './schema_engine_bg.js': bg as never });
  bg.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  bindings = bg;
  return bg;
}

function findPrismaDir(): string {
  // From source (libs/core/src/database) and from dist (dist/libs/core/src/database).
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'prisma', 'schema.prisma');
    try {
      if (statSync(candidate).isFile()) return join(dir, 'prisma');
    } catch {
      // keep looking upwards
    }
  }
  throw new Error(`prisma/schema.prisma not found above ${__dirname}`);
}

export function readMigrations(prismaDir = findPrismaDir()): MigrationList {
  const baseDir = join(prismaDir, 'migrations');
  const lockPath = join(baseDir, 'migration_lock.toml');
  return {
    baseDir,
    lockfile: { path: 'migration_lock.toml', content: readFileSync(lockPath, 'utf8') },
    shadowDbInitScript: '',
    migrationDirectories: readdirSync(baseDir)
      .filter((name) => statSync(join(baseDir, name)).isDirectory())
      .sort()
      .map((name) => ({
        path: name,
        migrationFile: {
          path: 'migration.sql',
          content: { tag: 'ok', value: readFileSync(join(baseDir, name, 'migration.sql'), 'utf8') },
        },
      })),
  };
}

function readSchema(prismaDir: string): string {
  return readFileSync(join(prismaDir, 'schema.prisma'), 'utf8');
}

async function withEngine<T>(
  adapter: SqlMigrationAwareDriverAdapterFactory,
  prismaDir: string,
  run: (engine: WasmSchemaEngine) => Promise<T>,
): Promise<T> {
  const log: string[] = [];
  const engine = await loadBindings().SchemaEngine.new(
    { datamodels: [['schema.prisma', readSchema(prismaDir)]] },
    (line: string) => log.push(line),
    bindMigrationAwareSqlAdapterFactory(adapter),
  );
  try {
    return await run(engine);
  } finally {
    engine.free();
  }
}

/** Applies every pending migration in prisma/migrations; returns the names applied. */
export async function applyMigrations(
  adapter: SqlMigrationAwareDriverAdapterFactory,
  prismaDir = findPrismaDir(),
): Promise<string[]> {
  return withEngine(adapter, prismaDir, async (engine) => {
    const result = await engine.applyMigrations({
      migrationsList: readMigrations(prismaDir),
      filters: noFilters,
    });
    return result.appliedMigrationNames;
  });
}

/**
 * The SQL that takes a database built by the committed migrations to what
 * schema.prisma describes (empty when they agree). The adapter's shadow database
 * replays the migrations; with PGlite that is a throw-away in-memory instance.
 */
export async function diffMigrationsToSchema(
  adapter: SqlMigrationAwareDriverAdapterFactory,
  prismaDir = findPrismaDir(),
): Promise<string> {
  return withEngine(adapter, prismaDir, async (engine) => {
    const result = await engine.diff({
      from: { tag: 'migrations', ...readMigrations(prismaDir) },
      to: {
        tag: 'schemaDatamodel',
        files: [{ path: 'schema.prisma', content: readSchema(prismaDir) }],
      },
      script: true,
      shadowDatabaseUrl: null,
      exitCode: null,
      filters: noFilters,
    });
    return result.stdout ?? '';
  });
}
