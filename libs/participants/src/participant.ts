// Participants as the rest of Custos sees them (SPEC section 3): plain values, no Prisma
// types, and the two time rules every consumer applies — a license lapses after
// `validUntil`; a key signs from `validFrom` and never again from its `revokedAt`.
import type { ParticipantRole } from '@custos/core/auth/principal';

export interface License {
  readonly number: string;
  readonly authority: string;
  /** The license has lapsed at any instant after this one. */
  readonly validUntil: Date;
}

export interface ParticipantKey {
  readonly keyId: string;
  /** The 32-byte Ed25519 public key, checked when registered. */
  readonly publicKey: Uint8Array;
  readonly validFrom: Date | undefined;
  readonly revokedAt: Date | undefined;
}

export interface Participant {
  /** Its GLN. */
  readonly id: string;
  readonly name: string;
  readonly roles: readonly ParticipantRole[];
  /** GS1 Company Prefixes whose GTINs it may commission (manufacturers). */
  readonly companyPrefixes: readonly string[];
  readonly license: License;
  /** Every key ever registered, revoked ones included (old events name them). */
  readonly keys: readonly ParticipantKey[];
}

/** What registration stores, already validated. */
export interface NewParticipant {
  readonly id: string;
  readonly name: string;
  readonly roles: readonly ParticipantRole[];
  readonly companyPrefixes: readonly string[];
  readonly license: License;
  readonly keys: readonly NewParticipantKey[];
}

export interface NewParticipantKey {
  readonly keyId: string;
  readonly publicKey: Uint8Array;
  readonly validFrom: Date | undefined;
}

/** A party whose license has lapsed is not an authorized trading partner (SPEC section 3). */
export function licenseValidAt(participant: Participant, at: Date): boolean {
  return at.getTime() <= participant.license.validUntil.getTime();
}

/** True when `key` was revoked at or before `at`: it is refused for everything from then on. */
export function isRevokedAt(key: ParticipantKey, at: Date): boolean {
  return key.revokedAt !== undefined && key.revokedAt.getTime() <= at.getTime();
}

/** A key signs events whose `eventTime` is at or after its `validFrom` (any time when absent). */
export function keyCoversEventTime(key: ParticipantKey, eventTime: Date): boolean {
  return key.validFrom === undefined || eventTime.getTime() >= key.validFrom.getTime();
}

export function findKey(participant: Participant, keyId: string): ParticipantKey | undefined {
  return participant.keys.find((key) => key.keyId === keyId);
}
