// What the sealer re-checks of every pending event before it seals it (SPEC sections 4
// and 5; docs/adr/0014): its stored content against the content hash accepted at ingest,
// its actor's key row against the key directory (a row planted behind the application's
// back has no record there), and its signature, with the ledger's
// strict rule, over the signing bytes rebuilt from the stored text (stored-event.ts).
// The leaf hashes of the longest prefix that passes the first two are computed here; the
// signatures are decided by the caller (worker threads), which cuts the prefix at the
// first that fails.
import type { VerifyRequest } from '@custos/events/signature-verification.service';
import { equalBytes } from '@custos/ledger/bytes';
import { type RebuiltEvent, rebuildStoredEvent } from '@custos/ledger/stored-event';
import { NATIVE_CODEC } from '@custos/ledger/stored-event-native';
import type { PendingEvent, EventKeyRow } from '@custos/store/ledger-event.repository';

export interface Refusal {
  readonly eventId: string;
  readonly reason: string;
}

export interface CheckedPending {
  /** RFC 9162 leaf hashes of the prefix that passed, in seq order. */
  readonly leaves: Uint8Array[];
  /** One signature request per leaf, in the same order. */
  readonly requests: VerifyRequest[];
  /** The first event that did not pass (nothing after it is looked at). */
  readonly refused: Refusal | undefined;
}

/**
 * Content, key and request for each pending event, in order, up to the first refusal.
 * `keyOnRecord` decides whether a stored key row is the one the key directory holds.
 */
export function checkPending(
  pending: readonly PendingEvent[],
  keyOnRecord: (event: PendingEvent) => boolean,
): CheckedPending {
  const leaves: Uint8Array[] = [];
  const requests: VerifyRequest[] = [];
  const onRecord = sameKeyRowOnce(keyOnRecord);
  const refuse = (event: PendingEvent, reason: string): CheckedPending => ({
    leaves,
    requests,
    refused: { eventId: event.eventId, reason },
  });
  for (const event of pending) {
    let rebuilt: RebuiltEvent;
    try {
      rebuilt = rebuildStoredEvent(event, NATIVE_CODEC);
    } catch (err) {
      return refuse(event, `is unreadable (${String(err)})`);
    }
    if (!rebuilt.contentMatches) return refuse(event, 'does not match its content hash');
    if (!event.key)
      return refuse(event, `names key ${event.keyId} of ${event.actor}, which is not on record`);
    if (!onRecord(event))
      return refuse(
        event,
        `is signed with key ${event.keyId} of ${event.actor}, which the key directory does not hold as stored (docs/adr/0014)`,
      );
    const signature = NATIVE_CODEC.signatureBytes(event.signature);
    if (!signature) return refuse(event, 'has a signature that is not 64 bytes of base64url');
    leaves.push(rebuilt.leafHash);
    requests.push({ message: rebuilt.signingBytes, signature, publicKey: event.key.publicKey });
  }
  return { leaves, requests, refused: undefined };
}

const sameTime = (a: Date | null, b: Date | null) =>
  a === null || b === null ? a === b : a.getTime() === b.getTime();

/**
 * `decide` asked once per distinct key row of a batch: a block's events are signed by a
 * few keys, and checking each event's key row costs more than its hash. A row counts
 * as the same only when every field the directory decides on is equal.
 */
function sameKeyRowOnce(
  decide: (event: PendingEvent) => boolean,
): (event: PendingEvent) => boolean {
  const seen = new Map<string, { key: EventKeyRow; ok: boolean }>();
  return (event) => {
    const key = event.key!;
    const id = `${event.actor}\0${event.keyId}`;
    const hit = seen.get(id);
    if (
      hit &&
      equalBytes(hit.key.publicKey, key.publicKey) &&
      sameTime(hit.key.validFrom, key.validFrom) &&
      sameTime(hit.key.revokedAt, key.revokedAt)
    )
      return hit.ok;
    const ok = decide(event);
    seen.set(id, { key, ok });
    return ok;
  };
}
