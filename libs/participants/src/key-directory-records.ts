// The key directory records (docs/adr/0014) that registration, key addition, revocation
// and the upgrade import append: built here, from the values the service stores, so the
// record and the row say the same thing. Pure.
import type { Principal } from '@custos/core/auth/principal';
import type { Authorisation, KeyRecord } from '@custos/ledger/key-record';
import type { NewParticipant, NewParticipantKey, Participant, ParticipantKey } from './participant';

/** Who authorised a change made with a caller's credentials (a signed request aside). */
export function authorisationOf(principal: Principal): Authorisation {
  return principal.kind === 'admin'
    ? { role: 'ADMIN' }
    : { role: 'REGULATOR', participantId: principal.id };
}

export function keyAddedRecord(
  participantId: string,
  key: NewParticipantKey,
  authorisedBy: Authorisation,
  at: Date,
): KeyRecord {
  return {
    type: 'KEY_ADDED',
    participantId,
    keyId: key.keyId,
    publicKey: key.publicKey,
    validFrom: key.validFrom ?? null,
    at,
    authorisedBy,
  };
}

export function keyRevokedRecord(
  participantId: string,
  keyId: string,
  authorisedBy: Authorisation,
  at: Date,
): KeyRecord {
  return { type: 'KEY_REVOKED', participantId, keyId, at, authorisedBy };
}

/** The registration and one KEY_ADDED per initial key. */
export function registrationRecords(
  participant: NewParticipant,
  authorisedBy: Authorisation,
  at: Date,
): KeyRecord[] {
  return [
    {
      type: 'PARTICIPANT_REGISTERED',
      participantId: participant.id,
      roles: [...participant.roles],
      companyPrefixes: [...participant.companyPrefixes],
      at,
      authorisedBy,
    },
    ...participant.keys.map((k) => keyAddedRecord(participant.id, k, authorisedBy, at)),
  ];
}

export interface ImportedKey extends ParticipantKey {
  readonly createdAt: Date;
}

/**
 * The upgrade: a participant as it stood and the key rows the caller trusts (a revoked
 * row as KEY_ADDED then KEY_REVOKED), authorised by UPGRADE.
 */
export function importRecords(
  participant: Omit<Participant, 'keys'> & { readonly createdAt: Date },
  keys: readonly ImportedKey[],
): KeyRecord[] {
  const by: Authorisation = { role: 'UPGRADE' };
  const records: KeyRecord[] = [
    {
      type: 'PARTICIPANT_REGISTERED',
      participantId: participant.id,
      roles: [...participant.roles],
      companyPrefixes: [...participant.companyPrefixes],
      at: participant.createdAt,
      authorisedBy: by,
    },
  ];
  for (const key of keys) {
    records.push(keyAddedRecord(participant.id, key, by, key.createdAt));
    if (key.revokedAt) records.push(keyRevokedRecord(participant.id, key.keyId, by, key.revokedAt));
  }
  return records;
}
