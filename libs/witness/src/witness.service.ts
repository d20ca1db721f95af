import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { Config } from '@custos/core/config/config';
import { CONFIG } from '@custos/core/tokens';
import { cosign, cosignerKeyOf, encodeCosignerVkey } from '@custos/ledger/cosignature';
import { FormatError } from '@custos/ledger/errors';
import { type NoteSigner, parseVerifierKey } from '@custos/ledger/note';
import {
  TLOG_SIZE_CONTENT_TYPE,
  formatTreeSize,
  parseAddCheckpointRequest,
} from '@custos/ledger/tlog-witness';
import { type WitnessedLog, checkConsistency, openSubmittedCheckpoint } from './add-checkpoint';
import { loadWitnessSeed } from './witness-key';
import { WitnessStateRepository } from './witness-state.repository';

/** An HTTP answer to add-checkpoint. */
export interface WitnessAnswer {
  readonly status: 200 | 400 | 403 | 404 | 409 | 422 | 429;
  readonly body: string;
  readonly contentType: string | undefined;
  /** Retry-After, seconds (429). */
  readonly retryAfterSeconds?: number;
}

/** How much work the witness takes on at once. */
export interface WitnessLimits {
  /** Requests checked at the same time; more are answered 429 (push-back, as omniwitness). */
  readonly maxInFlight: number;
}
export const WITNESS_LIMITS = Symbol('WitnessLimits');
/** A log submits one checkpoint at a time per witness: 64 at once is many logs, or abuse. */
const DEFAULT_LIMITS: WitnessLimits = { maxInFlight: 64 };

/** A lost compare-and-set is re-checked against the new state this many times. */
const MAX_RACES = 5;

/**
 * CUSTOS_ROLE=witness: a C2SP tlog-witness for the logs of CUSTOS_WITNESS_LOGS, cosigning
 * with cosignature/v1 under CUSTOS_WITNESS_NAME. It holds no log secret: it checks each
 * checkpoint with the log's public key and a consistency proof from what it last cosigned.
 */
@Injectable()
export class WitnessService {
  private readonly logger = new Logger('Witness');
  private readonly signer: NoteSigner;
  private readonly logs: ReadonlyMap<string, WitnessedLog>;
  private readonly limits: WitnessLimits;
  private inFlight = 0;

  constructor(
    @Inject(CONFIG) config: Config,
    private readonly state: WitnessStateRepository,
    @Optional() @Inject(WITNESS_LIMITS) limits?: Partial<WitnessLimits>,
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    const role = config.witness;
    if (!role) throw new Error('WitnessService needs CUSTOS_ROLE=witness');
    this.signer = { name: role.name, secretKey: loadWitnessSeed(role.keyHex, config.dataDir) };
    this.logs = new Map(
      role.logs.map(({ origin, vkey }) => [origin, { origin, keys: [parseVerifierKey(vkey)] }]),
    );
  }

  /** The witness's cosigner vkey (type 0x04), for the logs' CUSTOS_WITNESSES. */
  vkey(): string {
    return encodeCosignerVkey(this.signer.name, cosignerKeyOf(this.signer).publicKey);
  }

  origins(): string[] {
    return [...this.logs.keys()];
  }

  /**
   * One add-checkpoint request. Beyond `maxInFlight` at once it is refused at once with 429
   * and Retry-After: 1, before any parsing or signature check, so an overload costs little.
   */
  async addCheckpoint(body: Uint8Array): Promise<WitnessAnswer> {
    if (this.inFlight >= this.limits.maxInFlight) {
      return {
        status: 429,
        body: `busy: ${this.inFlight} checkpoints being checked; retry later\n`,
        contentType: 'text/plain; charset=utf-8',
        retryAfterSeconds: 1,
      };
    }
    this.inFlight++;
    try {
      return await this.check(body);
    } finally {
      this.inFlight--;
    }
  }

  private async check(body: Uint8Array): Promise<WitnessAnswer> {
    let request;
    try {
      request = parseAddCheckpointRequest(body);
    } catch (err) {
      if (err instanceof FormatError) return text(400, err.message);
      throw err;
    }
    const opened = openSubmittedCheckpoint(request, this.logs);
    if ('kind' in opened) return text(opened.status, opened.reason);
    const { checkpoint } = opened;
    for (let race = 0; race < MAX_RACES; race++) {
      const held = await this.state.get(checkpoint.origin);
      const refusal = checkConsistency(request, checkpoint, held);
      if (refusal) {
        switch (refusal.kind) {
          case 'stale':
            return {
              status: 409,
              body: formatTreeSize(refusal.size),
              contentType: TLOG_SIZE_CONTENT_TYPE,
            };
          case 'root-mismatch':
            // A signed checkpoint that contradicts one we cosigned: evidence of a fork.
            this.logger.warn(
              `${checkpoint.origin}: ${refusal.reason}; refused:\n${request.checkpoint}`,
            );
            return { status: 409, body: '', contentType: undefined };
          case 'bad-proof':
            this.logger.warn(`${checkpoint.origin} size ${checkpoint.size}: ${refusal.reason}`);
            return text(refusal.status, refusal.reason);
          default:
            return text(refusal.status, refusal.reason);
        }
      }
      const stored = await this.state.compareAndSet(checkpoint.origin, held, {
        size: checkpoint.size,
        rootHash: checkpoint.rootHash,
        checkpoint: request.checkpoint,
      });
      if (stored) {
        const line = cosign(opened.text, this.signer, Math.floor(Date.now() / 1000));
        return { status: 200, body: line, contentType: 'text/plain; charset=utf-8' };
      }
      // Another request changed the state between our read and our write: check again.
    }
    // Still racing: answer with the size held now, which the client resynchronises to.
    const held = await this.state.get(checkpoint.origin);
    return {
      status: 409,
      body: formatTreeSize(held?.size ?? 0),
      contentType: TLOG_SIZE_CONTENT_TYPE,
    };
  }
}

function text(status: WitnessAnswer['status'], reason: string): WitnessAnswer {
  return { status, body: `${reason}\n`, contentType: 'text/plain; charset=utf-8' };
}
