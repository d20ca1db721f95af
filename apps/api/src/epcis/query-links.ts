import type { FastifyReply } from 'fastify';

type RawQuery = Record<string, unknown>;

/** The binding's version headers, on every EPCIS answer. */
export function versionHeaders(reply: FastifyReply): void {
  void reply.header('GS1-EPCIS-Version', '2.0.0').header('GS1-CBV-Version', '2.0.0');
}

/** The query string of `query` without its paging token, pipes and colons kept readable. */
export function queryString(query: RawQuery, extra: Record<string, string>): string {
  const pairs: string[] = [];
  const add = (k: string, v: string) =>
    pairs.push(`${encodeURIComponent(k)}=${encodeURIComponent(v).replace(/%7C/g, '|')}`);
  for (const [k, v] of Object.entries(query)) {
    if (k === 'nextPageToken') continue;
    for (const value of Array.isArray(v) ? v : [v]) add(k, String(value));
  }
  for (const [k, v] of Object.entries(extra)) add(k, v);
  return pairs.join('&');
}
