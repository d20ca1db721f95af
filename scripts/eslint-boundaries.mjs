// The code's boundaries as lint rules (docs/adr/0015, 0016; issue 13). Four rules, each
// with its own id so a report says which boundary was crossed:
//
//   custos/sql-in-repositories  Prisma, the database drivers and SQL text only where
//                               eslint.config.mjs allows them (repositories, libs/core's
//                               database module, tests).
//   custos/ledger-tables-in-store  a repository outside libs/store writes no SQL (and no
//                               Prisma model call) against a ledger table: its owner in
//                               libs/store does (one owner per table).
//   custos/no-foreign-repository  a library imports its own repository files and libs/store's,
//                               no other library's; an app imports none (it calls services).
//   custos/pure-library         the pure libraries import no Nest, no I/O, no database and
//                               no Nest library of ours.
//
// Imports are resolved the way tsconfig.json's paths do: `@custos/<lib>/<file>` is
// libs/<lib>/src/<file>; relative paths from the importing file.
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');

/** The libraries with no Nest and no I/O (docs/adr/0015). */
export const PURE_LIBRARIES = ['custody', 'epcis', 'gs1', 'ledger'];

const DATABASE_MODULES = [
  /^@prisma\//,
  /^pg$/,
  /^@electric-sql\/pglite/,
  /^pglite-prisma-adapter$/,
];
const GENERATED_CLIENT = /(^|\/)generated\/prisma(\/|$)/;
const PRISMA_CLIENT_MEMBERS = new Set([
  '$queryRaw',
  '$queryRawUnsafe',
  '$executeRaw',
  '$executeRawUnsafe',
  '$transaction',
  // Storage's client: `storage.prisma.<model>.…` is Prisma's query API.
  'prisma',
]);
const PRISMA_SQL_HELPERS = new Set(['sql', 'raw', 'join', 'empty']);
const SQL_TEXT =
  /^\s*(SELECT|INSERT\s+INTO|UPDATE\s+\S+\s+SET|DELETE\s+FROM|WITH\s|LISTEN\s|NOTIFY\s|LOCK\s+TABLE|CREATE\s|ALTER\s|DROP\s|TRUNCATE\s)/;

const NODE_IO = [
  'fs',
  'fs/promises',
  'net',
  'http',
  'https',
  'http2',
  'tls',
  'dgram',
  'dns',
  'dns/promises',
  'child_process',
  'cluster',
  'worker_threads',
];
const IMPURE_MODULES = [
  /^@nestjs\//,
  /^reflect-metadata$/,
  /^ioredis$/,
  /^bullmq$/,
  ...DATABASE_MODULES,
  new RegExp(`^(node:)?(${NODE_IO.join('|')})$`),
];

/** Posix path of `file` relative to the repository root. */
function relativeToRoot(file) {
  return path.relative(ROOT, path.resolve(file)).split(path.sep).join('/');
}

/** The library a repository-relative path lies in (`libs/<lib>/…`), or undefined. */
function libraryOf(relPath) {
  const match = /^libs\/([^/]+)\//.exec(relPath);
  return match ? match[1] : undefined;
}

/**
 * Where an import leads: `{ lib, file }` for our own code (file repository-relative),
 * `{ module }` for a package.
 */
function resolveImport(source, importer) {
  const alias = /^@custos\/([^/]+)\/(.+)$/.exec(source);
  if (alias) return { lib: alias[1], file: `libs/${alias[1]}/src/${alias[2]}` };
  if (source.startsWith('.')) {
    const file = relativeToRoot(path.resolve(path.dirname(importer), source));
    return { lib: libraryOf(file), file };
  }
  return { module: source };
}

const isRepositoryFile = (file) => /\.repository(\.[cm]?[jt]s)?$/.test(file);

/** Calls `check(sourceText, node)` for every static import, re-export, import() and require(). */
function importVisitors(check) {
  const literal = (node) =>
    node && node.type === 'Literal' && typeof node.value === 'string' ? node.value : undefined;
  return {
    ImportDeclaration: (node) => check(node.source.value, node),
    ExportNamedDeclaration: (node) => node.source && check(node.source.value, node),
    ExportAllDeclaration: (node) => check(node.source.value, node),
    ImportExpression: (node) => {
      const source = literal(node.source);
      if (source !== undefined) check(source, node);
    },
    TSImportEqualsDeclaration: (node) => {
      const source = literal(node.moduleReference.expression);
      if (source !== undefined) check(source, node);
    },
    CallExpression: (node) => {
      if (node.callee.type !== 'Identifier' || node.callee.name !== 'require') return;
      const source = literal(node.arguments[0]);
      if (source !== undefined) check(source, node);
    },
  };
}

const sqlInRepositories = {
  meta: {
    type: 'problem',
    docs: {
      description:
        'Prisma, the database drivers and SQL only in repositories (docs/adr/0015, 0016)',
    },
    schema: [],
    messages: {
      databaseImport:
        "'{{source}}' is the database: only a *.repository.ts file may import it (docs/adr/0016). Move the statement into the repository of the table it is about (libs/store for ledger tables).",
      prismaMember:
        "'{{name}}' is Prisma's client: only a *.repository.ts file may use it (docs/adr/0016). Call a repository method instead.",
      sqlHelper:
        "'{{name}}' builds SQL: only a *.repository.ts file may write SQL (docs/adr/0016).",
      sqlText:
        'SQL text outside a repository: move the statement into the repository of the table it is about (docs/adr/0016).',
    },
  },
  create(context) {
    const importer = context.filename;
    const visitors = importVisitors((source, node) => {
      const target = resolveImport(source, importer);
      const database = target.module
        ? DATABASE_MODULES.some((re) => re.test(target.module)) ||
          GENERATED_CLIENT.test(target.module)
        : GENERATED_CLIENT.test(target.file);
      if (database) context.report({ node, messageId: 'databaseImport', data: { source } });
    });
    const requireVisitor = visitors.CallExpression;
    const propertyName = (member) =>
      !member.computed && member.property.type === 'Identifier'
        ? member.property.name
        : member.property.type === 'Literal'
          ? String(member.property.value)
          : undefined;
    const checkSqlText = (node, text) => {
      if (SQL_TEXT.test(text)) context.report({ node, messageId: 'sqlText' });
    };
    return {
      ...visitors,
      CallExpression(node) {
        requireVisitor(node);
        if (node.callee.type === 'Identifier' && node.callee.name === 'prismaOf') {
          context.report({ node, messageId: 'prismaMember', data: { name: 'prismaOf' } });
        }
        // pg's client.query('SELECT …') and the like: a call whose first argument is SQL.
        // (A Prisma member, $queryRawUnsafe('…'), is reported once, as the member.)
        const first = node.arguments[0];
        if (node.callee.type !== 'MemberExpression' || !first) return;
        if (PRISMA_CLIENT_MEMBERS.has(propertyName(node.callee) ?? '')) return;
        if (first.type === 'Literal' && typeof first.value === 'string') {
          checkSqlText(first, first.value);
        } else if (first.type === 'TemplateLiteral') {
          checkSqlText(first, first.quasis[0]?.value.cooked ?? '');
        }
      },
      MemberExpression(node) {
        const name = propertyName(node);
        if (name === undefined) return;
        if (PRISMA_CLIENT_MEMBERS.has(name)) {
          context.report({ node: node.property, messageId: 'prismaMember', data: { name } });
        } else if (
          PRISMA_SQL_HELPERS.has(name) &&
          node.object.type === 'Identifier' &&
          node.object.name === 'Prisma'
        ) {
          context.report({ node, messageId: 'sqlHelper', data: { name: `Prisma.${name}` } });
        }
      },
      TaggedTemplateExpression(node) {
        if (node.tag.type === 'Identifier' && node.tag.name === 'sql') {
          context.report({ node: node.tag, messageId: 'sqlHelper', data: { name: 'sql`…`' } });
        }
      },
    };
  },
};

/**
 * The ledger's tables and the libraries whose repositories may write SQL against them
 * (docs/adr/0015): libs/store owns them all; libs/participants also writes the key rows,
 * with their key directory records.
 */
export const LEDGER_TABLES = {
  ledger_event: ['store'],
  event_item: ['store'],
  recall: ['store'],
  item_tally: ['store'],
  block: ['store'],
  tree_node: ['store'],
  alert: ['store'],
  checkpoint_cosignature: ['store'],
  participant_key: ['store', 'participants'],
  unit_state: ['store'],
};
/** The same tables as Prisma's client names them (`prisma.ledgerEvent.findMany()`). */
const LEDGER_MODELS = {
  ledgerEvent: 'ledger_event',
  eventItem: 'event_item',
  recall: 'recall',
  itemTally: 'item_tally',
  block: 'block',
  treeNode: 'tree_node',
  alert: 'alert',
  checkpointCosignature: 'checkpoint_cosignature',
  participantKey: 'participant_key',
  unitState: 'unit_state',
};
/**
 * Relation fields of the other models that reach a ledger table (prisma/schema.prisma):
 * `participant.findMany({ include: { keys: true } })` reads participant_key as surely as
 * its SQL would. Keep in step with the schema's relations onto the tables above.
 */
const LEDGER_RELATIONS = {
  participant: { keys: 'participant_key' },
};
const PRISMA_MODEL_METHODS = new Set([
  'findMany',
  'findFirst',
  'findFirstOrThrow',
  'findUnique',
  'findUniqueOrThrow',
  'create',
  'createMany',
  'createManyAndReturn',
  'update',
  'updateMany',
  'upsert',
  'delete',
  'deleteMany',
  'count',
  'aggregate',
  'groupBy',
]);
const TABLE_REFERENCE = new RegExp(
  `\\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\\s+(${Object.keys(LEDGER_TABLES).join('|')})\\b`,
  'gi',
);

const ledgerTablesInStore = {
  meta: {
    type: 'problem',
    docs: {
      description:
        "SQL against a ledger table only in its owner's repository, in libs/store (docs/adr/0015)",
    },
    schema: [],
    messages: {
      ledgerTable:
        "'{{table}}' is a ledger table: its statements live in its owner's repository in libs/store (docs/adr/0015). Add or reuse a method there and call it.",
    },
  },
  create(context) {
    const own = libraryOf(relativeToRoot(context.filename));
    const allowed = (table) => (LEDGER_TABLES[table] ?? []).includes(own);
    const checkText = (node, text) => {
      const reported = new Set();
      for (const match of text.matchAll(TABLE_REFERENCE)) {
        const table = match[1].toLowerCase();
        if (allowed(table) || reported.has(table)) continue;
        reported.add(table);
        context.report({ node, messageId: 'ledgerTable', data: { table } });
      }
    };
    return {
      Literal(node) {
        if (typeof node.value === 'string') checkText(node, node.value);
      },
      TemplateLiteral(node) {
        checkText(node, node.quasis.map((q) => q.value.cooked ?? q.value.raw).join(' '));
      },
      // prisma.ledgerEvent.findMany(…), tx.block.create(…)
      MemberExpression(node) {
        const model = !node.computed && node.property.type === 'Identifier' && node.property.name;
        const table = model && Object.hasOwn(LEDGER_MODELS, model) && LEDGER_MODELS[model];
        const relations =
          model && Object.hasOwn(LEDGER_RELATIONS, model) && LEDGER_RELATIONS[model];
        if (!table && !relations) return;
        const parent = node.parent;
        const call = parent?.parent;
        if (
          parent?.type !== 'MemberExpression' ||
          parent.object !== node ||
          parent.computed ||
          parent.property.type !== 'Identifier' ||
          !PRISMA_MODEL_METHODS.has(parent.property.name)
        ) {
          return;
        }
        if (table) {
          if (!allowed(table)) {
            context.report({ node: node.property, messageId: 'ledgerTable', data: { table } });
          }
          return;
        }
        // participant.findMany({ select: { keys: … } }), a `where`/`data` on the relation too.
        if (call?.type !== 'CallExpression' || call.callee !== parent) return;
        const reported = new Set();
        const visit = (value) => {
          if (!value || value.type !== 'ObjectExpression') return;
          for (const property of value.properties) {
            if (property.type !== 'Property') continue;
            const name =
              property.key.type === 'Identifier' && !property.computed
                ? property.key.name
                : property.key.type === 'Literal'
                  ? String(property.key.value)
                  : undefined;
            const reached = name !== undefined && Object.hasOwn(relations, name) && relations[name];
            if (reached && !allowed(reached) && !reported.has(reached)) {
              reported.add(reached);
              context.report({
                node: property.key,
                messageId: 'ledgerTable',
                data: { table: reached },
              });
            }
            visit(property.value);
          }
        };
        for (const argument of call.arguments) visit(argument);
      },
    };
  },
};

const noForeignRepository = {
  meta: {
    type: 'problem',
    docs: {
      description:
        "A library imports its own repositories and libs/store's, no other library's; an app imports none (docs/adr/0015)",
    },
    schema: [],
    messages: {
      foreignRepository:
        "'{{source}}' is libs/{{target}}'s repository: a library uses its own repositories and libs/store's, and another library's data through that library's service (docs/adr/0015).",
      appRepository:
        "'{{source}}' is a repository: an app calls services, not repositories (docs/adr/0015).",
    },
  },
  create(context) {
    const importer = context.filename;
    const own = libraryOf(relativeToRoot(importer));
    return importVisitors((source, node) => {
      const target = resolveImport(source, importer);
      if (target.module || !isRepositoryFile(target.file)) return;
      if (own === undefined) {
        context.report({ node, messageId: 'appRepository', data: { source } });
      } else if (target.lib !== own && target.lib !== 'store') {
        context.report({
          node,
          messageId: 'foreignRepository',
          data: { source, target: target.lib ?? '?' },
        });
      }
    });
  },
};

const pureLibrary = {
  meta: {
    type: 'problem',
    docs: {
      description:
        'The pure libraries import no Nest, no I/O, no database and no Nest library (docs/adr/0015)',
    },
    schema: [],
    messages: {
      impureModule:
        "'{{source}}' is Nest or I/O: libs/{{own}} is a pure library (no Nest, no I/O); the caller does the I/O and passes the bytes in.",
      impureLibrary:
        "'{{source}}' is in libs/{{target}}, a Nest library: a pure library imports only the pure libraries ({{pure}}).",
    },
  },
  create(context) {
    const importer = context.filename;
    const own = libraryOf(relativeToRoot(importer)) ?? '?';
    return importVisitors((source, node) => {
      const target = resolveImport(source, importer);
      if (target.module) {
        if (IMPURE_MODULES.some((re) => re.test(target.module))) {
          context.report({ node, messageId: 'impureModule', data: { source, own } });
        }
      } else if (target.lib === undefined || !PURE_LIBRARIES.includes(target.lib)) {
        context.report({
          node,
          messageId: 'impureLibrary',
          data: { source, target: target.lib ?? target.file, pure: PURE_LIBRARIES.join(', ') },
        });
      }
    });
  },
};

export default {
  meta: { name: 'custos-boundaries' },
  rules: {
    'sql-in-repositories': sqlInRepositories,
    'ledger-tables-in-store': ledgerTablesInStore,
    'no-foreign-repository': noForeignRepository,
    'pure-library': pureLibrary,
  },
};
