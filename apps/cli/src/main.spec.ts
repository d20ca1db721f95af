import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeBundle, vkey } from '../../../test/fixtures/verification-bundle';
import { run } from './main';

function cli(...argv: string[]): { code: number; output: string } {
  const lines: string[] = [];
  const code = run(argv, (line) => lines.push(line));
  return { code, output: lines.join('\n') };
}

describe('custos verify-bundle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'custos-cli-'));
  const honest = join(dir, 'honest.json');
  const tampered = join(dir, 'tampered.json');
  writeFileSync(honest, JSON.stringify({ data: { verifyPackage: makeBundle() } }));
  const bad = makeBundle();
  bad.trail[0]!.eventTime = '2020-01-01T00:00:00Z';
  writeFileSync(tampered, JSON.stringify(bad));

  it('prints what it checked and exits 0 on an honest answer', () => {
    const { code, output } = cli('verify-bundle', honest, '--key', vkey);
    expect(code).toBe(0);
    expect(output).toMatch(/✓ checkpoint signed by custos\.test\/log/);
    expect(output).toMatch(/✓ entry 2 \(leaf 4, .*\): included in the checkpoint \(RFC 9162\)/);
    expect(output).toMatch(/^OK: \d+ checks passed$/m);
    expect(output).not.toContain('✗');
  });

  it('exits 1 and names the failed check on a tampered answer', () => {
    const { code, output } = cli('verify-bundle', tampered, '--key', vkey);
    expect(code).toBe(1);
    expect(output).toMatch(/✗ trail COMMISSION .* is the signed, proven event/);
    expect(output).toMatch(/^FAILED: 1 of \d+ checks failed$/m);
  });

  it('exits 1 on an unreadable file and 2 on a usage error', () => {
    expect(cli('verify-bundle', join(dir, 'missing.json'), '--key', vkey).code).toBe(1);
    expect(cli('verify-bundle', honest).code).toBe(2);
    expect(cli('verify-bundle', honest, '--nope').code).toBe(2);
    expect(cli('frobnicate').code).toBe(2);
  });

  it('keygen prints a 32-byte seed and its public key, base64url', () => {
    const { code, output } = cli('keygen');
    expect(code).toBe(0);
    expect(output).toMatch(
      /private key \(keep it secret\): [A-Za-z0-9_-]{43}\npublic key \(register it\): +[A-Za-z0-9_-]{43}/,
    );
  });
});
