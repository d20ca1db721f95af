// The slice of the node-postgres `Pool` surface that BullMQ's PostgreSQL backend uses,
// served by one in-process PGlite, so the embedded mode queues jobs in the same data
// folder as everything else (docs/adr/0001-storage-and-queue.md).
//
// PGlite is a single session. A checked-out client that says BEGIN gets the whole
// database until COMMIT or ROLLBACK (PGlite's own transaction lock); LISTEN/UNLISTEN
// map to PGlite's notification callbacks; int8 and numeric come back as strings, as
// node-postgres returns them.
import { EventEmitter } from 'node:events';
import type { PGlite, Results, Transaction } from '@electric-sql/pglite';

const INT8 = 20;
const NUMERIC = 1700;
const asNodePostgres = { parsers: { [INT8]: (x: string) => x, [NUMERIC]: (x: string) => x } };

interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

type Queryable = Pick<PGlite, 'query' | 'exec'> | Transaction;

async function run<R>(
  db: Queryable,
  text: string,
  params?: readonly unknown[],
): Promise<QueryResult<R>> {
  // Parameterless text may hold several statements (BullMQ's migrations): simple protocol.
  const results: Results<R>[] =
    params && params.length > 0
      ? [await db.query<R>(text, params as unknown[], asNodePostgres)]
      : ((await db.exec(text, asNodePostgres)) as Results<R>[]);
  const last = results[results.length - 1];
  return { rows: last?.rows ?? [], rowCount: last?.affectedRows ?? last?.rows.length ?? 0 };
}

const BEGIN = /^\s*(BEGIN|START\s+TRANSACTION)\b/i;
const COMMIT = /^\s*(COMMIT|END)\s*;?\s*$/i;
const ROLLBACK = /^\s*ROLLBACK\s*;?\s*$/i;
const LISTEN = /^\s*(?:--[^\n]*\n\s*)*LISTEN\s+("?)(\w+)\1\s*;?\s*$/i;
const UNLISTEN = /^\s*UNLISTEN\s+("?)(\w+|\*)\1\s*;?\s*$/i;

class PGliteClient extends EventEmitter {
  private tx:
    | { handle: Transaction; finish: (rollback: boolean) => void; done: Promise<unknown> }
    | undefined;
  private readonly listening = new Map<string, () => Promise<void>>();

  constructor(private readonly db: PGlite) {
    super();
  }

  async query<R = unknown>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    if (BEGIN.test(text)) return this.begin();
    if (this.tx && COMMIT.test(text)) return this.end(false);
    if (this.tx && ROLLBACK.test(text)) return this.end(true);
    const listen = LISTEN.exec(text);
    if (listen?.[2]) return this.listen(listen[2]);
    const unlisten = UNLISTEN.exec(text);
    if (unlisten?.[2]) return this.unlisten(unlisten[2]);
    return run<R>(this.tx?.handle ?? this.db, text, params);
  }

  private async begin<R>(): Promise<QueryResult<R>> {
    if (this.tx) throw new Error('a transaction is already open on this client');
    await new Promise<void>((opened, failed) => {
      let finish: (rollback: boolean) => void = () => undefined;
      const done = this.db
        .transaction(async (handle) => {
          const rollback = await new Promise<boolean>((resolve) => {
            finish = resolve;
            this.tx = { handle, finish: (r) => finish(r), done };
            opened();
          });
          if (rollback) await handle.rollback();
        })
        .catch((err: unknown) => {
          failed(err instanceof Error ? err : new Error(String(err)));
          throw err;
        });
    });
    return { rows: [], rowCount: 0 };
  }

  private async end<R>(rollback: boolean): Promise<QueryResult<R>> {
    const tx = this.tx;
    this.tx = undefined;
    if (!tx) return { rows: [], rowCount: 0 };
    tx.finish(rollback);
    await tx.done;
    return { rows: [], rowCount: 0 };
  }

  private async listen<R>(channel: string): Promise<QueryResult<R>> {
    if (!this.listening.has(channel)) {
      const stop = await this.db.listen(channel, (payload) =>
        this.emit('notification', { channel, payload }),
      );
      this.listening.set(channel, stop);
    }
    return { rows: [], rowCount: 0 };
  }

  private async unlisten<R>(channel: string): Promise<QueryResult<R>> {
    const channels = channel === '*' ? [...this.listening.keys()] : [channel];
    for (const name of channels) {
      await this.listening.get(name)?.();
      this.listening.delete(name);
    }
    return { rows: [], rowCount: 0 };
  }

  release(): void {
    if (this.tx) void this.end(true).catch(() => undefined);
    void this.unlisten('*').catch(() => undefined);
  }
}

/** A `pg.Pool` look-alike over one PGlite instance; the caller owns the PGlite's lifecycle. */
export class PGlitePool extends EventEmitter {
  private readonly clients = new Set<PGliteClient>();

  constructor(private readonly db: PGlite) {
    super();
  }

  query<R = unknown>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    return run<R>(this.db, text, params);
  }

  connect(): Promise<PGliteClient> {
    const client = new PGliteClient(this.db);
    this.clients.add(client);
    const release = client.release.bind(client);
    client.release = () => {
      this.clients.delete(client);
      release();
    };
    this.emit('connect', client);
    return Promise.resolve(client);
  }

  end(): Promise<void> {
    for (const client of this.clients) client.release();
    return Promise.resolve();
  }
}
