import type { AlertRecord } from '@custos/store/alert.repository';
import { replayThenLive } from './alert-replay';
import { PushIterator } from './push-iterator';

const alert = (id: number, code = 'X'): AlertRecord => ({
  id: BigInt(id),
  code,
  severity: 'WARNING',
  message: `alert ${id}`,
  identifier: null,
  eventId: null,
  participantId: null,
  raisedAt: new Date(0),
});

/** A table of `stored` alerts read as pageOldestFirst does; records each read's start. */
function table(stored: readonly AlertRecord[], pageSize: number) {
  const reads: (bigint | null)[] = [];
  const readPage = (afterId: bigint | null) => {
    reads.push(afterId);
    return Promise.resolve(
      stored.filter((a) => afterId === null || a.id > afterId).slice(0, pageSize),
    );
  };
  return { reads, readPage };
}

async function take(source: AsyncIterableIterator<AlertRecord>, n: number): Promise<number[]> {
  const ids: number[] = [];
  while (ids.length < n) {
    const step = await source.next();
    if (step.done) break;
    ids.push(Number(step.value.id));
  }
  return ids;
}

describe('replayThenLive', () => {
  it('gives the replay page by page, each page only once the one before is taken, then the live alerts it did not give', async () => {
    const { reads, readPage } = table(
      [1, 2, 3, 4, 5].map((id) => alert(id)),
      2,
    );
    const live = new PushIterator<AlertRecord>(() => {});
    // Heard while the replay is read: 5 is in the replay too, 6 only live.
    live.push(alert(5));
    live.push(alert(6));
    const stream = replayThenLive(readPage, 2, live, () => true);
    expect(await take(stream, 2)).toEqual([1, 2]);
    expect(reads).toEqual([null]);
    expect(await take(stream, 4)).toEqual([3, 4, 5, 6]);
    expect(reads).toEqual([null, 2n, 4n]);
    live.push(alert(7));
    expect(await take(stream, 1)).toEqual([7]);
  });

  it('drops live alerts the filter does not want', async () => {
    const live = new PushIterator<AlertRecord>(() => {});
    const stream = replayThenLive(
      () => Promise.resolve([]),
      10,
      live,
      (a) => a.code === 'A',
    );
    live.push(alert(1, 'B'));
    live.push(alert(2, 'A'));
    expect(await take(stream, 1)).toEqual([2]);
  });

  it('ends the live stream when returned, even while a next() waits for it', async () => {
    let ended = false;
    const live = new PushIterator<AlertRecord>(() => (ended = true));
    const stream = replayThenLive(
      () => Promise.resolve([]),
      10,
      live,
      () => true,
    );
    const waiting = stream.next();
    await stream.return!();
    expect(ended).toBe(true);
    await expect(waiting).resolves.toEqual({ value: undefined, done: true });
  });

  it('ends the live stream when the replay cannot be read', async () => {
    let ended = false;
    const live = new PushIterator<AlertRecord>(() => (ended = true));
    const stream = replayThenLive(
      () => Promise.reject(new Error('gone')),
      10,
      live,
      () => true,
    );
    await expect(stream.next()).rejects.toThrow('gone');
    expect(ended).toBe(true);
  });
});
