import {
  type IndexedEvent,
  indexFailures,
  packageIdentifiers,
  recallTallyKey,
} from './index-check';

const UNIT = 'u1';
const CASE = 'c1';
const PALLET = 'p1';
const ev = (
  seq: number,
  type: string,
  items: string[],
  extra: Partial<IndexedEvent['named'] & object> = {},
): IndexedEvent => ({
  seq: BigInt(seq),
  eventId: `e${seq}`,
  named: { type, items, ...extra },
});
const history = [
  ev(1, 'COMMISSION', [UNIT], { lot: 'L1' }),
  ev(2, 'PACK', [UNIT], { parent: CASE }),
  ev(3, 'PACK', [CASE], { parent: PALLET }),
  ev(4, 'SHIP', [PALLET]),
];
const tallies = (pairs: [string, number, number][]) =>
  new Map(pairs.map(([k, n, last]) => [k, { eventCount: BigInt(n), lastSeq: BigInt(last) }]));
const honest = tallies([
  [UNIT, 2, 2],
  [CASE, 2, 3],
  [PALLET, 2, 4],
]);

describe('the index against the signed events', () => {
  it('follows the signed PACKs up from a unit and down from a case', () => {
    expect([...packageIdentifiers(UNIT, history, 16)].sort()).toEqual([CASE, PALLET, UNIT].sort());
    expect([...packageIdentifiers(CASE, history, 16)].sort()).toEqual([CASE, PALLET, UNIT].sort());
    expect([...packageIdentifiers(UNIT, history, 1)].sort()).toEqual([CASE, UNIT].sort());
  });

  it('finds nothing in an honest history', () => {
    expect(indexFailures(UNIT, undefined, history, honest, 16)).toEqual([]);
  });

  it('an event missing from what the index returned breaks its identifiers tally', () => {
    const failures = indexFailures(UNIT, undefined, history.slice(0, 3), honest, 16);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.message).toMatch(/records 2 event\(s\) for p1 .* found are 1/);
  });

  it('an event whose signed fields name none of the package was retargeted', () => {
    const stray = ev(5, 'DISPENSE', ['u9']);
    const failures = indexFailures(UNIT, undefined, [...history, stray], honest, 16);
    expect(failures.map((f) => f.eventId)).toEqual(['e5']);
  });

  it("a GTIN's recalls are checked against their tally, one per lot at its first RECALL", () => {
    const recalls = [
      ev(6, 'RECALL', [], { gtin: 'g', lot: 'L1' }),
      ev(7, 'RECALL', [], { gtin: 'g', lot: 'L2' }),
    ];
    const withRecalls = new Map([...honest, ...tallies([[recallTallyKey('g'), 2, 7]])]);
    expect(indexFailures(UNIT, 'g', [...history, ...recalls], withRecalls, 16)).toEqual([]);
    const deleted = indexFailures(UNIT, 'g', [...history, recalls[0]!], withRecalls, 16);
    expect(deleted.map((f) => f.message).join()).toMatch(/recall:g/);
    // No tally and no recall: nothing to say.
    expect(indexFailures(UNIT, 'g', history, honest, 16)).toEqual([]);
  });
});
