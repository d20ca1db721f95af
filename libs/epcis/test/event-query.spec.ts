// The REST binding's query parameters read into Custos terms (event-query.ts).
import { epcFormatOf, parseEventQuery, QueryParameterError } from '../src/event-query';

const refusal = (query: Record<string, unknown>): string => {
  try {
    parseEventQuery(query);
  } catch (err) {
    if (err instanceof QueryParameterError) return err.parameter;
    throw err;
  }
  return 'accepted';
};

describe('EPCIS event query parameters', () => {
  it('narrows the Custos kinds by eventType, action, bizStep and disposition together', () => {
    expect(parseEventQuery({}).kinds).toBeUndefined();
    expect(parseEventQuery({ eventType: 'AggregationEvent' }).kinds).toEqual([
      { type: 'PACK' },
      { type: 'UNPACK' },
    ]);
    expect(
      parseEventQuery({ EQ_bizStep: 'decommissioning', EQ_disposition: 'stolen' }).kinds,
    ).toEqual([{ type: 'DECOMMISSION', reason: 'STOLEN' }]);
    expect(
      parseEventQuery({ EQ_bizStep: 'urn:epcglobal:cbv:bizstep:shipping|receiving' }).kinds,
    ).toEqual([{ type: 'SHIP' }, { type: 'RECEIVE' }]);
    // A valid EPCIS type Custos never holds: no kind, so nothing matches.
    expect(parseEventQuery({ eventType: 'TransformationEvent' }).kinds).toEqual([]);
    expect(parseEventQuery({ eventType: 'AggregationEvent', EQ_action: 'OBSERVE' }).kinds).toEqual(
      [],
    );
  });

  it('reads identifiers in any EPCIS form into canonical Digital Links', () => {
    const q = parseEventQuery({
      MATCH_epc: 'urn:epc:id:sgtin:9506000.013435.A1|https://example.com/01/09506000134352/21/A2',
      MATCH_epcClass: 'urn:epc:class:lgtin:9506000.013435.L1',
    });
    expect(q.epc).toEqual([
      'https://id.gs1.org/01/09506000134352/21/A1',
      'https://id.gs1.org/01/09506000134352/21/A2',
    ]);
    expect(q.epcClass).toEqual(['https://id.gs1.org/01/09506000134352/10/L1']);
    expect(refusal({ MATCH_epc: 'urn:epc:idpat:sgtin:9506000.013435.*' })).toBe('MATCH_epc');
  });

  it('standard parameters on fields Custos events never carry match nothing; unknown ones are refused', () => {
    expect(
      parseEventQuery({ EQ_readPoint: 'urn:epc:id:sgln:9506000.00000.0' }).matchesNothing,
    ).toBe(true);
    expect(parseEventQuery({ 'EQ_ILMD_ex:colour': 'red' }).matchesNothing).toBe(true);
    expect(parseEventQuery({ EQ_eventID: 'ni:///sha-256;ab?ver=CBV2.0' }).matchesNothing).toBe(
      true,
    );
    expect(parseEventQuery({ 'EQ_ILMD_cbvmda:lotNumber': 'L1' }).matchesNothing).toBe(false);
    expect(refusal({ EQ_colour: 'red' })).toBe('EQ_colour');
    expect(refusal({ EQ_action: 'UPDATE' })).toBe('EQ_action');
    expect(refusal({ perPage: '1.5' })).toBe('perPage');
    expect(refusal({ GE_eventTime: '2026-12-01' })).toBe('GE_eventTime');
    expect(refusal({ GE_eventTime: ['2026-12-01T00:00:00Z', '2026-12-02T00:00:00Z'] })).toBe(
      'GE_eventTime',
    );
    expect(parseEventQuery({ perPage: '5000' }).perPage).toBe(1000);
  });

  it('GS1-EPC-Format', () => {
    expect(epcFormatOf(undefined)).toBe('digital-link');
    expect(epcFormatOf('Always_EPC_URN')).toBe('epc-urn');
    expect(() => epcFormatOf('URN')).toThrow(/^GS1-EPC-Format: /);
  });
});
