// RFC 8785 JSON Canonicalization Scheme. Delegates to `canonicalize` 2.x by Samuel
// Erdtman, co-author of RFC 8785: ES6 number serialisation (section 3.2.2.3), UTF-16
// code-unit key order (3.2.3), rejection of NaN and Infinity. Its later majors are
// ESM-only (3, 4) or declare Node 22 (5), so 2.x is the one that runs on Node 20 from
// CommonJS. It leaves two rules of I-JSON (3.2.2.2) to this wrapper, checked on its
// output so that the common case costs one substring search each:
// - a lone surrogate must be refused (it has no UTF-8 form, so two encoders may sign
//   different bytes); JSON.stringify writes it as a `\udXXX` escape, which nothing
//   else in canonical output produces (a literal backslash is written `\\`);
// - a value without a JSON form (a function) must be refused; 2.x writes `undefined`
//   for it, so output with that word outside a string is not JSON.
import canonicalize from 'canonicalize';
import { LedgerArgumentError } from './errors';
import { utf8ToBytes } from './bytes';

/** A `\ud800`–`\udfff` escape, that is, preceded by an even number of backslashes. */
const SURROGATE_ESCAPE = /(?<!\\)(?:\\\\)*\\ud[89a-f][0-9a-f]{2}/;

/** The RFC 8785 canonical form of `value`; throws when it has none (NaN, undefined...). */
export function canonicalJson(value: unknown): string {
  let out: string | undefined;
  try {
    out = canonicalize(value);
  } catch (err) {
    throw new LedgerArgumentError('json', `cannot canonicalize: ${(err as Error).message}`);
  }
  if (out === undefined) throw new LedgerArgumentError('json', 'value has no JSON form');
  if (out.includes('\\ud') && SURROGATE_ESCAPE.test(out)) {
    throw new LedgerArgumentError('json', 'cannot canonicalize: lone surrogate is not allowed');
  }
  if (out.includes('undefined') && !isJson(out)) {
    throw new LedgerArgumentError('json', 'cannot canonicalize: a member has no JSON form');
  }
  return out;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** UTF-8 bytes of `canonicalJson(value)`. */
export function canonicalJsonBytes(value: unknown): Uint8Array {
  return utf8ToBytes(canonicalJson(value));
}
