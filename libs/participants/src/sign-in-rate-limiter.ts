// Sign-in attempts per participant and per client address, in fixed windows counted in
// the database (rate-limit.repository.ts): every API replica shares the count, and the
// embedded mode needs no Redis. Each attempt counts, refused ones included, so a client
// that keeps hammering stays refused until the window ends.
import { Inject, Injectable } from '@nestjs/common';
import type { Config } from '@custos/core/config/config';
import { DomainError } from '@custos/core/errors/domain-error';
import { CONFIG } from '@custos/core/tokens';
import { RateLimitRepository } from './rate-limit.repository';

@Injectable()
export class SignInRateLimiter {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly counters: RateLimitRepository,
  ) {}

  /** Counts one attempt; RATE_LIMITED when the participant or the address is over its limit. */
  async attempt(participantId: string, clientAddress: string, now = new Date()): Promise<void> {
    const { rateWindowSeconds, ratePerParticipant, ratePerAddress } = this.config.signIn;
    const windowMs = rateWindowSeconds * 1000;
    const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
    const participantBucket = `participant:${participantId}`;
    const addressBucket = `address:${clientAddress}`;
    const counts = await this.counters.hit([addressBucket, participantBucket], windowStart);
    const retryAfter = Math.ceil((windowStart.getTime() + windowMs - now.getTime()) / 1000);
    if ((counts.get(addressBucket) ?? 0) > ratePerAddress) {
      throw new DomainError(
        'RATE_LIMITED',
        `too many sign-in attempts from this address: try again in ${retryAfter} s`,
      );
    }
    if ((counts.get(participantBucket) ?? 0) > ratePerParticipant) {
      throw new DomainError(
        'RATE_LIMITED',
        `too many sign-in attempts for participant ${participantId}: try again in ${retryAfter} s`,
      );
    }
    // The first attempt of a window clears windows that can no longer matter.
    if (counts.get(addressBucket) === 1) {
      await this.counters.deleteWindowsBefore(new Date(windowStart.getTime() - windowMs));
    }
  }
}
