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
