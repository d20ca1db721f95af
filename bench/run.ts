// `npm run bench` runs every `bench/*.bench.ts` (each exports `bench: Bench`) at full size;
// `npm run bench -- --smoke` runs each at a small size to prove it still works, and
// `--only=NAME` picks benchmarks by name. A full run writes every figure, with the machine
// it was measured on, to `bench/results/<date>-<benches>.json` (`--out=FILE` elsewhere);
// BENCHMARKS.md summarises those files.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import type { Bench, BenchContext } from './harness';

interface Figure {
  readonly bench: string;
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly note?: string;
  /** The 1-minute load average when the figure was reported: the machine is shared. */
  readonly load1: number;
}

function loadBenches(): Bench[] {
  return (
    readdirSync(__dirname)
      .filter((file) => file.endsWith('.bench.ts'))
      .sort()
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- discovery by file name
      .map((file) => (require(join(__dirname, file)) as { bench: Bench }).bench)
  );
}

function option(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

async function main(): Promise<void> {
  const smoke = process.argv.includes('--smoke');
  const only = option('only');
  const size = option('size') ? Number(option('size')) : undefined;
  if (size !== undefined && !(Number.isInteger(size) && size > 0))
    throw new Error(`--size must be a positive whole number of events, not ${option('size')}`);
  const figures: Figure[] = [];
  const ran: string[] = [];
  const started = new Date();
  for (const bench of loadBenches()) {
    if (only && !bench.name.includes(only)) continue;
    ran.push(bench.name);
    console.log(`\n== ${bench.name}${smoke ? ' (smoke)' : ''}`);
    const ctx: BenchContext = {
      smoke,
      ...(size ? { size } : {}),
      report(name, value, unit, note) {
        const load1 = Math.round(loadavg()[0]! * 10) / 10;
        figures.push({ bench: bench.name, name, value, unit, ...(note ? { note } : {}), load1 });
        const shown = value >= 100 ? Math.round(value).toLocaleString('en') : value.toPrecision(3);
        console.log(
          `  ${name.padEnd(48)} ${shown.padStart(12)} ${unit}  [load ${load1.toFixed(1)}]${note ? `  (${note})` : ''}`,
        );
      },
    };
    const began = performance.now();
    await bench.run(ctx);
    console.log(`  (${bench.name} took ${((performance.now() - began) / 1000).toFixed(1)} s)`);
  }
  const out =
    option('out') ??
    (smoke
      ? undefined
      : join(
          __dirname,
          'results',
          `${started.toISOString().slice(0, 16).replace(':', '')}-${only ?? 'all'}.json`,
        ));
  if (out) {
    const machine = {
      cpus: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
    };
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(
      out,
      `${JSON.stringify({ started: started.toISOString(), smoke, benches: ran, machine, figures }, null, 2)}\n`,
    );
    console.log(`\nresults written to ${out}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
