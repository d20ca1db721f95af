// Reading EPCIS events back into Custos events (docs/epcis.md): what the mapping refuses,
// by field and reason, in both profiles; and what the import profile reads differently
// (times with offsets, derived eventIds, fields dropped on request and reported).
import { EpcisMappingError } from '../src/errors';
import { type FromEpcisOptions, fromEpcisEvent } from '../src/from-epcis';
import { contextNames } from '../src/jsonld-names';
import { CUSTOS_EPCIS_CONTEXT, CUSTOS_EPCIS_NAMES, toEpcisEvent } from '../src/to-epcis';
import { EPCIS_CONTEXT } from '../src/vocabulary';

const ACTOR = '0950600013439';
const OTHER = '0950600013446';
const UNIT = 'https://id.gs1.org/01/09506000134352/21/ABC123';
const SIG = { keyId: 'k1', signature: 'A'.repeat(86) };

const ship = {
  eventId: '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
  type: 'SHIP',
  actor: ACTOR,
  eventTime: '2026-01-05T10:00:00Z',
  items: [UNIT],
  to: OTHER,
};
const captured = (patch: Record<string, unknown> = {}, event: Record<string, unknown> = ship) => {
  const out: Record<string, unknown> = { ...toEpcisEvent({ event, ...SIG }), ...patch };
  for (const [k, v] of Object.entries(patch)) if (v === undefined) delete out[k];
  return out;
};
const capture: FromEpcisOptions = { profile: 'capture' };
const importing = (drop?: string[]): FromEpcisOptions => ({
  profile: 'import',
  actor: ACTOR,
  ...(drop ? { drop } : {}),
});

function refusal(event: unknown, options: FromEpcisOptions = capture, names = CUSTOS_EPCIS_NAMES) {
  try {
    fromEpcisEvent(event, names, options);
  } catch (err) {
    if (err instanceof EpcisMappingError) return { pointer: err.pointer, reason: err.reason };
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('capture: the event must be exactly what the mapping writes', () => {
  it('reads the mapping back', () => {
    const back = fromEpcisEvent(captured(), CUSTOS_EPCIS_NAMES, capture);
    expect(back).toEqual({ event: ship, ...SIG, dropped: [] });
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    [
      'sensor data',
      { sensorElementList: [{ sensorReport: [{ type: 'Temperature', value: 5 }] }] },
      '/sensorElementList',
      /sensor data/,
    ],
    [
      'a read point',
      { readPoint: { id: 'https://id.gs1.org/414/0950600013439' } },
      '/readPoint',
      /read point/,
    ],
    [
      'business transactions',
      { bizTransactionList: [{ type: 'po', bizTransaction: 'urn:x:1' }] },
      '/bizTransactionList',
      /transactions/,
    ],
    [
      'an error declaration',
      { errorDeclaration: { declarationTime: '2026-01-05T11:00:00Z' } },
      '/errorDeclaration',
      /never retracts/,
    ],
    ['an extension', { 'ex:note': 'x' }, '/ex:note', /extension field/],
    [
      'another bizStep',
      { bizStep: 'inspecting' },
      '/bizStep',
      /inspecting has no Custos counterpart/,
    ],
    [
      'another disposition',
      { disposition: 'in_progress' },
      '/disposition',
      /in_transit.*not in_progress/,
    ],
    ['another action', { action: 'ADD' }, '/action', /OBSERVE/],
    [
      'a transformation',
      { type: 'TransformationEvent' },
      '/type',
      /TransformationEvent has no Custos counterpart/,
    ],
    [
      'an offset',
      { eventTimeZoneOffset: '+01:00' },
      '/eventTimeZoneOffset',
      /"\+01:00" would be lost/,
    ],
    [
      'a time with an offset',
      { eventTime: '2026-01-05T11:00:00+01:00' },
      '/eventTime',
      /UTC instant/,
    ],
    ['a hash eventID', { eventID: 'ni:///sha-256;00?ver=CBV2.0' }, '/eventID', /urn:uuid/],
    ['no signature', { 'custos:signature': undefined }, '/custos:signature', /string/],
    ['no actor', { 'custos:actor': undefined }, '/custos:actor', /string/],
    ['an unknown custos field', { 'custos:note': 1 }, '/custos:note', /not a Custos extension/],
    [
      'a quantity',
      { quantityList: [{ epcClass: 'https://id.gs1.org/01/09506000134352/10/L1', quantity: 2 }] },
      '/quantityList',
      /not quantities/,
    ],
    [
      'a lot on an item',
      { epcList: [`${UNIT}?10=L1`] },
      '/epcList/0',
      /\(10\) lot besides its key/,
    ],
    [
      'an element string item',
      { epcList: ['(01)09506000134352(21)ABC123'] },
      '/epcList/0',
      /not a GS1 Digital Link URI or an EPC URN/,
    ],
    [
      'a sender other than the actor',
      { sourceList: [{ type: 'owning_party', source: `https://id.gs1.org/417/${OTHER}` }] },
      '/sourceList',
      /not the actor/,
    ],
    ['no recipient', { destinationList: undefined }, '/destinationList', /required/],
    [
      'a second recipient',
      {
        destinationList: [
          { type: 'owning_party', destination: `https://id.gs1.org/417/${OTHER}` },
          { type: 'owning_party', destination: `https://id.gs1.org/417/${ACTOR}` },
        ],
      },
      '/destinationList/1',
      /second owning_party/,
    ],
    [
      'a location',
      {
        destinationList: [
          { type: 'owning_party', destination: `https://id.gs1.org/417/${OTHER}` },
          { type: 'location', destination: 'https://id.gs1.org/414/0950600013446' },
        ],
      },
      '/destinationList/1',
      /location/,
    ],
    [
      'a signed form of another item',
      { 'custos:signedAs': { items: ['(01)09506000134352(21)ABC124'] } },
      '/custos:signedAs/items/0',
      /names .*ABC124, but epcList\/0 names .*ABC123/,
    ],
    [
      'signed forms of fewer items',
      { 'custos:signedAs': { items: [] } },
      '/custos:signedAs/items',
      /as many items/,
    ],
    [
      'a signed form of a field SHIP lacks',
      { 'custos:signedAs': { parent: '(00)095060000000000015' } },
      '/custos:signedAs/parent',
      /no parent/,
    ],
  ])('refuses %s', (_what, patch, pointer, reason) => {
    const got = refusal(captured(patch));
    expect(got.pointer).toBe(pointer);
    expect(got.reason).toMatch(reason);
  });

  it('refuses a commissioning whose ILMD holds more than lot and expiry', () => {
    const commission = {
      ...ship,
      type: 'COMMISSION',
      to: undefined,
      lot: 'L1',
      expiry: '2027-12-31',
    };
    delete commission.to;
    const event = captured({}, commission);
    const ilmd = { ...(event.ilmd as object), 'cbvmda:bestBeforeDate': '2027-01-01' };
    expect(refusal({ ...event, ilmd })).toEqual({
      pointer: '/ilmd/cbvmda:bestBeforeDate',
      reason: expect.stringMatching(/only the lot number and expiry/) as unknown,
    });
  });

  it('refuses an event outside the EPCIS context', () => {
    expect(
      refusal(captured(), capture, contextNames([{ custos: 'urn:custos:epcis:1:' }])).pointer,
    ).toBe('/@context');
  });

  it('reads CBV web URIs, EPC URNs, SGLN parties and any prefix bound to the Custos namespace', () => {
    const event: Record<string, unknown> = {
      ...captured(),
      bizStep: 'https://ref.gs1.org/cbv/BizStep-shipping',
      disposition: 'https://ref.gs1.org/cbv/Disp-in_transit',
      epcList: ['urn:epc:id:sgtin:9506000.013435.ABC123'],
      destinationList: [
        {
          type: 'https://ref.gs1.org/cbv/SDT-owning_party',
          destination: 'urn:epc:id:sgln:0950600.01344.0',
        },
      ],
    };
    for (const key of ['custos:actor', 'custos:keyId', 'custos:signature']) {
      event[key.replace('custos:', 'cx:')] = event[key];
      delete event[key];
    }
    const names = contextNames([EPCIS_CONTEXT, { cx: 'urn:custos:epcis:1:' }]);
    // The Custos side is the canonical Digital Link: these are the bytes signed.
    expect(fromEpcisEvent(event, names, capture).event).toEqual(ship);
    // With `custos` bound elsewhere, custos:* are someone else's extension fields.
    const foreign = contextNames([EPCIS_CONTEXT, { custos: 'https://example.com/custos/' }]);
    expect(refusal(captured(), capture, foreign).pointer).toBe('/custos:actor');
    expect(CUSTOS_EPCIS_CONTEXT).toContainEqual(
      expect.objectContaining({ custos: 'urn:custos:epcis:1:' }),
    );
  });
});

describe('import: a partner system event, to be signed by the importer', () => {
  const partner = {
    type: 'ObjectEvent',
    eventTime: '2026-01-05T11:00:00.120+01:00',
    eventTimeZoneOffset: '+01:00',
    epcList: ['urn:epc:id:sgtin:9506000.013435.ABC123'],
    action: 'OBSERVE',
    bizStep: 'shipping',
    disposition: 'in_transit',
    readPoint: { id: 'urn:epc:id:sgln:0950600.01343.0' },
    bizTransactionList: [{ type: 'po', bizTransaction: 'urn:epcglobal:cbv:bt:0950600013439:1' }],
    sourceList: [
      { type: 'owning_party', source: `https://id.gs1.org/417/${ACTOR}` },
      { type: 'location', source: 'urn:epc:id:sgln:0950600.01343.0' },
    ],
    destinationList: [{ type: 'owning_party', destination: `https://id.gs1.org/417/${OTHER}` }],
    'ex:po': '4711',
  };
  const names = contextNames([EPCIS_CONTEXT, { ex: 'https://example.com/ns/' }]);

  it('names the first field it would lose', () => {
    expect(refusal(partner, importing(), names)).toMatchObject({ pointer: '/eventTimeZoneOffset' });
    expect(refusal(partner, importing(['eventTimeZoneOffset']), names)).toMatchObject({
      pointer: '/sourceList/1',
    });
    expect(
      refusal(
        partner,
        importing(['eventTimeZoneOffset', 'location', 'readPoint', 'bizTransactionList']),
        names,
      ),
    ).toMatchObject({
      pointer: '/ex:po',
    });
  });

  it('drops what it is allowed to, reports it, reads the time in UTC and derives the eventId', () => {
    const drop = ['eventTimeZoneOffset', 'location', 'readPoint', 'bizTransactionList', 'ex:po'];
    const read = fromEpcisEvent(partner, names, importing(drop));
    expect(read.event).toEqual({
      eventId: expect.stringMatching(
        /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      ) as unknown,
      type: 'SHIP',
      actor: ACTOR,
      eventTime: '2026-01-05T10:00:00.120Z',
      items: [UNIT],
      to: OTHER,
    });
    expect(read.dropped).toEqual([
      '/eventTimeZoneOffset',
      '/sourceList/1',
      '/readPoint',
      '/bizTransactionList',
      '/ex:po',
    ]);
    // The same partner event imports as the same eventId (a retry is a duplicate); another signer's differs.
    expect(fromEpcisEvent(partner, names, importing(drop)).event.eventId).toBe(read.event.eventId);
    const other = fromEpcisEvent(
      {
        ...partner,
        sourceList: [{ type: 'owning_party', source: `https://id.gs1.org/417/${OTHER}` }],
        destinationList: [{ type: 'owning_party', destination: `https://id.gs1.org/417/${ACTOR}` }],
        bizStep: 'receiving',
        disposition: 'in_progress',
      },
      names,
      { profile: 'import', actor: ACTOR, drop },
    );
    expect(other.event.eventId).not.toBe(read.event.eventId);
  });

  it("never drops sensor data, nor signs another party's event", () => {
    const drop = [
      'eventTimeZoneOffset',
      'location',
      'readPoint',
      'bizTransactionList',
      'ex:po',
      'sensorElementList',
    ];
    expect(
      refusal(
        { ...partner, sensorElementList: [{ sensorReport: [{ type: 'Temperature' }] }] },
        importing(drop),
        names,
      ).pointer,
    ).toBe('/sensorElementList');
    expect(
      refusal({ ...captured(), 'custos:actor': OTHER }, importing(), CUSTOS_EPCIS_NAMES),
    ).toMatchObject({ pointer: '/custos:actor' });
  });
});

describe('toEpcisEvent refuses what is not a Custos event', () => {
  it.each<[Record<string, unknown>, string]>([
    [{ ...ship, reason: 'DESTROYED' }, '/reason'],
    [{ ...ship, to: undefined }, '/to'],
    [{ ...ship, type: 'LOSE' }, '/type'],
    [{ ...ship, items: ['(01)09506000134351(21)A'] }, '/items/0'],
    [{ ...ship, to: '0950600013440' }, '/to'],
    [{ ...ship, type: 'DECOMMISSION', to: undefined, reason: 'MELTED' }, '/reason'],
  ])('%j', (event, pointer) => {
    const clean = Object.fromEntries(Object.entries(event).filter(([, v]) => v !== undefined));
    try {
      toEpcisEvent({ event: clean });
      throw new Error('expected a refusal');
    } catch (err) {
      expect(err).toBeInstanceOf(EpcisMappingError);
      expect((err as EpcisMappingError).pointer).toBe(pointer);
    }
  });
});
