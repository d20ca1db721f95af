// A participant's key listing (participantKeys, SPEC section 3) as the server answers it,
// and its offline check with the ledger key alone (libs/ledger/src/key-listing.ts): every
// record proven in the key directory's signed checkpoint, folded into the keys the ledger
// holds for the participant. Pure.
import { base64ToBytes } from '@custos/ledger/bytes';
import { keyDirectoryOrigin } from '@custos/ledger/key-directory';
import { type CheckedListing, checkKeyListing } from '@custos/ledger/key-listing';
import { parseVerifierKey } from '@custos/ledger/note';

export interface KeyListingAnswer {
  readonly participantId: string;
  readonly origin: string;
  readonly treeSize: number;
  readonly checkpoint: string;
  readonly records: readonly {
    readonly leafIndex: number;
    readonly leafInput: string;
    readonly record: string;
    readonly type: string;
    readonly keyId: string | null;
    readonly authorisedBy: string;
    readonly inclusionProof: readonly string[];
  }[];
}

/**
 * Throws unless every record is proven in a checkpoint signed by `ledgerKey` (C2SP vkey)
 * for the directory of that ledger (`<key name>/keys`) and is about the participant.
 */
export function verifyKeyListing(answer: KeyListingAnswer, ledgerKey: string): CheckedListing {
  const verifier = parseVerifierKey(ledgerKey);
  return checkKeyListing(
    {
      participantId: answer.participantId,
      checkpoint: answer.checkpoint,
      records: answer.records.map((r, i) => ({
        leafIndex: r.leafIndex,
        leafInput: base64ToBytes(r.leafInput, `records[${i}].leafInput`),
        proof: r.inclusionProof.map((h, j) =>
          base64ToBytes(h, `records[${i}].inclusionProof[${j}]`),
        ),
      })),
    },
    verifier,
    keyDirectoryOrigin(verifier.name),
  );
}
