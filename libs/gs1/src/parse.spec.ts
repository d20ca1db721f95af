import { canonicalIdentifier, canonicalize } from './canonical';
import { Gs1Error } from './errors';
import { parseIdentifier } from './parse';
import { render } from './render';

const GS = '\u001d';

describe('parseIdentifier: every form of SPEC section 2 lands on the same unit', () => {
  const forms = [
    'https://id.gs1.org/01/09506000134352/21/ABC123?10=L1&17=271231',
    'https://brand.example.com/some/stem/01/09506000134352/10/L1/21/ABC123?17=271231',
    'https://example.com/gtin/9506000134352/ser/ABC123?17=271231&10=L1',
    '(01)09506000134352(21)ABC123(10)L1(17)271231',
    `]d20109506000134352${'21ABC123'}${GS}10L1${GS}17271231`,
    `]Q301095060001343521727123110L1${GS}21ABC123`,
    `0109506000134352${'21ABC123'}${GS}10L1${GS}17271231\r\n`,
    `${GS}0109506000134352${'21ABC123'}${GS}10L1${GS}17271231`,
  ];
  it.each(forms)('%j', (input) => {
    expect(parseIdentifier(input)).toEqual({
      kind: 'unit',
      gtin: '09506000134352',
      serial: 'ABC123',
      lot: 'L1',
      expiry: '271231',
      attributes: [],
    });
    expect(canonicalize(input)).toBe('https://id.gs1.org/01/09506000134352/21/ABC123');
  });

  it('reads EPC URNs and keeps the company prefix length', () => {
    expect(parseIdentifier('urn:epc:id:sgtin:9506000.013435.ABC123')).toEqual({
      kind: 'unit',
      gtin: '09506000134352',
      serial: 'ABC123',
      attributes: [],
      companyPrefixLength: 7,
    });
    expect(parseIdentifier('urn:epc:id:sscc:9506000.0000000001')).toMatchObject({
      kind: 'logistic-unit',
      sscc: '095060000000000015',
      companyPrefixLength: 7,
    });
    expect(parseIdentifier('urn:epc:id:sgln:9506000.00000.0')).toMatchObject({
      kind: 'location',
      gln: '9506000000008',
    });
    expect(parseIdentifier('urn:epc:id:sgln:9506000.00000.12')).toMatchObject({ extension: '12' });
  });

  it('gives SSCCs, GLNs and lots their own kinds and canonical forms', () => {
    expect(canonicalize(']C100095060000000000015')).toBe(
      'https://id.gs1.org/00/095060000000000015',
    );
    expect(canonicalize('(414)9506000000008')).toBe('https://id.gs1.org/414/9506000000008');
    expect(canonicalize('(414)9506000000008(254)A/1')).toBe(
      'https://id.gs1.org/414/9506000000008/254/A%2F1',
    );
    expect(canonicalize('https://id.gs1.org/417/9506000000008')).toBe(
      'https://id.gs1.org/417/9506000000008',
    );
    expect(canonicalize('(01)09506000134352(10)LOT 1'.replace(' ', '-'))).toBe(
      'https://id.gs1.org/01/09506000134352/10/LOT-1',
    );
    expect(canonicalize(']E09506000134352')).toBe('https://id.gs1.org/01/09506000134352');
  });

  it('percent-encodes the canonical serial outside the unreserved set, uppercase hex', () => {
    expect(canonicalize('(01)09506000134352(21)F/5')).toBe(
      'https://id.gs1.org/01/09506000134352/21/F%2F5',
    );
    expect(canonicalize('https://x.example/01/09506000134352/21/a%2fb%25')).toBe(
      'https://id.gs1.org/01/09506000134352/21/a%2Fb%25',
    );
    expect(
      canonicalIdentifier({ kind: 'unit', gtin: '09506000134352', serial: 'é~', attributes: [] }),
    ).toBe('https://id.gs1.org/01/09506000134352/21/%C3%A9~');
  });

  it('keeps other AIs read with the key as sorted attributes', () => {
    const id = parseIdentifier('https://id.gs1.org/01/09506000134352/21/S1?3103=000195&11=250101');
    expect(id.attributes).toEqual([
      { ai: '11', value: '250101' },
      { ai: '3103', value: '000195' },
    ]);
  });

  it.each([
    ['(01)09506000134354(21)ABC', 'AI (01): check digit should be 2, not 4'],
    ['(21)ABC', 'AI (21): needs (01) or (03) or (8006) in the same data'],
    ['(01)09506000134352(17)271301', 'AI (17): the month is not 01 to 12'],
    ['(01)09506000134352(21)AB C', 'AI (21): a character outside GS1 character set 82 was found'],
    [
      '(01)09506000134352(21)123456789012345678901',
      'AI (21): value is too long: 21 characters, expected 1 to 20 characters',
    ],
    [
      '(8003)01234567890128X',
      'identifier: holds (8003), but no GTIN (01), SSCC (00) or GLN (414)/(417)',
    ],
    ['hello', 'identifier: is not a GS1 Digital Link URI, element string, barcode scan or EPC URN'],
    [
      'https://example.com/01/09506000134352/21/A B',
      'uri: character at position 43 is not allowed in a URI',
    ],
    [
      'urn:epc:id:gdti:9506000.00000.1',
      'identifier: holds (253), but no GTIN (01), SSCC (00) or GLN (414)/(417)',
    ],
    ['', 'identifier: is empty'],
  ])('rejects %j with a message naming the AI or field', (input, message) => {
    const run = () => parseIdentifier(input);
    expect(run).toThrow(Gs1Error);
    expect(run).toThrow(message);
  });

  it('an EPC URN needs the company prefix length, and says so', () => {
    const id = parseIdentifier('(01)09506000134352(21)ABC123');
    expect(() => render(id, 'epc-urn')).toThrow(
      'companyPrefixLength: an EPC URN needs the GS1 Company Prefix length',
    );
    expect(render(id, 'epc-urn', { companyPrefixLength: 7 })).toBe(
      'urn:epc:id:sgtin:9506000.013435.ABC123',
    );
  });

  it('renders each form', () => {
    const id = parseIdentifier('https://id.gs1.org/01/09506000134352/21/ABC123?10=L1&17=271231');
    expect(render(id, 'digital-link')).toBe(
      'https://id.gs1.org/01/09506000134352/10/L1/21/ABC123?17=271231',
    );
    expect(render(id, 'element-string')).toBe('(01)09506000134352(17)271231(10)L1(21)ABC123');
    expect(render(id, 'scan')).toBe(`]d2010950600013435217271231${'10L1'}${GS}21ABC123`);
    expect(render(id, 'digital-link', { stem: 'https://brand.example/' })).toMatch(
      /^https:\/\/brand\.example\/01\//,
    );
  });
});
