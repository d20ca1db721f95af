// fast-check arbitraries for valid Custos events of every type (SPEC sections 2 and 4), with
// items written in every identifier form a client may sign: canonical Digital Link, Digital
// Link on another host or with qualifiers, element string, scanner data, EPC URN.
import fc from 'fast-check';
import type { DecommissionReason, EventType } from '@custos/custody/custody-event';
import { canonicalIdentifier } from '@custos/gs1/canonical';
import { CSET82 } from '@custos/gs1/charset';
import { gs1CheckDigit } from '@custos/gs1/check-digit';
import type { Gs1Identifier } from '@custos/gs1/identifier';
import { render } from '@custos/gs1/render';

const digits = (n: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });
const key = (body: number) => digits(body).map((b) => b + String(gs1CheckDigit(b)));
export const gtin14 = key(13);
export const gln = key(12);
export const cset82 = (max: number) =>
  fc.string({ unit: fc.constantFrom(...CSET82), minLength: 1, maxLength: max });

const isoDate = fc
  .date({
    min: new Date('2000-01-01T00:00:00Z'),
    max: new Date('2049-12-31T00:00:00Z'),
    noInvalidDate: true,
  })
  .map((d) => d.toISOString().slice(0, 10));

/** RFC 3339 UTC instants as clients write them: any fraction, `T`/`t`, `Z`/`z`. */
export const eventTime = fc
  .tuple(
    fc.date({
      min: new Date('2000-01-01T00:00:00Z'),
      max: new Date('2030-12-31T00:00:00Z'),
      noInvalidDate: true,
    }),
    fc.option(
      digits(1)
        .chain(() => fc.integer({ min: 1, max: 9 }))
        .chain((n) => digits(n)),
      { nil: undefined },
    ),
    fc.constantFrom('T', 't'),
    fc.constantFrom('Z', 'z'),
  )
  .map(([d, fraction, t, z]) => {
    const iso = d.toISOString();
    return `${iso.slice(0, 10)}${t}${iso.slice(11, 19)}${fraction === undefined ? '' : `.${fraction}`}${z}`;
  });

export const eventId = fc
  .tuple(fc.uuid(), fc.boolean())
  .map(([uuid, upper]) => (upper ? uuid.toUpperCase() : uuid));

const cpl = fc.integer({ min: 6, max: 12 });
type Form = 'canonical' | 'other-host' | 'element-string' | 'scan' | 'epc-urn' | 'with-data';
const form = fc.constantFrom<Form>(
  'canonical',
  'other-host',
  'element-string',
  'scan',
  'epc-urn',
  'with-data',
);

/** COMMISSION items may carry (10)/(17), equal to the event's lot and expiry. */
interface Commissioned {
  readonly lot: string;
  readonly expiry: string;
}

function write(id: Gs1Identifier, how: Form, prefix: number, commissioned?: Commissioned): string {
  switch (how) {
    case 'canonical':
      return canonicalIdentifier(id);
    case 'other-host':
      return render(id, 'digital-link', { stem: 'https://example.com' });
    case 'element-string':
      return render(id, 'element-string');
    case 'scan':
      return render(id, 'scan');
    case 'epc-urn':
      return render(id, 'epc-urn', { companyPrefixLength: prefix });
    case 'with-data':
      if (id.kind !== 'unit' || !commissioned) return render(id, 'digital-link');
      return render(
        { ...id, lot: commissioned.lot, expiry: commissioned.expiry.slice(2).replace(/-/g, '') },
        'digital-link',
      );
  }
}

const unitId = fc
  .record({ gtin: gtin14, serial: cset82(20) })
  .map((u): Gs1Identifier => ({ kind: 'unit', ...u, attributes: [] }));
const ssccId = key(17).map((sscc): Gs1Identifier => ({
  kind: 'logistic-unit',
  sscc,
  attributes: [],
}));

/** 1-4 distinct items (units, or units and SSCCs), each in some form. */
function items(kinds: 'units' | 'any', commissioned?: Commissioned, exclude?: string) {
  const id = kinds === 'units' ? unitId : fc.oneof(unitId, ssccId);
  return fc
    .uniqueArray(fc.tuple(id, form, cpl), {
      minLength: 1,
      maxLength: 4,
      selector: ([i]) => canonicalIdentifier(i),
    })
    .filter((list) => list.every(([i]) => canonicalIdentifier(i) !== exclude))
    .map((list) => list.map(([i, how, prefix]) => write(i, how, prefix, commissioned)));
}

const common = (type: EventType) =>
  fc.record({ eventId, type: fc.constant(type), actor: gln, eventTime });

const otherParty = (actor: string) => gln.filter((g) => g !== actor);

export const custosEvent = (type: EventType): fc.Arbitrary<Record<string, unknown>> => {
  switch (type) {
    case 'COMMISSION':
      return fc
        .tuple(common(type), cset82(20), isoDate)
        .chain(([c, lot, expiry]) =>
          items('units', { lot, expiry }).map((list) => ({ ...c, items: list, lot, expiry })),
        );
    case 'PACK':
    case 'UNPACK':
      return fc.tuple(common(type), ssccId, form, cpl).chain(([c, parent, how, prefix]) =>
        items('any', undefined, canonicalIdentifier(parent)).map((list) => ({
          ...c,
          items: list,
          parent: write(parent, how, prefix),
        })),
      );
    case 'SHIP':
      return common(type).chain((c) =>
        fc
          .tuple(items('any'), otherParty(c.actor))
          .map(([list, to]) => ({ ...c, items: list, to })),
      );
    case 'RECEIVE':
      return common(type).chain((c) =>
        fc
          .tuple(items('any'), otherParty(c.actor))
          .map(([list, from]) => ({ ...c, items: list, from })),
      );
    case 'DISPENSE':
      return common(type).chain((c) => items('units').map((list) => ({ ...c, items: list })));
    case 'DECOMMISSION':
      return fc
        .tuple(
          common(type),
          items('any'),
          fc.constantFrom<DecommissionReason>(
            'DESTROYED',
            'STOLEN',
            'SAMPLE',
            'EXPORTED',
            'LOCKED',
          ),
        )
        .map(([c, list, reason]) => ({ ...c, items: list, reason }));
    case 'RECALL':
      return fc
        .tuple(
          common(type),
          gtin14,
          cset82(20),
          fc.constantFrom('14', '13', 'dl', 'element-string'),
        )
        .map(([c, gtin, lot, how]) => ({
          ...c,
          gtin:
            how === '14'
              ? gtin
              : how === '13' && gtin.startsWith('0')
                ? gtin.slice(1)
                : how === 'dl'
                  ? `https://id.gs1.org/01/${gtin}`
                  : `(01)${gtin}`,
          lot,
        }));
  }
};
