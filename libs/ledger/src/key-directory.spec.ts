import { bytesToUtf8, utf8ToBytes } from './bytes';
import { publicKeyOf, randomSecretKey } from './ed25519';
import { openKeyDirectory, keyDirectoryOrigin, signKeyDirectoryCheckpoint } from './key-directory';
import { type KeyRecord, type KeyRequest, keyRecordLeafInput, signKeyRequest } from './key-record';
import { leafHash } from './merkle';
import { verifyInclusion } from './merkle-verify';
import { type NoteSigner, verifierKeyOf } from './note';

const origin = keyDirectoryOrigin('custos.test/log');
const sealing: NoteSigner = { name: 'custos.test/log', secretKey: randomSecretKey() };
const verifier = verifierKeyOf(sealing);
const gln = '9506000000003';
const k1 = randomSecretKey();
const k2 = randomSecretKey();
const t = (s: number) => new Date(Date.UTC(2026, 11, 2, 0, 0, s));

const registered: KeyRecord = {
  type: 'PARTICIPANT_REGISTERED',
  participantId: gln,
  roles: ['MANUFACTURER'],
  companyPrefixes: ['950600'],
  at: t(0),
  authorisedBy: { role: 'ADMIN' },
};
const addK1: KeyRecord = {
  type: 'KEY_ADDED',
  participantId: gln,
  keyId: 'k1',
  publicKey: publicKeyOf(k1),
  validFrom: null,
  at: t(0),
  authorisedBy: { role: 'ADMIN' },
};
const addK2Request: KeyRequest = {
  type: 'KEY_ADDED',
  participantId: gln,
  keyId: 'k2',
  publicKey: publicKeyOf(k2),
  validFrom: null,
};
const selfAddK2: KeyRecord = {
  ...addK2Request,
  at: t(1),
  authorisedBy: { role: 'PARTICIPANT', keyId: 'k1', signature: signKeyRequest(addK2Request, k1) },
};
const revokeK1Request: KeyRequest = { type: 'KEY_REVOKED', participantId: gln, keyId: 'k1' };
const selfRevokeK1: KeyRecord = {
  ...revokeK1Request,
  at: t(2),
  authorisedBy: {
    role: 'PARTICIPANT',
    keyId: 'k2',
    signature: signKeyRequest(revokeK1Request, k2),
  },
};

function open(records: readonly KeyRecord[], edit?: (leaves: Uint8Array[]) => Uint8Array[]) {
  const leaves = records.map(keyRecordLeafInput);
  const checkpoint = records.length
    ? signKeyDirectoryCheckpoint(leaves, origin, sealing)
    : undefined;
  return openKeyDirectory({
    leafInputs: edit ? edit(leaves) : leaves,
    checkpoint,
    verifier,
    origin,
  });
}

const row = (keyId: string, publicKey: Uint8Array, revokedAt: Date | null = null) => ({
  participantId: gln,
  keyId,
  publicKey,
  validFrom: null,
  revokedAt,
});

describe('the key directory', () => {
  it('holds the keys its records add, revoked as its records revoke them', () => {
    const dir = open([registered, addK1, selfAddK2, selfRevokeK1]);
    expect(dir.broken).toBeUndefined();
    expect(dir.refused.size).toBe(0);
    expect(dir.holds(row('k2', publicKeyOf(k2)))).toBe(true);
    expect(dir.holds(row('k1', publicKeyOf(k1), t(2)))).toBe(true);
    expect(dir.isRegistered(gln)).toBe(true);
  });

  it('a planted row, a restored revoked row, an edited row are not on record', () => {
    const dir = open([registered, addK1, selfAddK2, selfRevokeK1]);
    expect(dir.whyNotOnRecord(row('k9', publicKeyOf(randomSecretKey())))).toMatch(
      /no record adds key k9/,
    );
    expect(dir.whyNotOnRecord(row('k1', publicKeyOf(k1)))).toMatch(/records revoke key k1/);
    expect(dir.whyNotOnRecord(row('k2', publicKeyOf(k1)))).toMatch(/another public key/);
    expect(dir.whyNotOnRecord({ ...row('k2', publicKeyOf(k2)), validFrom: t(0) })).toMatch(
      /another validFrom/,
    );
    expect(dir.whyNotOnRecord(row('k2', publicKeyOf(k2), t(5)))).toMatch(/no record revokes/);
  });

  it('holds nothing when a record is deleted, edited or added, or the checkpoint fails', () => {
    const records = [registered, addK1, selfAddK2];
    const k1Row = row('k1', publicKeyOf(k1));
    for (const edit of [
      (l: Uint8Array[]) => l.slice(0, 2),
      (l: Uint8Array[]) => [l[0]!, l[2]!, l[1]!],
      (l: Uint8Array[]) => [...l, keyRecordLeafInput({ ...addK1, keyId: 'k3' })],
      (l: Uint8Array[]) => [
        l[0]!,
        utf8ToBytes(bytesToUtf8(l[1]!).replace('ADMIN', 'UPGRADE')),
        l[2]!,
      ],
    ]) {
      const dir = open(records, edit);
      expect(dir.broken).toBeDefined();
      expect(dir.holds(k1Row)).toBe(false);
      expect(dir.whyNotOnRecord(k1Row)).toMatch(/not whole/);
    }
    const leaves = records.map(keyRecordLeafInput);
    const other: NoteSigner = { name: sealing.name, secretKey: randomSecretKey() };
    const forged = openKeyDirectory({
      leafInputs: leaves,
      checkpoint: signKeyDirectoryCheckpoint(leaves, origin, other),
      verifier,
      origin,
    });
    expect(forged.broken).toMatch(/checkpoint does not verify/);
    const noCheckpoint = openKeyDirectory({
      leafInputs: leaves,
      checkpoint: undefined,
      verifier,
      origin,
    });
    expect(noCheckpoint.broken).toMatch(/no checkpoint/);
    const eventLog = openKeyDirectory({
      leafInputs: leaves,
      checkpoint: signKeyDirectoryCheckpoint(leaves, 'custos.test/log', sealing),
      verifier,
      origin,
    });
    expect(eventLog.broken).toMatch(/origin/);
  });

  it('a participant-signed record by a key not current, or with a bad signature, has no effect', () => {
    const forged: KeyRecord = {
      ...selfAddK2,
      keyId: 'k3',
      authorisedBy: selfAddK2.authorisedBy,
    };
    const byRevoked: KeyRecord = {
      ...addK2Request,
      keyId: 'k4',
      at: t(3),
      authorisedBy: {
        role: 'PARTICIPANT',
        keyId: 'k1',
        signature: signKeyRequest({ ...addK2Request, keyId: 'k4' }, k1),
      },
    };
    const dir = open([registered, addK1, selfAddK2, forged, selfRevokeK1, byRevoked]);
    expect(dir.broken).toBeUndefined();
    expect(dir.refused.get(3)).toMatch(/signature by k1 does not verify/);
    expect(dir.refused.get(5)).toMatch(/not a current key/);
    expect(dir.state(gln, 'k3')).toBeUndefined();
    expect(dir.state(gln, 'k4')).toBeUndefined();
  });

  it('keys of an unregistered participant and reused key ids have no effect', () => {
    const dir = open([addK1, registered, addK1, { ...addK1, publicKey: publicKeyOf(k2) }]);
    expect(dir.refused.get(0)).toMatch(/not registered/);
    expect(dir.refused.get(3)).toMatch(/never reused/);
    expect(dir.holds(row('k1', publicKeyOf(k1)))).toBe(true);
  });

  it('lists a participant records with inclusion proofs to the checkpoint root', () => {
    const other: KeyRecord = { ...registered, participantId: '9506000000010' };
    const dir = open([registered, other, addK1, selfAddK2, selfRevokeK1]);
    const mine = dir.recordsOf(gln);
    expect(mine.map((e) => e.leafIndex)).toEqual([0, 2, 3, 4]);
    for (const e of mine) {
      expect(() =>
        verifyInclusion(
          e.leafIndex,
          dir.size,
          leafHash(e.leafInput),
          dir.inclusionProof(e.leafIndex),
          dir.checkpoint!.rootHash,
        ),
      ).not.toThrow();
    }
  });

  it('an empty directory is whole and holds nothing', () => {
    const dir = open([]);
    expect(dir.broken).toBeUndefined();
    expect(dir.holds(row('k1', publicKeyOf(k1)))).toBe(false);
  });
});
