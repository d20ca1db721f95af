// The key directory as every check reads it (docs/adr/0014): opened against the sealing
// key and the directory origin, and kept while the database's fingerprint of the records
// and the latest checkpoint is unchanged — one small query per check, the full read and
// re-check only after a change. A key row is believed only when the directory holds it.
import { Inject, Injectable } from '@nestjs/common';
import type { Config } from '@custos/core/config/config';
import { CONFIG } from '@custos/core/tokens';
import { verifyFast } from '@custos/ledger/ed25519-native';
import {
  type KeyDirectory,
  type KeyRow,
  keyDirectoryOrigin,
  openKeyDirectory,
  signKeyDirectoryCheckpoint,
} from '@custos/ledger/key-directory';
import type { KeyListing } from '@custos/ledger/key-listing';
import { verifierKeyOf } from '@custos/ledger/note';
import { DomainError } from '@custos/core/errors/domain-error';
import { SealingKeyService } from '@custos/sealing/sealing-key.service';
import { KeyDirectoryRepository, type SignDirectory } from './key-directory.repository';
import { parseParticipantId } from './participant-input';

@Injectable()
export class KeyDirectoryService {
  private cached: { fingerprint: string; directory: KeyDirectory } | undefined;

  constructor(
    private readonly repository: KeyDirectoryRepository,
    private readonly sealingKey: SealingKeyService,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  get origin(): string {
    return keyDirectoryOrigin(this.config.logOrigin);
  }

  /** What signs the directory's checkpoints: the sealing key, with the directory origin. */
  async signer(): Promise<SignDirectory> {
    const signer = await this.sealingKey.signer();
    const origin = this.origin;
    return (leafInputs) => signKeyDirectoryCheckpoint(leafInputs, origin, signer);
  }

  /** The directory as stored now, opened and checked. */
  async current(): Promise<KeyDirectory> {
    const fingerprint = await this.repository.fingerprint();
    if (this.cached?.fingerprint === fingerprint) return this.cached.directory;
    const stored = await this.repository.read();
    const directory = openKeyDirectory({
      leafInputs: stored.leafInputs,
      checkpoint: stored.checkpoint,
      verifier: verifierKeyOf(await this.sealingKey.signer()),
      origin: this.origin,
      verify: verifyFast,
    });
    this.cached = { fingerprint, directory };
    return directory;
  }

  /** Why this key row is not on record (undefined: it is). */
  async whyNotOnRecord(row: KeyRow): Promise<string | undefined> {
    return (await this.current()).whyNotOnRecord(row);
  }

  /**
   * Every record about a participant with its inclusion proof in the directory's latest
   * checkpoint (docs/adr/0014): what it checks offline (key-listing.ts).
   */
  async listing(id: string, field = 'participantId'): Promise<KeyListing> {
    const participantId = parseParticipantId(id, field);
    const directory = await this.current();
    if (directory.broken !== undefined)
      throw new DomainError(
        'INTEGRITY_FAILURE',
        `the key directory does not match its checkpoint (${directory.broken}): nothing it says can be proven`,
      );
    const entries = directory.recordsOf(participantId);
    if (entries.length === 0 || directory.note === undefined)
      throw new DomainError(
        'UNKNOWN_PARTICIPANT',
        `${field}: the key directory holds no record of ${participantId}`,
        field,
      );
    return {
      participantId,
      checkpoint: directory.note,
      records: entries.map((e) => ({
        leafIndex: e.leafIndex,
        leafInput: e.leafInput,
        proof: directory.inclusionProof(e.leafIndex),
      })),
    };
  }
}
