// custos import-epcis: an EPCIS 2.0 document from a partner's system (issue 16) mapped
// and signed locally with the participant's key (libs/sdk importEpcisDocument), then
// submitted in batches with a progress bar. Every event the mapping refuses and every
// event the ledger rejects is reported by name (its eventID, else its place in the file)
// with its reason.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { importEpcisDocument } from '@custos/sdk/epcis-import';
import { type CliApp, CliError, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../cli-context';
import { bar } from '../progress';
import { keyFromOption } from './participants.command';

export function importEpcisCommand(program: Command, app: CliApp): void {
  program
    .command('import-epcis')
    .description(
      'map an EPCIS 2.0 document to Custos events, sign them with your key, submit them; reports every refused event',
    )
    .argument('<file>', 'an EPCISDocument or EPCISQueryDocument (JSON / JSON-LD)')
    .requiredOption('--key <file>', 'your key file: the events become yours, signed by it')
    .option(
      '--drop <fields>',
      'comma-separated fields you accept to lose (readPoint, bizLocation, bizTransactionList, eventTimeZoneOffset, certificationInfo, location, possessing_party, or an extension name)',
      (v) =>
        v
          .split(',')
          .map((f) => f.trim())
          .filter((f) => f !== ''),
    )
    .option('--continue', 'go on after a batch with rejections (each batch is all or nothing)')
    .option('--wait', 'then wait until the ledger has sealed the accepted events')
    .action(
      app.act(
        async (
          ctx,
          file: string,
          opts: { key: string; drop?: string[]; continue?: boolean; wait?: boolean },
        ) => {
          const key = keyFromOption(ctx, opts.key);
          let document: unknown;
          try {
            document = JSON.parse(readFileSync(ctx.path(file), 'utf8'));
          } catch (err) {
            throw new CliError(
              `${file}: cannot read an EPCIS JSON document (${(err as Error).message})`,
              EXIT_USAGE,
            );
          }
          const mapped = importEpcisDocument(document, key, opts.drop ? { drop: opts.drop } : {});
          const client = ctx.signedInClient();
          const before = opts.wait ? (await client.checkpoint()).treeSize : 0;
          const signed = mapped.events.map((e) => e.signed);
          const report =
            signed.length > 0
              ? await client.submit(signed, {
                  stopOnRejection: !opts.continue,
                  onProgress: (p) =>
                    ctx.io.progress?.(
                      `\r${bar(p.submitted, signed.length, 'events')}  ${p.rejected} rejected`,
                    ),
                })
              : { submitted: 0, accepted: 0, duplicates: 0, batches: 0, rejections: [] };
          ctx.io.progress?.('\n');
          if (opts.wait && report.accepted > 0) {
            await client.waitForTreeSize(before + report.accepted, 120_000);
          }
          const rejected = report.rejections.map((r) => ({
            name: mapped.events[r.index]?.name ?? `event ${r.index + 1}`,
            code: r.code,
            message: r.message.replace(/^events\[\d+\]\.?/, ''),
          }));
          const summary = {
            ok: mapped.refused.length === 0 && rejected.length === 0,
            events: mapped.events.length + mapped.refused.length,
            mapped: mapped.events.length,
            refused: mapped.refused,
            submitted: report.submitted,
            accepted: report.accepted,
            duplicates: report.duplicates,
            rejected,
            dropped: mapped.events.flatMap((e) => e.dropped.map((d) => `${e.name}: ${d}`)),
          };
          ctx.print(summary, () => [
            `${summary.events} EPCIS events: ${summary.mapped} mapped and signed, ${mapped.refused.length} refused; ` +
              `${report.submitted} sent: ${report.accepted} accepted, ${report.duplicates} already stored, ${rejected.length} rejected`,
            ...summary.dropped.map((d) => `- dropped ${d}`),
            ...mapped.refused.map(
              (r) => `✗ ${r.name} (${r.pointer}) refused: ${r.field}: ${r.reason}`,
            ),
            ...rejected.map((r) => `✗ ${r.name} rejected: ${r.code} — ${r.message}`),
          ]);
          return summary.ok ? EXIT_OK : EXIT_FAILED;
        },
      ),
    );
}
