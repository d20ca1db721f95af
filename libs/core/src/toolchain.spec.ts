import { ed25519 } from '@noble/curves/ed25519.js';

describe('toolchain', () => {
  it('loads the ESM-only noble packages under jest', () => {
    const { secretKey, publicKey } = ed25519.keygen();
    const msg = new TextEncoder().encode('custos');
    expect(ed25519.verify(ed25519.sign(msg, secretKey), msg, publicKey, { zip215: false })).toBe(
      true,
    );
    expect(ed25519.verify(ed25519.sign(msg, secretKey), msg.slice(1), publicKey)).toBe(false);
  });
});
