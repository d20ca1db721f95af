// The sign_in_challenge table: single-use nonces, consumed atomically so two replicas
// cannot both accept one.
import { Inject, Injectable } from '@nestjs/common';
import type { Storage } from '@custos/core/database/storage';
import { STORAGE } from '@custos/core/tokens';

export type ConsumeOutcome = 'consumed' | 'unknown' | 'expired' | 'used';

@Injectable()
export class ChallengeRepository {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  async create(nonce: string, participantId: string, expiresAt: Date): Promise<void> {
    await this.storage.prisma.signInChallenge.create({
      data: { nonce, participantId, expiresAt },
    });
  }

  /**
   * Marks the nonce used if it was issued to `participantId`, is unused and has not
   * expired at `now`; otherwise says why not (a nonce of another participant is unknown).
   */
  async consume(nonce: string, participantId: string, now: Date): Promise<ConsumeOutcome> {
    const { count } = await this.storage.prisma.signInChallenge.updateMany({
      where: { nonce, participantId, usedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now },
    });
    if (count === 1) return 'consumed';
    const row = await this.storage.prisma.signInChallenge.findUnique({ where: { nonce } });
    if (!row || row.participantId !== participantId) return 'unknown';
    if (row.usedAt) return 'used';
    return 'expired';
  }

  /** Forgets challenges that expired before `before` (kept until then to answer NONCE_EXPIRED). */
  async deleteExpiredBefore(before: Date): Promise<number> {
    const { count } = await this.storage.prisma.signInChallenge.deleteMany({
      where: { expiresAt: { lt: before } },
    });
    return count;
  }
}
