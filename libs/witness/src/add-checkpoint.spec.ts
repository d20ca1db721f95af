import { signCheckpoint } from '@custos/ledger/checkpoint';
import { leafHash } from '@custos/ledger/merkle';
import { MemoryLog } from '@custos/ledger/merkle-memory-store';
import { verifierKeyOf } from '@custos/ledger/note';
import type { AddCheckpointRequest } from '@custos/ledger/tlog-witness';
import {
  type LogState,
  type WitnessedLog,
  checkConsistency,
  openSubmittedCheckpoint,
} from './add-checkpoint';

const logSigner = { name: 'custos.test/log', secretKey: new Uint8Array(32).fill(9) };
const stranger = { name: 'custos.test/log', secretKey: new Uint8Array(32).fill(8) };
const logs = new Map<string, WitnessedLog>([
  [logSigner.name, { origin: logSigner.name, keys: [verifierKeyOf(logSigner)] }],
]);
const tree = new MemoryLog();
tree.append(Array.from({ length: 20 }, (_, i) => leafHash(new Uint8Array([i]))));
const note = (size: number, signer = logSigner, origin = logSigner.name) =>
  signCheckpoint({ origin, size, rootHash: tree.root(size) }, [signer]);
const state = (size: number): LogState => ({ size, rootHash: tree.root(size) });

function check(request: AddCheckpointRequest, held: LogState | undefined) {
  const opened = openSubmittedCheckpoint(request, logs);
  if ('kind' in opened) return opened;
  return checkConsistency(request, opened.checkpoint, held) ?? 'cosign';
}

describe('add-checkpoint checks (c2sp.org/tlog-witness)', () => {
  it('first checkpoint with old 0, then a consistent extension', () => {
    expect(check({ oldSize: 0, proof: [], checkpoint: note(7) }, undefined)).toBe('cosign');
    const proof = tree.consistencyProof(7, 20);
    expect(check({ oldSize: 7, proof, checkpoint: note(20) }, state(7))).toBe('cosign');
    // The same size again (a fresh timestamp) is fine.
    expect(check({ oldSize: 20, proof: [], checkpoint: note(20) }, state(20))).toBe('cosign');
  });

  it('statuses: 404 unknown log, 403 signature, 400 old too large, 409 stale, 422 proof', () => {
    const other = signCheckpoint({ origin: 'elsewhere/log', size: 1, rootHash: tree.root(1) }, [
      { name: 'elsewhere/log', secretKey: new Uint8Array(32).fill(1) },
    ]);
    expect(check({ oldSize: 0, proof: [], checkpoint: other }, undefined)).toMatchObject({
      status: 404,
    });
    expect(
      check({ oldSize: 0, proof: [], checkpoint: note(5, stranger) }, undefined),
    ).toMatchObject({
      status: 403,
      kind: 'bad-signature',
    });
    const tampered = note(5).replace(
      /\n(\u2014 \S+ )(.)/,
      (_m, p: string, c: string) => `\n${p}${c === 'A' ? 'B' : 'A'}`,
    );
    expect(check({ oldSize: 0, proof: [], checkpoint: tampered }, undefined)).toMatchObject({
      status: 403,
    });
    expect(check({ oldSize: 6, proof: [], checkpoint: note(5) }, undefined)).toMatchObject({
      status: 400,
    });
    expect(check({ oldSize: 0, proof: [], checkpoint: note(9) }, state(5))).toEqual({
      kind: 'stale',
      status: 409,
      size: 5,
      reason: 'the witness holds size 5',
    });
    expect(
      check({ oldSize: 3, proof: tree.consistencyProof(3, 9), checkpoint: note(9) }, undefined),
    ).toMatchObject({
      kind: 'stale',
      size: 0,
    });
    expect(
      check({ oldSize: 0, proof: tree.consistencyProof(3, 9), checkpoint: note(9) }, undefined),
    ).toMatchObject({
      status: 422,
    });
    expect(
      check({ oldSize: 5, proof: tree.consistencyProof(4, 9), checkpoint: note(9) }, state(5)),
    ).toMatchObject({
      status: 422,
      kind: 'bad-proof',
    });
    expect(
      check(
        { oldSize: 'x' as never, proof: [], checkpoint: 'garbage\n\n\u2014 x AAAA\n' },
        undefined,
      ),
    ).toMatchObject({
      status: 400,
    });
  });

  it('same size, another root: 409 without a size (omniwitness), never cosigned', () => {
    const forked = signCheckpoint({ origin: logSigner.name, size: 9, rootHash: tree.root(10) }, [
      logSigner,
    ]);
    expect(check({ oldSize: 9, proof: [], checkpoint: forked }, state(9))).toMatchObject({
      kind: 'root-mismatch',
      status: 409,
    });
  });

  it('a size-0 checkpoint must carry the empty root', () => {
    const bad = signCheckpoint({ origin: logSigner.name, size: 0, rootHash: tree.root(1) }, [
      logSigner,
    ]);
    expect(check({ oldSize: 0, proof: [], checkpoint: bad }, undefined)).toMatchObject({
      status: 422,
    });
  });
});
