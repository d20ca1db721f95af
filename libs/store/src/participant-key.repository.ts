// Reads of the participant_key table by the ledger's checkers (the audit, ingest's
// actors, the sealer and verification through the key directory): key rows as stored, which a checker believes only once the
// key directory holds them (docs/adr/0014). The rows are written by libs/participants.
import { Inject, Injectable } from '@nestjs/common';
import type { Storage } from '@custos/core/database/storage';
import { STORAGE } from '@custos/core/tokens';

/** A participant key row as stored. */
export interface StoredKey {
  readonly participantId: string;
  readonly keyId: string;
  readonly publicKey: Uint8Array;
  readonly validFrom: Date | null;
  readonly revokedAt: Date | null;
}

@Injectable()
export class ParticipantKeyRepository {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  /** Public keys of (actor, keyId) pairs, keyed "actor/keyId". */
  async publicKeys(
    pairs: readonly { actor: string; keyId: string }[],
  ): Promise<Map<string, Uint8Array>> {
    if (pairs.length === 0) return new Map();
    const rows = await this.storage.prisma.$queryRawUnsafe<
      { participant_id: string; key_id: string; public_key: Uint8Array }[]
    >(
      `SELECT participant_id, key_id, public_key FROM participant_key
       WHERE (participant_id, key_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      pairs.map((p) => p.actor),
      pairs.map((p) => p.keyId),
    );
    return new Map(rows.map((r) => [`${r.participant_id}/${r.key_id}`, r.public_key]));
  }

  /** Every participant key row, in (participant, key) order. */
  async all(): Promise<StoredKey[]> {
    const rows = await this.storage.prisma.$queryRawUnsafe<KeyRow[]>(
      `SELECT participant_id, key_id, public_key, valid_from, revoked_at
       FROM participant_key ORDER BY participant_id, key_id`,
    );
    return rows.map(toStoredKey);
  }

  /** The key rows of the participants `ids` (ingest's actors), in (participant, key) order. */
  async ofParticipants(ids: readonly string[]): Promise<StoredKey[]> {
    if (ids.length === 0) return [];
    const rows = await this.storage.prisma.$queryRawUnsafe<KeyRow[]>(
      `SELECT participant_id, key_id, public_key, valid_from, revoked_at
       FROM participant_key WHERE participant_id = ANY($1::text[])
       ORDER BY participant_id, key_id`,
      [...ids],
    );
    return rows.map(toStoredKey);
  }
}

interface KeyRow {
  participant_id: string;
  key_id: string;
  public_key: Uint8Array;
  valid_from: Date | null;
  revoked_at: Date | null;
}

const toStoredKey = (r: KeyRow): StoredKey => ({
  participantId: r.participant_id,
  keyId: r.key_id,
  publicKey: r.public_key,
  validFrom: r.valid_from,
  revokedAt: r.revoked_at,
});
