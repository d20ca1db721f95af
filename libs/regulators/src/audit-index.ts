// The audit's rebuild of the index from the signed log (docs/adr/0010): each sealed
// event's event_item rows and recall row derived again from its signed fields
// (libs/events/src/index-rows.ts, what ingest wrote) and compared with the stored ones,
// every tally compared with the rows it counts, and every key row checked against the key
// directory, and the directory against its checkpoint (docs/adr/0014). Pure: audit-run.ts
// reads the rows.
import { validateEvent, type ValidatedEvent } from '@custos/events/event-validation';
import { indexRowsOf } from '@custos/events/index-rows';
import type { EventObject } from '@custos/ledger/events';
import type { KeyDirectory } from '@custos/ledger/key-directory';
import type { RecallRow, TallyDifference } from '@custos/store/event-index.repository';
import type { SealedLeaf, SealedRecall } from '@custos/store/ledger-event.repository';
import type { StoredKey } from '@custos/store/participant-key.repository';
import type { DiscrepancyRecord } from './audit.repository';

/** The event as validated from its signed fields, or why it does not validate. */
export function signedFieldsOf(
  event: EventObject,
  keyId: string,
  signature: string,
): ValidatedEvent | string {
  try {
    return validateEvent({ event, keyId, signature }, 0);
  } catch (err) {
    return `its signed fields do not validate (${err instanceof Error ? err.message : String(err)})`;
  }
}

/** How the stored event_item rows of a sealed event differ from its signed fields, if they do. */
export function indexDiscrepancy(event: EventObject, row: SealedLeaf): string | undefined {
  const signed = signedFieldsOf(event, row.keyId, row.signature);
  if (typeof signed === 'string') return `event ${row.eventId}: ${signed}`;
  const expected = new Set(indexRowsOf(signed).map((r) => `${r.role} ${r.identifier}`));
  const stored = new Set(row.indexRows);
  const missing = [...expected].filter((r) => !stored.has(r));
  const extra = [...stored].filter((r) => !expected.has(r));
  if (missing.length === 0 && extra.length === 0) return undefined;
  return `event ${row.eventId}: its index rows differ from its signed fields (${[
    ...(missing.length > 0 ? [`missing ${missing.join(', ')}`] : []),
    ...(extra.length > 0 ? [`not named by it ${extra.join(', ')}`] : []),
  ].join('; ')})`;
}

/**
 * The recall table rebuilt from the sealed RECALL events (one row per GTIN and lot, at
 * its first RECALL) and compared with the stored one. Rows of pending RECALLs (not in the
 * log yet) are left alone.
 */
export function recallDiscrepancies(
  events: readonly SealedRecall[],
  rows: readonly RecallRow[],
  blockOf: (leafIndex: number) => number | null,
): DiscrepancyRecord[] {
  const found: DiscrepancyRecord[] = [];
  const expected = new Map<string, SealedRecall>();
  const bySeq = new Map<bigint, SealedRecall>();
  for (const e of events) {
    bySeq.set(e.seq, e);
    let event: EventObject;
    try {
      event = JSON.parse(e.eventJson) as EventObject;
    } catch {
      continue; // EVENT_UNREADABLE, reported by the leaf checks
    }
    const signed = signedFieldsOf(event, e.keyId, e.signature);
    if (typeof signed === 'string') continue; // INDEX, reported by the leaf checks
    const key = `${signed.gtin} ${signed.lot}`;
    const first = expected.get(key);
    if (!first || e.seq < first.seq) expected.set(key, e);
  }
  const stored = new Map(rows.map((r) => [`${r.gtin} ${r.lot}`, r]));
  for (const [key, e] of expected) {
    const row = stored.get(key);
    if (row?.eventSeq === e.seq) continue;
    found.push({
      kind: 'INDEX',
      blockHeight: blockOf(e.leafIndex),
      leafIndex: e.leafIndex,
      message: row
        ? `recall ${key} points at seq ${row.eventSeq}, its first RECALL is event ${e.eventId} (seq ${e.seq})`
        : `event ${e.eventId} recalls ${key}, and no recall row says so`,
    });
  }
  for (const [key, row] of stored) {
    if (expected.has(key)) continue;
    const e = bySeq.get(row.eventSeq);
    // A row of a pending RECALL is not the log's yet; one pointing at a sealed event that
    // recalls something else was moved.
    if (!e) continue;
    found.push({
      kind: 'INDEX',
      blockHeight: blockOf(e.leafIndex),
      leafIndex: e.leafIndex,
      message: `recall ${key} points at event ${e.eventId}, which recalls another lot`,
    });
  }
  return found;
}

/** One discrepancy per tally that differs from the rows it counts. */
export function tallyDiscrepancies(differences: readonly TallyDifference[]): DiscrepancyRecord[] {
  const side = (s: TallyDifference['tally']) =>
    s ? `${s.count} (the last at seq ${s.lastSeq})` : 'none';
  return differences.map((d) => ({
    kind: 'INDEX',
    blockHeight: null,
    leafIndex: null,
    message: `the tally of ${d.key} records ${side(d.tally)}, its index rows are ${side(d.rows)}`,
  }));
}

/**
 * The key directory against its checkpoint (KEY_DIRECTORY_MISMATCH: then it holds no key
 * and every row is reported), each record without effect (KEY_RECORD_REFUSED), each key
 * row the directory does not hold as stored (KEY_NOT_ON_RECORD) and each key it holds
 * without a row (KEY_ROW_MISSING).
 */
export function keyDiscrepancies(
  keys: readonly StoredKey[],
  directory: KeyDirectory,
): DiscrepancyRecord[] {
  const found = (kind: string, message: string): DiscrepancyRecord => ({
    kind,
    blockHeight: null,
    leafIndex: null,
    message,
  });
  const out: DiscrepancyRecord[] = [];
  if (directory.broken !== undefined)
    out.push(found('KEY_DIRECTORY_MISMATCH', `the key directory: ${directory.broken}`));
  for (const [leaf, why] of directory.refused)
    out.push(found('KEY_RECORD_REFUSED', `key directory record ${leaf} has no effect: ${why}`));
  const rows = new Set<string>();
  for (const k of keys) {
    rows.add(`${k.participantId}\u0000${k.keyId}`);
    const why = directory.whyNotOnRecord(k);
    if (why)
      out.push(
        found(
          'KEY_NOT_ON_RECORD',
          `key ${k.keyId} of ${k.participantId} is not on record (${why}): every event it signed is suspect`,
        ),
      );
  }
  for (const held of directory.heldKeys())
    if (!rows.has(`${held.participantId}\u0000${held.keyId}`))
      out.push(
        found(
          'KEY_ROW_MISSING',
          `the key directory holds key ${held.keyId} of ${held.participantId}, which has no key row`,
        ),
      );
  return out;
}
