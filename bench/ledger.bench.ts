// libs/ledger throughput: leaf hashing, appends onto a large tree, proof generation from
// stored subtrees and verification, Ed25519 verification (pure rule vs the native-backed
// fast path). Every figure carries the same-run native SHA-256 rate as its reference.
import { verifyFast, verifyOpenSsl } from '@custos/ledger/ed25519-native';
import { publicKeyOf, sign, verifyStrict } from '@custos/ledger/ed25519';
import { eventSigningBytes } from '@custos/ledger/events';
import { leafHash } from '@custos/ledger/merkle';
import { MemoryLog } from '@custos/ledger/merkle-memory-store';
import { verifyConsistency, verifyInclusion } from '@custos/ledger/merkle-verify';
import { type Bench, opsPerSecond, rawSha256Rate } from './harness';

const event = {
  eventId: '3f0c8f1e-6a51-4f6e-9a3c-2b7d1f0e9a10',
  type: 'SHIP',
  actor: '9506000000002',
  eventTime: '2026-01-05T10:00:00Z',
  items: [
    'https://id.gs1.org/01/09506000134352/21/ABC123',
    'https://id.gs1.org/00/095060000000000018',
  ],
  to: '9506000000019',
};

/** Deterministic pseudo-random indexes (xorshift), so runs are comparable. */
function indexes(count: number, below: number): number[] {
  let x = 0x9e3779b9;
  return Array.from({ length: count }, () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % below;
  });
}

export const bench: Bench = {
  name: 'ledger',
  run(ctx) {
    const ms = ctx.smoke ? 60 : 1000;
    const sha = rawSha256Rate(ctx.smoke ? 100 : 1000);
    const vsSha = (rate: number) =>
      `${(rate / sha).toFixed(3)} x raw SHA-256 at ${Math.round(sha).toLocaleString('en')}/s`;
    const report = (name: string, rate: number, unit: string) =>
      ctx.report(name, rate, unit, vsSha(rate));
    ctx.report('raw SHA-256 (64 B, node:crypto), reference', sha, 'hash/s');

    // Leaf hashing of a typical leaf input (an event's canonical JSON plus key and signature).
    const input = new Uint8Array(eventSigningBytes(event).length + 120).fill(0x61);
    report(
      `leaf hash (${input.length} B leaf input)`,
      opsPerSecond(() => leafHash(input), ms, 100),
      'leaf/s',
    );
    report(
      'event signing bytes (RFC 8785)',
      opsPerSecond(() => eventSigningBytes(event), ms, 100),
      'event/s',
    );

    // A tree of 1M leaves (smoke: 20k), then batches of 1,000 appended onto it.
    const base = ctx.smoke ? 20_000 : 1_000_000;
    const log = new MemoryLog();
    const leaves = Array.from({ length: 1000 }, (_, i) =>
      leafHash(new Uint8Array([i & 255, i >> 8, 1])),
    );
    const buildStart = process.hrtime.bigint();
    while (log.size < base) log.append(leaves);
    const buildSeconds = Number(process.hrtime.bigint() - buildStart) / 1e9;
    report(
      `append: build ${base.toLocaleString('en')}-leaf tree in 1,000-leaf batches`,
      base / buildSeconds,
      'leaf/s',
    );
    const batches = opsPerSecond(() => log.append(leaves), ms);
    report(
      `append: 1,000-leaf batch onto a ${(base / 1e6).toFixed(2)}M-leaf tree`,
      batches * 1000,
      'leaf/s',
    );
    ctx.report('  same, batches (blocks) per second', batches, 'batch/s');

    // Proofs from the in-memory subtree store at the current size, random indexes.
    const size = log.size;
    const root = log.root();
    const picks = indexes(1024, size - 1);
    let i = 0;
    const next = () => picks[i++ % picks.length]!;
    report(
      'inclusion proof generated (plan + fetch + assemble)',
      opsPerSecond(() => log.inclusionProof(next(), size), ms, 10),
      'proof/s',
    );
    const inclusion = picks.map((m) => ({
      m,
      proof: log.inclusionProof(m, size),
      leaf: log.store.get(0, m)!,
    }));
    report(
      'inclusion proof verified (RFC 9162 2.1.3.2)',
      opsPerSecond(
        () => {
          const p = inclusion[i++ % inclusion.length]!;
          verifyInclusion(p.m, size, p.leaf, p.proof, root);
        },
        ms,
        10,
      ),
      'proof/s',
    );
    report(
      'consistency proof generated',
      opsPerSecond(() => log.consistencyProof(1 + next(), size), ms, 10),
      'proof/s',
    );
    const consistency = picks
      .slice(0, 256)
      .map((m) => ({ m: m + 1, proof: log.consistencyProof(m + 1, size), root1: log.root(m + 1) }));
    report(
      'consistency proof verified (RFC 9162 2.1.4.2)',
      opsPerSecond(
        () => {
          const p = consistency[i++ % consistency.length]!;
          verifyConsistency(p.m, size, p.proof, p.root1, root);
        },
        ms,
        10,
      ),
      'proof/s',
    );
    report(
      'root at an arbitrary size from stored subtrees',
      opsPerSecond(() => log.root(1 + next()), ms, 10),
      'root/s',
    );

    // Ed25519: 16 registered keys, valid signatures over signing bytes.
    const signed = Array.from({ length: 16 }, (_, k) => {
      const seed = new Uint8Array(32).fill(k + 1);
      const msg = eventSigningBytes({ ...event, eventId: `e-${k}` });
      return { msg, pk: publicKeyOf(seed), sig: sign(msg, seed) };
    });
    const bad = signed.map((s) => ({ ...s, sig: s.sig.map((b, j) => (j === 40 ? b ^ 1 : b)) }));
    let k = 0;
    const verifyRate = (verify: typeof verifyStrict, set: typeof signed) =>
      opsPerSecond(
        () => {
          const s = set[k++ % set.length]!;
          if (verify(s.sig, s.msg, s.pk) !== (set === signed))
            throw new Error('unexpected verification result');
        },
        ms,
        4,
      );
    const noble = verifyRate(verifyStrict, signed);
    const fast = verifyRate(verifyFast, signed);
    report('Ed25519 verify, noble strict (the rule)', noble, 'verify/s');
    report('Ed25519 verify, native-combined (verifyFast)', fast, 'verify/s');
    ctx.report('  native-combined speed-up on valid signatures', fast / noble, 'x');
    report(
      'Ed25519 verify, OpenSSL alone (not the rule)',
      verifyRate(verifyOpenSsl, signed),
      'verify/s',
    );
    report(
      'Ed25519 reject, native-combined (re-checked by noble)',
      verifyRate(verifyFast, bad),
      'verify/s',
    );
  },
};
