// Reads what ingest needs to know about participants (SPEC section 3) straight from the
// participant tables: roles, company prefixes, license and keys. Read-only; registering
// and revoking belong to libs/participants.
import { Inject, Injectable } from '@nestjs/common';
import type { Storage } from '@custos/core/database/storage';
import { STORAGE } from '@custos/core/tokens';
import type { ParticipantRole } from '@custos/core/auth/principal';

export interface ActorKey {
  readonly publicKey: Uint8Array;
  readonly validFrom: Date | null;
  readonly revokedAt: Date | null;
}

export interface ActorRecord {
  readonly id: string;
  readonly roles: readonly ParticipantRole[];
  readonly companyPrefixes: readonly string[];
  readonly licenseValidUntil: Date;
  readonly keys: ReadonlyMap<string, ActorKey>;
}

@Injectable()
export class ParticipantDirectoryRepository {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  /** The participants among `ids`, with their keys; unknown ids are simply absent. */
  async findActors(ids: readonly string[]): Promise<Map<string, ActorRecord>> {
    const out = new Map<string, ActorRecord>();
    if (ids.length === 0) return out;
    const rows = await this.storage.prisma.participant.findMany({
      where: { id: { in: [...ids] } },
      select: {
        id: true,
        roles: true,
        companyPrefixes: true,
        licenseValidUntil: true,
        keys: { select: { keyId: true, publicKey: true, validFrom: true, revokedAt: true } },
      },
    });
    for (const row of rows) {
      out.set(row.id, {
        id: row.id,
        roles: row.roles,
        companyPrefixes: row.companyPrefixes,
        licenseValidUntil: row.licenseValidUntil,
        keys: new Map(
          row.keys.map((k) => [
            k.keyId,
            {
              publicKey: new Uint8Array(k.publicKey),
              validFrom: k.validFrom,
              revokedAt: k.revokedAt,
            },
          ]),
        ),
      });
    }
    return out;
  }
}
