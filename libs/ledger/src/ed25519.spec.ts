import { readFileSync } from 'node:fs';
import { conformancePath, readConformanceJson } from '../../../test/conformance';
import { bytesToHex, hexToBytes, utf8ToBytes } from './bytes';
import {
  isRegistrablePublicKey,
  publicKeyOf,
  publicKeyProblem,
  sign,
  verifyStrict,
} from './ed25519';
import { verifyFast, verifyOpenSsl } from './ed25519-native';

interface WycheproofTest {
  tcId: number;
  comment: string;
  msg: string;
  sig: string;
  result: 'valid' | 'invalid' | 'acceptable';
  flags: string[];
}
interface WycheproofFile {
  testGroups: { publicKey: { pk: string }; tests: WycheproofTest[] }[];
}
export interface CctvVector {
  number: number;
  key: string;
  sig: string;
  msg: string;
  flags: string[] | null;
}

const wycheproof = readConformanceJson<WycheproofFile>(
  'crypto',
  'wycheproof',
  'ed25519_test.json',
).testGroups.flatMap((g) => g.tests.map((t) => ({ ...t, pk: g.publicKey.pk })));
const cctv = readConformanceJson<CctvVector[]>('crypto', 'cctv-ed25519', 'ed25519vectors.json');
const signInput = readFileSync(
  conformancePath('crypto', 'ed25519-sign-input', 'sign.input.first128.txt'),
  'utf8',
)
  .split('\n')
  .filter((l) => l.length > 0)
  .map((line) => {
    const [sk, pk, msg, sigMsg] = line.split(':');
    return { seed: sk!.slice(0, 64), pk: pk!, msg: msg!, sig: sigMsg!.slice(0, 128) };
  });

describe(`crypto/wycheproof/ed25519_test.json: ${wycheproof.length} tests`, () => {
  it('has no "acceptable" verdicts to interpret', () => {
    expect(wycheproof.filter((t) => t.result === 'acceptable')).toEqual([]);
  });
  it.each(wycheproof)('tcId $tcId ($result) $comment', (t) => {
    const ok = verifyStrict(
      hexToBytes(t.sig, 'sig'),
      hexToBytes(t.msg, 'msg'),
      hexToBytes(t.pk, 'pk'),
    );
    expect(ok).toBe(t.result === 'valid');
  });
});

// CCTV gives edge cases with no single right answer; the ledger pins RFC 8032 strict
// decoding with the cofactored equation and refuses small-order keys (SPEC sections 3, 4).
// This test fails if that policy drifts in either direction.
const STRICT_REJECTS = ['non_canonical_A', 'non_canonical_R', 'low_order_A'];
// OpenSSL's documented behaviour (conformance README): rejects exactly these.
const OPENSSL_REJECTS = ['non_canonical_R', 'low_order_residue'];

describe(`crypto/cctv-ed25519/ed25519vectors.json: ${cctv.length} vectors`, () => {
  const args = (v: CctvVector) =>
    [hexToBytes(v.sig), utf8ToBytes(v.msg), hexToBytes(v.key)] as const;
  it.each(cctv)('#$number $flags: strict policy', (v) => {
    const expected = !(v.flags ?? []).some((f) => STRICT_REJECTS.includes(f));
    expect(verifyStrict(...args(v))).toBe(expected);
  });
  it('OpenSSL alone follows its own policy, which is why it is never trusted alone', () => {
    const disagreements = cctv.filter(
      (v) =>
        verifyOpenSsl(...args(v)) !== !(v.flags ?? []).some((f) => OPENSSL_REJECTS.includes(f)),
    );
    expect(disagreements.map((v) => v.number)).toEqual([]);
  });
});

describe(`crypto/ed25519-sign-input/sign.input.first128.txt: ${signInput.length} lines`, () => {
  it.each(signInput.map((v, i) => ({ ...v, line: i + 1 })))(
    'line $line signs and verifies',
    (v) => {
      const seed = hexToBytes(v.seed);
      const msg = hexToBytes(v.msg);
      expect(bytesToHex(publicKeyOf(seed))).toBe(v.pk);
      const sig = sign(msg, seed);
      expect(bytesToHex(sig)).toBe(v.sig);
      expect(verifyStrict(sig, msg, hexToBytes(v.pk))).toBe(true);
      expect(verifyFast(sig, msg, hexToBytes(v.pk))).toBe(true);
    },
  );
});

describe('public key registration (SPEC section 3)', () => {
  it('accepts real keys and names the problem of the others', () => {
    expect(isRegistrablePublicKey(hexToBytes(signInput[0]!.pk))).toBe(true);
    expect(publicKeyProblem(new Uint8Array(31))).toBe('LENGTH');
    // identity point (0, 1): canonical, small order
    expect(publicKeyProblem(hexToBytes(`01${'00'.repeat(31)}`))).toBe('SMALL_ORDER');
    // y = p: non-canonical encoding of (0, 0)... not a reduced coordinate
    expect(publicKeyProblem(hexToBytes(`ed${'ff'.repeat(30)}7f`))).toBe('NOT_CANONICAL_POINT');
    // x = 0 with the sign bit set
    expect(publicKeyProblem(hexToBytes(`01${'00'.repeat(30)}80`))).toBe('NOT_CANONICAL_POINT');
  });
  it('refuses every CCTV key flagged low_order_A or non_canonical_A', () => {
    for (const v of cctv) {
      const flags = v.flags ?? [];
      const bad = flags.includes('low_order_A') || flags.includes('non_canonical_A');
      expect([v.number, isRegistrablePublicKey(hexToBytes(v.key))]).toEqual([v.number, !bad]);
    }
  });
});
