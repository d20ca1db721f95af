import { publicKeyOf, randomSecretKey } from './ed25519';
import { keyDirectoryOrigin, openKeyDirectory, signKeyDirectoryCheckpoint } from './key-directory';
import { type KeyListing, checkKeyListing } from './key-listing';
import { type KeyRecord, type KeyRequest, keyRecordLeafInput, signKeyRequest } from './key-record';
import { type NoteSigner, verifierKeyOf } from './note';

const origin = keyDirectoryOrigin('custos.test/log');
const sealing: NoteSigner = { name: 'custos.test/log', secretKey: randomSecretKey() };
const verifier = verifierKeyOf(sealing);
const me = '9506000000003';
const other = '9506000000010';
const k1 = randomSecretKey();
const at = new Date(Date.UTC(2026, 11, 2));
const registered = (participantId: string): KeyRecord => ({
  type: 'PARTICIPANT_REGISTERED',
  participantId,
  roles: ['MANUFACTURER'],
  companyPrefixes: [],
  at,
  authorisedBy: { role: 'ADMIN' },
});
const added = (participantId: string, keyId: string, secret = randomSecretKey()): KeyRecord => ({
  type: 'KEY_ADDED',
  participantId,
  keyId,
  publicKey: publicKeyOf(secret),
  validFrom: null,
  at,
  authorisedBy: { role: 'ADMIN' },
});
const revokeK1: KeyRequest = { type: 'KEY_REVOKED', participantId: me, keyId: 'k1' };
const records: KeyRecord[] = [
  registered(me),
  registered(other),
  added(me, 'k1', k1),
  added(other, 'k1'),
  added(me, 'k2'),
  {
    ...revokeK1,
    at,
    authorisedBy: { role: 'PARTICIPANT', keyId: 'k1', signature: signKeyRequest(revokeK1, k1) },
  },
];

function listing(participantId = me): KeyListing {
  const leaves = records.map(keyRecordLeafInput);
  const checkpoint = signKeyDirectoryCheckpoint(leaves, origin, sealing);
  const dir = openKeyDirectory({ leafInputs: leaves, checkpoint, verifier, origin });
  return {
    participantId,
    checkpoint,
    records: dir.recordsOf(participantId).map((e) => ({
      leafIndex: e.leafIndex,
      leafInput: e.leafInput,
      proof: dir.inclusionProof(e.leafIndex),
    })),
  };
}

describe('a participant checks its keys offline', () => {
  it('proves every record in the checkpoint and gives its keys, who added and revoked them', () => {
    const checked = checkKeyListing(listing(), verifier, origin);
    expect(checked.checkpoint.size).toBe(6);
    expect(checked.refused.size).toBe(0);
    expect(
      checked.keys.map((k) => [k.keyId, k.addedBy.role, k.revokedBy?.role ?? null, !!k.revokedAt]),
    ).toEqual([
      ['k1', 'ADMIN', 'PARTICIPANT', true],
      ['k2', 'ADMIN', null, false],
    ]);
  });

  it('refuses a proof that fails, a record about someone else, a forged checkpoint', () => {
    const good = listing();
    const bad = (l: KeyListing) => () => checkKeyListing(l, verifier, origin);
    expect(
      bad({
        ...good,
        records: good.records.map((r, i) => (i === 1 ? { ...r, leafIndex: r.leafIndex + 1 } : r)),
      }),
    ).toThrow();
    const theirs = listing(other);
    expect(bad({ ...theirs, participantId: me })).toThrow(/a record about 9506000000010/);
    const forged = signKeyDirectoryCheckpoint(records.map(keyRecordLeafInput), origin, {
      name: sealing.name,
      secretKey: randomSecretKey(),
    });
    expect(bad({ ...good, checkpoint: forged })).toThrow();
    // A record left out of the listing cannot be noticed from the listing alone, but a
    // record it shows always comes with its proof.
    expect(bad({ ...good, records: good.records.slice(0, 2) })).not.toThrow();
  });
});
