// The demo supply chain of `custos demo` (issue 15), as data: its eight participants
// (@custos/sdk/demo-parties), two products in four lots (1,000 units in cases of 40–60 and pallets of six cases), the
// events that move them, and the codes to scan with the verdict each must give. Pure:
// demo.command.ts registers, signs and submits it; demo.e2e.spec.ts checks every row.
import { gs1CheckDigit } from '@custos/gs1/check-digit';
import type { EventFields, EventType } from '@custos/sdk/events';
import { PARTIES, type PartyName } from '@custos/sdk/demo-parties';
import type { Verdict } from '@custos/sdk/types';

const gln = (body: string) => `${body}${gs1CheckDigit(body)}`;

export interface Product {
  readonly gtin: string;
  readonly name: string;
  readonly prefix: string;
  readonly maker: PartyName;
}

export const PRODUCTS = {
  amox: {
    gtin: gln('0950600100001'),
    name: 'Amoxicillin 500 mg, 21 capsules',
    prefix: '9506001',
    maker: 'aurora',
  },
  ator: {
    gtin: gln('0950600200002'),
    name: 'Atorvastatin 20 mg, 28 tablets',
    prefix: '9506002',
    maker: 'borealis',
  },
} as const satisfies Record<string, Product>;

export interface Lot {
  readonly product: Product;
  readonly lot: string;
  readonly expiry: string;
  readonly cases: number;
  readonly unitsPerCase: number;
  /** Case SSCC serial references start after it. */
  readonly caseBase: number;
}

export const LOTS = {
  amoxGood: {
    product: PRODUCTS.amox,
    lot: 'A2611',
    expiry: '2028-11-30',
    cases: 12,
    unitsPerCase: 50,
    caseBase: 100,
  },
  amoxExpired: {
    product: PRODUCTS.amox,
    lot: 'A2407',
    expiry: '2025-07-31',
    cases: 1,
    unitsPerCase: 40,
    caseBase: 200,
  },
  atorGood: {
    product: PRODUCTS.ator,
    lot: 'B2703',
    expiry: '2029-03-31',
    cases: 6,
    unitsPerCase: 50,
    caseBase: 100,
  },
  atorRecalled: {
    product: PRODUCTS.ator,
    lot: 'B2602',
    expiry: '2028-02-28',
    cases: 1,
    unitsPerCase: 60,
    caseBase: 200,
  },
} as const satisfies Record<string, Lot>;

export const serialOf = (lot: Lot, caseNo: number, unit: number) =>
  `${lot.lot}C${String(caseNo).padStart(2, '0')}U${String(unit).padStart(3, '0')}`;
export const unitUri = (lot: Lot, caseNo: number, unit: number) =>
  `https://id.gs1.org/01/${lot.product.gtin}/21/${serialOf(lot, caseNo, unit)}`;
const ssccOf = (prefix: string, ref: number) => {
  const body = `0${prefix}${String(ref).padStart(16 - prefix.length, '0')}`;
  return `https://id.gs1.org/00/${body}${gs1CheckDigit(body)}`;
};
export const caseSscc = (lot: Lot, caseNo: number) =>
  ssccOf(lot.product.prefix, lot.caseBase + caseNo);
export const palletSscc = (product: Product, n: number) => ssccOf(product.prefix, 900 + n);

/** What the label carries: GS1 element string with expiry, lot and serial (EU FMD layout). */
export function scanCode(lot: Lot, serial: string): string {
  const [y, m, d] = lot.expiry.split('-');
  return `(01)${lot.product.gtin}(17)${y!.slice(2)}${m}${d}(10)${lot.lot}(21)${serial}`;
}

export interface Step {
  readonly actor: PartyName;
  readonly type: EventType;
  readonly fields: EventFields;
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** The events in the order they happen. */
export function demoSteps(): Step[] {
  const steps: Step[] = [];
  const add = (actor: PartyName, type: EventType, fields: EventFields) =>
    steps.push({ actor, type, fields });
  const commission = (lot: Lot) => {
    for (const c of range(1, lot.cases)) {
      const items = range(1, lot.unitsPerCase).map((u) => unitUri(lot, c, u));
      add(lot.product.maker, 'COMMISSION', { items, lot: lot.lot, expiry: lot.expiry });
      add(lot.product.maker, 'PACK', { items, parent: caseSscc(lot, c) });
    }
  };
  const { amoxGood: a, amoxExpired: ax, atorGood: b, atorRecalled: bx } = LOTS;
  const P = PARTIES;
  const cases = (lot: Lot, numbers: number[]) => numbers.map((c) => caseSscc(lot, c));

  commission(a);
  commission(ax);
  add('aurora', 'PACK', { items: cases(a, range(1, 6)), parent: palletSscc(PRODUCTS.amox, 1) });
  add('aurora', 'PACK', { items: cases(a, range(7, 12)), parent: palletSscc(PRODUCTS.amox, 2) });
  add('aurora', 'SHIP', {
    items: [palletSscc(PRODUCTS.amox, 1), caseSscc(ax, 1)],
    to: P.northwind.id,
  });
  add('aurora', 'SHIP', { items: [palletSscc(PRODUCTS.amox, 2)], to: P.southgate.id });
  commission(b);
  commission(bx);
  add('borealis', 'PACK', { items: cases(b, range(1, 6)), parent: palletSscc(PRODUCTS.ator, 1) });
  add('borealis', 'SHIP', { items: [palletSscc(PRODUCTS.ator, 1)], to: P.southgate.id });
  add('borealis', 'SHIP', { items: [caseSscc(bx, 1)], to: P.northwind.id });

  add('northwind', 'RECEIVE', {
    items: [palletSscc(PRODUCTS.amox, 1), caseSscc(ax, 1)],
    from: P.aurora.id,
  });
  add('northwind', 'RECEIVE', { items: [caseSscc(bx, 1)], from: P.borealis.id });
  add('northwind', 'UNPACK', {
    items: cases(a, range(1, 6)),
    parent: palletSscc(PRODUCTS.amox, 1),
  });
  add('northwind', 'SHIP', { items: [...cases(a, [1, 3]), caseSscc(ax, 1)], to: P.harbour.id });
  add('northwind', 'SHIP', { items: [caseSscc(a, 2), caseSscc(bx, 1)], to: P.market.id });
  add('northwind', 'SHIP', { items: [caseSscc(a, 4)], to: P.market.id });

  add('southgate', 'RECEIVE', { items: [palletSscc(PRODUCTS.amox, 2)], from: P.aurora.id });
  add('southgate', 'RECEIVE', { items: [palletSscc(PRODUCTS.ator, 1)], from: P.borealis.id });
  add('southgate', 'UNPACK', {
    items: cases(a, range(7, 12)),
    parent: palletSscc(PRODUCTS.amox, 2),
  });
  add('southgate', 'UNPACK', {
    items: cases(b, range(1, 6)),
    parent: palletSscc(PRODUCTS.ator, 1),
  });
  add('southgate', 'SHIP', { items: [caseSscc(a, 7), caseSscc(b, 2)], to: P.nightowl.id });
  add('southgate', 'SHIP', { items: [caseSscc(b, 1)], to: P.market.id });
  add('southgate', 'DECOMMISSION', { items: [caseSscc(a, 8)], reason: 'STOLEN' });
  add('southgate', 'SHIP', { items: [caseSscc(b, 3)], to: P.harbour.id }); // left in transit

  add('harbour', 'RECEIVE', {
    items: [...cases(a, [1, 3]), caseSscc(ax, 1)],
    from: P.northwind.id,
  });
  add('harbour', 'DISPENSE', { items: [unitUri(a, 1, 1)] }); // the genuine pack, sold
  add('market', 'RECEIVE', { items: [caseSscc(a, 2), caseSscc(bx, 1)], from: P.northwind.id });
  add('market', 'RECEIVE', { items: [caseSscc(b, 1)], from: P.southgate.id });
  // The rogue pharmacy signs for a case shipped to another pharmacy: a custody break.
  add('nightowl', 'RECEIVE', { items: [caseSscc(a, 4)], from: P.northwind.id });
  add('nightowl', 'RECEIVE', { items: [caseSscc(a, 7), caseSscc(b, 2)], from: P.southgate.id });
  // ... and sells a clone of the serial Harbour Pharmacy dispensed.
  add('nightowl', 'DISPENSE', { items: [unitUri(a, 1, 1)] });
  add('market', 'RECEIVE', { items: [caseSscc(a, 4)], from: P.northwind.id });
  add('borealis', 'RECALL', { gtin: PRODUCTS.ator.gtin, lot: bx.lot });
  return steps;
}

export interface DemoCode {
  readonly label: string;
  readonly code: string;
  readonly verdict: Verdict;
  /** The finding that makes the verdict (none for a clean AUTHENTIC). */
  readonly finding?: string;
  readonly signInAs: PartyName;
  readonly story: string;
  readonly product: string;
}

/** The codes to scan, the verdict each gives, and the pharmacy to sign in as. */
export function demoCodes(): DemoCode[] {
  const { amoxGood: a, amoxExpired: ax, atorGood: b, atorRecalled: bx } = LOTS;
  const row = (
    label: string,
    lot: Lot,
    serial: string,
    verdict: Verdict,
    finding: string | undefined,
    signInAs: PartyName,
    story: string,
  ): DemoCode => ({
    label,
    code: scanCode(lot, serial),
    verdict,
    ...(finding ? { finding } : {}),
    signInAs,
    story,
    product: `${lot.product.name}, lot ${lot.lot}, exp. ${lot.expiry}`,
  });
  return [
    row(
      '01-authentic',
      a,
      serialOf(a, 3, 10),
      'AUTHENTIC',
      undefined,
      'harbour',
      'a genuine pack on the shelf of the pharmacy that holds it',
    ),
    row(
      '02-not-yours',
      a,
      serialOf(a, 3, 10),
      'SUSPECT',
      'NOT_IN_YOUR_CUSTODY',
      'market',
      'the same pack, scanned by a pharmacy that never received it',
    ),
    row(
      '03-in-transit',
      b,
      serialOf(b, 3, 1),
      'AUTHENTIC',
      'IN_TRANSIT',
      'harbour',
      'shipped to this pharmacy, not yet received',
    ),
    row(
      '04-recalled',
      bx,
      serialOf(bx, 1, 7),
      'SUSPECT',
      'RECALLED',
      'market',
      'its lot was recalled by the manufacturer',
    ),
    row(
      '05-expired',
      ax,
      serialOf(ax, 1, 3),
      'SUSPECT',
      'EXPIRED',
      'harbour',
      'its lot is past its expiry date',
    ),
    row(
      '06-custody-break',
      a,
      serialOf(a, 4, 5),
      'SUSPECT',
      'CUSTODY_BREAK',
      'market',
      'the rogue pharmacy signed for its case, shipped to another',
    ),
    row(
      '07-stolen',
      a,
      serialOf(a, 8, 20),
      'COUNTERFEIT',
      'DECOMMISSIONED',
      'harbour',
      'from a case reported stolen at the wholesaler',
    ),
    row(
      '08-cloned',
      a,
      serialOf(a, 1, 1),
      'COUNTERFEIT',
      'ALREADY_DISPENSED',
      'market',
      'a clone of a serial already sold (and sold again by the rogue pharmacy)',
    ),
    row(
      '09-unknown',
      a,
      `${a.lot}C99U999`,
      'COUNTERFEIT',
      'UNKNOWN_IDENTIFIER',
      'harbour',
      'a serial that was never made',
    ),
  ];
}

/** Units the demo commissions (the issue asks for about 1,000). */
export const DEMO_UNITS = Object.values(LOTS).reduce(
  (n, lot) => n + lot.cases * lot.unitsPerCase,
  0,
);
