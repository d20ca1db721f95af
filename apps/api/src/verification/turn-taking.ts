// The verifications of one request run one after the other, each after a turn of the
// event loop (docs/adr/0009): a request of many aliased verifyPackage then holds at most
// one verification's worth of the database pool and the thread at a time, and another
// client's scan that arrives meanwhile is served between two of them instead of after all.
import { setImmediate as nextTurn } from 'node:timers/promises';

export class TurnTaking {
  /** Per request (its GraphQL context): the end of the last verification queued. */
  private readonly tails = new WeakMap<object, Promise<unknown>>();

  /** Runs `task` after the earlier tasks of `request`, and after one event-loop turn. */
  run<T>(request: object, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(request) ?? Promise.resolve();
    const result = previous.then(() => nextTurn()).then(task);
    // A failed verification is its own field's error; the next one still runs.
    this.tails.set(
      request,
      result.catch(() => undefined),
    );
    return result;
  }
}
