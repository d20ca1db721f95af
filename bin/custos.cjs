#!/usr/bin/env node
// `custos` (npx custos, npm run custos -- …): runs the CLI from dist/, building it first
// in a source checkout when the sources changed since the last build (the same check as
// `npm start`, scripts/build.mjs --check, about 0.3 s), so it works on a fresh clone.
// Build output goes to standard error: standard output stays the command's own (--json).
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const main = join(root, 'dist', 'apps', 'cli', 'src', 'main.js');
const build = join(root, 'scripts', 'build.mjs');

// `npm run custos` runs in the package folder: file arguments are relative to where it was typed.
if (process.env.npm_lifecycle_event === 'custos' && process.env.INIT_CWD) {
  process.chdir(process.env.INIT_CWD);
}

if (existsSync(build)) {
  const check = spawnSync(process.execPath, [build, '--check'], { cwd: root, stdio: 'ignore' });
  if (check.status !== 0 || !existsSync(main)) {
    process.stderr.write('custos: sources changed since the last build: building first…\n');
    const built = spawnSync(process.execPath, [build], { cwd: root, stdio: ['ignore', 2, 2] });
    if (built.status !== 0 || !existsSync(main)) {
      process.stderr.write(
        'custos: the build failed (see above); fix it, then run `npm run build`\n',
      );
      process.exit(1);
    }
  }
} else if (!existsSync(main)) {
  process.stderr.write(`custos: ${main} is missing and there is nothing to build it from\n`);
  process.exit(1);
}

require(main).main();
