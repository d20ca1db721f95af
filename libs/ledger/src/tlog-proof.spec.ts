import { bytesToBase64 } from './bytes';
import { signCheckpoint } from './checkpoint';
import { FormatError, ProofVerificationError, VerificationError } from './errors';
import { leafHash } from './merkle';
import { MemoryLog } from './merkle-memory-store';
import { verifierKeyOf } from './note';
import { formatTlogProof, parseTlogProof, verifyTlogProof } from './tlog-proof';

const signer = { name: 'custos.local/log', secretKey: new Uint8Array(32).fill(5) };
const leaves = Array.from({ length: 13 }, (_, i) =>
  leafHash(new TextEncoder().encode(`entry ${i}`)),
);
const log = new MemoryLog();
log.append(leaves.slice(0, 6));
log.append(leaves.slice(6));
const note = signCheckpoint({ origin: signer.name, size: log.size, rootHash: log.root() }, [
  signer,
]);
const keys = [verifierKeyOf(signer)];

function proofFor(index: number, extra?: Uint8Array): string {
  return formatTlogProof({
    index,
    proof: log.inclusionProof(index),
    checkpoint: note,
    ...(extra ? { extra } : {}),
  });
}

describe('C2SP tlog-proof@v1', () => {
  it('produces the documented layout', () => {
    const text = proofFor(7, new Uint8Array([1, 2, 3]));
    const path = log.inclusionProof(7).map(bytesToBase64);
    expect(text).toBe(
      ['c2sp.org/tlog-proof@v1', 'extra AQID', 'index 7', ...path, '', note].join('\n'),
    );
  });
  it('every entry: produce, parse back, verify with the log key', () => {
    leaves.forEach((leaf, index) => {
      const text = proofFor(index);
      const parsed = parseTlogProof(text);
      expect(parsed.index).toBe(index);
      expect(parsed.checkpoint).toBe(note);
      const ok = verifyTlogProof(text, leaf, keys, signer.name);
      expect(ok.checkpoint.size).toBe(13);
      expect(ok.verified.map((s) => s.name)).toEqual([signer.name]);
    });
  });
  it('fails for another leaf, another index, an unknown key, a tampered path', () => {
    const text = proofFor(4);
    expect(() => verifyTlogProof(text, leaves[5]!, keys)).toThrow(ProofVerificationError);
    expect(() => verifyTlogProof(text.replace('index 4', 'index 5'), leaves[4]!, keys)).toThrow(
      ProofVerificationError,
    );
    expect(() => verifyTlogProof(text, leaves[4]!, [])).toThrow(VerificationError);
    expect(() => verifyTlogProof(text, leaves[4]!, keys, 'other.example/log')).toThrow(
      VerificationError,
    );
    const first = bytesToBase64(log.inclusionProof(4)[0]!);
    const flipped = text.replace(first, bytesToBase64(new Uint8Array(32)));
    expect(() => verifyTlogProof(flipped, leaves[4]!, keys)).toThrow(ProofVerificationError);
  });
  it('rejects malformed proofs', () => {
    const text = proofFor(3);
    const bad = [
      text.replace('c2sp.org/tlog-proof@v1', 'c2sp.org/tlog-proof@v2'),
      text.replace('index 3', 'index 03'),
      text.replace('index 3', 'index -3'),
      text.replace('index 3\n', 'index 3\nAAAA\n'),
      text.replace('index 3\n', 'extra \nindex 3\n'),
      text.slice(0, text.indexOf('\n\n') + 2),
      text.replace('\n\n', '\n'),
    ];
    for (const b of bad) expect(() => parseTlogProof(b)).toThrow(FormatError);
  });
});
