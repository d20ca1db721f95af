// Block hash of SPEC section 5: lowercase hex SHA-256 of the RFC 8785 form of
// {height, prevHash, firstLeafIndex, eventCount, treeSize, rootHash, sealedAt}, exactly as
// the `block` query returns them (integers as JSON numbers, hashes as lowercase hex,
// `sealedAt` the stored string). Block 0's prevHash is 64 zeros.
import { astring, auint } from './assert';
import { bytesToHex } from './bytes';
import { LedgerArgumentError } from './errors';
import { canonicalJsonBytes } from './jcs';
import { sha256 } from './sha256';

export const GENESIS_PREV_HASH = '0'.repeat(64);

export interface BlockFields {
  readonly height: number;
  readonly prevHash: string;
  readonly firstLeafIndex: number;
  readonly eventCount: number;
  readonly treeSize: number;
  readonly rootHash: string;
  readonly sealedAt: string;
}

function ahash(value: unknown, field: string): string {
  if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value)) {
    throw new LedgerArgumentError(field, 'expected 64 lowercase hex characters');
  }
  return value;
}

/** Hashes only the seven fields above, whatever else `fields` carries (its own `hash`). */
export function blockHash(fields: BlockFields): string {
  const body = {
    height: auint(fields.height, 'height'),
    prevHash: ahash(fields.prevHash, 'prevHash'),
    firstLeafIndex: auint(fields.firstLeafIndex, 'firstLeafIndex'),
    eventCount: auint(fields.eventCount, 'eventCount'),
    treeSize: auint(fields.treeSize, 'treeSize'),
    rootHash: ahash(fields.rootHash, 'rootHash'),
    sealedAt: astring(fields.sealedAt, 'sealedAt'),
  };
  if (body.height === 0 && body.prevHash !== GENESIS_PREV_HASH) {
    throw new LedgerArgumentError('prevHash', 'block 0 must have 64 zeros');
  }
  return bytesToHex(sha256(canonicalJsonBytes(body)));
}
