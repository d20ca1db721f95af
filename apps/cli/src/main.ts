#!/usr/bin/env node
// The `custos` command.
//   custos verify-bundle <file> --key <vkey> [--key <vkey> ...]
//       Checks a saved verifyPackage answer offline with nothing but the ledger's public
//       key (the `ledgerKey` query, C2SP vkey form); prints each check; exits 1 on any
//       failure, 2 on a usage error.
//   custos keygen
//       A new Ed25519 key pair for a participant: the private seed (keep it) and the
//       public key to register (base64url, no padding).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { bytesToBase64Url } from '@custos/ledger/bytes';
import { publicKeyOf, randomSecretKey } from '@custos/ledger/ed25519';
import { checkVerificationBundle } from '@custos/ledger/verification-bundle';

const USAGE = `usage:
  custos verify-bundle <file> --key <vkey> [--key <vkey> ...]
  custos keygen`;

export function run(argv: readonly string[], out: (line: string) => void): number {
  const [command, ...rest] = argv;
  switch (command) {
    case 'verify-bundle':
      return verifyBundle(rest, out);
    case 'keygen': {
      const secret = randomSecretKey();
      out(`private key (keep it secret): ${bytesToBase64Url(secret)}`);
      out(`public key (register it):     ${bytesToBase64Url(publicKeyOf(secret))}`);
      return 0;
    }
    default:
      out(USAGE);
      return 2;
  }
}

function verifyBundle(args: readonly string[], out: (line: string) => void): number {
  let file: string | undefined;
  let keys: string[];
  try {
    const parsed = parseArgs({
      args: [...args],
      options: { key: { type: 'string', multiple: true } },
      allowPositionals: true,
    });
    file = parsed.positionals[0];
    keys = parsed.values.key ?? [];
  } catch (err) {
    out(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  if (!file || keys.length === 0) {
    out(USAGE);
    return 2;
  }
  let bundle: unknown;
  try {
    bundle = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    out(
      `✗ ${file}: cannot read a JSON verification answer (${err instanceof Error ? err.message : String(err)})`,
    );
    return 1;
  }
  const report = checkVerificationBundle(bundle, keys);
  for (const check of report.checks) {
    out(`${check.ok ? '✓' : '✗'} ${check.what}${check.detail ? ` — ${check.detail}` : ''}`);
  }
  const failures = report.checks.filter((c) => !c.ok).length;
  out(
    report.ok
      ? `OK: ${report.checks.length} checks passed`
      : `FAILED: ${failures} of ${report.checks.length} checks failed`,
  );
  return report.ok ? 0 : 1;
}

if (require.main === module) {
  process.exitCode = run(process.argv.slice(2), (line) => console.log(line));
}
