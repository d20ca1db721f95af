// What the benches that start the product on their own database share: the environment
// of such a process, and the accepted-to-sealed latencies read back from the database's
// clock (sealed_at and accepted_at are both its timestamps).
import type { Client } from 'pg';
import { servicesEnvOnQueue, type TestDatabase } from '../test/storage';

/** The environment of a product process on `db` and queue `prefix`, with fixed secrets. */
export function productEnv(
  db: TestDatabase,
  prefix: string,
  secrets: { adminToken: string; sealingKey: string },
): Record<string, string> {
  return {
    ...servicesEnvOnQueue(db, prefix),
    CUSTOS_ADMIN_TOKEN: secrets.adminToken,
    CUSTOS_SEALING_KEY: secrets.sealingKey,
  };
}

/** Milliseconds from acceptance to its block's seal of every event after `afterSeq`, sorted. */
export async function acceptedToSealedMs(pg: Client, afterSeq: number | string): Promise<number[]> {
  const { rows } = await pg.query<{ ms: number }>(
    `SELECT (extract(epoch FROM b.sealed_at::timestamptz - e.accepted_at) * 1000)::float8 AS ms
     FROM ledger_event e JOIN block b ON b.height = e.block_height
     WHERE e.seq > $1 ORDER BY ms`,
    [afterSeq],
  );
  return rows.map((r) => r.ms);
}
