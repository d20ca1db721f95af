import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { SealingMetrics } from '@custos/sealing/sealing-metrics';
import { WitnessGate } from './witness-gate.service';

/**
 * The witness gauges beside the sealer's at /metrics (SPEC section 9):
 * custos_ledger_rollback is 1 while a LEDGER_ROLLBACK alert stands unresolved, read from
 * the alert table at each scrape, so every process reports the same; alert on it > 0.
 */
@Injectable()
export class WitnessMetrics {
  constructor(metrics: SealingMetrics, gate: WitnessGate) {
    const registers = [metrics.registry];
    new Gauge({
      name: 'custos_witnesses_configured',
      help: 'Witnesses in CUSTOS_WITNESSES (0: the ledger is unwitnessed).',
      registers,
    }).set(gate.configured);
    new Gauge({
      name: 'custos_ledger_rollback',
      help: '1 while a witness has seen a larger tree than the log holds (LEDGER_ROLLBACK unresolved).',
      registers,
      async collect() {
        this.set((await gate.standingRollback()) ? 1 : 0);
      },
    });
  }
}
