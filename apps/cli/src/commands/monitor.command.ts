// custos monitor: follows a log from its tiles (a mirror folder as its state) and reports
// what concerns one participant — events whose actor, to or from it is, and events in its
// name signed with a key it did not expect (--expect-key) — and any inconsistency: a bad
// signature, a checkpoint that does not extend the last one, a split view among the
// checkpoints given with --checkpoint (witnesses' cosigned notes, saved notes, other
// URLs). Exits 1 on any of those.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseCosignerVkey } from '@custos/ledger/cosignature';
import { parseVerifierKey, type VerifierKey } from '@custos/ledger/note';
import {
  MirrorRefusal,
  httpLogSource,
  logUrlOf,
  mirrorRound,
  mirroredEntries,
  mirroredLeafHashes,
} from '@custos/sdk/log-mirror';
import { compareCheckpoints } from '@custos/sdk/split-view';
import {
  type CliApp,
  type CliContext,
  CliError,
  EXIT_FAILED,
  EXIT_OK,
  EXIT_USAGE,
} from '../cli-context';
import { collect, positiveInteger } from './witness-options';
import { mirrorWitnessPolicy } from './mirror.command';

interface MonitorOptions {
  readonly vkey: string[];
  readonly participant?: string;
  readonly expectKey?: string[];
  readonly checkpoint?: string[];
  readonly state?: string;
  readonly witness?: string[];
  readonly quorum?: string;
  readonly maxAge?: string;
  readonly once?: boolean;
  readonly interval: string;
  readonly maxRounds?: string;
}

function parsed<T>(value: string, option: string, parse: (v: string) => T): T {
  try {
    return parse(value);
  } catch (err) {
    throw new CliError(`${option}: ${(err as Error).message}`, EXIT_USAGE);
  }
}

/** A saved note (file) or a log's checkpoint (URL). */
async function readNote(ctx: CliContext, where: string): Promise<string> {
  if (/^https?:\/\//.test(where)) {
    const response = await fetch(`${logUrlOf(where)}/checkpoint`);
    if (!response.ok) throw new CliError(`--checkpoint ${where}: HTTP ${response.status}`);
    return response.text();
  }
  if (!existsSync(ctx.path(where)))
    throw new CliError(`--checkpoint ${where}: no such file`, EXIT_USAGE);
  return readFileSync(ctx.path(where), 'utf8');
}

interface Concern {
  readonly leaf: number;
  readonly line: string;
  readonly unexpectedKey: boolean;
}

/** What a leaf input says that concerns `participant`. */
function concernOf(
  leaf: number,
  entry: Uint8Array,
  participant: string,
  expectKeys: readonly string[] | undefined,
): Concern | undefined {
  let parsedEntry: { event?: Record<string, unknown>; keyId?: unknown };
  try {
    parsedEntry = JSON.parse(new TextDecoder().decode(entry)) as typeof parsedEntry;
  } catch {
    return { leaf, line: `✗ leaf ${leaf}: not a Custos ledger entry`, unexpectedKey: false };
  }
  const event = parsedEntry.event ?? {};
  const text = (field: string) => (typeof event[field] === 'string' ? event[field] : undefined);
  const actor = text('actor');
  const roles = [
    actor === participant ? 'by you' : undefined,
    text('to') === participant ? `to you from ${actor ?? '?'}` : undefined,
    text('from') === participant ? `from you, received by ${actor ?? '?'}` : undefined,
  ].filter((r): r is string => r !== undefined);
  if (roles.length === 0) return undefined;
  const keyId = typeof parsedEntry.keyId === 'string' ? parsedEntry.keyId : '?';
  const unexpectedKey = actor === participant && !!expectKeys && !expectKeys.includes(keyId);
  const line = `${unexpectedKey ? '✗' : '•'} leaf ${leaf}: ${text('type') ?? '?'} ${roles.join(', ')} (event ${text('eventId') ?? '?'}, key ${keyId})${unexpectedKey ? ': signed with a key you did not expect' : ''}`;
  return { leaf, line, unexpectedKey };
}

export function monitorCommand(program: Command, app: CliApp): void {
  program
    .command('monitor')
    .description(
      'follow a log and report what concerns one participant and any inconsistency or split view; exits 1 on any',
    )
    .argument('[url]', 'the ledger (http://host:port) or its /log/ URL')
    .requiredOption('--vkey <vkey>', "the log's key (the ledgerKey query); repeatable", collect)
    .option('--participant <gln>', 'report the events whose actor, to or from this participant is')
    .option('--expect-key <keyId>', "a key ID of the participant's own keys; repeatable", collect)
    .option(
      '--checkpoint <file|url>',
      "another view of the log to compare: a saved or witness-cosigned checkpoint note, or a log's URL; repeatable",
      collect,
    )
    .option('--state <dir>', 'where the followed log is mirrored (default .custos-monitor)')
    .option('--witness <vkey>', "a witness's cosignature/v1 key; repeatable", collect)
    .option('--quorum <k>', 'how many of the --witness keys must have cosigned the head')
    .option('--max-age <seconds>', 'how old the cosignatures may be (default 3600)')
    .option('--once', 'one round, then exit')
    .option('--interval <seconds>', 'seconds between rounds when following', '10')
    .option('--max-rounds <n>', 'stop after this many rounds (default: until Ctrl-C)')
    .action(
      app.act(async (ctx, url: string | undefined, opts: MonitorOptions) => {
        const logKeys: VerifierKey[] = opts.vkey.map((v) => parsed(v, '--vkey', parseVerifierKey));
        const witnessKeys = (opts.witness ?? []).map((v) =>
          parsed(v, '--witness', parseCosignerVkey),
        );
        if (!url && !opts.checkpoint)
          throw new CliError(
            'give a log <url> to follow, or --checkpoint notes to compare',
            EXIT_USAGE,
          );
        if (!url && opts.participant)
          throw new CliError('--participant: needs a log <url> to follow', EXIT_USAGE);
        const views = await Promise.all(
          (opts.checkpoint ?? []).map(async (where) => ({
            source: where,
            note: await readNote(ctx, where),
          })),
        );
        const lines: string[] = [];
        let failed = false;
        const report = (line: string, bad = false) => {
          lines.push(line);
          failed ||= bad;
          if (!ctx.json) ctx.io.out(line);
        };
        const compare = (held?: { source: string; leafHashes: Uint8Array[] }) => {
          const result = compareCheckpoints(views, logKeys, witnessKeys, held);
          for (const p of result.problems) report(`✗ ${p}`, true);
          for (const s of result.splitViews) report(`✗ ${s}`, true);
          return result;
        };

        if (!url) {
          const result = compare();
          if (result.splitViews.length === 0 && result.problems.length === 0)
            report(`✓ ${result.checkpoints.length} checkpoints, no split view`);
          if (ctx.json) ctx.io.out(JSON.stringify({ ok: !failed, ...result }));
          return failed ? EXIT_FAILED : EXIT_OK;
        }

        const token = ctx.client().token;
        const entries = opts.participant !== undefined;
        if (entries && !token)
          throw new CliError(
            '--participant: events are read from the entry bundles, served only to regulators and the admin; pass --token or log in',
            EXIT_USAGE,
          );
        const witnesses = mirrorWitnessPolicy(opts);
        const state = ctx.path(opts.state ?? '.custos-monitor');
        mkdirSync(state, { recursive: true });
        const source = httpLogSource(logUrlOf(url), entries ? token : undefined);
        const rounds = opts.once
          ? 1
          : opts.maxRounds === undefined
            ? Infinity
            : positiveInteger(opts.maxRounds, '--max-rounds');
        const interval = positiveInteger(opts.interval, '--interval');
        for (let round = 1; round <= rounds && !failed; round++) {
          try {
            const result = await mirrorRound(source, state, {
              logKeys,
              entries,
              ...(witnesses ? { witnesses } : {}),
            });
            if (result.size > result.previousSize) {
              report(
                `log at size ${result.size} (was ${result.previousSize}), root ${result.rootHash}`,
              );
              if (opts.participant)
                mirroredEntries(state, result.previousSize, result.size).forEach((entry, i) => {
                  const concern = concernOf(
                    result.previousSize + i,
                    entry,
                    opts.participant!,
                    opts.expectKey,
                  );
                  if (concern) report(concern.line, concern.unexpectedKey);
                });
            }
            if (views.length > 0)
              compare({ source: url, leafHashes: mirroredLeafHashes(state, result.size) });
          } catch (err) {
            if (!(err instanceof MirrorRefusal)) throw err;
            report(`✗ inconsistency: ${err.message}`, true);
          }
          if (round < rounds && !failed)
            await new Promise((resolve) => setTimeout(resolve, interval * 1000));
        }
        if (ctx.json) ctx.io.out(JSON.stringify({ ok: !failed, lines }));
        return failed ? EXIT_FAILED : EXIT_OK;
      }),
    );
}
