// The benchmarks' supply chain is only worth measuring if the product would take it as
// real traffic: every event passes ingest's field validation, and replaying it through
// the custody rules flags exactly the anomalies the generator planted.
import { validateEvent } from '../../libs/events/src/event-validation';
import { CustodyProjection } from '../../libs/custody/src/custody-projection';
import { supplyChain } from '../../bench/supply-chain';

const SIGNATURE = 'A'.repeat(86);

describe('bench supply chain', () => {
  const chain = supplyChain({ events: 20_000, seed: 7 });
  const events = chain.phases.flat();

  it('has the size asked for, and is the same for the same seed', () => {
    expect(chain.eventCount).toBe(events.length);
    expect(events.length).toBeGreaterThanOrEqual(20_000);
    expect(events.length).toBeLessThan(20_000 + 400); // stops at the first pallet past it
    expect(supplyChain({ events: 2_000, seed: 7 }).phases).toEqual(
      supplyChain({ events: 2_000, seed: 7 }).phases,
    );
    expect(supplyChain({ events: 2_000, seed: 8 }).phases).not.toEqual(
      supplyChain({ events: 2_000, seed: 7 }).phases,
    );
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
  });

  it('passes ingest validation, and custody flags only the planted clones', () => {
    const projection = new CustodyProjection([]);
    const flagged: string[] = [];
    events.forEach((event, i) => {
      const valid = validateEvent({ event, keyId: 'k1', signature: SIGNATURE }, i);
      const outcomes = projection.apply(valid, BigInt(i + 1));
      for (const outcome of outcomes)
        if (outcome.flag) flagged.push(`${event.type} ${outcome.flag}`);
    });
    const clones = chain.phases[3]!.filter((e) => e.type === 'DISPENSE').length;
    expect(clones).toBeGreaterThan(0);
    expect(flagged).toEqual(Array.from({ length: clones }, () => 'DISPENSE CUSTODY_BREAK'));
  });

  it('names scan targets of every kind, held where it says', () => {
    const projection = new CustodyProjection([]);
    events.forEach((event, i) =>
      projection.apply(validateEvent({ event, keyId: 'k1', signature: SIGNATURE }, i), BigInt(i)),
    );
    const { authentic, dispensed, stolen, recalled } = chain.scans;
    expect(authentic.length).toBeGreaterThan(1_000);
    for (const list of [dispensed, stolen, recalled]) expect(list.length).toBeGreaterThan(0);
    for (const { code, pharmacy } of authentic.slice(0, 500)) {
      const state = projection.get(code);
      expect(state).toMatchObject({ status: 'ACTIVE', custodian: pharmacy, parent: null });
    }
    for (const code of dispensed.slice(0, 100))
      expect(projection.get(code)?.status).toBe('DISPENSED');
    for (const code of stolen.slice(0, 100))
      expect(projection.get(code)?.status).toBe('DECOMMISSIONED');
  });
});
