// EPCIS 2.0 XML read into JSON-LD: the openepcis capture documents held in both forms
// (test/conformance, openepcis-test-resources/2.0) give the same events either way.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { epcisXmlDocument, EpcisXmlError } from './from-xml';
import { CUSTOS_NAMESPACE } from './vocabulary';

const BASE = join(__dirname, '../../../test/conformance/epcis/openepcis-test-resources/2.0');

/** Pairs whose upstream XML and JSON do not hold the same events (checked by hand). */
const UPSTREAM_DIFFERS: Readonly<Record<string, string>> = {
  'Combination_of_different_event.xml':
    'a bizStep as a web URI in JSON only; a declarationTime an hour apart',
  'ObjectEvent_with_comment.xml': 'the comment is an XML comment in one, rdfs:comment in the other',
  'SensorData_with_combined_events.xml': 'the eighth event is another event in each',
  'TransformationEvent_all_possible_fields.xml': 'different extension values',
  'epcisDocWithAllGS1Keys.xml': 'identifiers as EPC URNs in one, Digital Links in the other',
  'epcisDocWithSensorComponent.xml': 'identifiers as EPC URNs in one, Digital Links in the other',
};

type Json = Record<string, unknown>;

function sorted(value: unknown, key = ''): unknown {
  // The two forms write the same instant with different digits (.116 / .116000).
  if (typeof value === 'string' && /time$/i.test(key)) return new Date(value).toISOString();
  if (Array.isArray(value)) return value.map((v) => sorted(v));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sorted((value as Json)[k], k)]),
    );
  return value;
}

const events = (document: Json) =>
  ((document.epcisBody as Json).eventList as Json[]).map(({ '@context': _, ...event }) =>
    sorted(event),
  );

describe('epcisXmlDocument', () => {
  const dir = join(BASE, 'XML/Capture/Documents');
  const pairs = readdirSync(dir).filter((f) =>
    existsSync(join(BASE, 'JSON/Capture/Documents', f.replace(/\.xml$/, '.json'))),
  );

  it('holds enough pairs to mean something', () => {
    expect(pairs.length).toBeGreaterThanOrEqual(30);
  });

  it.each(pairs.filter((f) => !(f in UPSTREAM_DIFFERS)))('%s reads as its JSON twin', (file) => {
    const xml = epcisXmlDocument(readFileSync(join(dir, file), 'utf8'));
    const json = JSON.parse(
      readFileSync(join(BASE, 'JSON/Capture/Documents', file.replace(/\.xml$/, '.json')), 'utf8'),
    ) as Json;
    expect(xml.type).toBe('EPCISDocument');
    expect(events(xml)).toEqual(events(json));
  });

  it.each(Object.keys(UPSTREAM_DIFFERS))('%s (upstream differs) still reads', (file) => {
    const xml = epcisXmlDocument(readFileSync(join(dir, file), 'utf8'));
    expect(((xml.epcisBody as Json).eventList as unknown[]).length).toBeGreaterThan(0);
  });

  it('declares the extension prefixes in the @context and reads epcis:-prefixed events', () => {
    const doc = epcisXmlDocument(`<?xml version="1.0"?>
      <epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:custos="${CUSTOS_NAMESPACE}"
          xmlns:cbvmda="urn:epcglobal:cbv:mda:" schemaVersion="2.0" creationDate="2026-12-02T00:00:00Z">
        <epcis:EPCISBody><epcis:EventList><epcis:ObjectEvent>
          <eventTime>2026-12-01T10:00:00Z</eventTime>
          <epcList><epc>https://id.gs1.org/01/09506000134352/21/S1</epc></epcList>
          <action>ADD</action><bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep>
          <ilmd><cbvmda:lotNumber>L1</cbvmda:lotNumber></ilmd>
          <custos:signedAs><items>01095060001343522 1S1</items></custos:signedAs>
          <custos:signature>c2ln</custos:signature>
        </epcis:ObjectEvent></epcis:EventList></epcis:EPCISBody>
      </epcis:EPCISDocument>`);
    expect(doc['@context']).toEqual([
      'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld',
      { custos: CUSTOS_NAMESPACE, cbvmda: 'urn:epcglobal:cbv:mda:' },
    ]);
    expect((doc.epcisBody as Json).eventList).toEqual([
      {
        type: 'ObjectEvent',
        eventTime: '2026-12-01T10:00:00Z',
        epcList: ['https://id.gs1.org/01/09506000134352/21/S1'],
        action: 'ADD',
        bizStep: 'commissioning',
        ilmd: { 'cbvmda:lotNumber': 'L1' },
        // A list in Custos's namespace is a list even with one element.
        'custos:signedAs': { items: ['01095060001343522 1S1'] },
        'custos:signature': 'c2ln',
      },
    ]);
  });

  it.each([
    ['<EPCISDocument', /not well-formed XML: line 1/],
    ['<foo xmlns="urn:epcglobal:epcis:xsd:2"/>', /no EPCISDocument \(its root is foo\)/],
    ['<EPCISDocument xmlns="urn:epcglobal:epcis:xsd:1"/>', /not in the EPCIS 2.0 namespace/],
    [
      '<e:EPCISDocument xmlns:e="urn:epcglobal:epcis:xsd:2"><EPCISBody><EventList><QuantityEvent/></EventList></EPCISBody></e:EPCISDocument>',
      /EventList holds <QuantityEvent>/,
    ],
  ])('refuses %s naming what is wrong', (xml, message) => {
    expect(() => epcisXmlDocument(xml)).toThrow(EpcisXmlError);
    expect(() => epcisXmlDocument(xml)).toThrow(message);
  });
});
