// The key directory as every check reads it (docs/adr/0014): opened against the sealing
// key and the directory origin, and kept in memory. Issue 17: a check used to compute the
// database's fingerprint of every record (a SHA-256 over the whole key_record table, once
// per scan, submission and seal). Now a check reads only the latest checkpoint note: every
// append writes one in its own transaction, so an unchanged note means no append since,
// in any process, with no window for a race. What the application never writes (a record
// deleted or changed behind its back) changes the fingerprint, which is computed again at
// most RECHECK_MS after the last time, and on every check while the directory is broken.
// A key row is believed only when the directory holds it.
import { Inject, Injectable } from '@nestjs/common';
import type { Config } from '@custos/core/config/config';
import { FreshRead } from '@custos/core/memory/fresh-read';
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
import {
  KeyDirectoryRepository,
  type SignDirectory,
  type Within,
} from './key-directory.repository';
import { parseParticipantId } from './participant-input';

/** How long a fingerprint is believed before it is computed again, at most. */
export const RECHECK_MS = 1_000;

interface Kept {
  readonly fingerprint: string;
  readonly directory: KeyDirectory;
  /** performance.now() after which the fingerprint is computed again. */
  readonly recheckAt: number;
  /** The `since` of the load that read it: an older load finishing later does not replace it. */
  readonly since: number;
}

@Injectable()
export class KeyDirectoryService {
  private cached: Kept | undefined;
  /** The latest note, one read shared by the checks that asked while another was under way. */
  private readonly latestNote = new FreshRead(() => this.repository.latestNote());
  /** How many checks have begun: a load shares its answer only with checks begun before it. */
  private checks = 0;
  /**
   * The latest full read under way, shared by the checks begun before it began: a check
   * begun after it (e.g. just after another replica's append) must not get a directory read
   * before that append committed.
   */
  private loading:
    { readonly since: number; readonly directory: Promise<KeyDirectory> } | undefined;

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
    const check = ++this.checks;
    const kept = this.cached;
    if (kept && kept.directory.broken === undefined && performance.now() < kept.recheckAt) {
      if ((await this.latestNote.get()) === kept.directory.note) return kept.directory;
    }
    const shared = this.loading;
    if (shared && shared.since >= check) return shared.directory;
    const since = this.checks;
    const loading = { since, directory: this.load(since) };
    this.loading = loading;
    void loading.directory
      .finally(() => {
        if (this.loading === loading) this.loading = undefined;
      })
      .catch(() => undefined); // the checks that share it get the error
    return loading.directory;
  }

  /**
   * Whether no record was appended since `directory` was read, asked within `tx` (the
   * sealer's transaction: in embedded mode the database has one connection, which that
   * transaction holds).
   */
  async isLatest(directory: KeyDirectory, tx: Within): Promise<boolean> {
    return (await this.repository.latestNote(tx)) === directory.note;
  }

  /** The fingerprint, and the full read and check when it changed. */
  private async load(since: number): Promise<KeyDirectory> {
    const recheckAt = performance.now() + RECHECK_MS;
    const fingerprint = await this.repository.fingerprint();
    if (this.cached?.fingerprint === fingerprint) {
      if (this.cached.since < since) this.cached = { ...this.cached, recheckAt, since };
      return this.cached.directory;
    }
    const stored = await this.repository.read();
    const directory = openKeyDirectory({
      leafInputs: stored.leafInputs,
      checkpoint: stored.checkpoint,
      verifier: verifierKeyOf(await this.sealingKey.signer()),
      origin: this.origin,
      verify: verifyFast,
    });
    if ((this.cached?.since ?? -1) < since)
      this.cached = { fingerprint, directory, recheckAt, since };
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
