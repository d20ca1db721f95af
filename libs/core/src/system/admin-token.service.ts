import { timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Config } from '../config/config';
import { CONFIG } from '../tokens';
import { SecretsService } from './secrets.service';

/**
 * The bootstrap bearer token with the ADMIN role (SPEC section 3): CUSTOS_ADMIN_TOKEN (or
 * the file CUSTOS_ADMIN_TOKEN_FILE names), or, when unset, one generated on the first
 * start and kept with the data (SecretsService says where and when).
 */
@Injectable()
export class AdminTokenService implements OnApplicationBootstrap {
  private readonly logger = new Logger('AdminToken');
  private token: Buffer | undefined;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly secrets: SecretsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // A witness has no admin surface: it neither needs nor makes a token.
    if (this.config.role === 'witness') return;
    if (this.config.adminToken) {
      this.token = Buffer.from(this.config.adminToken);
      return;
    }
    const kept = await this.secrets.getOrCreate('admin-token', () => SecretsService.random(32));
    this.token = Buffer.from(kept.value);
    const where =
      kept.keptIn === 'database'
        ? `in the database (read it with: psql "$DATABASE_URL" -Atc "SELECT value FROM system_setting WHERE key = 'secret.admin-token'")`
        : `in ${kept.keptIn}`;
    if (kept.created) {
      this.logger.warn(
        `CUSTOS_ADMIN_TOKEN is not set: generated an admin token, kept ${where}; production should set it`,
      );
    } else {
      this.logger.log(`using the admin token kept ${where}`);
    }
  }

  /** Constant-time comparison with the admin token. */
  matches(candidate: string): boolean {
    if (!this.token) return false;
    const given = Buffer.from(candidate);
    return given.length === this.token.length && timingSafeEqual(given, this.token);
  }
}
