// custos verify <code> (the verdict, its reasons, --save for an offline check later),
// custos verify-bundle (that offline check, with the ledger key alone) and
// custos checkpoint (the latest signed tree head, its signature checked with --key).
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { openCheckpoint } from '@custos/ledger/checkpoint';
import { parseVerifierKey } from '@custos/ledger/note';
import { type BundleReport, verifyBundle } from '@custos/sdk/bundle';
import { compareCheckpoints } from '@custos/sdk/split-view';
import { parseCosignerVkey } from '@custos/ledger/cosignature';
import type { Verification } from '@custos/sdk/types';
import {
  type CliApp,
  type CliContext,
  CliError,
  EXIT_FAILED,
  EXIT_OK,
  EXIT_USAGE,
} from '../cli-context';
import { collect, positiveInteger } from './witness-options';

interface VerifyBundleOptions {
  readonly key: string[];
  readonly witness?: string[];
  readonly quorum?: string;
  readonly maxAge?: string;
  readonly checkpoint?: string[];
}

/** The checkpoint note a saved answer (or its GraphQL response) carries, if any. */
function bundleNote(bundle: unknown): string | undefined {
  const answer = bundle as {
    proof?: { checkpoint?: { note?: unknown } };
    data?: { verifyPackage?: { proof?: { checkpoint?: { note?: unknown } } } };
  } | null;
  const note = (answer?.proof ?? answer?.data?.verifyPackage?.proof)?.checkpoint?.note;
  return typeof note === 'string' ? note : undefined;
}

/** The witness policy of the --witness, --quorum and --max-age options (SPEC 9). */
function witnessPolicyOf(opts: VerifyBundleOptions) {
  if (!opts.witness) {
    if (opts.quorum !== undefined || opts.maxAge !== undefined)
      throw new CliError('--quorum and --max-age need at least one --witness <vkey>', EXIT_USAGE);
    return {};
  }
  const quorum = opts.quorum === undefined ? undefined : positiveInteger(opts.quorum, '--quorum');
  if (quorum !== undefined && quorum > opts.witness.length)
    throw new CliError(
      `--quorum: ${quorum} is more than the ${opts.witness.length} --witness keys given`,
      EXIT_USAGE,
    );
  return {
    witnesses: opts.witness,
    ...(quorum !== undefined ? { quorum } : {}),
    ...(opts.maxAge !== undefined
      ? { maxAgeSeconds: positiveInteger(opts.maxAge, '--max-age') }
      : {}),
  };
}

/** 42 s ago, 3 min ago, 5 h ago, 2 days ago; "in 10 s" ahead of our clock. */
function ago(seconds: number): string {
  const s = Math.abs(seconds);
  const text =
    s < 120
      ? `${s} s`
      : s < 7200
        ? `${Math.round(s / 60)} min`
        : s < 172_800
          ? `${Math.round(s / 3600)} h`
          : `${Math.round(s / 86_400)} days`;
  return seconds < 0 ? `in ${text}` : `${text} ago`;
}

export function verificationLines(v: Verification): string[] {
  const lines = [`${v.verdict}  ${v.identifier}`];
  if (v.product) {
    lines.push(
      `  product: GTIN ${v.product.gtin}, lot ${v.product.lot ?? '?'}, expiry ${v.product.expiry ?? '?'}`,
    );
  }
  if (v.status) {
    lines.push(
      `  status: ${v.status}${v.custodian ? `, with ${v.custodian.name} (${v.custodian.id})` : ''}`,
    );
  }
  for (const f of v.findings)
    lines.push(`  ${f.severity === 'INFO' ? 'i' : '✗'} ${f.code} (${f.severity}): ${f.message}`);
  if (v.trail.length > 0) lines.push('  trail:');
  for (const t of v.trail) {
    const where = t.sealed ? `block ${t.blockHeight}, leaf ${t.leafIndex}` : 'not sealed yet';
    lines.push(`    ${t.eventTime}  ${t.type.padEnd(12)} by ${t.actor}  (${where})`);
  }
  if (v.proof)
    lines.push(
      `  proof: ${v.proof.entries.length} entries in a checkpoint of ${v.proof.checkpoint.treeSize}`,
    );
  return lines;
}

/** Adds one check: the bundle's checkpoint and the --checkpoint notes are no split view. */
function withSplitViewCheck(
  report: BundleReport,
  ctx: CliContext,
  file: string,
  note: string | undefined,
  opts: VerifyBundleOptions,
): BundleReport {
  const views = (opts.checkpoint ?? []).map((where) => {
    try {
      return { source: where, note: readFileSync(ctx.path(where), 'utf8') };
    } catch (err) {
      throw new CliError(`--checkpoint ${where}: ${(err as Error).message}`, EXIT_USAGE);
    }
  });
  let keys, witnessKeys;
  try {
    keys = opts.key.map((k) => parseVerifierKey(k));
    witnessKeys = (opts.witness ?? []).map((k) => parseCosignerVkey(k));
  } catch {
    return report; // the bundle's checks already say which key is malformed
  }
  const compared = compareCheckpoints(
    [...(note ? [{ source: file, note }] : []), ...views],
    keys,
    witnessKeys,
  );
  const problems = [...compared.splitViews, ...compared.problems];
  const check = {
    what: `no split view between the bundle's checkpoint and ${views.length} --checkpoint note(s)`,
    ok: note !== undefined && problems.length === 0,
    ...(note === undefined
      ? { detail: 'the bundle carries no checkpoint note' }
      : problems.length > 0
        ? { detail: problems.join('; ') }
        : {}),
  };
  const checks = [...report.checks, check];
  return { ...report, checks, ok: report.ok && check.ok };
}

export function verifyCommands(program: Command, app: CliApp): void {
  program
    .command('verify')
    .description('is this package genuine? exits 0 for AUTHENTIC, 1 for SUSPECT or COUNTERFEIT')
    .argument(
      '<code>',
      'the scanned code in any GS1 form: Digital Link URI, (01)…(21)…, raw element string',
    )
    .option('--save <file>', 'save the answer with its proof bundle, for custos verify-bundle')
    .action(
      app.act(async (ctx, code: string, opts: { save?: string }) => {
        const answer = await ctx.signedInClient().verify(code);
        if (opts.save) writeFileSync(ctx.path(opts.save), `${JSON.stringify(answer, null, 2)}\n`);
        ctx.print(answer, () => [
          ...verificationLines(answer),
          ...(opts.save
            ? [
                `saved to ${opts.save}: check it offline with custos verify-bundle ${opts.save} --key "<ledgerKey>"`,
              ]
            : []),
        ]);
        return answer.verdict === 'AUTHENTIC' ? EXIT_OK : EXIT_FAILED;
      }),
    );

  program
    .command('verify-bundle')
    .description(
      'check a saved verify answer offline with the ledger key alone; exits 1 on any failure',
    )
    .argument(
      '<file>',
      'a saved verifyPackage answer (custos verify --save, or the GraphQL response)',
    )
    .requiredOption(
      '--key <vkey>',
      'the ledger key (the ledgerKey query, C2SP vkey); repeatable',
      collect,
    )
    .option(
      '--witness <vkey>',
      "a witness's cosignature/v1 key (its printed vkey); repeatable: then the checkpoint must be cosigned by --quorum of them",
      collect,
    )
    .option('--quorum <k>', 'how many of the --witness keys must have cosigned (default: all)')
    .option(
      '--max-age <seconds>',
      'how old the cosignatures may be, from now (default: any age; a saved bundle ages)',
    )
    .option(
      '--checkpoint <file>',
      "another view of the log (a saved or witness-cosigned checkpoint note) that must not be a split view with the bundle's; repeatable",
      collect,
    )
    .action(
      app.act((ctx, file: string, opts: VerifyBundleOptions) => {
        let bundle: unknown;
        try {
          bundle = JSON.parse(readFileSync(ctx.path(file), 'utf8'));
        } catch (err) {
          throw new CliError(
            `✗ ${file}: cannot read a JSON verification answer (${(err as Error).message})`,
          );
        }
        const verified = verifyBundle(bundle, opts.key, witnessPolicyOf(opts));
        const report = opts.checkpoint
          ? withSplitViewCheck(verified, ctx, file, bundleNote(bundle), opts)
          : verified;
        const failures = report.checks.filter((c) => !c.ok).length;
        const witnesses = report.witnesses?.witnesses;
        ctx.print(
          { ok: report.ok, checks: report.checks, ...(witnesses ? { witnesses } : {}) },
          () => [
            ...report.checks.map(
              (c) => `${c.ok ? '✓' : '✗'} ${c.what}${c.detail ? ` — ${c.detail}` : ''}`,
            ),
            ...(witnesses ?? []).map((w) =>
              w.timestamp === undefined
                ? `  witness ${w.name}: ${w.problem ?? 'no cosignature'}`
                : `  witness ${w.name} vouched ${ago(w.ageSeconds ?? 0)} (${new Date(w.timestamp * 1000).toISOString()})${w.fresh ? '' : `, not counted: ${w.problem ?? ''}`}`,
            ),
            report.ok
              ? `OK: ${report.checks.length} checks passed`
              : `FAILED: ${failures} of ${report.checks.length} checks failed`,
          ],
        );
        return report.ok ? EXIT_OK : EXIT_FAILED;
      }),
    );

  program
    .command('checkpoint')
    .description("the ledger's latest signed checkpoint; with --key, its signature is checked")
    .option('--key <vkey>', 'the ledger key to check the signature with (C2SP vkey)')
    .action(
      app.act(async (ctx, opts: { key?: string }) => {
        const client = ctx.signedInClient();
        const [checkpoint, ledgerKey] = await Promise.all([
          client.checkpoint(),
          client.ledgerKey(),
        ]);
        let signature: { ok: boolean; detail: string } | undefined;
        if (opts.key) {
          let verifier;
          try {
            verifier = parseVerifierKey(opts.key);
          } catch (err) {
            throw new CliError(`--key: ${(err as Error).message}`, EXIT_USAGE);
          }
          try {
            const opened = openCheckpoint(checkpoint.note, [verifier], checkpoint.origin);
            const sameSize = opened.checkpoint.size === checkpoint.treeSize;
            signature = {
              ok: sameSize,
              detail: sameSize ? `signed by ${verifier.name}` : 'the note is of another tree size',
            };
          } catch (err) {
            signature = { ok: false, detail: (err as Error).message };
          }
        }
        ctx.print(
          { ...checkpoint, ledgerKey, ...(signature ? { signatureOk: signature.ok } : {}) },
          () => [
            `origin:    ${checkpoint.origin}`,
            `tree size: ${checkpoint.treeSize}`,
            `root hash: ${checkpoint.rootHash}`,
            `ledger key (as the server says; get it from the operator to trust it): ${ledgerKey}`,
            ...(signature ? [`${signature.ok ? '✓' : '✗'} signature: ${signature.detail}`] : []),
            '',
            checkpoint.note.trimEnd(),
          ],
        );
        return signature && !signature.ok ? EXIT_FAILED : EXIT_OK;
      }),
    );
}
