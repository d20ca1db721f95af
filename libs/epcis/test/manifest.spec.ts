// The held openepcis and GS1 documents (conformance epcis/manifest.json), as far as the
// mapping reaches. Every `reject` JSON document fails the GS1 schema at each pointer the
// manifest lists. Every `accept` JSON document passes it, and each of its events either maps
// to a Custos event (which maps back to itself) or is refused by name with a reason.
// XML documents and `divergent` ones are counted, not judged. Counts are printed.
import { validateEvent } from '@custos/events/event-validation';
import { RejectionError } from '@custos/events/rejection';
import { documentEvents, epcisDocument } from '../src/document';
import { EpcisMappingError } from '../src/errors';
import { DROPPABLE_FIELDS, fromEpcisEvent } from '../src/from-epcis';
import { contextNames } from '../src/jsonld-names';
import { CUSTOS_EPCIS_NAMES, toEpcisEvent } from '../src/to-epcis';
import { EPCIS_CONTEXT } from '../src/vocabulary';
import { epcisQuerySchema, epcisSchema, readEpcisJson } from './conformance';

interface ManifestEntry {
  path: string;
  format: 'json' | 'xml';
  kind: string;
  recommended_use: string;
  schema_check?: { result?: string; errors?: string[] };
}
const manifest = readEpcisJson<{ documents: ManifestEntry[] }>('manifest.json').documents;
const json = manifest.filter((d) => d.format === 'json');
const use = (d: ManifestEntry) => d.recommended_use.split(/[ :]/)[0]!;
const ACTOR = '0950600013439';

/** The pointer an ajv message of the manifest starts with (`/` for the document). */
const pointerOf = (message: string) => message.slice(0, message.indexOf(' '));

const counts = {
  acceptDocuments: 0,
  rejectDocuments: 0,
  divergent: manifest.filter((d) => use(d) === 'divergent').length,
  xml: manifest.filter((d) => d.format === 'xml').length,
  events: 0,
  mapped: 0,
  mappedWithDrops: 0,
  refusedByIngest: 0,
};
const reasons = new Map<string, number>();

function documentOf(entry: ManifestEntry): unknown {
  const body = readEpcisJson<Record<string, unknown>>(entry.path);
  if (entry.kind !== 'bare-event') return body;
  // A bare event keeps its own @context; the document around it names EPCIS.
  return { ...epcisDocument([body], '2026-01-01T00:00:00Z'), '@context': [EPCIS_CONTEXT] };
}

/** Maps one event (import profile, signed by ACTOR), or returns the refusal. */
function judge(event: unknown, names: ReturnType<typeof contextNames>, drop?: readonly string[]) {
  try {
    return fromEpcisEvent(event, names, {
      profile: 'import',
      actor: ACTOR,
      ...(drop ? { drop } : {}),
    });
  } catch (err) {
    if (err instanceof EpcisMappingError) return err;
    throw err;
  }
}

describe('the held EPCIS documents (manifest.json)', () => {
  afterAll(() => {
    const top = [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 12);
    process.stdout.write(
      `EPCIS manifest: ${counts.acceptDocuments} accept and ${counts.rejectDocuments} reject JSON documents judged; ` +
        `${counts.divergent} divergent and ${counts.xml} XML counted, not judged.\n` +
        `  events in accepted documents: ${counts.events}; mapped: ${counts.mapped}; refused by name: ${counts.events - counts.mapped}; ` +
        `mapped when the import drops ${DROPPABLE_FIELDS.join(', ')} and extensions: ${counts.mappedWithDrops}; ` +
        `mapped but refused by ingest's field rules: ${counts.refusedByIngest}\n` +
        top.map(([reason, n]) => `  ${n} × ${reason}`).join('\n') +
        '\n',
    );
  });

  it.each(json.filter((d) => use(d) === 'reject').map((d) => [d.path, d] as const))(
    'reject %s: fails the GS1 schema at the manifest pointers',
    (_path, entry) => {
      const validate = entry.kind === 'query-definition' ? epcisQuerySchema() : epcisSchema();
      const errors = validate(readEpcisJson(entry.path));
      expect(errors.length).toBeGreaterThan(0);
      const ours = new Set(errors.map((e) => e.pointer));
      for (const message of entry.schema_check?.errors ?? [])
        expect(ours).toContain(pointerOf(message));
      counts.rejectDocuments++;
    },
  );

  it.each(json.filter((d) => use(d) === 'accept').map((d) => [d.path, d] as const))(
    'accept %s: passes the schema; each event maps back to itself or is refused by name',
    (_path, entry) => {
      const doc = documentOf(entry);
      if (entry.kind === 'query-definition') {
        expect(epcisQuerySchema()(doc)).toEqual([]);
        counts.acceptDocuments++;
        return;
      }
      expect(epcisSchema()(doc)).toEqual([]);
      const events = documentEvents(doc);
      if (typeof events === 'string') throw new Error(events);
      for (const { event, names } of events) {
        counts.events++;
        const result = judge(event, names);
        if (result instanceof EpcisMappingError) {
          expect(result.pointer).toMatch(/^(\/[^/]+)+$|^$/);
          expect(result.reason.length).toBeGreaterThan(10);
          const key = `${result.pointer.split('/').slice(0, 2).join('/')}: ${result.reason.replace(/"[^"]*"/g, '"…"').replace(/\d{13,}/g, '…')}`;
          reasons.set(key, (reasons.get(key) ?? 0) + 1);
          const extensions = Object.keys(event as object).filter((k) => k.includes(':'));
          if (
            !(
              judge(event, names, [...DROPPABLE_FIELDS, ...extensions]) instanceof EpcisMappingError
            )
          ) {
            counts.mappedWithDrops++;
          }
          continue;
        }
        counts.mapped++;
        counts.mappedWithDrops++;
        // What it maps to is an event ingest's field rules accept, or one they name a field of.
        try {
          validateEvent({ event: result.event, keyId: 'k', signature: 'A'.repeat(86) }, 0);
        } catch (err) {
          if (!(err instanceof RejectionError)) throw err;
          expect(err.message).toMatch(/^events\[0\]\.event\.\w+/);
          counts.refusedByIngest++;
        }
        // ... and the Custos event maps to an EPCIS event that maps back to it.
        const again = toEpcisEvent({ event: result.event });
        expect(epcisSchema()(epcisDocument([again], '2026-01-01T00:00:00Z'))).toEqual([]);
        expect(
          fromEpcisEvent(again, CUSTOS_EPCIS_NAMES, { profile: 'import', actor: ACTOR }).event,
        ).toEqual(result.event);
      }
      counts.acceptDocuments++;
    },
  );
});
