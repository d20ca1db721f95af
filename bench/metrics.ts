// A product process's /metrics (prom-client's text format) as numbers by series, for the
// benches that read what a process says of itself (GC time, heap size, event-loop lag).
// prom-client resets its event-loop lag maximum at each scrape: a reader of that maximum
// must scrape at the start and the end of the span it measures, and nobody in between.

/** Every sample of one scrape, by series as printed: `name` or `name{label="value"}`. */
export type Metrics = ReadonlyMap<string, number>;

export async function scrapeMetrics(url: string): Promise<Metrics> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const samples = new Map<string, number>();
  for (const m of text.matchAll(/^(\w+(?:\{[^}]*\})?) (\S+)$/gm)) samples.set(m[1]!, Number(m[2]));
  return samples;
}
