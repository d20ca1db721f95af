// GS1 character sets, GS1 General Specifications section 7.11: set 82 (figure 7.11-1) for
// most alphanumeric AIs, set 39 (figure 7.11-2) for AI (8010), and the base64url set 64
// (RFC 4648 section 5) for AI (8030). Lookups are tables of char codes, never regexes.

function table(chars: string): Uint8Array {
  const t = new Uint8Array(128);
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1;
  return t;
}

const DIGITS = '0123456789';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';

/** GS1 AI encodable character set 82, in the order used by the check-character pair. */
export const CSET82 = `!"%&'()*+,-./${DIGITS}:;<=>?${UPPER}_${LOWER}`;
export const CSET39 = `#-/${DIGITS}${UPPER}`;
export const CSET64 = `${UPPER}${LOWER}${DIGITS}-_`;

const T82 = table(CSET82);
const T39 = table(CSET39);
const T64 = table(CSET64);

export function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}
export function isCset82(code: number): boolean {
  return code < 128 && T82[code] === 1;
}
export function isCset39(code: number): boolean {
  return code < 128 && T39[code] === 1;
}
export function isCset64(code: number): boolean {
  return code < 128 && T64[code] === 1;
}

/** True when `s` is non-empty and all ASCII digits. */
export function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isDigit(s.charCodeAt(i))) return false;
  return true;
}

/** Index of the first character failing `ok`, or -1. */
export function firstBad(
  s: string,
  ok: (code: number) => boolean,
  from = 0,
  to = s.length,
): number {
  for (let i = from; i < to; i++) if (!ok(s.charCodeAt(i))) return i;
  return -1;
}
