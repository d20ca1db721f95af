// Which exact (public key, signature, message) triples already passed verifyFast in this
// process (issue 17): a scan re-verifies every event of a unit's history, and the events of
// its cases and pallets are in the history of every unit packed in them, so the same stored
// bytes are verified again and again. Only a pass is kept, in process memory only, under
// the SHA-256 of the triple (key and signature have fixed lengths, so the concatenation is
// unambiguous): different bytes, from a tampered row or another key, hash differently and
// are verified again. Bounded: the oldest entries leave first. Node only (node:crypto).
// The full audit never uses this: it re-checks every signature itself.
import { createHash } from 'node:crypto';
import { PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH } from './ed25519';
import { verifyFast } from './ed25519-native';

const DEFAULT_LIMIT = 200_000;

export class VerifiedSignatures {
  private readonly passed = new Set<string>();

  constructor(private readonly limit = DEFAULT_LIMIT) {}

  /** verifyFast's decision; a triple that passed before is not verified again. */
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
    if (signature.length !== SIGNATURE_LENGTH || publicKey.length !== PUBLIC_KEY_LENGTH)
      return verifyFast(signature, message, publicKey);
    const id = createHash('sha256')
      .update(publicKey)
      .update(signature)
      .update(message)
      .digest('base64');
    if (this.passed.has(id)) return true;
    if (!verifyFast(signature, message, publicKey)) return false;
    if (this.passed.size >= this.limit) {
      const oldest = this.passed.values().next().value;
      if (oldest !== undefined) this.passed.delete(oldest);
    }
    this.passed.add(id);
    return true;
  }

  /** How many passes are kept. */
  get size(): number {
    return this.passed.size;
  }
}

/** The process's memory of passes, shared by every scan. */
export const VERIFIED_SIGNATURES = new VerifiedSignatures();
