/** `source` with `map` applied to each value; returning it ends `source` (the client left). */
export function mapIterator<A, B>(
  source: AsyncIterableIterator<A>,
  map: (a: A) => B,
): AsyncIterableIterator<B> {
  const mapped: AsyncIterableIterator<B> = {
    async next() {
      const r = await source.next();
      return r.done ? { value: undefined, done: true } : { value: map(r.value), done: false };
    },
    async return() {
      await source.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return mapped;
    },
  };
  return mapped;
}
