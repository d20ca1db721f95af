import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import type { Config } from '../config/config';
import { CONFIG } from '../tokens';
import { SystemSettingRepository } from './system-setting.repository';

export interface KeptSecret {
  readonly value: string;
  /** True when this call generated it (the first start). */
  readonly created: boolean;
  /** Where it is kept, for the operator: a file path, or `database`. */
  readonly keptIn: string;
}

/**
 * Secrets the system generates once when the environment gives none (SPEC section 5:
 * the sealing key; the admin token; the session signing key), kept with the data: files
 * in the data folder in embedded mode (mode 0600), a row in the database otherwise.
 * The first writer wins, so several processes starting at once agree.
 */
@Injectable()
export class SecretsService {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly settings: SystemSettingRepository,
  ) {}

  /** A new random secret: `bytes` random bytes, base64url. */
  static random(bytes = 32): string {
    return randomBytes(bytes).toString('base64url');
  }

  async getOrCreate(name: string, generate: () => string): Promise<KeptSecret> {
    if (!/^[a-z][a-z0-9-]{0,40}$/.test(name)) throw new Error(`bad secret name ${name}`);
    if (this.config.database.kind === 'pglite') return this.inDataDir(name, generate);
    const candidate = generate();
    const value = await this.settings.putIfAbsent(`secret.${name}`, candidate);
    return { value, created: value === candidate, keptIn: 'database' };
  }

  private inDataDir(name: string, generate: () => string): KeptSecret {
    const dir = join(this.config.dataDir, 'secrets');
    const path = join(dir, name);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    try {
      const value = generate();
      writeFileSync(path, value, { flag: 'wx', mode: 0o600 });
      return { value, created: true, keptIn: path };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      return { value: readFileSync(path, 'utf8').trim(), created: false, keptIn: path };
    }
  }
}
