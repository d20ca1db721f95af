import { readFileSync, readdirSync } from 'node:fs';
import { conformancePath, readConformanceJson } from '../../../test/conformance';
import { canonicalJson, canonicalJsonBytes } from './jcs';
import { bytesToHex } from './bytes';

const dir = conformancePath('jcs', 'cyberphone-testdata');
const pairs = readdirSync(`${dir}/input`)
  .filter((f) => f.endsWith('.json'))
  .sort();

function bitsToDouble(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex.padStart(16, '0')}`));
  return view.getFloat64(0);
}

describe(`jcs/cyberphone-testdata: ${pairs.length} input/output pairs`, () => {
  it.each(pairs)('%s canonicalizes to output byte for byte (and outhex)', (file) => {
    const input: unknown = JSON.parse(readFileSync(`${dir}/input/${file}`, 'utf8'));
    const expected = readFileSync(`${dir}/output/${file}`, 'utf8');
    const hex = readFileSync(`${dir}/outhex/${file.replace(/\.json$/, '.txt')}`, 'utf8')
      .replace(/\s+/g, '')
      .toLowerCase();
    expect(canonicalJson(input)).toBe(expected);
    expect(bytesToHex(canonicalJsonBytes(input))).toBe(hex);
  });
});

const numberLines = readFileSync(
  conformancePath('jcs', 'es6-numbers', 'es6testfile10k.txt'),
  'utf8',
)
  .split('\n')
  .filter((l) => l.length > 0);

describe(`jcs/es6-numbers/es6testfile10k.txt: ${numberLines.length} numbers`, () => {
  it('serializes every double exactly as the expected text', () => {
    expect(numberLines).toHaveLength(10_000);
    const mismatches: string[] = [];
    for (const line of numberLines) {
      const [hex, expected] = line.split(',');
      const got = canonicalJson(bitsToDouble(hex!));
      if (got !== expected) mismatches.push(`${line} -> ${got}`);
    }
    expect(mismatches).toEqual([]);
  });
});

interface SpotCase {
  ieee754_hex: string;
  expected: string | null;
  must_fail: boolean;
}
const spot = readConformanceJson<{ cases: SpotCase[] }>(
  'jcs',
  'es6-numbers',
  'number-spot-checks.json',
).cases;

describe(`jcs/es6-numbers/number-spot-checks.json: ${spot.length} cases`, () => {
  it.each(spot)('$ieee754_hex -> $expected', (c) => {
    const value = bitsToDouble(c.ieee754_hex);
    if (c.must_fail) {
      expect(() => canonicalJson(value)).toThrow(/cannot canonicalize/);
    } else {
      expect(canonicalJson(value)).toBe(c.expected);
      expect(canonicalJson({ n: value })).toBe(`{"n":${c.expected}}`);
    }
  });
});

describe('canonicalJson contract', () => {
  it('rejects lone surrogates and values without a JSON form', () => {
    expect(() => canonicalJson({ a: '\ud800' })).toThrow(/cannot canonicalize/);
    expect(() => canonicalJson(undefined)).toThrow(/no JSON form/);
  });
  it('finds a lone surrogate anywhere: in a key, an array, after other escapes', () => {
    expect(() => canonicalJson({ ['k\udfff']: 1 })).toThrow(/lone surrogate/);
    expect(() => canonicalJson(['ok', { b: ['x\udbff'] }])).toThrow(/lone surrogate/);
    expect(() => canonicalJson({ a: '\\\ud800"' })).toThrow(/lone surrogate/);
    expect(() => canonicalJson('\ud83d\u0041')).toThrow(/lone surrogate/);
  });
  it('accepts surrogate pairs and text that only looks like an escape', () => {
    expect(canonicalJson({ a: '\ud83d\ude00' })).toBe('{"a":"\u{1F600}"}');
    expect(canonicalJson({ a: '\\ud800' })).toBe('{"a":"\\\\ud800"}');
    expect(canonicalJson({ a: 'undefined', undefined: null })).toBe(
      '{"a":"undefined","undefined":null}',
    );
  });
  it('refuses a member without a JSON form (a function) instead of writing invalid JSON', () => {
    expect(() => canonicalJson({ a: () => 1 })).toThrow(/no JSON form/);
    expect(() => canonicalJson([() => 1])).toThrow(/no JSON form/);
    expect(() => canonicalJson({ a: 1n })).toThrow(/cannot canonicalize/);
  });
  it('sorts keys by UTF-16 code units, not code points', () => {
    expect(canonicalJson({ '\u{1F600}': 1, '\uFB33': 2 })).toBe('{"\u{1F600}":1,"\uFB33":2}');
  });
});
