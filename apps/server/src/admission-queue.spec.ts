import fc from 'fast-check';
import { AdmissionQueue, type Grant } from './admission-queue';

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
const pick = <T>(list: readonly T[], n: number): T | undefined => list[n % list.length];

describe('AdmissionQueue', () => {
  it('admits at once what fits, and makes the next wait until bytes are given back', async () => {
    const queue = new AdmissionQueue(100);
    const first = await queue.acquire(60);
    expect(queue.held).toBe(60);
    let second: Grant | undefined;
    void queue.acquire(60).then((grant) => (second = grant));
    await settle();
    expect(second).toBeUndefined();
    expect(queue.waiting).toBe(1);
    first?.release();
    first?.release(); // once only
    await settle();
    expect(second?.bytes).toBe(60);
    expect(queue.held).toBe(60);
  });

  it('is first come, first served: a small request does not overtake a waiting large one', async () => {
    const queue = new AdmissionQueue(100);
    const held = await queue.acquire(50);
    const order: string[] = [];
    void queue.acquire(90).then(() => order.push('large'));
    void queue.acquire(20).then(() => order.push('small'));
    await settle();
    expect(order).toEqual([]); // 20 would fit beside the 50, but the 90 came first
    held?.release();
    await settle();
    expect(order).toEqual(['large']); // and 90 + 20 do not fit
  });

  it('lets a waiter give up through its signal, and the one behind it go in', async () => {
    const queue = new AdmissionQueue(100);
    await queue.acquire(50);
    const gaveUp = new AbortController();
    const large = queue.acquire(90, gaveUp.signal);
    const small = queue.acquire(40);
    gaveUp.abort();
    expect(await large).toBeUndefined();
    expect((await small)?.bytes).toBe(40);
    expect(queue.held).toBe(90);
  });

  it('gives back what a shrunk grant no longer holds', async () => {
    const queue = new AdmissionQueue(100);
    const grant = await queue.acquire(100);
    grant?.shrink(30);
    expect(queue.held).toBe(30);
    grant?.release();
    expect(queue.held).toBe(0);
  });

  it('refuses a request larger than the limit (it could never be admitted)', () => {
    expect(() => new AdmissionQueue(100).acquire(101)).toThrow(RangeError);
  });

  type Step =
    | { kind: 'acquire'; bytes: number }
    | { kind: 'release'; pick: number }
    | { kind: 'shrink'; pick: number; to: number }
    | { kind: 'abort'; pick: number };

  const LIMIT = 100;
  // Small and large requests mixed, arriving more often than they leave, so that a head
  // that does not fit often stands before later ones that would.
  const bytes = fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 40, max: LIMIT }));
  const step: fc.Arbitrary<Step> = fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('acquire' as const), bytes }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('shrink' as const),
        pick: fc.nat(),
        to: fc.nat({ max: LIMIT }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('abort' as const), pick: fc.nat() }) },
  );

  it('never holds more than the limit, admits in arrival order, and settles every waiter', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 60 }), async (steps) => {
        const queue = new AdmissionQueue(LIMIT);
        const requests: {
          seq: number;
          bytes: number;
          signal: AbortController;
          outcome?: 'admitted' | 'gave up';
          grant?: Grant;
        }[] = [];
        const admitted: number[] = [];
        const check = async () => {
          await settle();
          expect(queue.held).toBeLessThanOrEqual(LIMIT);
          const live = requests.filter((r) => r.grant !== undefined);
          expect(queue.held).toBe(live.reduce((sum, r) => sum + (r.grant?.bytes ?? 0), 0));
          // No one waits who could go in: the head does not fit.
          const waiting = requests.filter((r) => r.outcome === undefined);
          expect(queue.waiting).toBe(waiting.length);
          const head = waiting[0];
          if (head !== undefined) {
            expect(queue.held + head.bytes).toBeGreaterThan(LIMIT);
            // First come, first served: none admitted while one that came before still waits.
            expect(admitted.every((seq) => seq < head.seq)).toBe(true);
          }
        };
        for (const s of steps) {
          if (s.kind === 'acquire') {
            const request = {
              seq: requests.length,
              bytes: s.bytes,
              signal: new AbortController(),
            } as (typeof requests)[number];
            requests.push(request);
            void queue.acquire(s.bytes, request.signal.signal).then((grant) => {
              request.outcome = grant ? 'admitted' : 'gave up';
              request.grant = grant;
              if (grant) admitted.push(request.seq);
            });
          } else {
            const holding = requests.filter((r) => r.grant !== undefined);
            const waiting = requests.filter((r) => r.outcome === undefined);
            if (s.kind === 'release') {
              const r = pick(holding, s.pick);
              r?.grant?.release();
              if (r) r.grant = undefined;
            } else if (s.kind === 'shrink') {
              pick(holding, s.pick)?.grant?.shrink(s.to);
            } else {
              pick(waiting, s.pick)?.signal.abort();
            }
          }
          await check();
        }
        // Once everything is given back, every waiter has gone in or given up.
        for (;;) {
          // One at a time, the oldest first, so that room comes in pieces.
          const oldest = requests.find((r) => r.grant !== undefined);
          if (oldest === undefined) break;
          oldest.grant?.release();
          oldest.grant = undefined;
          await check();
        }
        expect(requests.every((r) => r.outcome !== undefined)).toBe(true);
        // Arrival order: each admitted request came after every one admitted before it.
        expect(admitted).toEqual([...admitted].sort((a, b) => a - b));
        expect(queue.held).toBe(0);
        expect(queue.waiting).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});
