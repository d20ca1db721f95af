import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Config } from '@custos/core/config/config';
import { CONFIG } from '@custos/core/tokens';
import { parseCosignerVkey } from '@custos/ledger/cosignature';
import {
  type WitnessAssessment,
  type WitnessPolicy,
  assessWitnesses,
} from '@custos/ledger/witness-policy';
import { AlertRepository } from '@custos/store/alert.repository';
import { LEDGER_ROLLBACK, LEDGER_ROLLBACK_RESOLVED, standingRollback } from './ledger-rollback';
import { unwitnessedFinding } from './witness-finding';

/**
 * What the configured witnesses say about the ledger now (SPEC section 9): whether a
 * checkpoint has a quorum of fresh cosignatures (CUSTOS_WITNESS_QUORUM,
 * CUSTOS_WITNESS_MAX_AGE_SECONDS), whether a LEDGER_ROLLBACK stands unresolved, and the
 * operator's resolve. The alert table is the one record of both, so every process
 * (api, worker) sees the same state.
 */
@Injectable()
export class WitnessGate {
  private readonly logger = new Logger('WitnessGate');
  readonly policy: WitnessPolicy;
  /** CUSTOS_WITNESSES's keys as configured (vkeys). */
  readonly vkeys: readonly string[];
  /** The last assessment, reused within the same second for the same note. */
  private memo: { note: string; second: number; assessment: WitnessAssessment } | undefined;

  constructor(
    @Inject(CONFIG) config: Config,
    private readonly alerts: AlertRepository,
  ) {
    this.vkeys = config.witnesses.map((w) => w.vkey);
    this.policy = {
      witnesses: config.witnesses.map((w) => parseCosignerVkey(w.vkey)),
      quorum: config.witnessQuorum,
      maxAgeSeconds: config.witnessMaxAgeSeconds,
    };
  }

  get configured(): number {
    return this.policy.witnesses.length;
  }

  /** The policy applied to a checkpoint note (with its cosignature lines). */
  assess(note: string, now = new Date()): WitnessAssessment {
    const second = Math.floor(now.getTime() / 1000);
    const memo = this.memo;
    if (memo && memo.note === note && memo.second === second) return memo.assessment;
    const assessment = assessWitnesses(note, this.policy, second);
    this.memo = { note, second, assessment };
    return assessment;
  }

  /** The message of the unresolved LEDGER_ROLLBACK alert, if one stands. */
  async standingRollback(): Promise<{ id: bigint; message: string } | undefined> {
    const latest = await this.alerts.latestOf([LEDGER_ROLLBACK, LEDGER_ROLLBACK_RESOLVED]);
    return standingRollback(latest.get(LEDGER_ROLLBACK), latest.get(LEDGER_ROLLBACK_RESOLVED));
  }

  /** The LEDGER_UNWITNESSED sentence for an answer resting on `note`, or undefined. */
  async unwitnessed(note: string, now = new Date()): Promise<string | undefined> {
    if (this.configured === 0) return undefined;
    const rollback = await this.standingRollback();
    return unwitnessedFinding({
      configured: this.configured,
      ...(rollback ? { rollback: rollback.message } : {}),
      assessment: this.assess(note, now),
    });
  }

  /**
   * The operator's resolve: records a LEDGER_ROLLBACK_RESOLVED alert saying who and why,
   * after which verifications no longer carry LEDGER_UNWITNESSED for the rollback (they
   * still do while the checkpoint lacks its quorum). False when no rollback stands.
   */
  async resolveRollback(reason: string, by: string): Promise<boolean> {
    const standing = await this.standingRollback();
    if (!standing) return false;
    const message = `${by} resolved LEDGER_ROLLBACK #${standing.id}: ${reason}`;
    this.logger.warn(message);
    await this.alerts.raise([
      {
        code: LEDGER_ROLLBACK_RESOLVED,
        severity: 'INFO',
        message,
        identifier: null,
        eventId: null,
        participantId: null,
        dedupKey: `ledger-rollback-resolved:${standing.id}`,
      },
    ]);
    return true;
  }
}
