// Byte helpers shared by every format: strict lowercase hex (GraphQL output), RFC 4648
// section 4 base64 (C2SP formats) and section 5 base64url without padding (event
// signatures, SPEC section 3/4), strict UTF-8. Pure TypeScript so the browser scan page
// and the offline verifier share it; every decoder rejects non-canonical input, so one
// byte string has exactly one text form.
import { abytes, astring } from './assert';
import { LedgerArgumentError } from './errors';

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += abytes(p, 'part').length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Byte equality (not constant-time: only public values such as hashes go through it). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function bytesToHex(bytes: Uint8Array): string {
  abytes(bytes, 'bytes');
  let out = '';
  for (const b of bytes) out += HEX[b];
  return out;
}

/** Lowercase hex only, even length; `expectedLength` in bytes when given. */
export function hexToBytes(hex: string, field = 'hex', expectedLength?: number): Uint8Array {
  astring(hex, field);
  if (!/^(?:[0-9a-f]{2})*$/.test(hex)) {
    throw new LedgerArgumentError(field, 'expected lowercase hex of even length');
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  if (expectedLength !== undefined && out.length !== expectedLength) {
    throw new LedgerArgumentError(field, `expected ${expectedLength} bytes, got ${out.length}`);
  }
  return out;
}

const STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function encode64(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  abytes(bytes, 'bytes');
  let out = '';
  let i = 0;
  for (; i + 3 <= bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out +=
      alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + alphabet[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + (pad ? '==' : '');
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out +=
      alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + (pad ? '=' : '');
  }
  return out;
}

function decode64(text: string, alphabet: string, pad: boolean, field: string): Uint8Array {
  astring(text, field);
  let body = text;
  if (pad) {
    if (text.length % 4 !== 0)
      throw new LedgerArgumentError(field, 'base64 length not a multiple of 4');
    if (text.endsWith('==')) body = text.slice(0, -2);
    else if (text.endsWith('=')) body = text.slice(0, -1);
  } else if (text.length % 4 === 1) {
    throw new LedgerArgumentError(field, 'impossible base64url length');
  }
  const values = new Uint8Array(body.length);
  for (let i = 0; i < body.length; i++) {
    const v = alphabet.indexOf(body[i]!);
    if (v < 0) throw new LedgerArgumentError(field, `invalid base64 character at ${i}`);
    values[i] = v;
  }
  const full = Math.floor(body.length / 4);
  const rest = body.length % 4;
  const out = new Uint8Array(full * 3 + (rest === 0 ? 0 : rest - 1));
  let o = 0;
  let i = 0;
  for (; i < full * 4; i += 4) {
    const n = (values[i]! << 18) | (values[i + 1]! << 12) | (values[i + 2]! << 6) | values[i + 3]!;
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 255;
    out[o++] = n & 255;
  }
  // Unused low bits of the last character must be zero: one byte string, one encoding.
  if (rest === 2) {
    if ((values[i + 1]! & 15) !== 0) throw new LedgerArgumentError(field, 'non-canonical base64');
    out[o] = (values[i]! << 2) | (values[i + 1]! >> 4);
  } else if (rest === 3) {
    if ((values[i + 2]! & 3) !== 0) throw new LedgerArgumentError(field, 'non-canonical base64');
    out[o++] = (values[i]! << 2) | (values[i + 1]! >> 4);
    out[o] = ((values[i + 1]! & 15) << 4) | (values[i + 2]! >> 2);
  }
  return out;
}

/** RFC 4648 section 4 base64 with padding (C2SP notes, checkpoints, proofs). */
export function bytesToBase64(bytes: Uint8Array): string {
  return encode64(bytes, STD, true);
}

export function base64ToBytes(text: string, field = 'base64'): Uint8Array {
  return decode64(text, STD, true, field);
}

/** RFC 4648 section 5 base64url without padding (keys and event signatures). */
export function bytesToBase64Url(bytes: Uint8Array): string {
  return encode64(bytes, URL, false);
}

/** Rejects padding, the standard alphabet's `+` and `/`, and non-zero trailing bits. */
export function base64UrlToBytes(text: string, field = 'base64url'): Uint8Array {
  return decode64(text, URL, false, field);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function utf8ToBytes(text: string): Uint8Array {
  return encoder.encode(astring(text, 'text'));
}

/** Throws on invalid UTF-8 instead of substituting U+FFFD. */
export function bytesToUtf8(bytes: Uint8Array, field = 'bytes'): string {
  try {
    return decoder.decode(abytes(bytes, field));
  } catch {
    throw new LedgerArgumentError(field, 'invalid UTF-8');
  }
}
