// A real graphql-ws client (package `graphql-ws`, `ws` as the WebSocket) for the
// subscription tests: the bearer token goes in connectionParams as the API expects
// (apps/api/src/graphql/subscriptions.ts), and a subscription's payloads are collected.
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export function wsClient(httpUrl: string, token?: string): Client {
  return createClient({
    url: `${httpUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
  });
}

export interface Collected<T> {
  /** Every `data` payload received, in order. */
  readonly items: T[];
  /** Resolves when the server completes the subscription; rejects on its error. */
  readonly ended: Promise<void>;
  /** Waits until `count` items arrived (or fails after `timeoutMs`). */
  until(count: number, timeoutMs?: number): Promise<void>;
  stop(): void;
}

export function collect<T>(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): Collected<T> {
  const items: T[] = [];
  let stop = () => {};
  const ended = new Promise<void>((resolve, reject) => {
    stop = client.subscribe<T>(
      { query, variables },
      {
        next: (result) => {
          if (result.errors) reject(new Error(JSON.stringify(result.errors)));
          else if (result.data) items.push(result.data);
        },
        error: (err: unknown) =>
          reject(err instanceof Error ? err : new Error(JSON.stringify(err))),
        complete: resolve,
      },
    );
  });
  ended.catch(() => undefined); // observed through until() or by the test
  return {
    items,
    ended,
    stop: () => stop(),
    async until(count, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      let failed: unknown;
      ended.catch((err: unknown) => (failed = err));
      while (items.length < count) {
        if (failed !== undefined) throw failed as Error;
        if (Date.now() > deadline) {
          throw new Error(`${items.length} of ${count} payloads within ${timeoutMs} ms`);
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
  };
}
