// Pending events for the sealing tests and bench, inserted straight into ledger_event
// (ingest is built separately): real events, really signed (libs/ledger, @noble/curves),
// stored the way ingest stores them (RFC 8785 text, content hash of the leaf input).
import { createHash, randomUUID } from 'node:crypto';
import type { Pool, PoolClient, Client } from 'pg';
import { bytesToBase64Url } from '../../libs/ledger/src/bytes';
import { publicKeyOf, randomSecretKey } from '../../libs/ledger/src/ed25519';
import { canonicalJson } from '../../libs/ledger/src/jcs';
import { leafInput, signEvent, type EventObject } from '../../libs/ledger/src/events';
import { appendKeyRecordsInSql } from '../key-directory-sql';

export interface TestSigner {
  readonly gln: string;
  readonly keyId: string;
  readonly secretKey: Uint8Array;
  readonly publicKey: string;
}

export function testSigner(gln: string): TestSigner {
  const secretKey = randomSecretKey();
  return { gln, keyId: 'k1', secretKey, publicKey: bytesToBase64Url(publicKeyOf(secretKey)) };
}

export interface PendingRow {
  readonly eventId: string;
  readonly type: string;
  readonly actor: string;
  readonly keyId: string;
  readonly signature: string;
  readonly eventJson: string;
  readonly contentHash: Buffer;
  readonly eventTime: string;
  /** The signer's public key (base64url): insertPending registers it, as the application would. */
  readonly publicKey?: string;
}

/** A SHIP from `from` to `to`, signed by `from` (or with `sign` overriding the signer). */
export function shipEvent(
  from: TestSigner,
  to: string,
  serial: string,
  sign: (event: EventObject, secretKey: Uint8Array) => string = signEvent,
): PendingRow {
  const event = {
    eventId: randomUUID(),
    type: 'SHIP',
    actor: from.gln,
    eventTime: new Date().toISOString(),
    items: [`https://id.gs1.org/01/09506000134352/21/${serial}`],
    to,
  };
  const signature = sign(event, from.secretKey);
  const input = leafInput({ event, keyId: from.keyId, signature });
  return {
    eventId: event.eventId,
    type: event.type,
    actor: event.actor,
    keyId: from.keyId,
    signature,
    eventJson: canonicalJson(event),
    contentHash: createHash('sha256').update(input).digest(),
    eventTime: event.eventTime,
    publicKey: from.publicKey,
  };
}

/** Inserts rows as accepted, pending events, in array order (one statement). */
export async function insertPending(
  db: Pool | PoolClient | Client,
  rows: readonly PendingRow[],
): Promise<void> {
  if (rows.length === 0) return;
  const signers = new Map<string, { gln: string; keyId: string; publicKey: string }>();
  for (const r of rows)
    if (r.publicKey)
      signers.set(`${r.actor}/${r.keyId}`, { gln: r.actor, ...r, publicKey: r.publicKey });
  await registerKeys(db, [...signers.values()]);
  await db.query(
    `INSERT INTO ledger_event (event_id, type, actor, key_id, signature, event_json, content_hash, event_time)
     SELECT e, t::event_type, a, k, s, j, decode(h, 'hex'), tm::timestamptz
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
       WITH ORDINALITY AS r(e, t, a, k, s, j, h, tm, ord)
     ORDER BY ord`,
    [
      rows.map((r) => r.eventId),
      rows.map((r) => r.type),
      rows.map((r) => r.actor),
      rows.map((r) => r.keyId),
      rows.map((r) => r.signature),
      rows.map((r) => r.eventJson),
      rows.map((r) => r.contentHash.toString('hex')),
      rows.map((r) => r.eventTime),
    ],
  );
  await indexAsIngest(db);
}

/**
 * Registers each signer (a manufacturer without company prefixes, if new) and its key
 * straight in SQL, with their key directory records and a new directory checkpoint
 * signed by the test database's sealing key; keys already there are left alone.
 */
export async function registerKeys(
  db: Pool | PoolClient | Client,
  keys: readonly { gln: string; keyId: string; publicKey: string }[],
): Promise<void> {
  if (keys.length === 0) return;
  for (const k of keys) {
    await db.query(
      `INSERT INTO participant (id, name, roles, company_prefixes, license_number, license_authority, license_valid_until)
       VALUES ($1, $1, '{MANUFACTURER}', '{}', 'L1', 'EMA', '2099-01-01') ON CONFLICT DO NOTHING`,
      [k.gln],
    );
    await db.query(
      `INSERT INTO participant_key (participant_id, key_id, public_key)
       VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [k.gln, k.keyId, Buffer.from(k.publicKey, 'base64url')],
    );
  }
  await appendKeyRecordsInSql(
    db,
    keys.map((k) => ({
      participantId: k.gln,
      roles: ['MANUFACTURER'],
      keyId: k.keyId,
      publicKey: Buffer.from(k.publicKey, 'base64url'),
    })),
  );
}

/**
 * The index rows ingest writes beside events (an ITEM row per item, the identifiers'
 * tallies), for events inserted straight into ledger_event after the last indexed one.
 */
export async function indexAsIngest(db: Pool | PoolClient | Client): Promise<void> {
  await db.query(
    `WITH inserted AS (
       INSERT INTO event_item (identifier, event_seq, role)
       SELECT item, e.seq, 'ITEM' FROM ledger_event e,
              jsonb_array_elements_text(e.event_json::jsonb -> 'items') AS item
        WHERE e.seq > (SELECT coalesce(max(event_seq), 0) FROM event_item)
       RETURNING identifier, event_seq
     )
     INSERT INTO item_tally (key, event_count, last_seq)
     SELECT identifier, count(*), max(event_seq) FROM inserted GROUP BY identifier
     ON CONFLICT (key) DO UPDATE
       SET event_count = item_tally.event_count + excluded.event_count,
           last_seq = greatest(item_tally.last_seq, excluded.last_seq)`,
  );
}
