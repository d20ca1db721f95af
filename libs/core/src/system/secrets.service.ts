import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Config } from '../config/config';
import { CONFIG } from '../tokens';
import { SECRET_KEY_PREFIX, SystemSettingRepository } from './system-setting.repository';
import { moveSecretsToFilesHint } from './legacy-secrets';

export interface KeptSecret {
  readonly value: string;
  /** True when this call generated it (the first start). */
  readonly created: boolean;
  /** Where it is kept, for the operator: a file path, or `database`. */
  readonly keptIn: string;
}

/**
 * Secrets the system generates once when the environment gives none (SPEC section 5:
 * the sealing key; the admin token; the session signing key). Embedded mode keeps them
 * in the data folder: `secrets/` (mode 0700), one file each (mode 0600). With
 * DATABASE_URL they come from the environment or files (the configuration refuses to
 * start otherwise), and only CUSTOS_GENERATE_SECRETS=database, for development, keeps
 * generated ones in `system_setting`, where any database dump holds them. The first
 * writer wins, so several processes starting at once agree.
 */
@Injectable()
export class SecretsService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Secrets');

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly settings: SystemSettingRepository,
  ) {}

  /** A new random secret: `bytes` random bytes, base64url. */
  static random(bytes = 32): string {
    return randomBytes(bytes).toString('base64url');
  }

  /** Secrets a database still holds although this process no longer reads them there. */
  async onApplicationBootstrap(): Promise<void> {
    if (this.config.database.kind !== 'postgresql' || this.config.generateSecrets) return;
    const left = await this.settings.keysWithPrefix(SECRET_KEY_PREFIX);
    if (left.length > 0) {
      this.logger.warn(
        `the database still holds generated secrets (${left.join(', ')}), which this process does not use; a dump of it holds them. ${moveSecretsToFilesHint(left)}`,
      );
    }
  }

  async getOrCreate(name: string, generate: () => string): Promise<KeptSecret> {
    if (!/^[a-z][a-z0-9-]{0,40}$/.test(name)) throw new Error(`bad secret name ${name}`);
    if (this.config.database.kind === 'pglite') return this.inDataDir(name, generate);
    if (this.config.generateSecrets !== 'database') {
      // loadConfig refuses this configuration; reaching here is a programming error.
      throw new Error(`secret ${name} is not configured, and services mode does not generate it`);
    }
    const candidate = generate();
    const value = await this.settings.putIfAbsent(`${SECRET_KEY_PREFIX}${name}`, candidate);
    const created = value === candidate;
    if (created) {
      this.logger.warn(
        `generated ${name} into the database (system_setting ${SECRET_KEY_PREFIX}${name}) because CUSTOS_GENERATE_SECRETS=database: for development only, a database dump holds it`,
      );
    }
    return { value, created, keptIn: 'database' };
  }

  private inDataDir(name: string, generate: () => string): KeptSecret {
    const dir = join(this.config.dataDir, 'secrets');
    const path = join(dir, name);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    tighten(dir, 0o700); // also when an earlier version or the operator made it wider
    try {
      const value = generate();
      writeFileSync(path, value, { flag: 'wx', mode: 0o600 });
      return { value, created: true, keptIn: path };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      tighten(path, 0o600);
      return { value: readFileSync(path, 'utf8').trim(), created: false, keptIn: path };
    }
  }
}

function tighten(path: string, mode: number): void {
  if ((statSync(path).mode & 0o777) !== mode) chmodSync(path, mode);
}
