// custos mirror <url> <dir>: follows a log's /log/checkpoint and tiles into a folder laid out
// as /log/ (SPEC section 9), checking each new checkpoint's signature, its cosignatures
// (--witness/--quorum/--max-age, as verify-bundle takes them) and its consistency with what
// the folder holds. Entry bundles are copied with a regulator's or the admin's token.
import { mkdirSync } from 'node:fs';
import type { Command } from 'commander';
import { parseCosignerVkey } from '@custos/ledger/cosignature';
import { parseVerifierKey, type VerifierKey } from '@custos/ledger/note';
import type { WitnessPolicy } from '@custos/ledger/witness-policy';
import {
  MirrorRefusal,
  httpLogSource,
  logUrlOf,
  mirrorRound,
  type MirrorRound,
} from '@custos/sdk/log-mirror';
import { type CliApp, CliError, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../cli-context';
import { collect, positiveInteger } from './witness-options';

interface MirrorOptions {
  readonly vkey: string[];
  readonly witness?: string[];
  readonly quorum?: string;
  readonly maxAge?: string;
  readonly once?: boolean;
  readonly interval: string;
  readonly maxRounds?: string;
  readonly entries?: boolean;
}

function keysOf(values: readonly string[], option: string, parse: (v: string) => VerifierKey) {
  return values.map((value) => {
    try {
      return parse(value);
    } catch (err) {
      throw new CliError(`${option}: ${(err as Error).message}`, EXIT_USAGE);
    }
  });
}

/** --witness, --quorum and --max-age as a policy (default: all witnesses, within an hour). */
export function mirrorWitnessPolicy(opts: {
  witness?: string[];
  quorum?: string;
  maxAge?: string;
}): WitnessPolicy | undefined {
  if (!opts.witness) {
    if (opts.quorum !== undefined || opts.maxAge !== undefined)
      throw new CliError('--quorum and --max-age need at least one --witness <vkey>', EXIT_USAGE);
    return undefined;
  }
  const witnesses = keysOf(opts.witness, '--witness', parseCosignerVkey);
  const quorum =
    opts.quorum === undefined ? witnesses.length : positiveInteger(opts.quorum, '--quorum');
  if (quorum > witnesses.length)
    throw new CliError(
      `--quorum: ${quorum} is more than the ${witnesses.length} --witness keys given`,
      EXIT_USAGE,
    );
  const maxAgeSeconds =
    opts.maxAge === undefined ? 3600 : positiveInteger(opts.maxAge, '--max-age');
  return { witnesses, quorum, maxAgeSeconds };
}

function roundLine(round: MirrorRound): string {
  const tiles = round.added.filter((p) => p !== 'checkpoint').length;
  const vouched = round.witnesses ? `; ${round.witnesses.summary}` : '';
  return round.added.length === 0
    ? `up to date at size ${round.size}${vouched}`
    : `size ${round.previousSize} → ${round.size} (root ${round.rootHash}): ${tiles} files added${vouched}`;
}

export function mirrorCommand(program: Command, app: CliApp): void {
  program
    .command('mirror')
    .description(
      "copy a log's checkpoint and tiles into a folder that any static web server can serve as /log/; exits 1 if the log is inconsistent with what the folder holds",
    )
    .argument('<url>', 'the ledger (http://host:port) or its /log/ URL')
    .argument('<dir>', 'the mirror folder (created if missing)')
    .requiredOption('--vkey <vkey>', "the log's key (the ledgerKey query); repeatable", collect)
    .option('--witness <vkey>', "a witness's cosignature/v1 key; repeatable", collect)
    .option('--quorum <k>', 'how many of the --witness keys must have cosigned (default: all)')
    .option('--max-age <seconds>', 'how old the cosignatures may be (default 3600)')
    .option('--entries', "also copy the entry bundles (a regulator's or the admin's --token)")
    .option('--once', 'one round, then exit')
    .option('--interval <seconds>', 'seconds between rounds when following', '10')
    .option('--max-rounds <n>', 'stop after this many rounds (default: until Ctrl-C)')
    .action(
      app.act(async (ctx, url: string, dir: string, opts: MirrorOptions) => {
        const witnesses = mirrorWitnessPolicy(opts);
        const policy = {
          logKeys: keysOf(opts.vkey, '--vkey', parseVerifierKey),
          entries: opts.entries === true,
          ...(witnesses ? { witnesses } : {}),
        };
        const interval = positiveInteger(opts.interval, '--interval');
        const rounds = opts.once
          ? 1
          : opts.maxRounds === undefined
            ? Infinity
            : positiveInteger(opts.maxRounds, '--max-rounds');
        const token = ctx.client().token;
        if (policy.entries && !token)
          throw new CliError(
            '--entries: entry bundles are served only to regulators and the admin; pass --token or log in',
            EXIT_USAGE,
          );
        const folder = ctx.path(dir);
        mkdirSync(folder, { recursive: true });
        const source = httpLogSource(logUrlOf(url), policy.entries ? token : undefined);
        let stop = false;
        const interrupt = () => (stop = true);
        process.once('SIGINT', interrupt);
        try {
          for (let round = 1; round <= rounds && !stop; round++) {
            let result: MirrorRound;
            try {
              result = await mirrorRound(source, folder, policy);
            } catch (err) {
              if (err instanceof MirrorRefusal) {
                ctx.io.err(`✗ refused, ${dir} left as it was: ${err.message}`);
                return EXIT_FAILED;
              }
              throw err;
            }
            ctx.print(result, () => [roundLine(result)]);
            if (round < rounds && !stop)
              await new Promise((resolve) => setTimeout(resolve, interval * 1000));
          }
        } finally {
          process.removeListener('SIGINT', interrupt);
        }
        return EXIT_OK;
      }),
    );
}
