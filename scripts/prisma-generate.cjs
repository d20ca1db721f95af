// Generates the Prisma client at install time. The Prisma CLI wants to download a native
// schema engine first, which this network cannot reach; `generate` never runs that engine,
// so any existing file satisfies the check (docs/adr/0001-storage-and-queue.md).
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const prismaCli = require.resolve('prisma/build/index.js', { paths: [root] });
execFileSync(process.execPath, [prismaCli, 'generate', '--schema', 'prisma/schema.prisma'], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? __filename,
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    CHECKPOINT_DISABLE: '1',
  },
});
