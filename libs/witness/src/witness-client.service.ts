import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { Config } from '@custos/core/config/config';
import { CONFIG } from '@custos/core/tokens';
import { openCosignatures, parseCosignerVkey } from '@custos/ledger/cosignature';
import { FormatError, VerificationError } from '@custos/ledger/errors';
import type { VerifierKey } from '@custos/ledger/note';
import {
  ADD_CHECKPOINT_PATH,
  TLOG_SIZE_CONTENT_TYPE,
  formatAddCheckpointRequest,
  parseCosignatureLines,
  parseTreeSize,
} from '@custos/ledger/tlog-witness';
import { retryAfterMs } from '@custos/sdk/retry-after';
import { LedgerQueryService } from '@custos/sealing/ledger-query.service';
import { AlertRepository } from '@custos/store/alert.repository';
import { CosignatureRepository } from '@custos/store/cosignature.repository';
import { LEDGER_ROLLBACK, LEDGER_ROLLBACK_RESOLVED } from './ledger-rollback';
import { witnessId } from './witness-endpoints';

/** Timing of the witness client; the defaults suit a witness over the Internet. */
export interface WitnessClientOptions {
  /** One HTTP request's limit. */
  readonly requestTimeoutMs: number;
  /** All tries of one submission to one witness end within this. */
  readonly submissionBudgetMs: number;
  readonly firstBackoffMs: number;
  readonly maxBackoffMs: number;
  /** While no block is sealed, the head is re-submitted this often (fresh cosignatures). */
  readonly refreshMs: number;
}
export const WITNESS_CLIENT_OPTIONS = Symbol('WitnessClientOptions');

interface Witness {
  readonly key: VerifierKey;
  readonly id: string;
  readonly url: string;
  /** The size we believe the witness holds (0: unknown, learnt from its 409). */
  oldSize: number;
  running: Promise<void> | undefined;
  again: boolean;
}

type Attempt =
  | { readonly kind: 'cosigned'; readonly line: string; readonly timestamp: number }
  | { readonly kind: 'stale'; readonly size: number }
  | { readonly kind: 'refused'; readonly why: string }
  | { readonly kind: 'retry'; readonly why: string; readonly afterMs?: number };

/**
 * The log as a C2SP tlog-witness client (SPEC section 9). After blocks commit, the sealer
 * calls `blocksSealed()`, which returns at once: each witness of CUSTOS_WITNESSES is sent
 * the head checkpoint with a consistency proof from the size it holds, one submission at
 * a time per witness (a newer head supersedes a queued one), so a slow or dead witness
 * never holds sealing or the other witnesses. A 409 gives the witness's size: we resync
 * to it and send again, unless it is larger than our tree, which means our log was rolled
 * back or forked: a CRITICAL LEDGER_ROLLBACK alert. Network errors, 429 and 5xx are tried
 * again with back-off within a bounded time; other refusals are logged. Verified
 * cosignatures are stored; `checkpoint` appends them to the note.
 */
@Injectable()
export class WitnessClient {
  private readonly logger = new Logger('WitnessClient');
  private readonly witnesses: Witness[];
  private readonly options: WitnessClientOptions;
  private refresh: NodeJS.Timeout | undefined;
  private stopped = true;

  constructor(
    @Inject(CONFIG) config: Config,
    private readonly ledger: LedgerQueryService,
    private readonly cosignatures: CosignatureRepository,
    private readonly alerts: AlertRepository,
    @Optional() @Inject(WITNESS_CLIENT_OPTIONS) options?: Partial<WitnessClientOptions>,
  ) {
    this.witnesses = config.witnesses.map(({ vkey, url }) => {
      const key = parseCosignerVkey(vkey);
      return { key, id: witnessId(key), url, oldSize: 0, running: undefined, again: false };
    });
    this.options = {
      requestTimeoutMs: 5_000,
      submissionBudgetMs: 30_000,
      firstBackoffMs: 100,
      maxBackoffMs: 5_000,
      refreshMs: Math.min(600_000, (config.witnessMaxAgeSeconds * 1000) / 3),
      ...options,
    };
  }

  get configured(): number {
    return this.witnesses.length;
  }

  /** Starts the periodic re-submission and submits the current head once. */
  start(): void {
    if (this.witnesses.length === 0) return;
    this.stopped = false;
    this.refresh = setInterval(() => this.blocksSealed(), this.options.refreshMs);
    this.refresh.unref();
    this.blocksSealed();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.refresh);
    await this.idle();
  }

  /** Resolves when no submission is running. */
  async idle(): Promise<void> {
    for (;;) {
      const running = this.witnesses.flatMap((w) => (w.running ? [w.running] : []));
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  /** New blocks are committed: submit the head to every witness. Never throws, never waits. */
  blocksSealed(): void {
    if (this.stopped) return;
    for (const witness of this.witnesses) {
      witness.again = true;
      witness.running ??= this.drain(witness).finally(() => (witness.running = undefined));
    }
  }

  private async drain(witness: Witness): Promise<void> {
    while (witness.again && !this.stopped) {
      witness.again = false;
      try {
        await this.submitHead(witness);
      } catch (err) {
        this.logger.error(`${witness.id}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  private async submitHead(witness: Witness): Promise<void> {
    const head = await this.ledger.signedHead();
    if (!head) return;
    const deadline = Date.now() + this.options.submissionBudgetMs;
    let backoff = this.options.firstBackoffMs;
    for (let resyncs = 0; !this.stopped;) {
      const attempt = await this.attempt(witness, head);
      switch (attempt.kind) {
        case 'cosigned':
          witness.oldSize = head.treeSize;
          await this.cosignatures.store({
            treeSize: head.treeSize,
            witness: witness.id,
            line: attempt.line,
            signedAt: new Date(attempt.timestamp * 1000),
          });
          return;
        case 'stale':
          if (attempt.size > head.treeSize) return this.rolledBack(witness, attempt.size, head);
          // A witness that keeps answering 409 with sizes we send is not converging.
          if (attempt.size === witness.oldSize || ++resyncs > 3) {
            this.logger.error(
              `${witness.id}: keeps answering 409 (size ${attempt.size}); giving up`,
            );
            return;
          }
          witness.oldSize = attempt.size;
          continue;
        case 'refused':
          this.logger.error(`${witness.id} refused checkpoint ${head.treeSize}: ${attempt.why}`);
          return;
        case 'retry': {
          // A witness's Retry-After (429 push-back, 503) is honoured, never shortened;
          // one that asks for more than the budget leaves is tried at the next round.
          const wait = Math.max(backoff, attempt.afterMs ?? 0);
          if (Date.now() + wait > deadline) {
            this.logger.warn(
              `${witness.id}: no cosignature for size ${head.treeSize} within ${this.options.submissionBudgetMs} ms (${attempt.why}); the next block or refresh tries again`,
            );
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, wait));
          backoff = Math.min(backoff * 4, this.options.maxBackoffMs);
          continue;
        }
      }
    }
  }

  private async attempt(
    witness: Witness,
    head: { treeSize: number; note: string },
  ): Promise<Attempt> {
    const old = Math.min(witness.oldSize, head.treeSize);
    const proof =
      old > 0 && old < head.treeSize ? await this.ledger.consistencyProof(old, head.treeSize) : [];
    let response: Response;
    let body: string;
    try {
      response = await fetch(`${witness.url}/${ADD_CHECKPOINT_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: formatAddCheckpointRequest({ oldSize: old, proof, checkpoint: head.note }),
        signal: AbortSignal.timeout(this.options.requestTimeoutMs),
      });
      body = await response.text();
    } catch (err) {
      return { kind: 'retry', why: err instanceof Error ? err.message : String(err) };
    }
    const status = response.status;
    if (status === 200) return this.readCosignature(witness, head.note, body);
    if (status === 409) {
      if (response.headers.get('content-type')?.split(';')[0]?.trim() !== TLOG_SIZE_CONTENT_TYPE)
        return {
          kind: 'refused',
          why: `409 without a size: another root for size ${old} (a fork?)`,
        };
      try {
        return { kind: 'stale', size: parseTreeSize(body) };
      } catch (err) {
        return { kind: 'refused', why: (err as Error).message };
      }
    }
    if (status === 429 || status >= 500) {
      const afterMs = retryAfterMs(response.headers.get('retry-after'));
      return {
        kind: 'retry',
        why: `HTTP ${status}${afterMs !== undefined ? `, retry after ${afterMs} ms` : ''}`,
        ...(afterMs !== undefined ? { afterMs } : {}),
      };
    }
    const reason = body.trim().split('\n')[0] ?? '';
    const meaning: Record<number, string> = {
      400: 'malformed request',
      403: 'our log signature is not trusted (is our vkey in its CUSTOS_WITNESS_LOGS?)',
      404: 'it does not witness this log (is our vkey in its CUSTOS_WITNESS_LOGS?)',
      422: 'bad consistency proof',
    };
    return {
      kind: 'refused',
      why: `HTTP ${status}${meaning[status] ? `, ${meaning[status]}` : ''}${reason ? `: ${reason}` : ''}`,
    };
  }

  private readCosignature(witness: Witness, note: string, body: string): Attempt {
    try {
      const lines = parseCosignatureLines(body);
      const [cosig] = openCosignatures(`${note}${lines.join('\n')}\n`, [witness.key]);
      if (!cosig) return { kind: 'refused', why: 'answer holds no cosignature by its key' };
      return {
        kind: 'cosigned',
        line: `\u2014 ${cosig.name} ${cosig.base64}`,
        timestamp: cosig.timestamp,
      };
    } catch (err) {
      if (err instanceof FormatError || err instanceof VerificationError)
        return { kind: 'refused', why: `bad answer: ${err.message}` };
      throw err;
    }
  }

  private async rolledBack(
    witness: Witness,
    size: number,
    head: { treeSize: number },
  ): Promise<void> {
    const message = `Witness ${witness.id} has cosigned a tree of size ${size}, larger than this log's ${head.treeSize}: the log was rolled back or forked.`;
    this.logger.error(message);
    // Once per witness and size, and again after each resolve, so a rollback that an
    // operator resolved too early stands again at the next submission.
    const resolved = (await this.alerts.latestOf([LEDGER_ROLLBACK_RESOLVED])).get(
      LEDGER_ROLLBACK_RESOLVED,
    );
    await this.alerts.raise([
      {
        code: LEDGER_ROLLBACK,
        severity: 'CRITICAL',
        message,
        identifier: null,
        eventId: null,
        participantId: null,
        dedupKey: `ledger-rollback:${witness.id}:${size}:${resolved?.id ?? 0}`,
      },
    ]);
  }
}
