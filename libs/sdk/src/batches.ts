// Splitting a stream of signed events into `submitEvents` requests the server takes
// (docs/events.md): at most 10,000 events and 100,000 items a request, and a body under
// CUSTOS_MAX_BODY_BYTES (16 MiB by default; the client halves a batch the server still
// finds too large). Order is kept: events of one batch are judged in order, and a later
// batch is sent only after the earlier one was stored.
import type { SignedEvent } from '@custos/ledger/events';

export interface BatchLimits {
  readonly maxEvents: number;
  readonly maxItems: number;
  /** Of the events' JSON, leaving room for the rest of the request. */
  readonly maxBytes: number;
}

export const SERVER_LIMITS: BatchLimits = {
  maxEvents: 10_000,
  maxItems: 100_000,
  maxBytes: 8 * 1024 * 1024,
};

const encoder = new TextEncoder();

function itemCount(signed: SignedEvent): number {
  const items = signed.event.items;
  return Array.isArray(items) ? items.length : 0;
}

/** Consecutive batches within `limits`; an event too large on its own goes alone. */
export async function* batchesOf(
  events: Iterable<SignedEvent> | AsyncIterable<SignedEvent>,
  limits: BatchLimits = SERVER_LIMITS,
): AsyncGenerator<SignedEvent[]> {
  let batch: SignedEvent[] = [];
  let items = 0;
  let bytes = 0;
  for await (const signed of events) {
    const n = itemCount(signed);
    const size = encoder.encode(JSON.stringify(signed)).length + 1;
    if (
      batch.length > 0 &&
      (batch.length + 1 > limits.maxEvents ||
        items + n > limits.maxItems ||
        bytes + size > limits.maxBytes)
    ) {
      yield batch;
      batch = [];
      items = 0;
      bytes = 0;
    }
    batch.push(signed);
    items += n;
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}
