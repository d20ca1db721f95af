import { publicKeyOf, randomSecretKey } from './ed25519';
import {
  type KeyRecord,
  attestKey,
  keyAttestationBytes,
  verifyKeyAttestation,
} from './key-attestation';

describe('key attestations', () => {
  const sealing = randomSecretKey();
  const sealingPublic = publicKeyOf(sealing);
  const key: KeyRecord = {
    participantId: '9506000000003',
    keyId: 'k1',
    publicKey: publicKeyOf(randomSecretKey()),
    validFrom: new Date('2020-01-01T00:00:00Z'),
    revokedAt: null,
  };

  it('signs custos-key:v1: and the RFC 8785 form of the row', () => {
    const text = new TextDecoder().decode(keyAttestationBytes(key));
    expect(text.startsWith('custos-key:v1:{"keyId":"k1","participantId":"9506000000003",')).toBe(
      true,
    );
    expect(text).toMatch(/"revokedAt":null,"validFrom":"2020-01-01T00:00:00.000Z"}$/);
  });

  it('verifies the row it was made for, with the sealing key only', () => {
    const attestation = attestKey(key, sealing);
    expect(verifyKeyAttestation(key, attestation, sealingPublic)).toBe(true);
    expect(verifyKeyAttestation(key, attestation, publicKeyOf(randomSecretKey()))).toBe(false);
    expect(verifyKeyAttestation(key, null, sealingPublic)).toBe(false);
    expect(verifyKeyAttestation(key, attestation.slice(0, 63), sealingPublic)).toBe(false);
  });

  it('fails for any field changed: another key, participant, key id, validity, un-revoked', () => {
    const revoked = { ...key, revokedAt: new Date('2026-01-01T00:00:00Z') };
    const attestation = attestKey(revoked, sealing);
    for (const changed of [
      { ...revoked, publicKey: publicKeyOf(randomSecretKey()) },
      { ...revoked, participantId: '9506000000010' },
      { ...revoked, keyId: 'k2' },
      { ...revoked, validFrom: null },
      { ...revoked, revokedAt: null },
    ])
      expect(verifyKeyAttestation(changed, attestation, sealingPublic)).toBe(false);
    expect(verifyKeyAttestation(revoked, attestation, sealingPublic)).toBe(true);
  });
});
