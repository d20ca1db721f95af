// custos demo: on an empty store, registers the demo world (demo/demo-world.ts) with keys
// in .custos/demo/<party>.json, signs and submits its events (about 1,000 units), waits
// until they are sealed, writes a GS1 DataMatrix label per code and prints the codes to
// scan, the verdict each must give and the pharmacy to sign in as.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Command } from 'commander';
import { createSignedEvent, type SignedEvent } from '@custos/sdk/events';
import { loadKey, saveKey } from '@custos/sdk/key-file';
import { type CustosKey, generateKey } from '@custos/sdk/keys';
import { type CliApp, type CliContext, CliError, EXIT_FAILED, EXIT_OK } from '../cli-context';
import { demoKeyFile, type PartyName, PARTIES } from '@custos/sdk/demo-parties';
import { type DemoCode, DEMO_UNITS, demoCodes, demoSteps } from '../demo/demo-world';
import { writeLabel } from '../demo/labels';
import { bar } from '../progress';

export interface DemoManifest {
  readonly format: 'custos-demo/v1';
  readonly server: string;
  readonly units: number;
  readonly events: number;
  readonly participants: {
    name: string;
    id: string;
    roles: readonly string[];
    keyFile: string;
    note: string;
  }[];
  readonly codes: (DemoCode & { signInAsId: string; keyFile: string; png: string; svg: string })[];
}

export function demoCommand(program: Command, app: CliApp): void {
  program
    .command('demo')
    .description(
      'load a demo supply chain into an empty store; prints codes to scan and their verdicts',
    )
    .option('--dir <folder>', 'where keys, labels and demo.json go', join('.custos', 'demo'))
    .option('--force', 'run even though the store already holds events')
    .action(
      app.act(async (ctx, opts: { dir: string; force?: boolean }) => {
        const dir = ctx.path(opts.dir);
        const manifestFile = join(dir, 'demo.json');
        const admin = ctx.adminClient();
        const first = await admin.participant(PARTIES.aurora.id);
        if (first) {
          if (!existsSync(manifestFile)) {
            throw new CliError(
              `the demo participants are registered already, but ${manifestFile} is missing: start on a fresh store`,
            );
          }
          const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as DemoManifest;
          if (!ctx.json) ctx.io.out('the demo is loaded already:');
          printManifest(ctx, manifest);
          return EXIT_OK;
        }
        const checkpoint = await admin.checkpoint();
        if (checkpoint.treeSize > 0 && !opts.force) {
          throw new CliError(
            `the store holds ${checkpoint.treeSize} events already: the demo is for an empty store ` +
              '(start the server on a fresh CUSTOS_DATA_DIR), or pass --force',
          );
        }
        mkdirSync(join(dir, 'labels'), { recursive: true, mode: 0o700 });
        const keys = {} as Record<PartyName, CustosKey>;
        const license = (id: string) => ({
          number: `DEMO-${id}`,
          authority: 'Demo Medicines Agency',
          validUntil: '2099-12-31',
        });
        for (const [slug, party] of Object.entries(PARTIES) as [
          PartyName,
          (typeof PARTIES)[PartyName],
        ][]) {
          const keyFile = join(dir, demoKeyFile(slug));
          // A key file left by an earlier demo on another store is reused, not overwritten.
          const key = existsSync(keyFile) ? loadKey(keyFile) : generateKey('k1', party.id);
          if (key.participantId !== party.id)
            throw new CliError(`${keyFile} is not the key of ${party.name} (${party.id})`);
          if (!existsSync(keyFile)) saveKey(keyFile, key);
          keys[slug] = key;
          await admin.registerParticipant({
            id: party.id,
            name: party.name,
            roles: party.roles,
            companyPrefixes: party.companyPrefixes,
            license: license(party.id),
            keys: [
              { keyId: key.keyId, publicKey: key.publicKey, validFrom: '2020-01-01T00:00:00Z' },
            ],
          });
        }
        const steps = demoSteps();
        // Consecutive instants ending now: the events happened in this order, a second apart.
        const start = Date.now() - (steps.length + 5) * 1000;
        const events: SignedEvent[] = steps.map((step, i) =>
          createSignedEvent(keys[step.actor], step.type, step.fields, {
            eventTime: new Date(start + i * 1000),
          }),
        );
        // The admin relays every party's signed events (docs/events.md): the signatures say who made each.
        const report = await admin.submit(events, {
          onProgress: (p) => ctx.io.progress?.(`\r${bar(p.submitted, events.length, 'events')}`),
        });
        ctx.io.progress?.('\n');
        if (!report.ok) {
          const r = report.rejections[0]!;
          throw new CliError(
            `the server rejected demo event ${r.index + 1} (${steps[r.index]?.type}): ${r.code}: ${r.message}`,
          );
        }
        const sealed = await admin.waitForTreeSize(checkpoint.treeSize + events.length, 120_000);
        const codes: DemoManifest['codes'] = [];
        for (const code of demoCodes()) {
          const files = await writeLabel(join(dir, 'labels'), code.label, code.code);
          codes.push({
            ...code,
            signInAsId: PARTIES[code.signInAs].id,
            keyFile: join(dir, demoKeyFile(code.signInAs)),
            ...files,
          });
        }
        const manifest: DemoManifest = {
          format: 'custos-demo/v1',
          server: admin.url,
          units: DEMO_UNITS,
          events: events.length,
          participants: (Object.entries(PARTIES) as [PartyName, (typeof PARTIES)[PartyName]][]).map(
            ([slug, p]) => ({
              name: p.name,
              id: p.id,
              roles: p.roles,
              keyFile: join(dir, demoKeyFile(slug)),
              note: p.note,
            }),
          ),
          codes,
        };
        writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
        if (!ctx.json) {
          ctx.io.out(
            `demo loaded: ${DEMO_UNITS} units in ${events.length} events, sealed up to tree size ${sealed.treeSize}`,
          );
        }
        printManifest(ctx, manifest);
        return report.ok ? EXIT_OK : EXIT_FAILED;
      }),
    );
}

function printManifest(ctx: CliContext, manifest: DemoManifest): void {
  if (ctx.json) {
    ctx.io.out(JSON.stringify(manifest));
    return;
  }
  const out = (line: string) => ctx.io.out(line);
  const shown = (file: string) => relative(ctx.io.cwd, file) || file;
  out('');
  out('participants (key files are their identity: keep them to sign in):');
  for (const p of manifest.participants)
    out(`  ${p.name.padEnd(24)} ${p.id}  ${p.roles.join(',').padEnd(12)} ${shown(p.keyFile)}`);
  out('');
  out(
    `codes to scan on the scan page (${manifest.server}/), labels in ${shown(join(manifest.codes[0]?.png ?? '', '..'))}:`,
  );
  const width = Math.max(...manifest.codes.map((c) => c.code.length));
  out(`  ${'code'.padEnd(width)}  ${'verdict'.padEnd(11)} ${'finding'.padEnd(19)} sign in as`);
  for (const c of manifest.codes) {
    out(
      `  ${c.code.padEnd(width)}  ${c.verdict.padEnd(11)} ${(c.finding ?? '-').padEnd(19)} ${PARTIES[c.signInAs].name} (${shown(c.keyFile)})`,
    );
    out(`  ${''.padEnd(width)}  ${c.story}`);
  }
  out('');
  out(
    `sign in on the scan page with a pharmacy's key file, or: custos login --key ${shown(manifest.codes[0]?.keyFile ?? '')}`,
  );
}
