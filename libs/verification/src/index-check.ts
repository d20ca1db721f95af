// The index behind a verification (event_item, recall, item_tally) judged against the
// signed events it led to (docs/adr/0010). The history read finds a unit's events through
// index rows, which anyone with write access to the database can delete or retarget; so
// nothing it says is believed:
//   - which identifiers belong to the package (its contents and containers) is rebuilt
//     from the signed PACK events, as the read's recursion followed them;
//   - an event the index returned that none of those identifiers' signed fields name (nor
//     a signed RECALL of the scanned GTIN) was retargeted to this package;
//   - the tally kept with each identifier's index rows (count and last seq, written in the
//     same ingest transaction) must equal the signed events found naming it: a deleted or
//     retargeted row, or a deleted event row, leaves a tally its signed events do not meet.
// Pure: no I/O. What this cannot see (a consistent rewrite of every derived table) is the
// full audit's, which rebuilds the index from the signed log.
import type { IntegrityFailure } from '@custos/custody/assess';
import type { Tally } from '@custos/store/event-index.repository';

/** What an event found by the index says about itself, read from its signed fields. */
export interface IndexedEvent {
  readonly seq: bigint;
  readonly eventId: string;
  /** Undefined when its signed fields could not be read (a failure of its own). */
  readonly named:
    | {
        readonly type: string;
        readonly items: readonly string[];
        readonly parent?: string;
        readonly gtin?: string;
        readonly lot?: string;
      }
    | undefined;
}

/** The tally key of the recall rows of a GTIN. */
export const recallTallyKey = (gtin: string) => `recall:${gtin}`;

/**
 * The identifiers whose events make the package's history: `root`, what was packed in it
 * (down, PACK by PACK) and every container any of these was packed in (up), each at most
 * `maxDepth` steps away, from the signed PACK events among `events`.
 */
export function packageIdentifiers(
  root: string,
  events: readonly IndexedEvent[],
  maxDepth: number,
): Set<string> {
  const packs = events.flatMap((e) =>
    e.named?.type === 'PACK' && e.named.parent !== undefined
      ? [{ items: e.named.items, parent: e.named.parent }]
      : [],
  );
  const contents = new Set([root]);
  let frontier = [root];
  for (let depth = 0; depth < maxDepth && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const pack of packs) {
      if (!frontier.includes(pack.parent)) continue;
      for (const item of pack.items) {
        if (!contents.has(item)) {
          contents.add(item);
          next.push(item);
        }
      }
    }
    frontier = next;
  }
  const ids = new Set(contents);
  frontier = [...contents];
  for (let depth = 0; depth < maxDepth && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const pack of packs) {
      if (ids.has(pack.parent) || !pack.items.some((i) => frontier.includes(i))) continue;
      ids.add(pack.parent);
      next.push(pack.parent);
    }
    frontier = next;
  }
  return ids;
}

/** Every way the index disagrees with the signed events it returned. */
export function indexFailures(
  root: string,
  gtin: string | undefined,
  events: readonly IndexedEvent[],
  tallies: ReadonlyMap<string, Tally>,
  maxDepth: number,
): IntegrityFailure[] {
  const failures: IntegrityFailure[] = [];
  const ids = packageIdentifiers(root, events, maxDepth);
  const names = (e: IndexedEvent, id: string) =>
    e.named !== undefined && (e.named.items.includes(id) || e.named.parent === id);
  const isRecallOfGtin = (e: IndexedEvent) =>
    gtin !== undefined && e.named?.type === 'RECALL' && e.named.gtin === gtin;

  for (const e of events) {
    if (e.named === undefined) continue; // already a failure: its fields do not read back
    if (isRecallOfGtin(e) || [...ids].some((id) => names(e, id))) continue;
    failures.push({
      message: `event ${e.eventId}: the index lists it for this package, but its signed fields name none of ${[...ids].join(', ')}`,
      publicMessage: 'the index of its history disagrees with the signed events',
      eventId: e.eventId,
    });
  }

  const check = (key: string, count: number, last: bigint | undefined) => {
    const tally = tallies.get(key);
    const stored = tally ? Number(tally.eventCount) : 0;
    if (stored === count && (count === 0 || tally?.lastSeq === last)) return;
    failures.push({
      message: `the index records ${stored} event(s) for ${key}${tally ? ` (the last at seq ${tally.lastSeq})` : ''}, the signed events found are ${count}${last !== undefined ? ` (the last at seq ${last})` : ''}: index rows or events were removed or moved`,
      publicMessage: 'the index of its history disagrees with the signed events',
    });
  };
  for (const id of ids) {
    let count = 0;
    let last: bigint | undefined;
    for (const e of events) {
      if (!names(e, id)) continue;
      count++;
      if (last === undefined || e.seq > last) last = e.seq;
    }
    check(id, count, last);
  }
  if (gtin !== undefined) {
    // One recall row per lot, pointing at its first RECALL.
    const firstByLot = new Map<string, bigint>();
    for (const e of events) {
      if (!isRecallOfGtin(e)) continue;
      const lot = e.named!.lot ?? '';
      const seen = firstByLot.get(lot);
      if (seen === undefined || e.seq < seen) firstByLot.set(lot, e.seq);
    }
    const seqs = [...firstByLot.values()];
    const last = seqs.length > 0 ? seqs.reduce((a, b) => (a > b ? a : b)) : undefined;
    check(recallTallyKey(gtin), seqs.length, last);
  }
  return failures;
}
