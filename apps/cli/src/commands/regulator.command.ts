// What regulators run: custos trace <gtin> <lot> (where every unit of a lot is now),
// custos alerts [--follow] (the alertRaised subscription) and custos audit (a full-ledger
// re-verification, followed with a progress bar, discrepancies printed at the end).
import type { Command } from 'commander';
import {
  ALERTS_MAX_PAGE,
  type AlertFilter,
  type CustosClient,
  LOT_TRACE_MAX_PAGE,
  type Subscription,
} from '@custos/sdk/client';
import {
  CustosRequestError,
  CustosSubscriptionClosedError,
  CustosUnreachableError,
} from '@custos/sdk/errors';
import type { Alert, AuditRun, LotTrace } from '@custos/sdk/types';
import {
  type CliApp,
  type CliContext,
  CliError,
  EXIT_FAILED,
  EXIT_OK,
  EXIT_USAGE,
} from '../cli-context';
import { bar } from '../progress';

const count = (option: string, max: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new CliError(
      `${option}: expected a whole number from 1 to ${max}, got ${value}`,
      EXIT_USAGE,
    );
  }
  return n;
};

const alertLine = (a: Alert) =>
  `${a.raisedAt}  ${a.severity.padEnd(8)} ${a.code.padEnd(20)} ${a.identifier ?? '-'}  ${a.message}`;

export function regulatorCommands(program: Command, app: CliApp): void {
  program
    .command('trace')
    .description('where every unit of a lot is now: counts by status and custodian (regulators)')
    .argument('<gtin>', 'the GTIN (14 digits)')
    .argument('<lot>', 'the lot code')
    .option('--units', 'list every unit too')
    .action(
      app.act(async (ctx, gtin: string, lot: string, opts: { units?: boolean }) => {
        const client = ctx.signedInClient();
        const first = await client.lotTrace(gtin, lot, {
          first: opts.units ? LOT_TRACE_MAX_PAGE : 1,
        });
        const units = opts.units ? await allUnits(client, gtin, lot, first) : [];
        const value = { ...first, units: opts.units ? units : undefined };
        ctx.print(value, () => [
          `lot ${first.lot} of GTIN ${first.gtin}: ${first.totalUnits} units`,
          ...first.byStatus.map((s) => `  ${s.status.padEnd(15)} ${s.count}`),
          'by custodian:',
          ...first.byCustodian.map((c) => `  ${c.custodian.name} (${c.custodian.id}): ${c.count}`),
          ...units.map(
            (u) => `  ${u.identifier}  ${u.status}  ${u.custodian ? u.custodian.id : '-'}`,
          ),
        ]);
        return EXIT_OK;
      }),
    );

  program
    .command('alerts')
    .description('alerts for regulators, newest first; --follow prints new ones as they are raised')
    .option(
      '--first <n>',
      `how many recent alerts to list; more than ${ALERTS_MAX_PAGE} (the largest page the server's default query cost limit lets one request ask for) are read in pages`,
      count('--first', 1_000_000),
      20,
    )
    .option('--severity <severity>', 'INFO, WARNING or CRITICAL')
    .option('--code <code>', 'a finding code, e.g. ALREADY_DISPENSED')
    .option('--since <time>', 'RFC 3339: raised at or after')
    .option('--follow', 'then wait for new alerts (Ctrl-C stops)')
    .option('--max <n>', 'with --follow: stop after n new alerts', count('--max', 1_000_000))
    .action(
      app.act(
        async (
          ctx,
          opts: {
            first: number;
            severity?: string;
            code?: string;
            since?: string;
            follow?: boolean;
            max?: number;
          },
        ) => {
          const client = ctx.signedInClient();
          const filters = {
            ...(opts.severity ? { severity: opts.severity.toUpperCase() } : {}),
            ...(opts.code ? { code: opts.code } : {}),
          };
          const listed = await client.alertList(
            { ...filters, ...(opts.since ? { since: opts.since } : {}) },
            opts.first,
          );
          if (ctx.json) for (const a of listed) ctx.io.out(JSON.stringify(a));
          else {
            if (listed.length === 0) ctx.io.out('no alerts');
            for (const a of listed) ctx.io.out(alertLine(a));
          }
          if (!opts.follow) return EXIT_OK;
          if (!ctx.json) ctx.io.err('waiting for new alerts (Ctrl-C stops)…');
          return followAlerts(ctx, client, filters, listed, opts);
        },
      ),
    );

  program
    .command('audit')
    .description(
      're-verify the whole ledger (regulators): progress, then every discrepancy; exits 1 if any',
    )
    .option('--id <id>', 'follow an audit already started instead of starting one')
    .option('--no-follow', 'start it and print its id only')
    .action(
      app.act(async (ctx, opts: { id?: string; follow: boolean }) => {
        const client = ctx.signedInClient();
        const started = opts.id ? await client.auditRun(opts.id) : await client.startAudit();
        if (!started) throw new CliError(`--id: no audit ${opts.id}`, EXIT_USAGE);
        if (!opts.follow) {
          ctx.print(started, () => [
            `audit ${started.id} ${started.status}: follow it with custos audit --id ${started.id}`,
          ]);
          return EXIT_OK;
        }
        const run = await follow(ctx, client, started);
        const discrepancies =
          run.discrepancyCount > 0 ? await client.auditDiscrepancies(run.id) : [];
        ctx.print({ ...run, discrepancies }, () => [
          `audit ${run.id} ${run.status}: ${run.doneEvents} of ${run.treeSize} entries checked, ` +
            `${run.eventsPerSecond.toFixed(0)} a second, ${run.discrepancyCount} discrepancies`,
          ...(run.error ? [`✗ failed: ${run.error}`] : []),
          ...discrepancies.map(
            (d) =>
              `✗ ${d.kind}${d.blockHeight !== null ? ` block ${d.blockHeight}` : ''}${d.leafIndex !== null ? ` leaf ${d.leafIndex}` : ''}: ${d.message}`,
          ),
        ]);
        return run.status === 'COMPLETED' && run.discrepancyCount === 0 ? EXIT_OK : EXIT_FAILED;
      }),
    );
}

const finished = (run: AuditRun) => run.status === 'COMPLETED' || run.status === 'FAILED';

/** An alert stream and its first step, asked for at once (so the socket opens). */
interface Live {
  readonly stream: Subscription<Alert>;
  readonly pending: Promise<IteratorResult<Alert>>;
}

function subscribe(client: CustosClient, filter: AlertFilter): Live {
  const stream = client.alertStream(filter);
  const pending = stream.next();
  pending.catch(() => {}); // awaited by the caller, once it is ready to print
  return { stream, pending };
}

/** Whether the server accepted the stream's socket (false: its first step rejects). */
function connected(live: Live): Promise<boolean> {
  return Promise.race([
    live.stream.ready.then(() => true),
    live.pending.then(
      () => true,
      () => false,
    ),
  ]);
}

/** The first wait before subscribing again after a lost stream; doubled up to the most. */
const RECONNECT_FIRST_MS = 250;
const RECONNECT_MOST_MS = 2_000;
/**
 * How far before the newest alert printed each subscription asks the server to replay
 * from. raisedAt is when the raising transaction began, so an alert that commits late
 * can be older than one already printed; those it replays again are known by id.
 */
const REPLAY_MARGIN_MS = 60_000;
/** Replay from the start: nothing matched the listing, so all that does is new. */
const EVER = new Date(0).toISOString();

/**
 * Prints new alerts as they are raised, until --max. Each subscription (the first, and
 * one whenever the stream ends under it) asks the server to replay, from a margin before
 * the newest alert printed, the alerts committed before it listened, then streams new
 * ones: so what was raised while no stream was open is printed (oldest first, each alert
 * once) when the server went away or could not be reached (retried, waiting up to 2 s
 * between tries, until it answers), and when the session expired (4401) and the stored
 * session's key file signs in again. Without a key file, or when the key was revoked
 * (4403), it ends with exit 1 and says what to do.
 */
async function followAlerts(
  ctx: CliContext,
  client: CustosClient,
  filters: AlertFilter,
  listed: readonly Alert[],
  opts: { first: number; since?: string; max?: number },
): Promise<number> {
  // The ids printed that a replay may bring again (raised within the margin of the newest).
  const printed = new Map(listed.map((a) => [a.id, a.raisedAt]));
  // When --first cut the listing short, the older alerts it left out are not printed.
  const floor =
    listed.length === opts.first
      ? listed.reduce((min, a) => (BigInt(a.id) < min ? BigInt(a.id) : min), BigInt(listed[0]!.id))
      : undefined;
  // --since as raisedAt is written (the server took it: it listed with it), to compare.
  const since = opts.since ? new Date(opts.since).toISOString() : undefined;
  let latest = listed.reduce<string | undefined>(
    (at, a) => (at === undefined || a.raisedAt > at ? a.raisedAt : at),
    undefined,
  );
  const replayFrom = (): string => {
    if (latest === undefined) return since ?? EVER;
    const margin = new Date(Date.parse(latest) - REPLAY_MARGIN_MS).toISOString();
    return since !== undefined && since > margin ? since : margin;
  };
  let shown = 0;
  let pruneAbove = 1_000;
  /** Prints `alert` if it is new; true once --max is reached. */
  const show = (alert: Alert): boolean => {
    if (printed.has(alert.id)) return false;
    if (floor !== undefined && BigInt(alert.id) < floor) return false;
    printed.set(alert.id, alert.raisedAt);
    if (latest === undefined || alert.raisedAt > latest) latest = alert.raisedAt;
    if (printed.size > pruneAbove) {
      const from = replayFrom();
      for (const [id, at] of printed) if (at < from) printed.delete(id);
      pruneAbove = Math.max(1_000, 2 * printed.size);
    }
    ctx.io.out(ctx.json ? JSON.stringify(alert) : alertLine(alert));
    shown++;
    return opts.max !== undefined && shown >= opts.max;
  };
  let { stream, pending } = subscribe(client, { ...filters, since: replayFrom() });
  /** While the stream is lost: how long the last wait before trying again was. */
  let lostWaitMs: number | undefined;
  try {
    for (;;) {
      let step: IteratorResult<Alert>;
      try {
        step = await pending;
      } catch (err) {
        stream.close();
        const ended = interruption(err);
        if (ended === undefined) throw err;
        if (ended === 'key revoked') {
          throw new CliError(
            'the key this session was signed in with was revoked, so the server ended the alert stream: sign in with another key (custos login --key <file>) and follow again',
          );
        }
        if (ended === 'expired') {
          const renewed = await client.renewSession();
          if (!renewed) {
            throw new CliError(
              'the session expired, so the server ended the alert stream: run `custos login --key <file>` and follow again',
            );
          }
          ctx.io.err(`the session expired: signed in again until ${renewed.expiresAt}, following…`);
        } else {
          if (lostWaitMs === undefined) {
            ctx.io.err(`lost the alert stream (${ended.lost}): reconnecting…`);
          }
          lostWaitMs =
            lostWaitMs === undefined
              ? RECONNECT_FIRST_MS
              : Math.min(lostWaitMs * 2, RECONNECT_MOST_MS);
          await new Promise((resolve) => setTimeout(resolve, lostWaitMs));
        }
        ({ stream, pending } = subscribe(client, { ...filters, since: replayFrom() }));
        if (!(await connected({ stream, pending }))) continue; // its step rejects: again
        if (lostWaitMs !== undefined) ctx.io.err('reconnected: following…');
        lostWaitMs = undefined;
        continue;
      }
      if (step.done) return EXIT_OK;
      if (show(step.value)) return EXIT_OK;
      pending = stream.next();
    }
  } finally {
    stream.close(); // an open socket would keep the process alive
  }
}

/**
 * Why a stream ended: the server ended the session, or the
 * connection was lost (the server went away, could not be reached, or failed for now:
 * worth trying again). Undefined for anything else.
 */
function interruption(err: unknown): 'expired' | 'key revoked' | { lost: string } | undefined {
  if (err instanceof CustosSubscriptionClosedError) {
    if (err.keyRevoked) return 'key revoked';
    if (err.sessionExpired) return 'expired';
    // Below 4000 the socket's own codes (1001 going away, 1006 gone without a word).
    if (err.closeCode < 4000) return { lost: `closed with ${err.closeCode}` };
  }
  if (err instanceof CustosUnreachableError) return { lost: err.reason };
  // Subscribed with a token that had already ended: the operation itself is refused.
  if (err instanceof CustosRequestError) {
    if (err.code === 'KEY_REVOKED') return 'key revoked';
    if (err.code === 'UNAUTHENTICATED') return 'expired';
    if (err.retryable) return { lost: `HTTP ${err.status}` };
  }
  return undefined;
}

/** Follows an audit over the auditProgress subscription, polling if that is unavailable. */
async function follow(ctx: CliContext, client: CustosClient, start: AuditRun): Promise<AuditRun> {
  let run = start;
  const draw = (r: AuditRun) =>
    ctx.io.progress?.(
      `\r${bar(r.doneEvents, r.treeSize || undefined, 'entries')}  ${r.discrepancyCount} discrepancies`,
    );
  draw(run);
  if (!finished(run)) {
    try {
      for await (const progress of client.auditProgress(run.id)) {
        run = progress;
        draw(run);
        if (finished(run)) break;
      }
    } catch {
      // fall back to polling below
    }
    while (!finished(run)) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      run = (await client.auditRun(run.id)) ?? run;
      draw(run);
    }
  }
  ctx.io.progress?.('\n');
  return run;
}

async function allUnits(client: CustosClient, gtin: string, lot: string, first: LotTrace) {
  const units = first.units.edges.map((e) => e.node);
  let info = first.units.pageInfo;
  while (info.hasNextPage && info.endCursor) {
    const page = await client.lotTrace(gtin, lot, {
      first: LOT_TRACE_MAX_PAGE,
      after: info.endCursor,
    });
    units.push(...page.units.edges.map((e) => e.node));
    info = page.units.pageInfo;
  }
  return units;
}
