// The witness's Ed25519 seed: CUSTOS_WITNESS_KEY(_FILE), or, when unset, one generated at
// the first start into `<data folder>/witness-key` (hex, mode 0600) and read from there
// after (SPEC section 9). It is the witness's identity: losing it means a new witness.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesToHex, hexToBytes } from '@custos/ledger/bytes';
import { randomSecretKey } from '@custos/ledger/ed25519';

export const WITNESS_KEY_FILE = 'witness-key';

export function loadWitnessSeed(keyHex: string | undefined, dataDir: string): Uint8Array {
  if (keyHex !== undefined) return hexToBytes(keyHex, 'CUSTOS_WITNESS_KEY', 32);
  const path = join(dataDir, WITNESS_KEY_FILE);
  mkdirSync(dataDir, { recursive: true });
  try {
    writeFileSync(path, `${bytesToHex(randomSecretKey())}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const text = readFileSync(path, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/.test(text))
    throw new Error(
      `${path}: expected 64 hex characters (the witness key); restore it or remove it`,
    );
  return hexToBytes(text, path, 32);
}
