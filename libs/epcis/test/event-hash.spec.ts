// CBV 2.0 section 8.9 Event Hash ID against every held JSON-LD vector of the reference
// implementation (event-hash-ralphtro): each event's hash equals its line of `.hashes`, its
// pre-hash its line of `.prehashes` (where held), and every representation in
// expected_equal hashes alike.
import { existsSync } from 'node:fs';
import { conformancePath } from '../../../test/conformance';
import { documentEvents } from '../src/document';
import { eventHash, eventPrehash, hashOfPrehash } from '../src/event-hash';
import { expandName } from '../src/jsonld-names';
import { listEpcis, readEpcisJson, readEpcisText } from './conformance';

const EXAMPLES = 'event-hash-ralphtro/examples';
const held = (relative: string) => {
  try {
    return existsSync(conformancePath('epcis', relative));
  } catch {
    return false;
  }
};
const lines = (relative: string) => readEpcisText(relative).split('\n').filter(Boolean);

type Doc = Record<string, unknown> & { epcisBody: { queryResults?: Record<string, unknown> } };

/**
 * The reference's test-only ignore list: a `<p>:ignoreFields` entry whose prefix is bound to
 * https://repository-x.example.com/, on the document (or its queryResults).
 */
function ignoreFieldsOf(doc: Doc, prefixes: ReadonlyMap<string, string>): string[] | undefined {
  for (const holder of [doc, doc.epcisBody.queryResults ?? {}]) {
    for (const [key, value] of Object.entries(holder)) {
      if (expandName(key, prefixes) === 'https://repository-x.example.com/ignoreFields') {
        return value as string[];
      }
    }
  }
  return undefined;
}

function hashesOf(relative: string): { hashes: string[]; prehashes: string[] } {
  const doc = readEpcisJson<Doc>(relative);
  const events = documentEvents(doc);
  if (typeof events === 'string') throw new Error(`${relative}: ${events}`);
  const prehashes = events.map(({ event, names }) =>
    eventPrehash(event as Record<string, unknown>, {
      prefixes: names.prefixes,
      ignoreFields: ignoreFieldsOf(doc, names.prefixes),
    }),
  );
  return { hashes: prehashes.map(hashOfPrehash), prehashes };
}

const jsonld = listEpcis(EXAMPLES).filter((f) => f.endsWith('.jsonld'));
let checked = 0;
let prehashesChecked = 0;

describe(`event-hash-ralphtro: ${jsonld.length} JSON-LD example documents`, () => {
  afterAll(() =>
    process.stdout.write(
      `event hash vectors: ${checked} events match .hashes, ${prehashesChecked} match .prehashes, in ${jsonld.length} JSON-LD files (XML twins not read)\n`,
    ),
  );

  it.each(jsonld)('%s', (file) => {
    const base = `${EXAMPLES}/${file.replace(/\.jsonld$/, '')}`;
    const ours = hashesOf(`${EXAMPLES}/${file}`);
    expect(ours.hashes).toEqual(lines(`${base}.hashes`));
    checked += ours.hashes.length;
    if (held(`${base}.prehashes`)) {
      expect(ours.prehashes).toEqual(lines(`${base}.prehashes`));
      prehashesChecked += ours.prehashes.length;
    }
  });
});

describe('event-hash-ralphtro/expected_equal (JSON)', () => {
  const files = listEpcis('event-hash-ralphtro/expected_equal').filter((f) => f.endsWith('.json'));
  it.each(files)('%s: every representation of the event hashes alike', (file) => {
    const { hashes } = hashesOf(`event-hash-ralphtro/expected_equal/${file}`);
    expect(hashes.length).toBeGreaterThan(1);
    expect(new Set(hashes).size).toBe(1);
  });
});

describe('event hash rules the vectors rely on', () => {
  const prefixes = new Map([['ex', 'https://ns.example.com/']]);
  const base = {
    type: 'ObjectEvent',
    eventTime: '2020-03-04T11:00:30.1415+01:00',
    eventTimeZoneOffset: '+01:00',
    epcList: ['urn:epc:id:sgtin:4012345.011111.9876'],
    action: 'OBSERVE',
  };
  it('writes times in UTC to the millisecond, identifiers as canonical Digital Links', () => {
    expect(eventPrehash(base, { prefixes })).toBe(
      'eventType=ObjectEventeventTime=2020-03-04T10:00:30.142ZeventTimeZoneOffset=+01:00' +
        'epcListepc=https://id.gs1.org/01/04012345111118/21/9876action=OBSERVE',
    );
  });
  it('leaves out eventID, recordTime and errorDeclaration, and the fields asked to be ignored', () => {
    const noisy = {
      ...base,
      eventID: 'urn:uuid:1',
      recordTime: '2021-01-01T00:00:00Z',
      'ex:note': 'x',
      errorDeclaration: { declarationTime: '2021-01-01T00:00:00Z' },
    };
    expect(eventHash(noisy, { prefixes, ignoreFields: ['ex:note'] })).toBe(
      eventHash(base, { prefixes }),
    );
    expect(eventHash(noisy, { prefixes, ignoreNamespaces: ['https://ns.example.com/'] })).toBe(
      eventHash(base, { prefixes }),
    );
    expect(eventHash(noisy, { prefixes })).not.toBe(eventHash(base, { prefixes }));
  });
  it('writes numbers without trailing zeros, as Python does', () => {
    const q = (quantity: number) =>
      eventPrehash(
        {
          ...base,
          quantityList: [{ epcClass: 'urn:epc:class:lgtin:4012345.011111.L1', quantity }],
        },
        { prefixes },
      );
    expect(q(452)).toContain('quantity=452action');
    expect(q(0.00001)).toContain('quantity=1e-05action');
    expect(q(12.5)).toContain('quantity=12.5');
  });
});
