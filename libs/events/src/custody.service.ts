// Keeps the custody projection in step with accepted events, inside the ingest
// transaction: locks the states the batch touches, judges each event item by item in
// acceptance order (libs/custody/src/custody-projection.ts), writes the states back and says which items
// were flagged, each with the alert it raises.
import { Injectable } from '@nestjs/common';
import { flagSeverity } from '@custos/custody/custody-flags';
import { CustodyProjection } from '@custos/custody/custody-projection';
import type { ValidatedEvent } from './event-validation';
import { recalledLot } from './index-rows';
import type { NewAlert } from '@custos/store/alert.repository';
import type { NewEventItem } from '@custos/store/event-index.repository';
import type { Tx } from '@custos/store/transaction.repository';
import { UnitStateRepository } from '@custos/store/unit-state.repository';

export interface CustodyOutcome {
  readonly items: NewEventItem[];
  readonly alerts: NewAlert[];
  readonly recalls: { gtin: string; lot: string; eventSeq: bigint }[];
}

@Injectable()
export class CustodyService {
  constructor(private readonly states: UnitStateRepository) {}

  async apply(
    tx: Tx,
    events: readonly { event: ValidatedEvent; seq: bigint }[],
  ): Promise<CustodyOutcome> {
    const touched = new Set<string>();
    for (const { event } of events) {
      for (const item of event.items) touched.add(item.identifier);
      if (event.parent) touched.add(event.parent.identifier);
    }
    const projection = new CustodyProjection(
      await this.states.lockForIngest(tx, [...touched].sort()),
    );
    const out: CustodyOutcome = { items: [], alerts: [], recalls: [] };
    for (const { event, seq } of events) {
      if (event.type === 'RECALL') {
        out.items.push({ identifier: recalledLot(event), eventSeq: seq, role: 'LOT', flag: null });
        out.recalls.push({ gtin: event.gtin!, lot: event.lot!, eventSeq: seq });
        continue;
      }
      for (const outcome of projection.apply(event, seq)) {
        out.items.push({
          identifier: outcome.identifier,
          eventSeq: seq,
          role: outcome.role,
          flag: outcome.flag ?? null,
        });
        if (outcome.flag) {
          out.alerts.push({
            code: outcome.flag,
            severity: flagSeverity(outcome.flag),
            message:
              `${event.type} ${event.eventId} by ${event.actor}: ${outcome.identifier} ${outcome.reason ?? ''}`.trim(),
            identifier: outcome.identifier,
            eventId: event.eventId,
            participantId: event.actor,
          });
        }
      }
    }
    const { created, updated } = projection.changed();
    await this.states.update(tx, updated);
    // A unit another transaction created meanwhile makes this insert fail; the whole
    // transaction is then retried and sees (and locks) that unit.
    await this.states.insert(tx, created);
    return out;
  }
}
