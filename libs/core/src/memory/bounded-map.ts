/**
 * A Map that holds at most `limit` entries: setting a new key when it is full forgets the
 * oldest one first (insertion order). For what a process keeps in memory only to avoid
 * repeating work (verified session tokens, session participants).
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly limit: number) {
    super();
  }

  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= this.limit) {
      const oldest = this.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    return super.set(key, value);
  }
}
