// `npm run build`: compile apps/ and libs/ (tsconfig.build.json) to dist/ with the
// TypeScript compiler, then build the scan page (build-web.mjs).
//
// What the Nest CLI's `nest build` did, without its Node 22-only tooling (docs/adr/0004):
// type-check and emit, rewrite the `@custos/<lib>/<file>` path aliases of tsconfig.json
// into relative requires (Node does not read tsconfig paths), and leave no output of a
// deleted source behind; and emit type declarations for libs/sdk, the one part that third
// parties import. The compile is incremental (dist/.tsbuildinfo), and
// `--if-changed` (what `npm start` runs first) skips the build altogether when the
// sources and configuration hash to what the last successful build recorded (`--check`
// only tells whether a build is due).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist');
const stampFile = join(outDir, '.build-stamp');
const entryPoints = [join(outDir, 'apps/server/src/main.js'), join(outDir, 'web/index.html')];

/** Everything a build reads: sources, configuration, the locked dependency versions. */
const inputs = {
  dirs: ['apps', 'libs', 'prisma'],
  files: [
    'package.json',
    'package-lock.json',
    'tsconfig.json',
    'tsconfig.build.json',
    'scripts/build.mjs',
    'scripts/build-web.mjs',
  ],
  skip: /(^|\/)(node_modules|test)\/|\.(spec|test)\.ts$/,
};

function filesUnder(dir) {
  if (!existsSync(join(root, dir))) return [];
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .filter((path) => !inputs.skip.test(path));
}

/** SHA-256 over the path and content of every input, in a fixed order. */
function sourceHash() {
  const hash = createHash('sha256');
  const paths = [...inputs.dirs.flatMap(filesUnder), ...inputs.files].sort();
  for (const path of paths) {
    hash.update(`${path}\0`);
    hash.update(existsSync(join(root, path)) ? readFileSync(join(root, path)) : '\0missing');
    hash.update('\0');
  }
  return hash.digest('hex');
}

const upToDate = (hash) =>
  existsSync(stampFile) &&
  readFileSync(stampFile, 'utf8') === hash &&
  entryPoints.every((file) => existsSync(file));

/**
 * An "after" transformer: by then imports are `require("…")` and `import("…")` calls, so
 * rewriting their string argument cannot disturb import elision. An alias is resolved to
 * the file it names (as the compiler did), and written relative to the importing file:
 * dist/ mirrors the source tree (rootDir "."), so that is also the path between outputs.
 */
function aliasRewriter(ts, options) {
  const patterns = Object.entries(options.paths ?? {}).map(([alias, [target]]) => ({
    prefix: alias.replace(/\*$/, ''),
    target: resolve(options.pathsBasePath ?? root, target.replace(/\*$/, '')),
  }));
  const resolveAlias = (specifier, fromFile) => {
    const pattern = patterns.find((p) => specifier.startsWith(p.prefix));
    if (!pattern) return undefined;
    const base = join(pattern.target, specifier.slice(pattern.prefix.length));
    const file = ['.ts', '.tsx', '.json', '.js', '/index.ts']
      .map((ext) => (extname(base) === ext ? base : base + ext))
      .find((candidate) => existsSync(candidate));
    if (!file) throw new Error(`${fromFile}: cannot resolve ${specifier}`);
    const out = file.replace(/\.tsx?$/, '.js');
    const path = relative(dirname(fromFile), out).split(sep).join('/');
    return path.startsWith('.') ? path : `./${path}`;
  };
  return {
    resolveAlias,
    transformer: (context) => (sourceFile) => {
      const visit = (node) => {
        if (
          ts.isCallExpression(node) &&
          node.arguments.length === 1 &&
          ts.isStringLiteral(node.arguments[0]) &&
          (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
            (ts.isIdentifier(node.expression) && node.expression.text === 'require'))
        ) {
          const rewritten = resolveAlias(node.arguments[0].text, sourceFile.fileName);
          if (rewritten) {
            return context.factory.updateCallExpression(node, node.expression, node.typeArguments, [
              context.factory.createStringLiteral(rewritten),
            ]);
          }
        }
        return ts.visitEachChild(node, visit, context);
      };
      return ts.visitNode(sourceFile, visit);
    },
  };
}

/**
 * The same rewriting in declaration files, where the aliases are the module specifiers of
 * `import … from`, `export … from` and `import("…")` types.
 */
function declarationAliasRewriter(ts, resolveAlias) {
  return (context) => (sourceFile) => {
    const { factory } = context;
    const fileName = sourceFile.fileName;
    const rewritten = (literal) => {
      const path = ts.isStringLiteral(literal) ? resolveAlias(literal.text, fileName) : undefined;
      return path ? factory.createStringLiteral(path) : undefined;
    };
    const visit = (node) => {
      if (ts.isImportDeclaration(node)) {
        const to = rewritten(node.moduleSpecifier);
        if (to)
          return factory.updateImportDeclaration(
            node,
            node.modifiers,
            node.importClause,
            to,
            node.attributes,
          );
      } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
        const to = rewritten(node.moduleSpecifier);
        if (to)
          return factory.updateExportDeclaration(
            node,
            node.modifiers,
            node.isTypeOnly,
            node.exportClause,
            to,
            node.attributes,
          );
      } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
        const to = rewritten(node.argument.literal);
        if (to)
          return factory.updateImportTypeNode(
            node,
            factory.updateLiteralTypeNode(node.argument, to),
            node.attributes,
            node.qualifier,
            node.typeArguments,
            node.isTypeOf,
          );
      }
      return ts.visitEachChild(node, visit, context);
    };
    return ts.visitNode(sourceFile, visit);
  };
}

/**
 * Declarations for the SDK, what third parties import (`custos/sdk/<file>`, the exports
 * map): its files and the library files their types name, beside their JavaScript. Only
 * these: the service's own code is not an API. Returns the files it wrote.
 */
function emitSdkDeclarations(ts, config, compiled) {
  const sdk = join(root, 'libs', 'sdk', 'src');
  const rootNames = config.fileNames.filter((f) => resolve(f).startsWith(sdk + sep));
  const options = {
    ...config.options,
    declaration: true,
    emitDeclarationOnly: true,
    declarationMap: false,
    sourceMap: false,
    incremental: false,
    tsBuildInfoFile: undefined,
  };
  // The compile's parsed files, reused: only the checking is done again.
  const host = ts.createCompilerHost(options);
  const parse = host.getSourceFile;
  host.getSourceFile = (file, ...rest) => compiled.getSourceFile(file) ?? parse(file, ...rest);
  const program = ts.createProgram({ rootNames, options, host });
  const written = [];
  const { resolveAlias } = aliasRewriter(ts, options);
  const result = program.emit(
    undefined,
    (file, text) => {
      ts.sys.writeFile(file, text);
      written.push(resolve(file));
    },
    undefined,
    true,
    { afterDeclarations: [declarationAliasRewriter(ts, resolveAlias)] },
  );
  if (result.diagnostics.length > 0) {
    report(ts, result.diagnostics);
    process.exit(1);
  }
  return written;
}

/** Type-checks and emits; loads the compiler only now (1 s of an up-to-date start). */
async function compile() {
  const { default: ts } = await import('typescript');
  const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => report(ts, [d]) };
  const config = ts.getParsedCommandLineOfConfigFile(
    join(root, 'tsconfig.build.json'),
    { incremental: true, tsBuildInfoFile: join(outDir, '.tsbuildinfo') },
    host,
  );
  if (!config) process.exit(1);
  const builder = ts.createIncrementalProgram({
    rootNames: config.fileNames,
    options: config.options,
    configFileParsingDiagnostics: ts.getConfigFileParsingDiagnostics(config),
  });
  const program = builder.getProgram();
  const diagnostics = [
    ...builder.getConfigFileParsingDiagnostics(),
    ...builder.getOptionsDiagnostics(),
    ...builder.getGlobalDiagnostics(),
    ...builder.getSyntacticDiagnostics(),
    ...builder.getSemanticDiagnostics(),
  ];
  if (diagnostics.length > 0) {
    report(ts, diagnostics);
    process.exit(1);
  }
  const transformers = { after: [aliasRewriter(ts, config.options).transformer] };
  builder.emit(undefined, undefined, undefined, false, transformers);

  // The outputs this program owns. One deleted by hand is emitted again (the build info
  // only knows what changed in the sources); outputs of deleted sources are removed.
  const expected = new Set();
  for (const file of program.getSourceFiles()) {
    if (file.isDeclarationFile || program.isSourceFileFromExternalLibrary(file)) continue;
    const rel = relative(root, file.fileName);
    if (rel.startsWith('..') || rel.startsWith('node_modules')) continue;
    const js = join(outDir, rel.replace(/\.(ts|tsx)$/, '.js'));
    expected.add(js);
    if (js.endsWith('.js') && config.options.sourceMap) expected.add(`${js}.map`);
  }
  if ([...expected].some((file) => !existsSync(file))) {
    program.emit(undefined, undefined, undefined, false, transformers);
  }
  for (const file of emitSdkDeclarations(ts, config, program)) expected.add(file);
  for (const dir of ['apps', 'libs']) {
    if (!existsSync(join(outDir, dir))) continue;
    for (const entry of readdirSync(join(outDir, dir), { withFileTypes: true, recursive: true })) {
      const file = join(entry.parentPath, entry.name);
      if (entry.isFile() && !expected.has(file)) rmSync(file);
    }
  }
}

function report(ts, diagnostics) {
  const format = process.stdout.isTTY
    ? ts.formatDiagnosticsWithColorAndContext
    : ts.formatDiagnostics;
  console.error(
    format(diagnostics, {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => root,
      getNewLine: () => '\n',
    }),
  );
  console.error(`build failed: ${diagnostics.length} error(s)`);
}

const ifChanged = process.argv.includes('--if-changed');
const hash = sourceHash();
if (process.argv.includes('--check')) {
  // Tells, builds nothing: exit 0 when dist/ is up to date, 1 when a build is due.
  const current = upToDate(hash);
  console.log(current ? 'up to date' : 'build needed');
  process.exit(current ? 0 : 1);
} else if (ifChanged && upToDate(hash)) {
  console.log('custos: build is up to date (sources unchanged since the last build)');
} else {
  const started = performance.now();
  if (ifChanged) console.log('custos: sources changed since the last build, building…');
  rmSync(stampFile, { force: true });
  await compile();
  await import('./build-web.mjs');
  writeFileSync(stampFile, hash);
  console.log(`custos: built dist/ in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
