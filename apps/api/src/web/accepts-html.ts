// Whether a request's Accept header (RFC 9110 section 12.5.1) asks for an HTML page: a
// browser opening /graphql gets the explorer, a GraphQL client (application/json,
// application/graphql-response+json) the API's answer as ever. A q=0 range refuses it;
// a bare */* does not count: curl and scripts send it and want no page.
export function acceptsHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((range) => {
    const [type, ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    if (type !== 'text/html' && type !== 'application/xhtml+xml') return false;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}
