import type { SignedEvent } from '@custos/ledger/events';
import { batchesOf } from './batches';

const ev = (i: number, items = 1): SignedEvent => ({
  event: { eventId: String(i), items: Array.from({ length: items }, (_, j) => `u${i}-${j}`) },
  keyId: 'k1',
  signature: 's',
});

async function sizes(
  events: Iterable<SignedEvent> | AsyncIterable<SignedEvent>,
  limits: Parameters<typeof batchesOf>[1],
) {
  const out: string[][] = [];
  for await (const batch of batchesOf(events, limits))
    out.push(batch.map((e) => String(e.event.eventId)));
  return out;
}

describe('batchesOf', () => {
  const big = { maxEvents: 1e9, maxItems: 1e9, maxBytes: 1e9 };

  it('keeps order and splits at the event limit', async () => {
    const events = Array.from({ length: 7 }, (_, i) => ev(i));
    expect(await sizes(events, { ...big, maxEvents: 3 })).toEqual([
      ['0', '1', '2'],
      ['3', '4', '5'],
      ['6'],
    ]);
    expect(await sizes([], big)).toEqual([]);
  });

  it('splits at the item limit; an event over it goes alone', async () => {
    expect(await sizes([ev(0, 2), ev(1, 2), ev(2, 5), ev(3, 1)], { ...big, maxItems: 4 })).toEqual([
      ['0', '1'],
      ['2'],
      ['3'],
    ]);
  });

  it('splits at the byte limit, and reads async streams', async () => {
    const one = new TextEncoder().encode(JSON.stringify(ev(0))).length + 1;
    async function* stream() {
      for (let i = 0; i < 5; i++) yield await Promise.resolve(ev(i));
    }
    expect(await sizes(stream(), { ...big, maxBytes: 2 * one })).toEqual([
      ['0', '1'],
      ['2', '3'],
      ['4'],
    ]);
  });
});
