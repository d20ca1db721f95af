// Percent-encoding, RFC 3986 section 2.1: encode every UTF-8 byte outside the unreserved
// set (section 2.3: A-Z a-z 0-9 - . _ ~) with uppercase hex, as SPEC section 2 requires
// of the canonical Digital Link URI.
import { Gs1Error } from './errors';

const UNRESERVED = new Uint8Array(128);
for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~') {
  UNRESERVED[ch.charCodeAt(0)] = 1;
}
const HEX = '0123456789ABCDEF';
const encoder = new TextEncoder();

export function percentEncode(value: string): string {
  let out = '';
  let plain = true;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 128 || UNRESERVED[c] !== 1) {
      plain = false;
      break;
    }
  }
  if (plain) return value;
  for (const byte of encoder.encode(value)) {
    if (byte < 128 && UNRESERVED[byte] === 1) out += String.fromCharCode(byte);
    else out += '%' + HEX[byte >> 4]! + HEX[byte & 15]!;
  }
  return out;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/**
 * Decodes %XX sequences. Each decoded byte becomes one character (Latin-1), so bytes
 * outside ASCII survive to be rejected by the GS1 character-set checks. `plusIsSpace`
 * applies the form-encoding rule of query strings.
 */
export function percentDecode(value: string, field: string, plusIsSpace = false): string {
  if (!value.includes('%') && !(plusIsSpace && value.includes('+'))) return value;
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '%') {
      const hi = hexValue(value.charCodeAt(i + 1));
      const lo = hexValue(value.charCodeAt(i + 2));
      if (hi < 0 || lo < 0) {
        throw new Gs1Error('SYNTAX', `"%" at position ${i + 1} is not followed by two hex digits`, {
          field,
        });
      }
      out += String.fromCharCode(hi * 16 + lo);
      i += 2;
    } else {
      out += plusIsSpace && ch === '+' ? ' ' : ch;
    }
  }
  return out;
}
