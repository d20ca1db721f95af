// EPCIS 2.0 named queries (REST binding POST /queries, components.schemas.QueryDefinition):
// `{"name": "…", "query": {"eventType": ["ObjectEvent"], "EQ_bizStep": ["shipping"]}}`.
// In JSON bodies lists are arrays; the query is kept as the GET /events parameters it
// stands for (lists joined with `|`), and checked as GET /events would check them.
import { type EventQuery, parseEventQuery, QueryParameterError } from './event-query';

export interface NamedQueryDefinition {
  readonly name: string;
  /** GET /events parameters, lists pipe-joined; no paging. */
  readonly params: Readonly<Record<string, string>>;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const PAGING = new Set(['perPage', 'nextPageToken']);

/** Reads a QueryDefinition body; QueryParameterError names the field. */
export function parseNamedQuery(body: unknown): NamedQueryDefinition {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new QueryParameterError('body', 'must be a JSON object {"name", "query"}');
  const { name, query, ...rest } = body as Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined)
    throw new QueryParameterError(extra, 'is not a field of a query definition');
  if (typeof name !== 'string' || !NAME.test(name))
    throw new QueryParameterError(
      'name',
      'must be 1 to 128 letters, digits, "_", "." or "-", starting with a letter or digit',
    );
  if (typeof query !== 'object' || query === null || Array.isArray(query))
    throw new QueryParameterError('query', 'must be an object of query parameters');
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(query as Record<string, unknown>)) {
    if (PAGING.has(key))
      throw new QueryParameterError(`query.${key}`, 'is paging, given when the query is run');
    const values = Array.isArray(value) ? value : [value];
    if (values.length === 0 || !values.every((v) => typeof v === 'string' || typeof v === 'number'))
      throw new QueryParameterError(`query.${key}`, 'must be a string, a number or a list of them');
    const texts = values.map(String);
    if (texts.some((t) => t.includes('|') || t === ''))
      throw new QueryParameterError(`query.${key}`, 'values may not be empty or contain "|"');
    params[key] = texts.join('|');
  }
  try {
    parseEventQuery(params);
  } catch (err) {
    if (err instanceof QueryParameterError)
      throw new QueryParameterError(
        `query.${err.parameter}`,
        err.message.slice(err.parameter.length + 2),
      );
    throw err;
  }
  return { name, params };
}

/** The stored query with this run's paging. */
export function namedEventQuery(
  params: Readonly<Record<string, string>>,
  paging: Readonly<Record<string, unknown>>,
): EventQuery {
  for (const key of Object.keys(paging))
    if (!PAGING.has(key))
      throw new QueryParameterError(key, 'a named query takes only perPage and nextPageToken');
  return parseEventQuery({ ...params, ...paging });
}
