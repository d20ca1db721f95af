// RFC 8785 JSON Canonicalization Scheme. Delegates to `canonicalize` 5.x by Samuel
// Erdtman, co-author of RFC 8785: ES6 number serialisation (section 3.2.2.3), UTF-16
// code-unit key order (3.2.3), and rejection of NaN, Infinity and lone surrogates
// (I-JSON, 3.2.2.2). This wrapper only pins the contract: a string out, or an error.
import canonicalize from 'canonicalize';
import { LedgerArgumentError } from './errors';
import { utf8ToBytes } from './bytes';

/** The RFC 8785 canonical form of `value`; throws when it has none (NaN, undefined...). */
export function canonicalJson(value: unknown): string {
  let out: string | undefined;
  try {
    out = canonicalize(value);
  } catch (err) {
    throw new LedgerArgumentError('json', `cannot canonicalize: ${(err as Error).message}`);
  }
  if (out === undefined) throw new LedgerArgumentError('json', 'value has no JSON form');
  return out;
}

/** UTF-8 bytes of `canonicalJson(value)`. */
export function canonicalJsonBytes(value: unknown): Uint8Array {
  return utf8ToBytes(canonicalJson(value));
}
