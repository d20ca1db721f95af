import fc from 'fast-check';
import { assess, type AssessInput, type LedgerEventView } from './assess';
import type { CustodyEvent } from './custody-event';
import type { FindingCode } from './findings';

const GTIN = '09506000134352';
const UNIT = `https://id.gs1.org/01/${GTIN}/21/ABC123`;
const CASE = 'https://id.gs1.org/00/095060000000000016';
const PALLET = 'https://id.gs1.org/00/095060000000000023';
const [MAKER, WHOLESALER, PHARMACY, OTHER] = [
  '9506000000007',
  '9506000000014',
  '9506000000021',
  '9506000000038',
];

let counter = 0;
function ev(
  type: CustodyEvent['type'],
  actor: string,
  fields: Partial<CustodyEvent> = {},
  sealed = true,
): LedgerEventView {
  counter += 1;
  return {
    eventId: `e${counter}`,
    type,
    actor,
    eventTime: '2026-11-01T10:00:00Z',
    items: [UNIT],
    sealed,
    ...fields,
  };
}
const commission = () => ev('COMMISSION', MAKER, { lot: 'L1', expiry: '2027-12-31' });
const ship = (from: string, to: string, items = [UNIT]) => ev('SHIP', from, { to, items });
const receive = (by: string, from: string, items = [UNIT]) => ev('RECEIVE', by, { from, items });

function run(events: LedgerEventView[], extra: Partial<AssessInput> = {}) {
  return assess({
    identifier: UNIT,
    gtin: GTIN,
    events,
    today: '2026-11-21',
    integrityFailures: [],
    ...extra,
  });
}
const codes = (result: { findings: readonly { code: FindingCode }[] }) =>
  result.findings.map((f) => f.code);

describe('assess: every finding of SPEC section 6', () => {
  it('AUTHENTIC for a clean chain, scanned by its holder', () => {
    const result = run([commission(), ship(MAKER, PHARMACY), receive(PHARMACY, MAKER)], {
      scanner: { id: PHARMACY, regulator: false },
      scan: { lot: 'L1', expiry: '2027-12-31' },
    });
    expect(result).toMatchObject({
      verdict: 'AUTHENTIC',
      findings: [],
      status: 'ACTIVE',
      custodian: PHARMACY,
    });
    expect(result.product).toEqual({ gtin: GTIN, lot: 'L1', expiry: '2027-12-31' });
    expect(result.trail).toHaveLength(3);
  });

  const cases: [FindingCode, string, () => ReturnType<typeof run>][] = [
    ['UNKNOWN_IDENTIFIER', 'COUNTERFEIT', () => run([])],
    ['PRODUCT_MISMATCH', 'COUNTERFEIT', () => run([commission()], { scan: { lot: 'L2' } })],
    ['ALREADY_DISPENSED', 'COUNTERFEIT', () => run([commission(), ev('DISPENSE', MAKER)])],
    [
      'DECOMMISSIONED',
      'COUNTERFEIT',
      () => run([commission(), ev('DECOMMISSION', MAKER, { reason: 'STOLEN' })]),
    ],
    [
      'INTEGRITY_FAILURE',
      'COUNTERFEIT',
      () =>
        run([commission()], {
          integrityFailures: [
            { message: 'leaf hash differs', publicMessage: 'leaf hash differs', eventId: 'x' },
          ],
        }),
    ],
    ['CUSTODY_BREAK', 'SUSPECT', () => run([commission(), ship(OTHER, PHARMACY)])],
    [
      'CONFLICTING_CUSTODY',
      'SUSPECT',
      () => run([commission(), ev('COMMISSION', OTHER, { lot: 'L1', expiry: '2027-12-31' })]),
    ],
    [
      'NOT_IN_YOUR_CUSTODY',
      'SUSPECT',
      () => run([commission()], { scanner: { id: PHARMACY, regulator: false } }),
    ],
    [
      'RECALLED',
      'SUSPECT',
      () => run([commission(), ev('RECALL', MAKER, { items: [], gtin: GTIN, lot: 'L1' })]),
    ],
    ['EXPIRED', 'SUSPECT', () => run([commission()], { today: '2028-01-01' })],
    ['IN_TRANSIT', 'AUTHENTIC', () => run([commission(), ship(MAKER, PHARMACY)])],
    [
      'LEDGER_UNWITNESSED',
      'SUSPECT',
      () => run([commission()], { unwitnessed: 'no witness cosigned the checkpoint' }),
    ],
    [
      'UNSEALED_EVENTS',
      'AUTHENTIC',
      () => run([commission(), ev('SHIP', MAKER, { to: PHARMACY }, false)]),
    ],
  ];
  it.each(cases)('%s gives at least %s', (code, verdict, result) => {
    const answer = result();
    expect(codes(answer)).toContain(code);
    expect(answer.verdict).toBe(verdict);
    expect(answer.findings.find((f) => f.code === code)?.message).toMatch(/\w/);
  });

  it('a regulator is never told NOT_IN_YOUR_CUSTODY; the open shipment recipient neither', () => {
    expect(codes(run([commission()], { scanner: { id: OTHER, regulator: true } }))).toEqual([]);
    expect(
      codes(
        run([commission(), ship(MAKER, PHARMACY)], { scanner: { id: PHARMACY, regulator: false } }),
      ),
    ).toEqual(['IN_TRANSIT']);
  });

  it('a recall of another lot of the same GTIN does not concern the unit', () => {
    expect(
      codes(run([commission(), ev('RECALL', MAKER, { items: [], gtin: GTIN, lot: 'L9' })])),
    ).toEqual([]);
  });

  it('while in transit the custodian is still the sender', () => {
    expect(run([commission(), ship(MAKER, PHARMACY)])).toMatchObject({
      status: 'IN_TRANSIT',
      custodian: MAKER,
    });
  });

  it('inherits custody through a case in a pallet: shipping and receiving the pallet moves the unit', () => {
    const events = [
      commission(),
      ev('PACK', MAKER, { parent: CASE, items: [UNIT] }),
      ev('PACK', MAKER, { parent: PALLET, items: [CASE] }),
      ship(MAKER, WHOLESALER, [PALLET]),
      receive(WHOLESALER, MAKER, [PALLET]),
      ev('UNPACK', WHOLESALER, { parent: PALLET, items: [CASE] }),
      ev('UNPACK', WHOLESALER, { parent: CASE, items: [UNIT] }),
      ship(WHOLESALER, PHARMACY),
      receive(PHARMACY, WHOLESALER),
    ];
    const result = run(events, { scanner: { id: PHARMACY, regulator: false } });
    expect(result).toMatchObject({ verdict: 'AUTHENTIC', custodian: PHARMACY, status: 'ACTIVE' });
    expect([...result.holders].sort()).toEqual([MAKER, PHARMACY, WHOLESALER].sort());
    expect(result.trail.map((e) => e.type)).toEqual([
      'COMMISSION',
      'PACK',
      'PACK',
      'SHIP',
      'RECEIVE',
      'UNPACK',
      'UNPACK',
      'SHIP',
      'RECEIVE',
    ]);
    // Mid-way, with the pallet in transit, the unit is in transit too.
    expect(run(events.slice(0, 4))).toMatchObject({ status: 'IN_TRANSIT', custodian: MAKER });
  });

  it('a contradiction on the container of the unit, while it is inside, concerns the unit', () => {
    const result = run([
      commission(),
      ev('PACK', MAKER, { parent: CASE, items: [UNIT] }),
      ship(OTHER, PHARMACY, [CASE]),
    ]);
    expect(codes(result)).toEqual(['CUSTODY_BREAK']);
    expect(result.custodian).toBe(MAKER);
  });

  it('a receipt of a unit shipped to someone else is a CUSTODY_BREAK and moves nothing', () => {
    const result = run([commission(), ship(MAKER, WHOLESALER), receive(PHARMACY, MAKER)]);
    expect(codes(result)).toEqual(['CUSTODY_BREAK', 'IN_TRANSIT']);
    expect(result.custodian).toBe(MAKER);
  });

  it('a receipt of a unit another party already received is CONFLICTING_CUSTODY', () => {
    const result = run([
      commission(),
      ship(MAKER, WHOLESALER),
      receive(WHOLESALER, MAKER),
      receive(PHARMACY, MAKER),
    ]);
    expect(codes(result)).toEqual(['CONFLICTING_CUSTODY']);
    expect(result).toMatchObject({ custodian: WHOLESALER, status: 'ACTIVE' });
  });

  it('refuses to pack a container into itself', () => {
    const result = assess({
      identifier: CASE,
      events: [
        commission(),
        ev('PACK', MAKER, { parent: CASE, items: [UNIT] }),
        ev('PACK', MAKER, { parent: CASE, items: [CASE] }),
      ],
      today: '2026-11-21',
      integrityFailures: [],
    });
    expect(codes(result)).toEqual(['CUSTODY_BREAK']);
  });
});

/** A random clean journey: ships, receives, packing and unpacking, by whoever holds it. */
const parties = [MAKER, WHOLESALER, PHARMACY, OTHER];
const journey = fc.array(
  fc.record({ kind: fc.constantFrom('move', 'packed-move'), to: fc.constantFrom(1, 2, 3) }),
  {
    maxLength: 8,
  },
);

function cleanChain(steps: { kind: string; to: number }[]): {
  events: LedgerEventView[];
  holder: string;
} {
  const events: LedgerEventView[] = [commission()];
  let holder = MAKER;
  steps.forEach((step, i) => {
    const next = parties.filter((p) => p !== holder)[step.to - 1]!;
    if (step.kind === 'move') {
      events.push(ship(holder, next), receive(next, holder));
    } else {
      const box = `https://id.gs1.org/00/0950600000000${String(1000 + i).padStart(5, '0')}`;
      events.push(
        ev('PACK', holder, { parent: box, items: [UNIT] }),
        ship(holder, next, [box]),
        receive(next, holder, [box]),
        ev('UNPACK', next, { parent: box, items: [UNIT] }),
      );
    }
    holder = next;
  });
  return { events, holder };
}

describe('assess: properties', () => {
  it('a clean chain of custody, scanned by its holder, is always AUTHENTIC', () => {
    fc.assert(
      fc.property(journey, (steps) => {
        const { events, holder } = cleanChain(steps);
        const result = run(events, { scanner: { id: holder, regulator: false } });
        expect(result.findings).toEqual([]);
        expect(result).toMatchObject({ verdict: 'AUTHENTIC', custodian: holder, status: 'ACTIVE' });
      }),
    );
  });

  it('dispensing twice always yields ALREADY_DISPENSED and COUNTERFEIT', () => {
    fc.assert(
      fc.property(journey, fc.constantFrom(...parties), (steps, second) => {
        const { events, holder } = cleanChain(steps);
        const result = run([...events, ev('DISPENSE', holder), ev('DISPENSE', second)]);
        expect(codes(result)).toContain('ALREADY_DISPENSED');
        expect(result.verdict).toBe('COUNTERFEIT');
      }),
    );
  });

  it('an event by a party that does not hold the unit is a CUSTODY_BREAK and moves nothing', () => {
    fc.assert(
      fc.property(
        journey,
        fc.nat(),
        fc.constantFrom<('SHIP' | 'DISPENSE' | 'DECOMMISSION')[]>(
          'SHIP',
          'DISPENSE',
          'DECOMMISSION',
        ),
        (steps, at, type) => {
          const { events, holder } = cleanChain(steps);
          const position = 1 + (at % events.length);
          const before = run(events.slice(0, position));
          const intruder =
            parties.find((p) => p !== before.custodian && p !== holder && p !== MAKER) ?? OTHER;
          if (intruder === before.custodian) return;
          const foreign = ev(
            type,
            intruder,
            type === 'SHIP'
              ? { to: intruder }
              : type === 'DECOMMISSION'
                ? { reason: 'DESTROYED' }
                : {},
          );
          const withIntruder = [...events.slice(0, position), foreign, ...events.slice(position)];
          const result = run(withIntruder, { scanner: { id: holder, regulator: false } });
          expect(codes(result)).toEqual(['CUSTODY_BREAK']);
          expect(result).toMatchObject({ verdict: 'SUSPECT', custodian: holder, status: 'ACTIVE' });
        },
      ),
    );
  });
});
