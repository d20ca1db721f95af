// `custos … | head`: when the reader of standard output goes away, the command stops
// quietly, as a Unix command killed by SIGPIPE does — no stack trace on standard error.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const LAUNCHER = join(__dirname, '..', '..', 'bin', 'custos.cjs');

function withClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [LAUNCHER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy(); // the reader is gone before the first line is written
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stderr })));
}

describe('custos with a closed standard output', () => {
  it.each([[['--help']], [['keygen', '--help']]])('%j stops quietly', async (args) => {
    const ran = await withClosedStdout(args);
    expect(ran.stderr).not.toMatch(/EPIPE|Error|at /);
    expect(ran.code).toBe(0);
  });
});
