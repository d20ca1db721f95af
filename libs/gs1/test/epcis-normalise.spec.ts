// epcis/epc-uri-to-digital-link/normalisation-vectors.json: EPC URNs and Digital Link
// variants to the canonical Digital Link of the EPCIS event hash (null = not GS1).
import { readConformanceJson } from '../../../test/conformance';
import { normaliseEpcisIdentifier } from '../src/epcis-normalise';
import { show } from './vectors';

interface NormalisationVector {
  input: string;
  expected: string | null;
  group: string;
  source_line: number;
}
const file = readConformanceJson<{ count: number; vectors: NormalisationVector[] }>(
  'epcis',
  'epc-uri-to-digital-link',
  'normalisation-vectors.json',
);

describe(`epc-uri-to-digital-link/normalisation-vectors.json (${file.count} vectors)`, () => {
  it('holds the advertised vector count', () => expect(file.vectors).toHaveLength(file.count));
  it.each(
    file.vectors.map((v) => [`line ${v.source_line} ${v.group} ${show(v.input)}`, v] as const),
  )('%s', (_t, v) => {
    expect(normaliseEpcisIdentifier(v.input)).toBe(v.expected);
  });
});

describe('EPC URN characters the reference leaves unescaped', () => {
  // From event-hash-ralphtro/examples/epclist_normalisation.prehashes: ' stays as written.
  it.each([
    [
      "urn:epc:id:upui:1234567.098765.51qIgY)%3C%26Jp3*j7'SDB",
      "https://id.gs1.org/01/01234567987651/235/51qIgY%29%3C%26Jp3%2Aj7'SDB",
    ],
    ['urn:epc:id:sgtin:4012345.011111.a;b=c', 'https://id.gs1.org/01/04012345111118/21/a;b=c'],
  ])('%s', (input, expected) => expect(normaliseEpcisIdentifier(input)).toBe(expected));
});
