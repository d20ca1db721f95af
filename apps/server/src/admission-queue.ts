// A byte budget shared by concurrent requests, handed out first come, first served. A
// request asks for its body's bytes and holds them until it has been answered; one that
// does not fit waits behind those that came before it, so a large body is never starved by
// a stream of later ones that happen to fit. Pure: no timers and no I/O; a waiter gives up
// through its AbortSignal (the caller's wait bound, or the client gone).

/** Bytes held under the budget; give them back once, by release (or partly, by shrink). */
export interface Grant {
  readonly bytes: number;
  /** Keeps only `bytes` of the grant (a body that turned out smaller than reserved). */
  shrink(bytes: number): void;
  /** Gives the bytes back; further calls do nothing. */
  release(): void;
}

interface Waiter {
  readonly bytes: number;
  readonly admit: (grant: Grant) => void;
}

export class AdmissionQueue {
  private heldBytes = 0;
  private readonly waiters: Waiter[] = [];

  constructor(readonly limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new RangeError(`AdmissionQueue: limit must be a positive integer, got ${limit}`);
    }
  }

  /** Bytes granted and not yet given back. */
  get held(): number {
    return this.heldBytes;
  }

  /** Requests waiting for room. */
  get waiting(): number {
    return this.waiters.length;
  }

  /**
   * Resolves with a grant of `bytes` once they fit and every earlier waiter has been
   * admitted, or with undefined once `signal` aborts first (then nothing is held).
   */
  acquire(bytes: number, signal?: AbortSignal): Promise<Grant | undefined> {
    if (!Number.isSafeInteger(bytes) || bytes < 0 || bytes > this.limit) {
      throw new RangeError(`AdmissionQueue: bytes must be 0 to ${this.limit}, got ${bytes}`);
    }
    if (signal?.aborted) return Promise.resolve(undefined);
    if (this.waiters.length === 0 && this.heldBytes + bytes <= this.limit) {
      return Promise.resolve(this.grant(bytes));
    }
    return new Promise<Grant | undefined>((resolve) => {
      const onAbort = () => {
        const at = this.waiters.indexOf(waiter);
        if (at < 0) return;
        this.waiters.splice(at, 1);
        resolve(undefined);
        // The one that gave up may have been the head that did not fit.
        this.admitWaiters();
      };
      const waiter: Waiter = {
        bytes,
        admit: (grant) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(grant);
        },
      };
      this.waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private grant(bytes: number): Grant {
    this.heldBytes += bytes;
    let kept = bytes;
    const giveBack = (amount: number) => {
      this.heldBytes -= amount;
      this.admitWaiters();
    };
    return {
      get bytes() {
        return kept;
      },
      shrink(to: number) {
        if (!(to >= 0 && to < kept)) return;
        const freed = kept - to;
        kept = to;
        giveBack(freed);
      },
      release() {
        if (kept === 0) return;
        const freed = kept;
        kept = 0;
        giveBack(freed);
      },
    };
  }

  private admitWaiters(): void {
    for (;;) {
      const head = this.waiters[0];
      if (head === undefined || this.heldBytes + head.bytes > this.limit) return;
      this.waiters.shift();
      head.admit(this.grant(head.bytes));
    }
  }
}
