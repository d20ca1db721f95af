import fc from 'fast-check';
import { FreshRead } from './fresh-read';

/** A read whose answers the test releases one at a time; each answers with its start time. */
function controlledRead() {
  let clock = 0;
  const pending: { started: number; settle: (fail: boolean) => void }[] = [];
  let running = 0;
  let mostRunning = 0;
  const reads = new FreshRead<number>(
    () =>
      new Promise<number>((resolve, reject) => {
        const started = clock;
        running++;
        mostRunning = Math.max(mostRunning, running);
        pending.push({
          started,
          settle: (fail) => {
            running--;
            if (fail) reject(new Error(`read begun at ${started} failed`));
            else resolve(started);
          },
        });
      }),
  );
  return {
    reads,
    pending,
    tick: () => ++clock,
    now: () => clock,
    mostRunning: () => mostRunning,
  };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('FreshRead', () => {
  it('answers callers who asked while a read was under way from one next read', async () => {
    const r = controlledRead();
    const first = r.reads.get();
    r.tick();
    const late = [r.reads.get(), r.reads.get(), r.reads.get()];
    expect(r.pending).toHaveLength(1); // the next read waits for the first to end
    r.pending[0]!.settle(false);
    await settled();
    expect(r.pending).toHaveLength(2);
    r.pending[1]!.settle(false);
    expect(await first).toBe(0);
    expect(await Promise.all(late)).toEqual([1, 1, 1]);
  });

  it('passes a failed read on to those who shared it, and reads again for the next caller', async () => {
    const r = controlledRead();
    const failing = r.reads.get();
    r.pending[0]!.settle(true);
    await expect(failing).rejects.toThrow('read begun at 0 failed');
    r.tick();
    const again = r.reads.get();
    r.pending[1]!.settle(false);
    expect(await again).toBe(1);
  });

  it('never answers a caller from a read begun before it asked, and runs one read at a time', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.constant('ask'), fc.constant('answer'), fc.constant('fail')), {
          maxLength: 60,
        }),
        async (steps) => {
          const r = controlledRead();
          const answers: Promise<{ asked: number; read: number | 'failed' }>[] = [];
          let settledReads = 0;
          const settleNext = async (fail: boolean) => {
            const read = r.pending[settledReads];
            if (!read) return;
            settledReads++;
            read.settle(fail);
            await settled();
          };
          for (const step of steps) {
            r.tick();
            if (step === 'ask') {
              const asked = r.now();
              answers.push(
                r.reads.get().then(
                  (read) => ({ asked, read }),
                  () => ({ asked, read: 'failed' as const }),
                ),
              );
            } else await settleNext(step === 'fail');
          }
          while (settledReads < r.pending.length) await settleNext(false);
          for (const { asked, read } of await Promise.all(answers)) {
            if (read !== 'failed') expect(read).toBeGreaterThanOrEqual(asked);
          }
          expect(r.mostRunning()).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 200 },
    );
  });
});
