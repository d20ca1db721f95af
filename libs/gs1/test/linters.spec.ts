// syntax-dictionary-linter-vectors.json: every linter's unit vectors, checked for result,
// error code and error span (the '*'-marked part of expected_error_markup).
import { readConformanceJson } from '../../../test/conformance';
import { LINTERS } from '../src/linters';

interface LinterVector {
  data: string;
  data_bytes_hex?: string;
  valid: boolean;
  expected_error?: string;
  expected_error_markup?: string;
  source: string;
}

const file = readConformanceJson<{ count: number; linters: Record<string, LinterVector[]> }>(
  'gs1',
  'vectors',
  'syntax-dictionary-linter-vectors.json',
);

/**
 * Vectors not run, with the reason. Only the failing direction is skipped for the code
 * lists: valid codes must still pass the shape check.
 */
const SKIPPED: Readonly<Record<string, { invalidOnly: boolean; reason: string }>> = {
  iso3166: {
    invalidOnly: true,
    reason: 'ISO 3166 numeric code list not shipped; shape (3 digits) only',
  },
  iso3166999: {
    invalidOnly: true,
    reason: 'ISO 3166 code list not shipped; shape (3 digits) only',
  },
  iso3166alpha2: {
    invalidOnly: true,
    reason: 'ISO 3166 alpha-2 code list not shipped; shape only',
  },
  iso4217: { invalidOnly: true, reason: 'ISO 4217 code list not shipped; shape (3 digits) only' },
  packagetype: {
    invalidOnly: false,
    reason: 'UN/ECE Rec 21 package type list not shipped (AI 7041 only)',
  },
  couponcode: {
    invalidOnly: false,
    reason: 'North American coupon AI (8110) out of scope for medicines',
  },
  couponposoffer: {
    invalidOnly: false,
    reason: 'North American coupon AI (8112) out of scope for medicines',
  },
};

/** Raw bytes >= 0x80 become one Latin-1 character each, as the reference feeds them. */
const input = (v: LinterVector) =>
  v.data_bytes_hex === undefined ? v.data : Buffer.from(v.data_bytes_hex, 'hex').toString('latin1');

function markup(data: string, start: number, end: number): string {
  return `${data.slice(0, start)}*${data.slice(start, end)}*${data.slice(end)}`;
}

const total = Object.values(file.linters).reduce((n, v) => n + v.length, 0);

describe(`syntax-dictionary-linter-vectors.json (${total} vectors)`, () => {
  it('holds the advertised vector count', () => expect(total).toBe(file.count));
  let ran = 0;
  let skipped = 0;
  for (const [name, vectors] of Object.entries(file.linters)) {
    const skip = SKIPPED[name];
    const run = vectors.filter((v) => !skip || (skip.invalidOnly && v.valid));
    ran += run.length;
    skipped += vectors.length - run.length;
    const title = `${name}: ${run.length} of ${vectors.length} vectors${skip ? ` (skipped: ${skip.reason})` : ''}`;
    if (vectors.length === 0) {
      // gcppos1/gcppos2: upstream builds their vectors in loops; the file omits them.
      it.skip(`${name}: no vectors in the file (upstream builds them at run time)`, () =>
        undefined);
      continue;
    }
    if (run.length === 0) {
      it.skip(title, () => undefined);
      continue;
    }
    it(title, () => {
      const linter = LINTERS[name];
      expect(linter).toBeDefined();
      const wrong: string[] = [];
      for (const v of run) {
        const data = input(v);
        const failure = linter!(data);
        const got = failure ? `${failure.code} ${markup(data, failure.start, failure.end)}` : 'OK';
        const want = v.valid
          ? 'OK'
          : `${v.expected_error!.replace(/^GS1_LINTER_/, '')} ${v.expected_error_markup!}`;
        if (got !== want)
          wrong.push(`${v.source} ${JSON.stringify(v.data)}: got ${got}, want ${want}`);
      }
      expect(wrong).toEqual([]);
    });
  }
  afterAll(() => {
    console.log(
      `syntax-dictionary-linter-vectors.json: ${ran} run, ${skipped} skipped of ${total}`,
    );
  });
});
