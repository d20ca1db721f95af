import fc from 'fast-check';
import { ED25519_TORSION_SUBGROUP, ed25519 } from '@noble/curves/ed25519.js';
import { readConformanceJson } from '../../../test/conformance';
import { bytesToHex, hexToBytes, utf8ToBytes } from './bytes';
import { isRegistrablePublicKey, publicKeyOf, sign, verifyStrict } from './ed25519';
import { isScreenedPublicKey, publicKeyOfFast, signFast, verifyFast } from './ed25519-native';
import type { CctvVector } from './ed25519.spec';

interface WycheproofFile {
  testGroups: { publicKey: { pk: string }; tests: { tcId: number; msg: string; sig: string }[] }[];
}
const wycheproof = readConformanceJson<WycheproofFile>(
  'crypto',
  'wycheproof',
  'ed25519_test.json',
).testGroups.flatMap((g) => g.tests.map((t) => ({ ...t, pk: g.publicKey.pk })));
const cctv = readConformanceJson<CctvVector[]>('crypto', 'cctv-ed25519', 'ed25519vectors.json');

const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const P = 2n ** 255n - 19n;

function leBytes(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 255n);
  return out;
}
function fromLe(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = 31; i >= 0; i--) n = (n << 8n) | BigInt(b[i]!);
  return n;
}
function onCurve(pk: Uint8Array): boolean {
  try {
    ed25519.Point.fromBytes(pk, true);
    return true;
  } catch {
    return false;
  }
}

describe(`verifyFast equals verifyStrict on every vector`, () => {
  it(`crypto/wycheproof/ed25519_test.json: ${wycheproof.length} tests`, () => {
    const differ = wycheproof.filter((t) => {
      const args = [hexToBytes(t.sig), hexToBytes(t.msg), hexToBytes(t.pk)] as const;
      return verifyFast(...args) !== verifyStrict(...args);
    });
    expect(differ.map((t) => t.tcId)).toEqual([]);
  });
  it(`crypto/cctv-ed25519/ed25519vectors.json: ${cctv.length} vectors`, () => {
    const differ = cctv.filter((v) => {
      const args = [hexToBytes(v.sig), utf8ToBytes(v.msg), hexToBytes(v.key)] as const;
      return verifyFast(...args) !== verifyStrict(...args);
    });
    expect(differ.map((v) => v.number)).toEqual([]);
  });
});

// Public keys of every kind the fast path must tell apart: real keys, real keys plus a
// torsion component, the small-order points, their non-canonical encodings, random bytes.
const torsion = ED25519_TORSION_SUBGROUP.map((h) => ed25519.Point.fromHex(h));
const seedArb = fc.uint8Array({ minLength: 32, maxLength: 32 });
const key = (seed: Uint8Array | null, pk: Uint8Array) => ({ seed, pk });
const keyArb = fc.oneof(
  seedArb.map((seed) => key(seed, publicKeyOf(seed))),
  fc
    .tuple(seedArb, fc.integer({ min: 0, max: 7 }))
    .map(([seed, t]) =>
      key(seed, ed25519.Point.fromBytes(publicKeyOf(seed)).add(torsion[t]!).toBytes()),
    ),
  fc.constantFrom(...ED25519_TORSION_SUBGROUP).map((h) => key(null, hexToBytes(h))),
  fc.tuple(fc.integer({ min: 0, max: 18 }), fc.boolean()).map(([y, sign]) => {
    const pk = leBytes(P + BigInt(y)); // y + p < 2^255: non-canonical y
    if (sign) pk[31]! |= 0x80;
    return key(null, pk);
  }),
  fc.uint8Array({ minLength: 32, maxLength: 32 }).map((pk) => key(null, pk)),
);

describe('verifyFast properties', () => {
  it('isScreenedPublicKey equals the registration check on every curve point', () => {
    const vectorKeys = [...cctv.map((v) => v.key), ...wycheproof.map((t) => t.pk)].map((h) =>
      hexToBytes(h),
    );
    for (const pk of vectorKeys.filter(onCurve)) {
      expect([bytesToHex(pk), isScreenedPublicKey(pk)]).toEqual([
        bytesToHex(pk),
        isRegistrablePublicKey(pk),
      ]);
    }
    fc.assert(
      fc.property(keyArb, ({ pk }) => {
        fc.pre(onCurve(pk));
        expect(isScreenedPublicKey(pk)).toBe(isRegistrablePublicKey(pk));
      }),
      { numRuns: 500 },
    );
  });

  it('makes the same decision as verifyStrict on random keys, messages and signatures', () => {
    const sigArb = fc.oneof(
      fc.constant({ kind: 'honest' as const }),
      fc.record({ kind: fc.constant('flip' as const), bit: fc.integer({ min: 0, max: 511 }) }),
      fc.constant({ kind: 'S+L' as const }),
      fc.record({
        kind: fc.constant('random' as const),
        bytes: fc.uint8Array({ minLength: 64, maxLength: 64 }),
      }),
    );
    fc.assert(
      fc.property(
        keyArb,
        fc.uint8Array({ maxLength: 64 }),
        sigArb,
        seedArb,
        ({ seed, pk }, msg, how, other) => {
          const signer = seed ?? other;
          let sig = sign(msg, signer);
          if (how.kind === 'flip') sig[how.bit >> 3]! ^= 1 << (how.bit & 7);
          if (how.kind === 'S+L') {
            const s = fromLe(sig.subarray(32)) + L;
            if (s < 2n ** 256n) sig = new Uint8Array([...sig.subarray(0, 32), ...leBytes(s)]);
          }
          if (how.kind === 'random') sig = how.bytes;
          expect(verifyFast(sig, msg, pk)).toBe(verifyStrict(sig, msg, pk));
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('signFast', () => {
  it('gives the RFC 8032 signature and public key of ed25519.ts for any seed and message', () => {
    fc.assert(
      fc.property(seedArb, fc.uint8Array({ maxLength: 300 }), (seed, msg) => {
        expect(bytesToHex(signFast(msg, seed))).toBe(bytesToHex(sign(msg, seed)));
        expect(bytesToHex(publicKeyOfFast(seed))).toBe(bytesToHex(publicKeyOf(seed)));
      }),
      { numRuns: 200 },
    );
  });

  it('names the field it refuses', () => {
    expect(() => signFast(new Uint8Array(1), new Uint8Array(31))).toThrow(/secretKey/);
  });
});
