// docs/cli.md's example, word for word: each command of its `example` block runs as
// written (bash, one after another in one folder), against a server on the real
// PostgreSQL and Redis in this file's own database and queue prefix, with the
// environment the doc tells a user to set for another server (CUSTOS_URL,
// CUSTOS_ADMIN_TOKEN). Each must exit 0 and print the `#` lines under it, `…` standing
// for what differs from run to run. The folder has `custos` installed as
// `npm install <checkout>` installs it (a link to the checkout and its bin), so that
// `npx custos` resolves at once to bin/custos.cjs.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startApp, type RunningApp } from '../../apps/server/src/bootstrap';
import {
  createTestDatabase,
  serverConfig,
  tempDir,
  testQueuePrefix,
  type TestDatabase,
} from '../storage';

const root = join(__dirname, '..', '..');
const doc = readFileSync(join(root, 'docs', 'cli.md'), 'utf8');
const ADMIN_TOKEN = 'cli-doc-e2e-admin-token-0123456789abcdef';

interface Step {
  readonly command: string;
  readonly prints: readonly string[];
}

/** The example block's commands (a trailing `\` continues one), each with its `#` lines. */
function exampleSteps(): Step[] {
  const start = doc.indexOf('<!-- example -->');
  const end = doc.indexOf('<!-- /example -->');
  if (start < 0 || end < start) throw new Error('docs/cli.md has no <!-- example --> section');
  const block = /```sh\n([\s\S]*?)```/.exec(doc.slice(start, end));
  if (!block) throw new Error('docs/cli.md: the example section has no sh block');
  const steps: { command: string; prints: string[] }[] = [];
  let continued = false;
  for (const line of block[1]!.trimEnd().split('\n')) {
    if (continued) steps[steps.length - 1]!.command += `\n${line}`;
    else if (line.startsWith('# ')) {
      if (steps.length === 0) throw new Error(`docs/cli.md: "${line}" follows no command`);
      steps[steps.length - 1]!.prints.push(line.slice(2));
    } else steps.push({ command: line, prints: [] });
    continued = line.endsWith('\\');
  }
  return steps;
}

/** A printed line as a whole-line pattern, `…` matching anything. */
const linePattern = (shown: string) =>
  new RegExp(
    `^${shown
      .split('…')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    'm',
  );

describe('docs/cli.md example', () => {
  const work = tempDir('cli-doc-work');
  let db: TestDatabase;
  let app: RunningApp;

  const run = (command: string, env: Record<string, string>) =>
    new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn('bash', ['-euo', 'pipefail', '-c', command], { cwd: work.path, env });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      child.once('exit', (code) => resolve({ code, output }));
    });

  beforeAll(async () => {
    db = await createTestDatabase('cli_doc');
    app = await startApp(
      serverConfig(db, testQueuePrefix('cli_doc'), {
        CUSTOS_ADMIN_TOKEN: ADMIN_TOKEN,
        SEAL_MAX_WAIT_MS: '100',
      }),
      { logger: false },
    );
    writeFileSync(
      join(work.path, 'package.json'),
      JSON.stringify({ private: true, dependencies: { custos: `file:${root}` } }),
    );
    mkdirSync(join(work.path, 'node_modules', '.bin'), { recursive: true });
    symlinkSync(root, join(work.path, 'node_modules', 'custos'), 'dir');
    symlinkSync(
      join('..', 'custos', 'bin', 'custos.cjs'),
      join(work.path, 'node_modules', '.bin', 'custos'),
    );
  });
  afterAll(async () => {
    await app?.stop();
    await db?.drop();
    work.remove();
  });

  it('runs as written: every command exits 0 and prints what the doc shows', async () => {
    const steps = exampleSteps();
    expect(steps.map((s) => s.command.split(' ')[0])).toContain('npx');
    expect(steps.filter((s) => s.prints.length > 0).length).toBeGreaterThanOrEqual(5);
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      CUSTOS_URL: app.url,
      CUSTOS_ADMIN_TOKEN: ADMIN_TOKEN,
    };
    for (const step of steps) {
      const ran = await run(step.command, env);
      expect([step.command, ran.code, ran.output]).toEqual([step.command, 0, expect.any(String)]);
      for (const shown of step.prints) {
        expect([step.command, shown, ran.output]).toEqual([
          step.command,
          shown,
          expect.stringMatching(linePattern(shown)),
        ]);
      }
    }
  }, 120_000);
});
