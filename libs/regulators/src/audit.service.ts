// The full-ledger audit (SPEC sections 1 and 5): nothing stored is believed. A run walks
// the log as it stood when it was started and, for every leaf, recomputes the leaf input
// from the stored event, checks it against the content hash accepted at ingest, re-checks
// the actor's Ed25519 signature (the strict rule, on worker threads) and the event's
// block; it rebuilds the RFC 9162 tree and compares every stored node, root, checkpoint
// (signature verified with the sealing key), block hash, link and consistency proof.
//
// This façade starts runs, answers their progress and discrepancies, and runs the job:
// it takes the run's lease (a second worker waits for it, and takes it over once a dead
// worker's lease lapses) and hands the walk to an AuditRun that holds the run's state
// (audit-run.ts), over the pure checks of audit-checks.ts. Runs are independent: two may
// run at once (each reads its own keys), a second startAudit simply queues another.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { Principal } from '@custos/core/auth/principal';
import { DomainError } from '@custos/core/errors/domain-error';
import { JOB_QUEUE, type CustosQueue } from '@custos/core/tokens';
import { SignatureVerificationService } from '@custos/events/signature-verification.service';
import { parseVerifierKey } from '@custos/ledger/note';
import { KeyDirectoryService } from '@custos/participants/key-directory.service';
import { LedgerQueryService } from '@custos/sealing/ledger-query.service';
import { SealingKeyService } from '@custos/sealing/sealing-key.service';
import { type AuditProgress, progressOf } from './audit-checks';
import { AuditRun } from './audit-run';
import { AuditTables } from './audit-tables';
import { AuditRepository, type AuditRunRecord } from './audit.repository';

export type { AuditProgress, DiscrepancyKind } from './audit-checks';
export { progressOf } from './audit-checks';

export const CHUNK_LEAVES = 5000;
/** A worker renews its lease every chunk; a dead worker's lapses after this. */
export const LEASE_MS = 10_000;

/** Tunables of the audit (tests use small chunks). */
export interface AuditOptions {
  readonly chunkLeaves: number;
}
export const AUDIT_OPTIONS = Symbol('AuditOptions');

@Injectable()
export class AuditService {
  private readonly logger = new Logger('Audit');
  private stopping = false;
  private readonly chunkLeaves: number;

  constructor(
    private readonly repository: AuditRepository,
    private readonly tables: AuditTables,
    private readonly ledger: LedgerQueryService,
    private readonly sealingKey: SealingKeyService,
    private readonly signatures: SignatureVerificationService,
    private readonly keyDirectory: KeyDirectoryService,
    @Inject(JOB_QUEUE) private readonly queue: CustosQueue,
    @Optional() @Inject(AUDIT_OPTIONS) options?: AuditOptions,
  ) {
    this.chunkLeaves = options?.chunkLeaves ?? CHUNK_LEAVES;
  }

  /** startAudit: a new run over the log as it stands, queued for a worker. */
  async start(principal: Principal | undefined): Promise<AuditProgress> {
    const by = principal?.kind === 'participant' ? principal.id : 'admin';
    const run = await this.repository.create(by);
    await this.queue.add('audit', { runId: run.id.toString() });
    return progressOf(run);
  }

  async progress(id: string): Promise<AuditProgress | undefined> {
    const run = /^\d+$/.test(id) ? await this.repository.find(BigInt(id)) : undefined;
    return run ? progressOf(run) : undefined;
  }

  discrepancies(id: string, after: string | null, limit: number) {
    if (!/^\d+$/.test(id)) throw new DomainError('BAD_USER_INPUT', 'id: an audit run id', 'id');
    if (after !== null && !/^\d+$/.test(after)) {
      throw new DomainError('BAD_USER_INPUT', 'after: a discrepancy id', 'after');
    }
    return this.repository.discrepancies(BigInt(id), after === null ? null : BigInt(after), limit);
  }

  /** Re-queues every unfinished run (a worker starting after a crash resumes them). */
  async resumeUnfinished(): Promise<number> {
    const runs = await this.repository.unfinished();
    for (const run of runs) await this.queue.add('audit', { runId: run.id.toString() });
    return runs.length;
  }

  /** Makes a running audit stop after its current chunk (graceful stop of the worker). */
  stop(): void {
    this.stopping = true;
  }

  /** The audit job: runs (or resumes) run `runId` to its end, or until stop(). */
  async run(runId: string): Promise<void> {
    const id = BigInt(runId);
    const owner = randomUUID();
    const run = await this.takeLease(id, owner);
    if (!run) return;
    try {
      // Read afresh for every run: a key row may have changed since the last one.
      const vkey = parseVerifierKey(await this.sealingKey.vkey());
      const deps = {
        repository: this.repository,
        tables: this.tables,
        ledger: this.ledger,
        signatures: this.signatures,
        keyDirectory: () => this.keyDirectory.current(),
        logger: this.logger,
        chunkLeaves: this.chunkLeaves,
        leaseMs: LEASE_MS,
        stopping: () => this.stopping,
      };
      await new AuditRun(deps, run, owner, vkey).walk();
    } catch (err) {
      this.logger.error(`audit ${runId} failed: ${String(err)}`);
      const current = await this.repository.find(id);
      if (current) {
        await this.repository.commitChunk(id, owner, current, [], 0, LEASE_MS, {
          status: 'FAILED',
          error: err instanceof Error ? err.message : String(err),
        });
      }
      throw err;
    } finally {
      await this.repository.release(id, owner);
    }
  }

  /** The run with a lease for `owner`; waits out another worker's lease; undefined if finished. */
  private async takeLease(id: bigint, owner: string): Promise<AuditRunRecord | undefined> {
    const deadline = Date.now() + LEASE_MS * 3;
    for (;;) {
      const run = await this.repository.lease(id, owner, LEASE_MS);
      if (run) return run;
      const current = await this.repository.find(id);
      if (!current || current.status === 'COMPLETED' || current.status === 'FAILED')
        return undefined;
      if (Date.now() > deadline || this.stopping) return undefined; // another worker holds it
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
