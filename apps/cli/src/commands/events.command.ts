// custos sign (events in, signed events out) and custos submit (signed events in, in
// batches, with a progress bar and a rejection report by line).
import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import {
  buildEvent,
  type EventObject,
  parseSignedEvent,
  signEvent,
  type SignedEvent,
} from '@custos/sdk/events';
import type { CustosKey } from '@custos/sdk/keys';
import { type CliApp, CliError, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../cli-context';
import { type Located, openInput } from '../input';
import { bar } from '../progress';
import { keyFromOption } from './participants.command';

/** Fills what the signer may leave out: eventId, eventTime (now) and actor (the key's). */
function completeEvent(value: unknown, key: CustosKey, where: string): EventObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CliError(`${where}: expected an event object`);
  }
  const event = value as Record<string, unknown>;
  const actor = typeof event.actor === 'string' ? event.actor : key.participantId;
  if (!actor) throw new CliError(`${where}: actor: missing, and the key file names no participant`);
  const built = buildEvent(
    event.type as never,
    {},
    {
      actor,
      ...(typeof event.eventId === 'string' ? { eventId: event.eventId } : {}),
      ...(typeof event.eventTime === 'string' ? { eventTime: event.eventTime } : {}),
    },
  );
  return { ...built, ...event, eventId: built.eventId, eventTime: built.eventTime, actor };
}

function signOne(value: unknown, key: CustosKey, where: string): SignedEvent {
  const event = completeEvent(value, key, where);
  try {
    return signEvent(event, key);
  } catch (err) {
    throw new CliError(`${where}: ${(err as Error).message}`);
  }
}

const isSigned = (value: unknown) =>
  typeof value === 'object' && value !== null && 'signature' in value && 'event' in value;

export function eventCommands(program: Command, app: CliApp): void {
  program
    .command('sign')
    .description('sign events (SPEC 4): eventId, eventTime and actor are filled in when missing')
    .argument('[file]', 'a JSON event, a JSON array or NDJSON; - or none for standard input')
    .requiredOption('--key <file>', 'the key file of the actor')
    .action(
      app.act(async (ctx, file: string | undefined, opts: { key: string }) => {
        const key = keyFromOption(ctx, opts.key);
        const input = openInput(file && ctx.path(file), ctx.io.stdin);
        const signed: SignedEvent[] = [];
        for await (const { value, where } of input.values) {
          const out = signOne(value, key, where);
          if ((await input.format) === 'ndjson') ctx.io.out(JSON.stringify(out));
          else signed.push(out);
        }
        const bad = input.badLine();
        if (bad) throw new CliError(`${bad.where}: ${bad.message}`);
        const format = await input.format;
        if (format === 'array') ctx.io.out(JSON.stringify(signed, null, 2));
        if (format === 'object') ctx.io.out(JSON.stringify(signed[0], null, 2));
        return EXIT_OK;
      }),
    );

  program
    .command('submit')
    .description('submit signed events in batches; prints a rejection report by line')
    .argument('[file]', 'a JSON array or NDJSON of signed events; - or none for standard input')
    .option('--key <file>', 'sign events that are not signed yet with this key file')
    .option(
      '--batch-size <n>',
      'events per request (the server takes up to 10000)',
      (v) => positive(v, '--batch-size'),
      10_000,
    )
    .option('--continue', 'go on after a batch with rejections (each batch is all or nothing)')
    .option('--wait', 'then wait until the ledger has sealed as many new entries as were accepted')
    .action(
      app.act(
        async (
          ctx,
          file: string | undefined,
          opts: { key?: string; batchSize: number; continue?: boolean; wait?: boolean },
        ) => {
          const key = opts.key ? keyFromOption(ctx, opts.key) : undefined;
          const client = ctx.signedInClient();
          const path = file && file !== '-' ? ctx.path(file) : undefined;
          const total = path ? countValues(path) : undefined;
          const input = openInput(path ?? file, ctx.io.stdin);
          const where: string[] = [];
          let local: { where: string; code: string; message: string } | undefined;
          async function* events(): AsyncGenerator<SignedEvent> {
            for await (const item of input.values as AsyncIterable<Located>) {
              let signed: SignedEvent;
              try {
                signed = toSigned(item, key);
              } catch (err) {
                local = {
                  where: item.where,
                  code: 'INVALID_INPUT',
                  message: (err as Error).message,
                };
                return;
              }
              where.push(item.where);
              yield signed;
            }
            const bad = input.badLine();
            if (bad) local = { where: bad.where, code: 'INVALID_JSON', message: bad.message };
          }
          const before = opts.wait ? (await client.checkpoint()).treeSize : 0;
          const started = Date.now();
          const report = await client.submit(events(), {
            limits: { maxEvents: opts.batchSize },
            stopOnRejection: !opts.continue,
            onProgress: (p) =>
              ctx.io.progress?.(`\r${bar(p.submitted, total, 'events')}  ${p.rejected} rejected`),
          });
          ctx.io.progress?.('\n');
          const sealedAt =
            opts.wait && report.accepted > 0
              ? (await client.waitForTreeSize(before + report.accepted, 120_000)).treeSize
              : undefined;
          const rejections = [
            ...report.rejections.map((r) => ({
              where: where[r.index] ?? `event ${r.index + 1}`,
              eventId: r.eventId,
              code: r.code,
              message: r.message.replace(/^events\[\d+\]\.?/, ''),
            })),
            ...(local ? [{ ...local, eventId: null }] : []),
          ];
          const seconds = (Date.now() - started) / 1000;
          const summary = {
            ok: rejections.length === 0,
            submitted: report.submitted,
            accepted: report.accepted,
            duplicates: report.duplicates,
            batches: report.batches,
            seconds,
            ...(sealedAt === undefined ? {} : { treeSize: sealedAt }),
            rejections,
          };
          ctx.print(summary, () => [
            `${report.submitted} events sent in ${report.batches} batch(es) in ${seconds.toFixed(1)} s: ` +
              `${report.accepted} accepted, ${report.duplicates} already stored, ${rejections.length} rejected`,
            ...(sealedAt === undefined ? [] : [`sealed: the log holds ${sealedAt} entries`]),
            ...rejections.map((r) => `✗ ${r.where}: ${r.code} — ${r.message}`),
            ...(rejections.length > 0 && report.rejections.length > 0 && !opts.continue
              ? [
                  'the batch with a rejection stored nothing, and later events were not sent: fix and submit again (stored events come back as already stored)',
                ]
              : []),
          ]);
          return rejections.length === 0 ? EXIT_OK : EXIT_FAILED;
        },
      ),
    );
}

function toSigned(item: Located, key: CustosKey | undefined): SignedEvent {
  if (isSigned(item.value)) return parseSignedEvent(item.value, item.where);
  if (!key) {
    throw new Error(
      `${item.where}: not a signed event {event, keyId, signature}: sign it (custos sign) or pass --key`,
    );
  }
  return signOne(item.value, key, item.where);
}

/** How many values a file holds (lines of NDJSON, or items of a JSON array), for the bar. */
function countValues(path: string): number | undefined {
  try {
    if (statSync(path).size > 256 * 1024 * 1024) return undefined; // not worth a second read
    const text = readFileSync(path, 'utf8');
    const trimmed = text.trimStart();
    if (trimmed.startsWith('[')) {
      const value = JSON.parse(text) as unknown;
      return Array.isArray(value) ? value.length : undefined;
    }
    return text.split('\n').filter((l) => l.trim() !== '').length;
  } catch {
    return undefined;
  }
}

function positive(value: string, option: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) {
    throw new CliError(
      `${option}: expected a whole number from 1 to 10000, got ${value}`,
      EXIT_USAGE,
    );
  }
  return n;
}
