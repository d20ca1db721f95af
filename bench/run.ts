// `npm run bench` runs every `bench/*.bench.ts` (each exports `bench: Bench`) at full size;
// `npm run bench -- --smoke` runs each at a small size to prove it still works, and
// `--only=NAME` picks benchmarks by name.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Bench, BenchContext } from './harness';

function loadBenches(): Bench[] {
  return (
    readdirSync(__dirname)
      .filter((file) => file.endsWith('.bench.ts'))
      .sort()
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- discovery by file name
      .map((file) => (require(join(__dirname, file)) as { bench: Bench }).bench)
  );
}

async function main(): Promise<void> {
  const smoke = process.argv.includes('--smoke');
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  for (const bench of loadBenches()) {
    if (only && !bench.name.includes(only)) continue;
    console.log(`\n== ${bench.name}${smoke ? ' (smoke)' : ''}`);
    const ctx: BenchContext = {
      smoke,
      report(name, value, unit, note) {
        const shown = value >= 100 ? Math.round(value).toLocaleString('en') : value.toPrecision(3);
        console.log(
          `  ${name.padEnd(48)} ${shown.padStart(12)} ${unit}${note ? `  (${note})` : ''}`,
        );
      },
    };
    await bench.run(ctx);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
