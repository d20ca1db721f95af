// The GraphQL explorer at GET /graphql in a browser (issue 15), for regulators' analysts:
// GraphiQL, bundled by scripts/build-web.mjs and served by the service itself (no CDN).
// Queries and mutations go to POST /graphql as JSON, with the headers typed in the
// editor; subscriptions (alertRaised, auditProgress) go over graphql-ws at /graphql with
// the same Authorization header as connectionParams, as the service expects.
import { createGraphiQLFetcher, type Fetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import 'graphiql/style.css';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import type { ExecutionResult } from 'graphql';
import { createClient } from 'graphql-ws';
import { isSubscription } from './operation';

const DEFAULT_QUERY = `# The Custos GraphQL API (SPEC section 7).
# Most operations need a session. Sign in with
#   npx custos login --key <key file> --print
# and put the token it prints in Headers below:
#   {"authorization": "Bearer <token>"}
# serverInfo, ledgerKey and checkpoint need none.
# The schema's documentation: the first icon on the left.
query ServerInfo {
  serverInfo {
    version
    database
    queue
    workerSeenAt
  }
}
`;

const http = createGraphiQLFetcher({ url: '/graphql' });
const socketUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;

function authorization(headers: Record<string, unknown> | undefined): string | undefined {
  const value = Object.entries(headers ?? {}).find(
    ([name]) => name.toLowerCase() === 'authorization',
  )?.[1];
  return typeof value === 'string' ? value : undefined;
}

const fetcher: Fetcher = (params, opts) => {
  if (!isSubscription(params.query, params.operationName)) return http(params, opts);
  // One socket per subscription: it carries the session the headers name, and ends with it.
  const client = createClient({
    url: socketUrl,
    lazy: true,
    retryAttempts: 0,
    connectionParams: () => {
      const token = authorization(opts?.headers);
      return token ? { authorization: token } : {};
    },
  });
  const iterator = client.iterate({
    query: params.query,
    variables: (params.variables as Record<string, unknown> | null | undefined) ?? undefined,
    operationName: params.operationName ?? undefined,
  });
  // graphql-ws yields results as the server formatted them, which GraphiQL shows as they are.
  const results = {
    [Symbol.asyncIterator]: () => ({
      next: () => iterator.next(),
      return: async () => {
        await iterator.return?.();
        await client.dispose();
        return { done: true, value: undefined };
      },
    }),
  };
  return results as unknown as AsyncIterable<ExecutionResult>;
};

const root = document.getElementById('explorer');
if (!root) throw new Error('the page lacks #explorer');
createRoot(root).render(
  createElement(GraphiQL, {
    fetcher,
    defaultQuery: DEFAULT_QUERY,
    defaultHeaders: '{}',
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: false, // a session token is not written to localStorage
  }),
);
document.documentElement.dataset.ready = 'true';
