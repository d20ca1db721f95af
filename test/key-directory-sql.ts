// The key directory written straight in SQL, as the application writes it (docs/adr/0014),
// for fixtures that register participants and keys behind the API: the records of keys
// not yet in the directory, and a checkpoint of the grown tree signed by the test
// database's sealing key with its log origin.
import { keyDirectoryOrigin, signKeyDirectoryCheckpoint } from '../libs/ledger/src/key-directory';
import { type KeyRecord, keyRecordLeafInput } from '../libs/ledger/src/key-record';
import { testLogOrigin, testSealingSeed } from './storage';

/** A pg Client or Pool, or anything with its query(text, values) → { rows }. */
export interface Sql {
  query<R>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

export interface SqlKey {
  readonly participantId: string;
  readonly roles: readonly string[];
  readonly keyId: string;
  readonly publicKey: Uint8Array;
}

/** Appends the directory records of keys (and participants) it does not hold yet. */
export async function appendKeyRecordsInSql(db: Sql, keys: readonly SqlKey[]): Promise<void> {
  const { rows: held } = await db.query<{ participant_id: string; key_id: string | null }>(
    'SELECT participant_id, key_id FROM key_record',
  );
  const has = new Set(held.map((r) => `${r.participant_id}/${r.key_id ?? ''}`));
  const at = new Date();
  const records: KeyRecord[] = [];
  for (const k of keys) {
    if (!has.has(`${k.participantId}/`)) {
      has.add(`${k.participantId}/`);
      records.push({
        type: 'PARTICIPANT_REGISTERED',
        participantId: k.participantId,
        roles: [...k.roles],
        companyPrefixes: [],
        at,
        authorisedBy: { role: 'ADMIN' },
      });
    }
    if (!has.has(`${k.participantId}/${k.keyId}`)) {
      has.add(`${k.participantId}/${k.keyId}`);
      records.push({
        type: 'KEY_ADDED',
        participantId: k.participantId,
        keyId: k.keyId,
        publicKey: new Uint8Array(k.publicKey),
        validFrom: null,
        at,
        authorisedBy: { role: 'ADMIN' },
      });
    }
  }
  await appendRecordsInSql(db, records);
}

/**
 * Appends a KEY_REVOKED record of each key, as the application records a revocation,
 * leaving its participant_key row as it is (what a row restored from a backup looks like).
 */
export async function revokeKeysInSql(
  db: Sql,
  keys: readonly { participantId: string; keyId: string }[],
): Promise<void> {
  const at = new Date();
  await appendRecordsInSql(
    db,
    keys.map((k) => ({ type: 'KEY_REVOKED', ...k, at, authorisedBy: { role: 'ADMIN' } })),
  );
}

/** Appends `records` after the stored ones, with a checkpoint of the grown tree. */
async function appendRecordsInSql(db: Sql, records: readonly KeyRecord[]): Promise<void> {
  if (records.length === 0) return;
  const { rows: dbRows } = await db.query<{ name: string }>('SELECT current_database() AS name');
  const dbName = dbRows[0]!.name;
  const { rows: stored } = await db.query<{ record: Buffer }>(
    'SELECT record FROM key_record ORDER BY leaf_index',
  );
  const leaves = [
    ...stored.map((r) => new Uint8Array(r.record)),
    ...records.map(keyRecordLeafInput),
  ];
  const origin = testLogOrigin(dbName);
  const note = signKeyDirectoryCheckpoint(leaves, keyDirectoryOrigin(origin), {
    name: origin,
    secretKey: testSealingSeed(dbName),
  });
  for (const [i, record] of records.entries()) {
    await db.query(
      'INSERT INTO key_record (leaf_index, participant_id, key_id, record) VALUES ($1, $2, $3, $4)',
      [
        stored.length + i,
        record.participantId,
        record.type === 'PARTICIPANT_REGISTERED' ? null : record.keyId,
        Buffer.from(keyRecordLeafInput(record)),
      ],
    );
  }
  await db.query(
    'INSERT INTO key_checkpoint (tree_size, note) VALUES ($1, $2) ON CONFLICT (tree_size) DO UPDATE SET note = excluded.note',
    [leaves.length, note],
  );
}

/** Key records taken out behind the application's back, and how to put them back. */
export interface RemovedKeyRecords {
  readonly count: number;
  restore(): Promise<void>;
}

/** Deletes the key records `where` (SQL over key_record, with `values`) says, keeping them. */
export async function removeKeyRecordsInSql(
  db: Sql,
  where: string,
  values: unknown[] = [],
): Promise<RemovedKeyRecords> {
  const { rows } = await db.query<{
    leaf_index: string;
    participant_id: string;
    key_id: string | null;
    record: Buffer;
  }>(
    `DELETE FROM key_record WHERE ${where} RETURNING leaf_index::text, participant_id, key_id, record`,
    values,
  );
  return {
    count: rows.length,
    async restore() {
      for (const r of rows) {
        await db.query(
          'INSERT INTO key_record (leaf_index, participant_id, key_id, record) VALUES ($1, $2, $3, $4)',
          [r.leaf_index, r.participant_id, r.key_id, r.record],
        );
      }
    },
  };
}
