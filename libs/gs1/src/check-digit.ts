// GS1 check digits: the mod-10 standard check digit of GS1 General Specifications section
// 7.9.1 (GTIN, SSCC, GLN, GSRN, ...) and the check-character pair of section 7.9.5 used by
// AI (8013) GMN and AI (8014) MUDI.
import { CSET82 } from './charset';

/** Mod-10 check digit for the digits of `body` (the key without its check digit). */
export function gs1CheckDigit(body: string): number {
  let sum = 0;
  let weight = 3;
  for (let i = body.length - 1; i >= 0; i--) {
    sum += (body.charCodeAt(i) - 48) * weight;
    weight = 4 - weight;
  }
  return (10 - (sum % 10)) % 10;
}

const CSET32 = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
const PRIMES = [
  2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97,
  101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167, 173, 179, 181, 191, 193,
  197, 199, 211, 223, 227, 229, 233, 239, 241, 251, 257, 263, 269, 271, 277, 281, 283, 293, 307,
  311, 313, 317, 331, 337, 347, 349, 353, 359, 367, 373, 379, 383, 389, 397, 401, 409, 419, 421,
  431, 433, 439, 443, 449, 457, 461, 463, 467, 479, 487, 491, 499, 503, 509, 521, 523,
];

/** Longest body the check-character pair is computed for (as the reference linter). */
export const CHECK_PAIR_MAX_BODY = 97;

/** The two check characters for `body` (all characters of set 82), per section 7.9.5. */
export function gs1CheckPair(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const weight = PRIMES[body.length - 1 - i]!;
    sum += CSET82.indexOf(body[i]!) * weight;
  }
  sum %= 1021;
  return CSET32[Math.floor(sum / 32)]! + CSET32[sum % 32]!;
}
