// The boundary rules of eslint.config.mjs (scripts/eslint-boundaries.mjs, docs/adr/0015)
// fire where they should and stay quiet where the code is allowed: each source below is
// linted with the real configuration as if it were a file at its path.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

interface Source {
  readonly filePath: string;
  readonly code: string;
}
interface Linted {
  readonly filePath: string;
  readonly messages: readonly { ruleId: string | null; message: string }[];
}

function lint(sources: readonly Source[]): Linted[] {
  const out = execFileSync(process.execPath, [join(__dirname, 'lint-sources.mjs')], {
    input: JSON.stringify(sources),
    encoding: 'utf8',
  });
  return JSON.parse(out) as Linted[];
}

const SQL = 'custos/sql-in-repositories';
const FOREIGN = 'custos/no-foreign-repository';
const STORE = 'custos/ledger-tables-in-store';
const PURE = 'custos/pure-library';

// Each case: a path, a source, and the rule ids it must report (each once per offending line).
const cases: readonly { name: string; filePath: string; code: string; expected: string[] }[] = [
  // (a) Prisma and SQL only in repositories and the storage core.
  {
    name: 'a service importing the generated client',
    filePath: 'libs/events/src/probe.service.ts',
    code: "import { Prisma } from '@custos/core/generated/prisma/client';\nexport type T = Prisma.JsonValue;\n",
    expected: [SQL],
  },
  {
    name: 'a service importing the generated client by a relative path',
    filePath: 'libs/core/src/system/probe.service.ts',
    code: "import type { PrismaClient } from '../generated/prisma/client';\nexport type T = PrismaClient;\n",
    expected: [SQL],
  },
  {
    name: 'a service importing @prisma/client and pg',
    filePath: 'libs/sealing/src/probe.service.ts',
    code: "import { PrismaClient } from '@prisma/client';\nimport { Client } from 'pg';\nexport const c = [PrismaClient, Client];\n",
    expected: [SQL, SQL],
  },
  {
    name: "a service using storage's Prisma client",
    filePath: 'libs/verification/src/probe.service.ts',
    code: 'export const f = (storage: any) => storage.prisma.ledgerEvent.findMany();\n',
    expected: [SQL],
  },
  {
    name: 'a service running raw SQL',
    filePath: 'libs/regulators/src/probe.service.ts',
    code: 'export const f = (tx: any) => tx.$queryRaw`SELECT 1`;\nexport const g = (tx: any) => tx.$executeRawUnsafe("DELETE FROM recall");\n',
    expected: [SQL, SQL],
  },
  {
    name: 'a service building SQL with Prisma.sql or a sql tag',
    filePath: 'libs/events/src/probe.service.ts',
    code: 'declare const Prisma: any;\ndeclare const sql: any;\nexport const a = Prisma.sql`SELECT 1`;\nexport const b = sql`SELECT 2`;\n',
    expected: [SQL, SQL],
  },
  {
    name: "a service passing SQL text to a driver's query()",
    filePath: 'apps/worker/src/probe.processor.ts',
    code: "export const f = (client: any) => client.query('SELECT value FROM system_setting');\n",
    expected: [SQL],
  },
  {
    name: 'a service unwrapping a transaction into Prisma',
    filePath: 'libs/events/src/probe.service.ts',
    code: "import { prismaOf, type Tx } from '@custos/store/transaction.repository';\nexport const f = (tx: Tx) => prismaOf(tx);\n",
    expected: [SQL],
  },
  {
    name: 'a repository doing all of that',
    filePath: 'libs/events/src/probe.repository.ts',
    code: "import { Prisma } from '@custos/core/generated/prisma/client';\nimport { prismaOf, type Tx } from '@custos/store/transaction.repository';\nexport const f = (tx: Tx) => prismaOf(tx).$queryRaw`SELECT 1`;\nexport const g = Prisma.sql`SELECT 2`;\nexport const h = (storage: any) => storage.prisma.auditRun.findMany();\n",
    expected: [],
  },
  {
    name: "libs/core's database module opening the database",
    filePath: 'libs/core/src/database/probe.ts',
    code: "import { Client } from 'pg';\nimport { PrismaClient } from '../generated/prisma/client';\nexport const f = (c: Client, p: PrismaClient) => [c.query('SELECT 1'), p.$queryRaw`SELECT 1`];\n",
    expected: [],
  },
  {
    name: 'words that only look like SQL',
    filePath: 'libs/core/src/config/probe.ts',
    code: "export const m = (log: any) => log.warn('with DATABASE_URL, secrets come from files');\nexport const n = { prismaSchema: 'x' };\n",
    expected: [],
  },
  // (a') SQL against a ledger table only in its owner in libs/store.
  {
    name: "a use case's repository reading ledger_event (what sealing, events and verification once did)",
    filePath: 'libs/sealing/src/probe.repository.ts',
    code: 'export const f = (db: any) => db.$queryRaw`SELECT seq FROM ledger_event WHERE leaf_index IS NULL`;\n',
    expected: [STORE],
  },
  {
    name: "a use case's repository writing index rows and tallies in one statement",
    filePath: 'libs/events/src/probe.repository.ts',
    code: "export const f = (db: any) => db.$executeRawUnsafe('WITH i AS (INSERT INTO event_item (identifier) VALUES ($1) RETURNING 1) INSERT INTO item_tally (key) VALUES ($1)', 'x');\n",
    expected: [STORE, STORE],
  },
  {
    name: "a use case's repository joining blocks and keys into its query",
    filePath: 'libs/verification/src/probe.repository.ts',
    code: 'declare const Prisma: any;\nexport const q = Prisma.sql`SELECT 1 FROM x LEFT JOIN block b ON true LEFT JOIN participant_key k ON true`;\n',
    expected: [STORE, STORE],
  },
  {
    name: "a use case's repository using Prisma's model API on a ledger table",
    filePath: 'libs/regulators/src/probe.repository.ts',
    code: 'export const f = (storage: any) => storage.prisma.alert.findMany();\nexport const g = (tx: any) => tx.recall.deleteMany();\n',
    expected: [STORE, STORE],
  },
  {
    name: "a use case's repository reading the custody projection (what regulators' lot trace once did)",
    filePath: 'libs/regulators/src/probe.repository.ts',
    code: 'export const f = (db: any) => db.$queryRaw`SELECT status FROM unit_state WHERE gtin = ${1}`;\nexport const g = (storage: any) => storage.prisma.unitState.count();\n',
    expected: [STORE, STORE],
  },
  {
    name: "a use case's repository reading participant_key through participant's relation (libs/events' directory once did)",
    filePath: 'libs/events/src/probe.repository.ts',
    code: "export const f = (storage: any) => storage.prisma.participant.findMany({ select: { id: true, keys: { select: { keyId: true } } } });\nexport const g = (tx: any) => tx.participant.findUnique({ where: { id: 'x' }, include: { keys: true } });\nexport const h = (tx: any) => tx.participant.findFirst({ where: { keys: { some: { keyId: 'k' } } } });\n",
    expected: [STORE, STORE, STORE],
  },
  {
    name: "a use case's repository reading participant without its keys, or a field named keys elsewhere",
    filePath: 'libs/events/src/probe.repository.ts',
    code: 'export const f = (storage: any) => storage.prisma.participant.findMany({ select: { id: true, roles: true } });\nexport const g = (tx: any) => tx.auditRun.findMany({ select: { keys: true } });\nexport const h = { keys: true };\n',
    expected: [],
  },
  {
    name: 'libs/participants reading and writing participant with its keys',
    filePath: 'libs/participants/src/probe.repository.ts',
    code: 'export const f = (tx: any) => [tx.participant.findMany({ include: { keys: true } }), tx.participant.create({ data: { keys: { create: [] } } })];\n',
    expected: [],
  },
  {
    name: "a use case's repository on its own tables, naming ledger tables only in comments",
    filePath: 'libs/regulators/src/probe.repository.ts',
    code: '// reads nothing FROM ledger_event\nexport const f = (db: any) => db.$queryRaw`SELECT * FROM audit_run JOIN audit_discrepancy d ON true`;\nexport const g = (x: any) => x.alert.code;\n',
    expected: [],
  },
  {
    name: "libs/store's repositories, and libs/participants writing key rows",
    filePath: 'libs/store/src/probe.repository.ts',
    code: 'export const f = (db: any) => db.$queryRaw`SELECT * FROM ledger_event e JOIN event_item i ON true JOIN block b ON true`;\n',
    expected: [],
  },
  {
    name: 'libs/participants writing the key rows it registers',
    filePath: 'libs/participants/src/probe.repository.ts',
    code: "export const f = (tx: any) => [tx.participantKey.create({}), tx.$executeRawUnsafe('UPDATE participant_key SET revoked_at = now()')];\n",
    expected: [],
  },
  // (b) No other library's repository file.
  {
    name: "a library importing another library's repository",
    filePath: 'libs/sealing/src/probe.service.ts',
    code: "import { LedgerEventRepository } from '@custos/events/ledger-event.repository';\nexport const r = LedgerEventRepository;\n",
    expected: [FOREIGN],
  },
  {
    name: "a library importing another library's repository by a relative path",
    filePath: 'libs/verification/src/probe.service.ts',
    code: "export { SealingRepository } from '../../sealing/src/sealing.repository';\n",
    expected: [FOREIGN],
  },
  {
    name: "a library importing libs/core's repository",
    filePath: 'libs/participants/src/probe.service.ts',
    code: "import { SystemSettingRepository } from '@custos/core/system/system-setting.repository';\nexport const r = SystemSettingRepository;\n",
    expected: [FOREIGN],
  },
  {
    name: "a library importing its own and libs/store's repositories",
    filePath: 'libs/sealing/src/probe.service.ts',
    code: "import { SealingRepository } from './sealing.repository';\nimport { BlockRepository } from '@custos/store/block.repository';\nimport { SealingService } from '@custos/sealing/sealing.service';\nexport const r = [SealingRepository, BlockRepository, SealingService];\n",
    expected: [],
  },
  {
    name: 'an app importing a repository, even libs/store',
    filePath: 'apps/api/src/probe.resolver.ts',
    code: "import { BlockRepository } from '@custos/store/block.repository';\nimport type { StoredNamedQuery } from '@custos/epcis-repository/named-query.repository';\nexport type T = [BlockRepository, StoredNamedQuery];\n",
    expected: [FOREIGN, FOREIGN],
  },
  {
    name: 'a test building fixtures from any repository',
    filePath: 'test/sealing/probe.ts',
    code: "import { SealingRepository } from '../../libs/sealing/src/sealing.repository';\nexport const f = (s: any) => [SealingRepository, s.prisma.$queryRaw`SELECT 1`];\n",
    expected: [],
  },
  // (c) No Nest and no I/O in the pure libraries.
  ...['@nestjs/common', 'node:fs', 'fs', 'node:net', 'ioredis', 'bullmq'].map((source) => ({
    name: `a pure library importing ${source}`,
    filePath: 'libs/gs1/src/probe.ts',
    code: `import * as m from '${source}';\nexport const x = m;\n`,
    expected: [PURE],
  })),
  ...['pg', '@prisma/client'].map((source) => ({
    name: `a pure library importing ${source} (both rules)`,
    filePath: 'libs/ledger/src/probe.ts',
    code: `import * as m from '${source}';\nexport const x = m;\n`,
    expected: [PURE, SQL],
  })),
  {
    name: 'a pure library importing a Nest library of ours',
    filePath: 'libs/epcis/src/probe.ts',
    code: "import { RejectionError } from '@custos/events/rejection';\nimport { STORAGE } from '@custos/core/tokens';\nexport const x = [RejectionError, STORAGE];\n",
    expected: [PURE, PURE],
  },
  {
    name: 'a pure library requiring I/O at run time',
    filePath: 'libs/custody/src/probe.ts',
    code: "export const load = () => import('node:fs/promises');\n",
    expected: [PURE],
  },
  {
    name: 'a pure library importing node:crypto and the other pure libraries',
    filePath: 'libs/ledger/src/probe.ts',
    code: "import { createHash } from 'node:crypto';\nimport { normaliseGtin } from '@custos/gs1/keys';\nimport { eventTypes } from '@custos/custody/custody-event';\nimport { sha256 } from './sha256';\nexport const x = [createHash, normaliseGtin, eventTypes, sha256];\n",
    expected: [],
  },
  {
    name: "a pure library's spec reading its vectors from disk",
    filePath: 'libs/ledger/src/probe.spec.ts',
    code: "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n",
    expected: [],
  },
  {
    name: 'a Nest library importing Nest and fs',
    filePath: 'libs/witness/src/probe.service.ts',
    code: "import { Injectable } from '@nestjs/common';\nimport { readFileSync } from 'node:fs';\nexport const x = [Injectable, readFileSync];\n",
    expected: [],
  },
];

describe('boundary lint rules', () => {
  const results = lint(cases.map(({ filePath, code }) => ({ filePath, code })));

  it.each(cases.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
    const { expected } = cases[i]!;
    const linted = results[i]!;
    // Only the boundary rules: a fixture is not held to the style rules.
    const reported = linted.messages
      .map((m) => m.ruleId)
      .filter((id): id is string => id?.startsWith('custos/') ?? false);
    expect(linted.messages.filter((m) => m.ruleId === null)).toEqual([]); // no parse error
    expect(reported.sort()).toEqual([...expected].sort());
  });
});
