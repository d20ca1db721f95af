// Reads what ingest needs to know about participants (SPEC section 3) from the
// participant table: roles, company prefixes, license. Their keys are a ledger table,
// read through its owner (libs/store's ParticipantKeyRepository). Read-only; registering
// and revoking belong to libs/participants.
import { Inject, Injectable } from '@nestjs/common';
import type { Storage } from '@custos/core/database/storage';
import { STORAGE } from '@custos/core/tokens';
import type { ParticipantRole } from '@custos/core/auth/principal';

/** A participant as ingest judges it, without its keys. */
export interface ActorParticipant {
  readonly id: string;
  readonly roles: readonly ParticipantRole[];
  readonly companyPrefixes: readonly string[];
  readonly licenseValidUntil: Date;
}

@Injectable()
export class ParticipantDirectoryRepository {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  /** The participants among `ids`; unknown ids are simply absent. */
  async findParticipants(ids: readonly string[]): Promise<ActorParticipant[]> {
    if (ids.length === 0) return [];
    return this.storage.prisma.participant.findMany({
      where: { id: { in: [...ids] } },
      select: { id: true, roles: true, companyPrefixes: true, licenseValidUntil: true },
    });
  }
}
