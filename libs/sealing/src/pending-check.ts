// What the sealer re-checks of every pending event before it seals it (SPEC sections 4
// and 5; docs/adr/0013): its stored content against the content hash accepted at ingest,
// its actor's key row against the sealing key's attestation (a row planted behind the
// application's back has none that verifies), and its signature, with the ledger's
// strict rule, over the signing bytes rebuilt from the stored text. The leaf hashes of
// the longest prefix that passes the first two are computed here; the signatures are
// decided by the caller (worker threads), which cuts the prefix at the first that fails.
import { createHash } from 'node:crypto';
import type { VerifyRequest } from '@custos/events/signature-verification.service';
import { equalBytes } from '@custos/ledger/bytes';
import { withoutNullFields, type EventObject } from '@custos/ledger/events';
import { canonicalJson } from '@custos/ledger/jcs';
import type { PendingEvent, PendingKey } from './sealing.repository';

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

const EVENT_PREFIX = 'custos-event:v1:';
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest();

/**
 * Content, key and request for each pending event, in order, up to the first refusal.
 * `keyAttested` decides whether a stored key row is the one the application registered.
 */
export function checkPending(
  pending: readonly PendingEvent[],
  keyAttested: (event: PendingEvent) => boolean,
): CheckedPending {
  const leaves: Uint8Array[] = [];
  const requests: VerifyRequest[] = [];
  const attested = sameKeyRowOnce(keyAttested);
  const refuse = (event: PendingEvent, reason: string): CheckedPending => ({
    leaves,
    requests,
    refused: { eventId: event.eventId, reason },
  });
  for (const event of pending) {
    let prefixed: Buffer;
    let signed: string;
    try {
      const tail = `,"keyId":${canonicalJson(event.keyId)},"signature":${canonicalJson(event.signature)}}`;
      // Ingest stores the RFC 8785 text: when the leaf input built from it hashes to the
      // accepted content hash, it is that text (SHA-256 is collision resistant), and
      // canonicalizing it again would change nothing. Otherwise it is rebuilt from the event.
      signed = event.eventJson;
      prefixed = Buffer.from(`\0{"event":${signed}${tail}`);
      if (!equalBytes(sha256(prefixed.subarray(1)), event.contentHash)) {
        signed = canonicalJson(withoutNullFields(JSON.parse(event.eventJson) as EventObject));
        prefixed = Buffer.from(`\0{"event":${signed}${tail}`);
        if (!equalBytes(sha256(prefixed.subarray(1)), event.contentHash))
          return refuse(event, 'does not match its content hash');
      }
    } catch (err) {
      return refuse(event, `is unreadable (${String(err)})`);
    }
    if (!event.key)
      return refuse(event, `names key ${event.keyId} of ${event.actor}, which is not on record`);
    if (!attested(event))
      return refuse(
        event,
        `is signed with key ${event.keyId} of ${event.actor}, which was not registered through the application (its attestation does not verify)`,
      );
    const signature = Buffer.from(event.signature, 'base64url');
    if (signature.length !== 64 || signature.toString('base64url') !== event.signature)
      return refuse(event, 'has a signature that is not 64 bytes of base64url');
    leaves.push(sha256(prefixed));
    requests.push({
      message: Buffer.from(`${EVENT_PREFIX}${signed}`),
      signature,
      publicKey: event.key.publicKey,
    });
  }
  return { leaves, requests, refused: undefined };
}

const sameTime = (a: Date | null, b: Date | null) =>
  a === null || b === null ? a === b : a.getTime() === b.getTime();
const sameBytes = (a: Uint8Array | null, b: Uint8Array | null) =>
  a === null || b === null ? a === b : equalBytes(a, b);

/**
 * `decide` asked once per distinct key row of a batch: a block's events are signed by a
 * few keys, and rebuilding the attested record of each event costs more than its hash.
 * A row counts as the same only when every attested field is equal.
 */
function sameKeyRowOnce(
  decide: (event: PendingEvent) => boolean,
): (event: PendingEvent) => boolean {
  const seen = new Map<string, { key: PendingKey; ok: boolean }>();
  return (event) => {
    const key = event.key!;
    const id = `${event.actor}\0${event.keyId}`;
    const hit = seen.get(id);
    if (
      hit &&
      equalBytes(hit.key.publicKey, key.publicKey) &&
      sameTime(hit.key.validFrom, key.validFrom) &&
      sameTime(hit.key.revokedAt, key.revokedAt) &&
      sameBytes(hit.key.attestation, key.attestation)
    )
      return hit.ok;
    const ok = decide(event);
    seen.set(id, { key, ok });
    return ok;
  };
}
