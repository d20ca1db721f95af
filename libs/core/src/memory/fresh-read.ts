// One read shared by every caller that may share it, and no caller answered from a read
// that began before it asked (issue 17). Two hundred scans at once each read the ledger's
// latest block and the key directory's latest note: the same row, two hundred round trips,
// each waking PostgreSQL on a 2-core machine. Here a caller that finds no read under way
// starts one; a caller that finds one under way cannot use it (it began before the caller
// asked: an append committed in between would be missed), so it waits for the next read,
// which starts when the one under way ends and is shared by everyone who asked meanwhile.
// At most two reads are ever pending, and what a caller gets is as fresh as if it had read
// alone: nothing is kept once the read has answered.

export class FreshRead<T> {
  /** The read under way, if any. */
  private current: Promise<T> | undefined;
  /** The read that starts once `current` ends, shared by those who asked meanwhile. */
  private next: Promise<T> | undefined;

  constructor(private readonly read: () => Promise<T>) {}

  /** The answer of a read that began at or after this call. */
  get(): Promise<T> {
    if (this.current === undefined) return this.start();
    this.next ??= this.current.then(
      () => this.start(),
      () => this.start(),
    );
    return this.next;
  }

  private start(): Promise<T> {
    this.next = undefined; // whoever asks from now on waits for a read started after them
    const read = this.read();
    this.current = read;
    const done = () => {
      if (this.current === read) this.current = undefined;
    };
    read.then(done, done);
    return read;
  }
}
