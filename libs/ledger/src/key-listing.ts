// A participant's own view of the key directory (docs/adr/0014), checked offline: every
// record the ledger holds about it, each with its RFC 9162 inclusion proof in the
// directory's C2SP checkpoint (signed by the ledger key, origin `<log origin>/keys`).
// The check opens the checkpoint, proves each leaf, parses each record, requires it to be
// about this participant, and folds them into the keys the ledger holds for it, with who
// authorised each change; its own signed requests are re-checked against its keys as
// they stood. A key there that the participant never added is what to look for. Pure.
import { type Checkpoint, openCheckpoint } from './checkpoint';
import { LedgerArgumentError } from './errors';
import { type KeyDirectory, openKeyDirectory } from './key-directory';
import { type Authorisation, type KeyRecord, parseKeyRecord } from './key-record';
import { leafHash } from './merkle';
import { verifyInclusion } from './merkle-verify';
import type { VerifierKey } from './note';

export interface ListedRecord {
  readonly leafIndex: number;
  /** The leaf input: RFC 8785 JSON of the record. */
  readonly leafInput: Uint8Array;
  /** Inclusion proof in the checkpoint's tree, leaf's sibling first. */
  readonly proof: readonly Uint8Array[];
}

export interface KeyListing {
  readonly participantId: string;
  /** The directory's signed checkpoint note, verbatim. */
  readonly checkpoint: string;
  readonly records: readonly ListedRecord[];
}

export interface ListedKey {
  readonly keyId: string;
  readonly publicKey: Uint8Array;
  readonly validFrom: Date | null;
  readonly revokedAt: Date | null;
  readonly addedBy: Authorisation;
  readonly revokedBy: Authorisation | null;
}

export interface CheckedListing {
  readonly checkpoint: Checkpoint;
  readonly records: readonly KeyRecord[];
  readonly keys: readonly ListedKey[];
  /** Records that have no effect (by leaf index), e.g. a request whose signature fails. */
  readonly refused: ReadonlyMap<number, string>;
}

/**
 * Throws (naming the record) unless every record is proven in the checkpoint and is
 * about `listing.participantId`; then the keys the records give it.
 */
export function checkKeyListing(
  listing: KeyListing,
  verifier: VerifierKey,
  origin: string,
): CheckedListing {
  const { checkpoint } = openCheckpoint(listing.checkpoint, [verifier], origin);
  const records = listing.records.map((r, i) => {
    const field = `records[${i}]`;
    verifyInclusion(
      r.leafIndex,
      checkpoint.size,
      leafHash(r.leafInput),
      r.proof,
      checkpoint.rootHash,
    );
    const record = parseKeyRecord(r.leafInput, field);
    if (record.participantId !== listing.participantId)
      throw new LedgerArgumentError(field, `a record about ${record.participantId}`);
    if (i > 0 && r.leafIndex <= listing.records[i - 1]!.leafIndex)
      throw new LedgerArgumentError(field, 'records must be in leaf order');
    return record;
  });
  // The participant's records alone fold like the directory: its keys only depend on them.
  const own: KeyDirectory = openKeyDirectory({
    leafInputs: listing.records.map((r) => r.leafInput),
    checkpoint: undefined,
    verifier,
    origin,
  });
  const byLeaf = new Map(listing.records.map((r, i) => [i, r.leafIndex]));
  const refused = new Map([...own.refused].map(([i, why]) => [byLeaf.get(i)!, why]));
  const keys: ListedKey[] = own.heldKeysIgnoringTree().map(({ keyId, state }) => ({
    keyId,
    publicKey: state.publicKey,
    validFrom: state.validFrom,
    revokedAt: state.revokedAt,
    addedBy: records[state.addedAt]!.authorisedBy,
    revokedBy: state.revokedBy === null ? null : records[state.revokedBy]!.authorisedBy,
  }));
  return { checkpoint, records, keys, refused };
}
