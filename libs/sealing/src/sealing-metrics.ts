import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BlockRow } from '@custos/store/block.repository';
import { LedgerEventRepository } from '@custos/store/ledger-event.repository';
import type { SealingObserver } from './sealing.service';

/**
 * Prometheus metrics of the sealer (served at /metrics): pending events, blocks and
 * events sealed, seal duration, and the accept-to-sealed latency of every event, both
 * ends by the database's clock (accepted_at and the block's sealedAt).
 */
@Injectable()
export class SealingMetrics implements SealingObserver {
  readonly registry = new Registry();
  private readonly blocks: Counter;
  private readonly events: Counter;
  private readonly refused: Counter;
  private readonly treeSize: Gauge;
  private readonly duration: Histogram;
  private readonly latency: Histogram;

  constructor(events: LedgerEventRepository) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'custos_' });
    new Gauge({
      name: 'custos_pending_events',
      help: 'Accepted events not yet sealed.',
      registers,
      async collect() {
        this.set(await events.pendingCount());
      },
    });
    this.blocks = new Counter({
      name: 'custos_blocks_sealed_total',
      help: 'Blocks sealed by this process.',
      registers,
    });
    this.events = new Counter({
      name: 'custos_events_sealed_total',
      help: 'Events sealed by this process.',
      registers,
    });
    this.refused = new Counter({
      name: 'custos_seal_integrity_failures_total',
      help: 'Seals stopped at an event whose stored content no longer matches its hash.',
      registers,
    });
    this.treeSize = new Gauge({
      name: 'custos_tree_size',
      help: 'Log size after the last block this process sealed.',
      registers,
    });
    this.duration = new Histogram({
      name: 'custos_seal_duration_seconds',
      help: 'Time to seal one block (transaction included).',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.latency = new Histogram({
      name: 'custos_accept_to_sealed_seconds',
      help: 'From an event accepted to its block sealed.',
      buckets: [0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2.5, 5, 10, 30],
      registers,
    });
  }

  blockSealed(block: BlockRow, durationMs: number, acceptedAt: readonly Date[]): void {
    this.blocks.inc();
    this.events.inc(block.eventCount);
    this.treeSize.set(block.treeSize);
    this.duration.observe(durationMs / 1000);
    const sealedAt = Date.parse(block.sealedAt);
    for (const at of acceptedAt) this.latency.observe(Math.max(0, sealedAt - at.getTime()) / 1000);
  }

  integrityFailure(): void {
    this.refused.inc();
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
