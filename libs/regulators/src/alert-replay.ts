// An alertRaised stream asked for with `since` (SPEC section 7): first the alerts already
// committed that were raised since then, then the live ones, each once. The replay is read
// only once the LISTEN is in place (the caller subscribes `live` first), so an alert
// committed before the read is in it and one committed after is heard: none falls between.
// It is read a page at a time (oldest first, keyset on id, no larger than a page of the
// alerts list), each page only when the client has taken the one before, so a replay of
// any length holds one page in memory. Live alerts the replay already gave are skipped.
import type { AlertRecord } from '@custos/store/alert.repository';

export function replayThenLive(
  readPage: (afterId: bigint | null) => Promise<readonly AlertRecord[]>,
  pageSize: number,
  live: AsyncIterableIterator<AlertRecord>,
  wanted: (alert: AlertRecord) => boolean,
): AsyncIterableIterator<AlertRecord> {
  const page: AlertRecord[] = [];
  /** Replayed ids not yet heard live (each alert is heard at most once: then forgotten). */
  const replayed = new Set<bigint>();
  let afterId: bigint | null = null;
  let replaying = true;
  let ended = false;
  const end = async (): Promise<IteratorResult<AlertRecord>> => {
    ended = true;
    page.length = 0;
    await live.return?.();
    return { value: undefined, done: true };
  };
  const self: AsyncIterableIterator<AlertRecord> = {
    async next() {
      try {
        while (replaying && page.length === 0 && !ended) {
          const read = await readPage(afterId);
          for (const alert of read) replayed.add(alert.id);
          page.push(...read);
          if (read.length < pageSize) replaying = false;
          else afterId = read[read.length - 1]!.id;
        }
      } catch (err) {
        await end();
        throw err;
      }
      if (ended) return { value: undefined, done: true };
      const next = page.shift();
      if (next) return { value: next, done: false };
      for (;;) {
        const step = await live.next();
        if (step.done) return step;
        if (replayed.delete(step.value.id) || !wanted(step.value)) continue;
        return step;
      }
    },
    return: end,
    [Symbol.asyncIterator]() {
      return self;
    },
  };
  return self;
}
