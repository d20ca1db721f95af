// Typed errors of the ledger library. Each carries a stable `code` that callers map to
// API errors with an exhaustive switch, and a message naming the offending field.

/** A caller passed a value of the wrong shape (length, range, type). */
export class LedgerArgumentError extends Error {
  override readonly name = 'LedgerArgumentError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

export type ProofErrorCode =
  | 'INDEX_OUT_OF_RANGE'
  | 'SIZE_ORDER'
  | 'EMPTY_TREE'
  | 'BAD_HASH_LENGTH'
  | 'PROOF_LENGTH'
  | 'ROOT_MISMATCH';

/** An inclusion or consistency proof does not verify (RFC 9162 section 2.1.3.2 / 2.1.4.2). */
export class ProofVerificationError extends Error {
  override readonly name = 'ProofVerificationError';
  constructor(
    readonly code: ProofErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type FormatErrorCode =
  | 'MALFORMED_NOTE'
  | 'MALFORMED_CHECKPOINT'
  | 'MALFORMED_VERIFIER_KEY'
  | 'MALFORMED_SIGNER_KEY'
  | 'MALFORMED_TLOG_PROOF'
  | 'MALFORMED_ADD_CHECKPOINT'
  | 'MALFORMED_TILE_PATH'
  | 'MALFORMED_TILE';

/** Text in one of the C2SP formats does not parse. */
export class FormatError extends Error {
  override readonly name = 'FormatError';
  constructor(
    readonly code: FormatErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type SignatureErrorCode =
  'INVALID_SIGNATURE' | 'NO_VERIFIED_SIGNATURE' | 'ORIGIN_MISMATCH' | 'PROOF_MISMATCH';

/** A note, checkpoint or offline proof is well formed but does not verify. */
export class VerificationError extends Error {
  override readonly name = 'VerificationError';
  constructor(
    readonly code: SignatureErrorCode,
    message: string,
  ) {
    super(message);
  }
}
