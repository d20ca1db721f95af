// SHA-256 (FIPS 180-4), the one hash of every ledger format (SPEC section 5). The pure
// @noble/hashes implementation keeps the library usable in the browser scan page.
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';

export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}
