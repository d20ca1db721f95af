// An alert raised in a transaction held open on its own pg connection, as a slow writer
// would: inserted and announced (its raisedAt is the transaction's start), visible to no
// one until commit(). For tests of what alertRaised's replay catches.
import { Client } from 'pg';
import { ALERT_CHANNEL } from '../libs/store/src/alert.repository';

export interface HeldAlert {
  readonly id: string;
  commit(): Promise<void>;
  /** Closes the connection (rolling back if not committed). */
  end(): Promise<void>;
}

export async function holdAlert(databaseUrl: string, identifier: string): Promise<HeldAlert> {
  const held = new Client({ connectionString: databaseUrl });
  await held.connect();
  await held.query('BEGIN');
  const { rows } = await held.query<{ id: string }>(
    `INSERT INTO alert (code, severity, message, identifier)
     VALUES ('LATE_COMMIT', 'WARNING', 'committed late', $1) RETURNING id`,
    [identifier],
  );
  await held.query('SELECT pg_notify($1, $2)', [ALERT_CHANNEL, rows[0]!.id]);
  return {
    id: rows[0]!.id,
    commit: async () => void (await held.query('COMMIT')),
    end: () => held.end(),
  };
}
