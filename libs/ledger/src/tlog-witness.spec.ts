import fc from 'fast-check';
import { FormatError } from './errors';
import {
  formatAddCheckpointRequest,
  formatTreeSize,
  parseAddCheckpointRequest,
  parseCosignatureLines,
  parseTreeSize,
} from './tlog-witness';

// c2sp.org/tlog-witness, the add-checkpoint example request body.
const EXAMPLE = `old 20852014
PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=
jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=
5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=
/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=

example.com/behind-the-sofa
20852163
CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=

\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=
\u2014 example.com/behind-the-sofa opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=
`;

describe('C2SP tlog-witness add-checkpoint bodies', () => {
  it("parses the spec's example request and writes it back byte for byte", () => {
    const request = parseAddCheckpointRequest(new TextEncoder().encode(EXAMPLE));
    expect(request.oldSize).toBe(20852014);
    expect(request.proof).toHaveLength(4);
    expect(request.checkpoint.startsWith('example.com/behind-the-sofa\n20852163\n')).toBe(true);
    expect(formatAddCheckpointRequest(request)).toBe(EXAMPLE);
  });

  it('old 0 with no proof', () => {
    const body =
      'old 0\n\norigin\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n\u2014 x AAAA\n';
    expect(parseAddCheckpointRequest(body)).toMatchObject({ oldSize: 0, proof: [] });
  });

  it.each([
    ['old 01\n\ncp', /old size must be a decimal/],
    ['old -1\n\ncp', /old size/],
    ['new 1\n\ncp', /first line must be "old <size>"/],
    ['old 1\nAAAA\n\ncp', /proof line 1 is not a 32-byte hash/],
    ['old 1\n!!!\n\ncp', /proof line 1 is not base64/],
    ['old 1\n', /no blank line/],
    ['old 1\n\n', /no checkpoint/],
    [`old 1\n${'PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n'.repeat(64)}\ncp`, /more than 63/],
  ])('refuses %j', (body, message) => {
    expect(() => parseAddCheckpointRequest(body)).toThrow(FormatError);
    expect(() => parseAddCheckpointRequest(body)).toThrow(message);
  });

  it('409 bodies and 200 bodies', () => {
    expect(formatTreeSize(42)).toBe('42\n');
    expect(parseTreeSize('42\n')).toBe(42);
    expect(() => parseTreeSize('42')).toThrow(/newline/);
    expect(() => parseTreeSize('042\n')).toThrow(FormatError);
    expect(parseCosignatureLines('\u2014 w.example/1 AAAA\n\u2014 w.example/2 BBBB\n')).toEqual([
      '\u2014 w.example/1 AAAA',
      '\u2014 w.example/2 BBBB',
    ]);
    expect(() => parseCosignatureLines('')).toThrow(FormatError);
    expect(() => parseCosignatureLines('- w AAAA\n')).toThrow(/each line/);
  });

  it('property: format then parse is the identity', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 63 }),
        (oldSize, proof) => {
          const checkpoint =
            'o\n1\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n\n\u2014 o AAAA\n';
          const parsed = parseAddCheckpointRequest(
            formatAddCheckpointRequest({ oldSize, proof, checkpoint }),
          );
          expect(parsed).toEqual({ oldSize, proof, checkpoint });
        },
      ),
    );
  });
});
