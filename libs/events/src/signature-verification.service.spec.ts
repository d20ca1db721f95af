// The worker-thread path must decide exactly as the ledger's strict rule: good signatures,
// bad ones, a signature of another message, and keys the fast path may not trust.
import { ED25519_TORSION_SUBGROUP } from '@noble/curves/ed25519.js';
import { hexToBytes } from '@custos/ledger/bytes';
import { publicKeyOf, randomSecretKey, sign, verifyStrict } from '@custos/ledger/ed25519';
import { SignatureVerificationService, type VerifyRequest } from './signature-verification.service';

describe('SignatureVerificationService', () => {
  const service = new SignatureVerificationService();
  afterAll(() => service.onModuleDestroy());

  function requests(count: number): VerifyRequest[] {
    const keys = Array.from({ length: 3 }, () => randomSecretKey());
    const smallOrder = hexToBytes(ED25519_TORSION_SUBGROUP[1]!, 'key', 32);
    return Array.from({ length: count }, (_, i) => {
      const secret = keys[i % keys.length]!;
      const message = new TextEncoder().encode(`custos-event:v1:{"n":${i}}`);
      const signature = sign(message, secret);
      switch (i % 7) {
        case 3: // a flipped bit
          signature[5]! ^= 1;
          return { message, signature, publicKey: publicKeyOf(secret) };
        case 5: // another key's signature
          return { message, signature, publicKey: publicKeyOf(keys[(i + 1) % keys.length]!) };
        case 6: // a small-order key the fast path must not trust
          return { message, signature, publicKey: smallOrder };
        default:
          return { message, signature, publicKey: publicKeyOf(secret) };
      }
    });
  }

  it.each([
    ['on this thread', 40, 256],
    ['on the worker threads', 700, 256],
    ['on the worker threads, tiny threshold', 9, 1],
  ])('decides as verifyStrict %s (%i signatures)', async (_, count, threshold) => {
    const list = requests(count);
    const expected = list.map((r) => verifyStrict(r.signature, r.message, r.publicKey));
    expect(expected.filter(Boolean).length).toBeGreaterThan(0);
    expect(expected.filter((ok) => !ok).length).toBeGreaterThan(0);
    expect(await service.verifyAll(list, { threshold })).toEqual(expected);
  });

  it('keeps working after many batches and in parallel', async () => {
    const batches = Array.from({ length: 6 }, () => requests(300));
    const results = await Promise.all(batches.map((b) => service.verifyAll(b)));
    results.forEach((result, i) => {
      expect(result).toEqual(
        batches[i]!.map((r) => verifyStrict(r.signature, r.message, r.publicKey)),
      );
    });
  });
});
