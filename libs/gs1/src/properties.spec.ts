// fast-check properties: parse(render(x, form)) equals x for every form, and hostile input
// never produces anything but a Gs1Error, quickly.
import fc from 'fast-check';
import type { AiElement } from './ai';
import { CSET82 } from './charset';
import { gs1CheckDigit } from './check-digit';
import { canonicalIdentifier } from './canonical';
import { Gs1Error } from './errors';
import type { Gs1Identifier } from './identifier';
import type { IdentifierForm } from './parse';
import { parseIdentifier } from './parse';
import { endsInAiPair, parseDigitalLink } from './digital-link';
import { render } from './render';

const digits = (n: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });
const key = (bodyLength: number) => digits(bodyLength).map((b) => b + String(gs1CheckDigit(b)));
const text = (max: number) =>
  fc.string({ unit: fc.constantFrom(...CSET82), minLength: 1, maxLength: max });
const yymmd0 = fc
  .tuple(
    fc.integer({ min: 0, max: 99 }),
    fc.integer({ min: 1, max: 12 }),
    fc.integer({ min: 0, max: 28 }),
  )
  .map((parts) => parts.map((n) => String(n).padStart(2, '0')).join(''));

/** Data attributes with no pairing rule beyond the key (sorted, unique, as parsed values are). */
function attributes(pool: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<AiElement[]> {
  const entries = Object.entries(pool);
  return fc
    .subarray(entries)
    .chain((picked) => fc.tuple(...picked.map(([ai, arb]) => arb.map((value) => ({ ai, value })))))
    .map((els) => [...els].sort((a, b) => (a.ai < b.ai ? -1 : 1)));
}
const productAttrs = attributes({
  '11': yymmd0,
  '240': text(30),
  '3103': digits(6),
  '91': text(90),
});

const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const defined = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

const unit = fc
  .record({
    gtin: key(13),
    serial: text(20),
    lot: opt(text(20)),
    expiry: opt(yymmd0),
    attributes: productAttrs,
  })
  .map((r): Gs1Identifier => defined({ kind: 'unit', ...r }));
const product = fc
  .record({ gtin: key(13), lot: opt(text(20)), expiry: opt(yymmd0), attributes: productAttrs })
  .map((r): Gs1Identifier => defined({ kind: 'product', ...r }));
const logistic = fc
  .record({
    sscc: key(17),
    attributes: attributes({ '3300': digits(6), '403': text(30), '92': text(20) }),
  })
  .map((r): Gs1Identifier => ({ kind: 'logistic-unit', ...r }));
const location = fc
  .record({ gln: key(12), extension: opt(text(20)), attributes: attributes({ '93': text(20) }) })
  .map((r): Gs1Identifier => defined({ kind: 'location', ...r }));
const party = fc
  .record({ gln: key(12), attributes: attributes({ '94': text(20) }) })
  .map((r): Gs1Identifier => ({ kind: 'party', ...r }));
const identifier = fc.oneof(unit, product, logistic, location, party);

/** What an EPC URN can carry: the key (serial, lot, GLN extension) and the prefix length. */
const epcIdentifier = fc
  .tuple(identifier, fc.integer({ min: 6, max: 12 }))
  .map(([id, companyPrefixLength]): Gs1Identifier => {
    const base = { attributes: [], companyPrefixLength };
    switch (id.kind) {
      case 'unit':
        return { kind: 'unit', gtin: id.gtin, serial: id.serial, ...base };
      case 'product':
        return defined({ kind: 'product', gtin: id.gtin, lot: id.lot, ...base });
      case 'logistic-unit':
        return { kind: 'logistic-unit', sscc: id.sscc, ...base };
      case 'location':
        return defined({
          kind: 'location',
          gln: id.gln,
          extension: id.extension === '0' ? undefined : id.extension,
          ...base,
        });
      case 'party':
        return { kind: 'party', gln: id.gln, ...base };
    }
  });

describe('round trips: parse(render(x, form)) equals x', () => {
  it.each<IdentifierForm>(['digital-link', 'element-string', 'scan'])('%s', (form) => {
    fc.assert(
      fc.property(identifier, (id) => {
        expect(parseIdentifier(render(id, form))).toEqual(id);
      }),
      { numRuns: 300 },
    );
  });
  it('epc-urn (key and company prefix length only)', () => {
    fc.assert(
      fc.property(epcIdentifier, (id) => {
        expect(parseIdentifier(render(id, 'epc-urn'))).toEqual(id);
      }),
      { numRuns: 300 },
    );
  });
  it('every form of one value has one canonical identifier', () => {
    fc.assert(
      fc.property(epcIdentifier, (id) => {
        const forms = (['digital-link', 'element-string', 'scan', 'epc-urn'] as const).map((f) =>
          canonicalIdentifier(parseIdentifier(render(id, f))),
        );
        expect(new Set(forms)).toEqual(new Set([canonicalIdentifier(id)]));
      }),
      { numRuns: 200 },
    );
  });
});

/** Runs parseIdentifier and canonicalises any result; anything thrown must be a Gs1Error. */
function onlyGs1Errors(input: string): void {
  try {
    canonicalIdentifier(parseIdentifier(input));
  } catch (err) {
    if (!(err instanceof Gs1Error)) throw err;
    expect(err.message.length).toBeGreaterThan(0);
  }
}

describe('hostile input gets a Gs1Error, quickly', () => {
  const seeds = [
    'https://id.gs1.org/01/09506000134352/21/ABC123?10=L1&17=271231',
    '(01)09506000134352(21)ABC123(10)L1(17)271231',
    ']d20109506000134352' + '21ABC123\u001d10L1\u001d17271231',
    'urn:epc:id:sgtin:9506000.013435.ABC123',
  ];
  it('random strings, unicode and bytes', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), onlyGs1Errors), {
      numRuns: 2000,
    });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) =>
        onlyGs1Errors(Buffer.from(b).toString('latin1')),
      ),
      {
        numRuns: 1000,
      },
    );
  });
  it('valid identifiers with characters inserted, replaced or cut', () => {
    const mutated = fc
      .tuple(
        fc.constantFrom(...seeds),
        fc.nat(),
        fc.nat({ max: 5 }),
        fc.string({ unit: 'binary', maxLength: 4 }),
      )
      .map(([s, at, cut, insert]) => {
        const i = at % (s.length + 1);
        return s.slice(0, i) + insert + s.slice(i + cut);
      });
    fc.assert(fc.property(mutated, onlyGs1Errors), { numRuns: 3000 });
  });
  it.each([
    ['10 MB string', 'x'.repeat(10 * 1024 * 1024)],
    ['10 MB of digits', '0'.repeat(10 * 1024 * 1024)],
    ['10 MB URI', 'https://a/' + '01/'.repeat(3_500_000)],
    ['4 KB of "("', '('.repeat(4096)],
    ['4 KB of "%"', 'https://a/01/' + '%'.repeat(4080)],
    ['4 KB of path pairs', 'https://a' + '/01/09506000134352'.repeat(220)],
    ['4 KB of query', 'https://a/01/09506000134352?' + '&'.repeat(4000)],
    ['4 KB scan of GS', ']d2' + '\u001d'.repeat(4090)],
    ['control characters', '(01)09506000134352(21)AB\u0000\u0007C'],
    ['unicode look-alikes', '(０1)09506000134352(21)ABC'],
    ['full-width digits in a URI', 'https://id.gs1.org/01/０９５０６０００１３４３５２'],
    ['right-to-left override', 'https://id.gs1.org/01/09506000134352/21/\u202eABC'],
  ])('%s', (_name, input) => {
    const start = performance.now();
    onlyGs1Errors(input);
    expect(performance.now() - start).toBeLessThan(200);
  });
});

describe('endsInAiPair: false only where parseDigitalLink fails', () => {
  const lenient = { permitConvenienceAlphas: true, permitUnknownAIs: true, skipCheckDigits: true };
  const uris = fc.oneof(
    identifier.map((id) => render(id, 'digital-link')),
    fc
      .tuple(
        fc.constantFrom('https://id.gs1.org', 'http://a.example:8080', 'https://ref.gs1.org'),
        fc.array(fc.oneof(fc.constantFrom('01', 'gtin', '21', '00', 'cbv', ''), text(8)), {
          maxLength: 6,
        }),
        fc.constantFrom('', '?10=L1', '#x', '/'),
      )
      .map(([host, segments, tail]) => `${host}/${segments.join('/')}${tail}`),
    fc.string({ maxLength: 60 }).map((s) => `https://${s}`),
  );
  it('for Digital Links, vocabulary URIs and noise', () => {
    let skipped = 0;
    fc.assert(
      fc.property(uris, fc.boolean(), (uri, alphas) => {
        const options = alphas ? lenient : {};
        if (endsInAiPair(uri, options)) return;
        skipped++;
        expect(() => parseDigitalLink(uri, options)).toThrow(Gs1Error);
      }),
      { numRuns: 3000 },
    );
    expect(skipped).toBeGreaterThan(100); // the property was exercised
    expect(endsInAiPair('https://ref.gs1.org/cbv/BizStep-shipping')).toBe(false);
    expect(endsInAiPair('https://id.gs1.org/01/09506000134352/21/A')).toBe(true);
  });
});
