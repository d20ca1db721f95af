// Key files on disk (Node only): a Custos key file (JSON) or a PKCS#8 PEM, chosen by
// content when reading. Written with mode 0600 in a folder that is created 0700: the seed
// is the participant's identity and never leaves its owner.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CustosArgumentError } from './errors';
import { type CustosKey, parseKeyFile, parsePkcs8, toKeyFile, toPkcs8Pem } from './keys';

export interface LoadKeyOptions {
  /** For a PEM file, which carries no key id (default `k1`). */
  readonly keyId?: string;
  /** For a PEM file, or to override the participant a key file names. */
  readonly participantId?: string;
}

/** Reads a Custos key file or a PKCS#8 PEM file. */
export function loadKey(path: string, options: LoadKeyOptions = {}): CustosKey {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CustosArgumentError(path, `cannot read the key file (${(err as Error).message})`);
  }
  if (text.includes('-----BEGIN')) {
    return parsePkcs8(text, options.keyId ?? 'k1', options.participantId);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CustosArgumentError(path, 'is neither JSON (a Custos key file) nor a PEM key');
  }
  const key = parseKeyFile(json, path);
  return options.participantId ? { ...key, participantId: options.participantId } : key;
}

/** Writes the key (`json`: a Custos key file, `pem`: PKCS#8), mode 0600. */
export function saveKey(path: string, key: CustosKey, format: 'json' | 'pem' = 'json'): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const text = format === 'pem' ? toPkcs8Pem(key) : `${JSON.stringify(toKeyFile(key), null, 2)}\n`;
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600); // an existing file keeps its mode on write
}
