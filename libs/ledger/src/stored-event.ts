// A ledger event as the server stores it, and what is rebuilt from it (SPEC sections 4
// and 5): the RFC 8785 text of the event as signed (null fields dropped), its signing
// bytes `custos-event:v1:` ‖ text, its leaf input JCS({event, keyId, signature}) and leaf
// hash H(0x00 ‖ input), and the re-check of a stored row against the content hash
// accepted at ingest, its own columns and its signature's encoding. Ingest, the sealer,
// verification and the audit all build these bytes here, and only here. The signature
// itself is decided by the caller (one at a time, or in a batch on worker threads), with
// the ledger's rule. Pure: stored-event-native.ts passes OpenSSL's SHA-256 on the server.
import { utf8ToBytes, equalBytes, base64UrlToBytes } from './bytes';
import { SIGNATURE_LENGTH } from './ed25519';
import { LedgerArgumentError } from './errors';
import { type EventObject, withoutNullFields } from './events';
import { canonicalJson } from './jcs';
import { sha256 } from './sha256';

/** The columns of a stored event that its bytes are rebuilt and re-checked from. */
export interface StoredEventRow {
  readonly eventId: string;
  readonly actor: string;
  /** The RFC 8785 text of the event as signed, as ingest stored it. */
  readonly eventJson: string;
  readonly keyId: string;
  /** base64url, no padding, of the 64-byte Ed25519 signature. */
  readonly signature: string;
  /** SHA-256 of the leaf input, computed at ingest. */
  readonly contentHash: Uint8Array;
}

/** What the bytes are rebuilt from (the rest of a row is only re-checked). */
export type StoredEventBytes = Pick<
  StoredEventRow,
  'eventJson' | 'keyId' | 'signature' | 'contentHash'
>;

/** The few primitives the rebuild needs: pure by default, native on the server. */
export interface StoredEventCodec {
  sha256(data: Uint8Array): Uint8Array;
  utf8(text: string): Uint8Array;
  /** The signature's 64 bytes, or undefined unless it is canonical unpadded base64url. */
  signatureBytes(text: string): Uint8Array | undefined;
}

export const PURE_CODEC: StoredEventCodec = {
  sha256,
  utf8: utf8ToBytes,
  signatureBytes(text) {
    try {
      const bytes = base64UrlToBytes(text, 'signature');
      return bytes.length === SIGNATURE_LENGTH ? bytes : undefined;
    } catch (err) {
      if (err instanceof LedgerArgumentError) return undefined;
      throw err;
    }
  },
};

const EVENT_PREFIX = 'custos-event:v1:';

/** `custos-event:v1:` ‖ UTF-8 of the canonical text of the event as signed (SPEC 4). */
export function signingBytesOfText(signed: string, codec = PURE_CODEC): Uint8Array {
  return codec.utf8(`${EVENT_PREFIX}${signed}`);
}

/** The leaf input's text (SPEC 5) from the canonical text of the event as signed. */
export function leafInputText(signed: string, keyId: string, signature: string): string {
  return `{"event":${signed},"keyId":${canonicalJson(keyId)},"signature":${canonicalJson(signature)}}`;
}

/** The bytes of a stored event, rebuilt. */
export interface RebuiltEvent {
  /** The RFC 8785 text of the event as signed. */
  readonly signed: string;
  readonly signingBytes: Uint8Array;
  readonly leafInput: Uint8Array;
  /** H(0x00 ‖ leafInput), RFC 9162 section 2.1.1. */
  readonly leafHash: Uint8Array;
  /** SHA-256 of the leaf input equals the content hash accepted at ingest. */
  readonly contentMatches: boolean;
}

/**
 * The signing bytes, leaf input and leaf hash of a stored row. Ingest stores the RFC 8785
 * text: when the leaf input built from it hashes to the accepted content hash, it is that
 * text (SHA-256 is collision resistant) and is used as it stands; otherwise the event is
 * parsed and canonicalized again, and `contentMatches` says whether that matches. Throws
 * LedgerArgumentError (field `eventJson`) when the stored text is not a JSON object.
 */
export function rebuildStoredEvent(row: StoredEventBytes, codec = PURE_CODEC): RebuiltEvent {
  const first = forms(row.eventJson, row, codec);
  if (first.contentMatches) return first;
  return forms(canonicalJson(withoutNullFields(parseStoredEvent(row))), row, codec);
}

function forms(signed: string, row: StoredEventBytes, codec: StoredEventCodec): RebuiltEvent {
  // 0x00 ‖ leaf input in one buffer: the leaf hash is over all of it, the content hash
  // over the input alone.
  const prefixed = codec.utf8(`\0${leafInputText(signed, row.keyId, row.signature)}`);
  const leafInput = prefixed.subarray(1);
  return {
    signed,
    signingBytes: signingBytesOfText(signed, codec),
    leafInput,
    leafHash: codec.sha256(prefixed),
    contentMatches: equalBytes(codec.sha256(leafInput), row.contentHash),
  };
}

/** The stored event's JSON object; throws LedgerArgumentError (`eventJson`) otherwise. */
export function parseStoredEvent(row: Pick<StoredEventRow, 'eventJson'>): EventObject {
  let value: unknown;
  try {
    value = JSON.parse(row.eventJson);
  } catch (err) {
    throw new LedgerArgumentError('eventJson', `not JSON (${(err as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new LedgerArgumentError('eventJson', 'not a JSON object');
  return value as EventObject;
}

/** What the re-check of a stored row found wrong, by the field it concerns. */
export type StoredEventFault =
  | { readonly field: 'eventJson'; readonly problem: 'unreadable'; readonly detail: string }
  | { readonly field: 'contentHash'; readonly problem: 'content differs' }
  | { readonly field: 'eventId' | 'actor' | 'type'; readonly problem: 'column differs' }
  | { readonly field: 'signature'; readonly problem: 'not 64 bytes of base64url' };

/** A stored row re-checked: everything but the signature's verdict and the key. */
export interface CheckedStoredEvent {
  /** Undefined when the stored text is not a JSON object. */
  readonly rebuilt: RebuiltEvent | undefined;
  /** The parsed event; undefined with `rebuilt`. */
  readonly event: EventObject | undefined;
  /** Decoded signature; undefined when it is not canonical base64url of 64 bytes. */
  readonly signature: Uint8Array | undefined;
  readonly faults: readonly StoredEventFault[];
}

/**
 * Re-checks a stored event: its text against the accepted content hash, its columns
 * (`eventId`, `actor`, and `type` when given) against the signed event, and its
 * signature's encoding. The signature is then verified by the caller over
 * `rebuilt.signingBytes` with the actor's key.
 */
export function checkStoredEvent(
  row: StoredEventRow & { readonly type?: string },
  codec = PURE_CODEC,
): CheckedStoredEvent {
  const faults: StoredEventFault[] = [];
  let rebuilt: RebuiltEvent;
  let event: EventObject;
  try {
    event = parseStoredEvent(row);
    rebuilt = rebuildStoredEvent(row, codec);
  } catch (err) {
    if (!(err instanceof LedgerArgumentError)) throw err;
    faults.push({ field: 'eventJson', problem: 'unreadable', detail: err.message });
    return { rebuilt: undefined, event: undefined, signature: undefined, faults };
  }
  if (!rebuilt.contentMatches) faults.push({ field: 'contentHash', problem: 'content differs' });
  for (const field of ['eventId', 'actor', 'type'] as const) {
    const column = row[field];
    if (column !== undefined && event[field] !== column)
      faults.push({ field, problem: 'column differs' });
  }
  const signature = codec.signatureBytes(row.signature);
  if (!signature) faults.push({ field: 'signature', problem: 'not 64 bytes of base64url' });
  return { rebuilt, event, signature, faults };
}
