import fc from 'fast-check';
import { publicKeyOf, sign } from './ed25519';
import { verifyFast } from './ed25519-native';
import { VerifiedSignatures } from './verified-signatures';

const seed = (n: number) => new Uint8Array(32).fill(n);

describe('VerifiedSignatures', () => {
  it('decides as verifyFast does, however often the same or changed bytes come back', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 200 }),
        fc.integer({ min: 1, max: 250 }),
        fc.nat({ max: 63 }),
        fc.nat({ max: 199 }),
        (message, keySeed, sigByte, msgByte) => {
          const memory = new VerifiedSignatures(16);
          const publicKey = publicKeyOf(seed(keySeed));
          const signature = sign(message, seed(keySeed));
          const badSignature = signature.slice();
          badSignature[sigByte]! ^= 1;
          const badMessage = message.slice();
          if (badMessage.length > 0) badMessage[msgByte % badMessage.length]! ^= 1;
          const otherKey = publicKeyOf(seed(keySeed + 1));
          const cases: [Uint8Array, Uint8Array, Uint8Array][] = [
            [signature, message, publicKey],
            [badSignature, message, publicKey],
            [signature, badMessage, publicKey],
            [signature, message, otherKey],
          ];
          for (let round = 0; round < 3; round++)
            for (const [s, m, k] of cases) expect(memory.verify(s, m, k)).toBe(verifyFast(s, m, k));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('keeps passes only, and at most its limit, the oldest leaving first', () => {
    const memory = new VerifiedSignatures(3);
    const publicKey = publicKeyOf(seed(7));
    const messages = [1, 2, 3, 4].map((n) => new Uint8Array([n]));
    const signatures = messages.map((m) => sign(m, seed(7)));
    expect(memory.verify(signatures[0]!, messages[1]!, publicKey)).toBe(false);
    expect(memory.size).toBe(0);
    for (const [i, m] of messages.entries())
      expect(memory.verify(signatures[i]!, m, publicKey)).toBe(true);
    expect(memory.size).toBe(3);
    expect(memory.verify(signatures[0]!, messages[0]!, publicKey)).toBe(true); // verified again
  });

  it('passes wrong-length keys and signatures to verifyFast, which refuses them', () => {
    const memory = new VerifiedSignatures();
    expect(memory.verify(new Uint8Array(63), new Uint8Array(1), publicKeyOf(seed(1)))).toBe(false);
    expect(
      memory.verify(sign(new Uint8Array(1), seed(1)), new Uint8Array(1), new Uint8Array(31)),
    ).toBe(false);
    expect(memory.size).toBe(0);
  });
});
