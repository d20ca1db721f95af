// The index rows an accepted event gives (event_item, recall), from its signed fields
// alone: what ingest writes beside it, and what the audit rebuilds from the signed log to
// compare (docs/adr/0010). Pure.
import { canonicalIdentifier } from '@custos/gs1/canonical';
import type { ValidatedEvent } from './event-validation';

export type IndexRole = 'ITEM' | 'PARENT' | 'LOT';

export interface IndexRow {
  readonly identifier: string;
  readonly role: IndexRole;
}

/** The event_item rows of `event`: items and parent, or the recalled lot of a RECALL. */
export function indexRowsOf(event: ValidatedEvent): IndexRow[] {
  if (event.type === 'RECALL') return [{ identifier: recalledLot(event), role: 'LOT' }];
  return [
    ...event.items.map((i) => ({ identifier: i.identifier, role: 'ITEM' as const })),
    ...(event.parent ? [{ identifier: event.parent.identifier, role: 'PARENT' as const }] : []),
  ];
}

/** The canonical identifier of the lot a RECALL names (GTIN and lot). */
export function recalledLot(event: ValidatedEvent): string {
  return canonicalIdentifier({
    kind: 'product',
    gtin: event.gtin!,
    lot: event.lot!,
    attributes: [],
  });
}
