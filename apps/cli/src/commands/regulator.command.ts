// What regulators run: custos trace <gtin> <lot> (where every unit of a lot is now),
// custos alerts [--follow] (the alertRaised subscription) and custos audit (a full-ledger
// re-verification, followed with a progress bar, discrepancies printed at the end).
import type { Command } from 'commander';
import type { CustosClient } from '@custos/sdk/client';
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
        const first = await client.lotTrace(gtin, lot, { first: opts.units ? 500 : 1 });
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
    .option('--first <n>', 'how many recent alerts to list', count('--first', 500), 20)
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
          // Subscribe first, so that nothing raised while the list is read is missed.
          const stream = opts.follow ? client.alertStream() : undefined;
          const pending = stream?.next();
          const page = await client.alerts({
            first: opts.first,
            ...(opts.severity ? { severity: opts.severity.toUpperCase() } : {}),
            ...(opts.code ? { code: opts.code } : {}),
            ...(opts.since ? { since: opts.since } : {}),
          });
          const listed = page.edges.map((e) => e.node);
          if (ctx.json) for (const a of listed) ctx.io.out(JSON.stringify(a));
          else {
            if (listed.length === 0) ctx.io.out('no alerts');
            for (const a of listed) ctx.io.out(alertLine(a));
          }
          if (!stream || !pending) return EXIT_OK;
          if (!ctx.json) ctx.io.err('waiting for new alerts (Ctrl-C stops)…');
          const seen = new Set(listed.map((a) => a.id));
          let shown = 0;
          let step = await pending;
          while (!step.done) {
            const alert = step.value;
            const wanted =
              !seen.has(alert.id) &&
              (!opts.severity || alert.severity === opts.severity.toUpperCase()) &&
              (!opts.code || alert.code === opts.code);
            if (wanted) {
              ctx.io.out(ctx.json ? JSON.stringify(alert) : alertLine(alert));
              shown++;
              if (opts.max !== undefined && shown >= opts.max) {
                await stream.return(undefined);
                break;
              }
            }
            step = await stream.next();
          }
          return EXIT_OK;
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
    const page = await client.lotTrace(gtin, lot, { first: 500, after: info.endCursor });
    units.push(...page.units.edges.map((e) => e.node));
    info = page.units.pageInfo;
  }
  return units;
}
