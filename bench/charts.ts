// Charts of bench/results/*.json as SVG under bench/charts/ (linked from BENCHMARKS.md):
//   latency-percentiles.svg     every p50/p95/p99 figure in ms, one bar each, log scale
//   throughput-concurrency.svg  scans/s against connections, one line per results file
// Hand-written SVG: a few rectangles, lines and labels need no charting library, and the
// files stay small, deterministic text that reads well in a diff.
// Run: TS_NODE_PROJECT=tsconfig.jest.json node -r ts-node/register/transpile-only bench/charts.ts
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface Figure {
  readonly bench: string;
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly note?: string;
  readonly load1?: number;
}

interface Results {
  readonly file: string;
  readonly smoke: boolean;
  readonly figures: readonly Figure[];
}

const RESULTS = join(__dirname, 'results');
const CHARTS = join(__dirname, 'charts');
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf'];

const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fixed = (n: number) => (Math.round(n * 10) / 10).toString();

function readResults(): Results[] {
  return readdirSync(RESULTS)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const json = JSON.parse(readFileSync(join(RESULTS, file), 'utf8')) as Omit<Results, 'file'>;
      return { file: file.replace(/\.json$/, ''), smoke: json.smoke, figures: json.figures };
    })
    .filter((r) => !r.smoke);
}

function svg(width: number, height: number, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

/** Horizontal bars on a log scale: every latency percentile of every full-size run. */
function latencyChart(results: Results[]): string {
  const bars = results.flatMap((r) =>
    r.figures
      .filter((f) => f.unit === 'ms' && /\bp(50|95|99)\b/.test(f.name) && f.value > 0)
      .map((f) => ({
        label: `${r.file} · ${f.name}`,
        value: f.value,
        load: f.load1,
        p: /p(\d+)/.exec(f.name)![1]!,
      })),
  );
  const left = 520;
  const plot = 440;
  const row = 16;
  const top = 40;
  const height = top + bars.length * row + 40;
  const min = 1;
  const max = 10 ** Math.ceil(Math.log10(Math.max(...bars.map((b) => b.value), 10)));
  const x = (v: number) =>
    left + (Math.log10(Math.max(v, min) / min) / Math.log10(max / min)) * plot;
  const colour: Record<string, string> = { '50': '#1f77b4', '95': '#ff7f0e', '99': '#d62728' };
  const body = [
    `<text x="10" y="20" font-size="14" font-weight="bold">Latency percentiles, full-size runs (ms, log scale; load average in brackets)</text>`,
  ];
  for (let d = min; d <= max; d *= 10) {
    body.push(
      `<line x1="${fixed(x(d))}" y1="${top - 5}" x2="${fixed(x(d))}" y2="${height - 30}" stroke="#ddd"/>`,
      `<text x="${fixed(x(d))}" y="${height - 15}" text-anchor="middle">${d.toLocaleString('en')}</text>`,
    );
  }
  bars.forEach((b, i) => {
    const y = top + i * row;
    body.push(
      `<text x="${left - 6}" y="${y + 11}" text-anchor="end">${escape(b.label)}</text>`,
      `<rect x="${left}" y="${y + 2}" width="${fixed(Math.max(1, x(b.value) - left))}" height="${row - 4}" fill="${colour[b.p] ?? '#888'}"/>`,
      `<text x="${fixed(x(b.value) + 4)}" y="${y + 11}">${escape(b.value.toLocaleString('en', { maximumFractionDigits: 1 }))}${b.load === undefined ? '' : ` [${b.load}]`}</text>`,
    );
  });
  return svg(left + plot + 120, height, body);
}

/** Scans/s against connections: a line per results file that measured several concurrencies. */
function throughputChart(results: Results[]): string {
  const series = results
    .map((r) => ({
      label: r.file,
      points: r.figures
        .map((f) => {
          const at = /scans alone at (\d+): rate/.exec(f.name);
          const noted = /(\d+) (?:connections|concurrent)/.exec(f.note ?? '');
          const connections = at
            ? Number(at[1])
            : f.unit === 'scan/s' && noted
              ? Number(noted[1])
              : undefined;
          return f.unit === 'scan/s' && connections
            ? { connections, rate: f.value, mixed: f.name.startsWith('mixed') }
            : undefined;
        })
        .filter((p) => p !== undefined),
    }))
    .filter((s) => s.points.length > 0);
  const left = 70;
  const top = 40;
  const plotW = 520;
  const plotH = 300;
  const maxC = Math.max(32, ...series.flatMap((s) => s.points.map((p) => p.connections)));
  const maxR = Math.max(10, ...series.flatMap((s) => s.points.map((p) => p.rate))) * 1.1;
  const x = (c: number) => left + (Math.log2(c) / Math.log2(maxC)) * plotW;
  const y = (r: number) => top + plotH - (r / maxR) * plotH;
  const body = [
    `<text x="10" y="20" font-size="14" font-weight="bold">verifyPackage throughput against concurrency (scans/s; hollow: during the paced ingest)</text>`,
    `<line x1="${left}" y1="${top + plotH}" x2="${left + plotW}" y2="${top + plotH}" stroke="#000"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="#000"/>`,
    `<text x="${left + plotW / 2}" y="${top + plotH + 35}" text-anchor="middle">connections (log 2)</text>`,
  ];
  for (let c = 1; c <= maxC; c *= 2)
    body.push(`<text x="${fixed(x(c))}" y="${top + plotH + 15}" text-anchor="middle">${c}</text>`);
  const step = 10 ** Math.floor(Math.log10(maxR / 2));
  for (let r = 0; r <= maxR; r += step * (maxR / step > 10 ? 2 : 1))
    body.push(
      `<line x1="${left}" y1="${fixed(y(r))}" x2="${left + plotW}" y2="${fixed(y(r))}" stroke="#eee"/>`,
      `<text x="${left - 5}" y="${fixed(y(r) + 4)}" text-anchor="end">${r.toLocaleString('en')}</text>`,
    );
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    const alone = s.points.filter((p) => !p.mixed).sort((a, b) => a.connections - b.connections);
    if (alone.length > 1)
      body.push(
        `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${alone.map((p) => `${fixed(x(p.connections))},${fixed(y(p.rate))}`).join(' ')}"/>`,
      );
    for (const p of s.points)
      body.push(
        `<circle cx="${fixed(x(p.connections))}" cy="${fixed(y(p.rate))}" r="4" fill="${p.mixed ? '#fff' : colour}" stroke="${colour}" stroke-width="2"/>`,
      );
    body.push(
      `<rect x="${left + plotW + 20}" y="${top + i * 18}" width="10" height="10" fill="${colour}"/>`,
      `<text x="${left + plotW + 36}" y="${top + i * 18 + 9}">${escape(s.label)}</text>`,
    );
  });
  return svg(left + plotW + 330, top + plotH + 50, body);
}

const results = readResults();
mkdirSync(CHARTS, { recursive: true });
writeFileSync(join(CHARTS, 'latency-percentiles.svg'), latencyChart(results));
writeFileSync(join(CHARTS, 'throughput-concurrency.svg'), throughputChart(results));
console.log(`charts of ${results.length} results written to ${CHARTS}`);
