// Server-side fast path of stored-event.ts: OpenSSL's SHA-256 and Node's UTF-8 and
// base64url codecs (node:crypto, Buffer) for the sealer's and the audit's thousands of
// rows a batch. The same bytes and decisions as PURE_CODEC (stored-event.spec.ts).
// Node only: the browser and the offline verifier use stored-event.ts directly.
import { hash } from 'node:crypto';
import type { StoredEventCodec } from './stored-event';

const view = (b: Buffer) => new Uint8Array(b.buffer, b.byteOffset, b.length);

export const NATIVE_CODEC: StoredEventCodec = {
  sha256: (data) => view(hash('sha256', data, 'buffer')),
  utf8: (text) => view(Buffer.from(text, 'utf8')),
  signatureBytes(text) {
    // Buffer's decoder is lenient: canonical only when it encodes back to the same text.
    const bytes = Buffer.from(text, 'base64url');
    return bytes.length === 64 && bytes.toString('base64url') === text ? view(bytes) : undefined;
  },
};
