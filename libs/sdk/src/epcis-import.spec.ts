// importEpcisDocument over the openepcis capture documents held in test/conformance:
// every event is either signed (and verifies, and maps the same on a second import) or
// refused by name with a field and a reason; the counts are printed.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { epcisDocument } from '@custos/epcis/document';
import { toEpcisEvent } from '@custos/epcis/to-epcis';
import { importEpcisDocument } from './epcis-import';
import { verifySignedEvent } from './events';
import { keyFromSeed } from './keys';

const DOCUMENTS = join(
  __dirname,
  '../../../test/conformance/epcis/openepcis-test-resources/2.0/JSON/Capture/Documents',
);
const key = keyFromSeed(new Uint8Array(32).fill(9), 'k1', '9506001000007');
const files = readdirSync(DOCUMENTS).filter((f) => f.endsWith('.json'));

describe('importEpcisDocument', () => {
  const totals = { documents: 0, events: 0, signed: 0, refused: 0, signedWithDrops: 0 };
  afterAll(() => {
    process.stdout.write(
      `EPCIS import of ${totals.documents} openepcis capture documents: ${totals.events} events, ` +
        `${totals.signed} signed, ${totals.refused} refused by name; ` +
        `${totals.signedWithDrops} signed when readPoint, bizLocation, bizTransactionList and source/destination locations may be dropped\n`,
    );
  });

  it.each(files)('%s: every event signed or refused by name', (file) => {
    const document = JSON.parse(readFileSync(join(DOCUMENTS, file), 'utf8')) as unknown;
    const result = importEpcisDocument(document, key);
    const list = (document as { epcisBody: { eventList: { eventID?: string }[] } }).epcisBody
      .eventList;
    expect(result.events.length + result.refused.length).toBe(list.length);
    for (const event of result.events) {
      expect(verifySignedEvent(event.signed, key.publicKey)).toBe(true);
      expect(event.signed.event.actor).toBe(key.participantId);
    }
    for (const refusal of result.refused) {
      const index = Number(refusal.pointer.split('/').pop());
      expect(refusal.name).toBe(list[index]?.eventID ?? refusal.pointer);
      expect(refusal.field).toMatch(/^\//);
      expect(refusal.reason.length).toBeGreaterThan(5);
    }
    // Importing the same file again gives the same events: resubmitting is a duplicate.
    expect(importEpcisDocument(document, key).events.map((e) => e.signed)).toEqual(
      result.events.map((e) => e.signed),
    );
    const dropping = importEpcisDocument(document, key, {
      drop: ['readPoint', 'bizLocation', 'bizTransactionList', 'location'],
    });
    totals.documents++;
    totals.events += list.length;
    totals.signed += result.events.length;
    totals.refused += result.refused.length;
    totals.signedWithDrops += dropping.events.length;
  });

  // None of the held openepcis documents fits the mapping (their bizSteps, event types and
  // time zone offsets: libs/epcis/test/manifest.spec.ts prints why), so a partner's
  // document of pharma events is made here the way one is written: Custos events as
  // EPCIS, without the custos: fields, eventIDs of its own and times with an offset.
  it('signs every event of a partner document that fits the mapping', () => {
    const maker = key.participantId!;
    const items = ['https://id.gs1.org/01/09506001000014/21/A1'];
    const partnerEvent = (event: Record<string, unknown>, id: string) => {
      const epcis = toEpcisEvent({ event: event }) as Record<string, unknown>;
      for (const field of Object.keys(epcis)) if (field.startsWith('custos:')) delete epcis[field];
      return { ...epcis, eventID: id, eventTime: '2026-12-01T10:00:00.000+01:00' };
    };
    const document = epcisDocument(
      [
        partnerEvent(
          {
            eventId: '00000000-0000-4000-8000-000000000001',
            type: 'COMMISSION',
            actor: maker,
            eventTime: '2026-12-01T09:00:00.000Z',
            items,
            lot: 'L1',
            expiry: '2030-12-31',
          },
          'ni:///sha-256;partner-1',
        ),
        partnerEvent(
          {
            eventId: '00000000-0000-4000-8000-000000000002',
            type: 'SHIP',
            actor: maker,
            eventTime: '2026-12-01T09:00:00.000Z',
            items,
            to: '9506004000011',
          },
          'partner-2',
        ),
      ],
      '2026-12-01T10:00:00Z',
    );
    const { events, refused } = importEpcisDocument(document, key);
    expect(refused).toEqual([]);
    expect(events.map((e) => [e.name, e.signed.event.type, e.signed.event.eventTime])).toEqual([
      ['ni:///sha-256;partner-1', 'COMMISSION', '2026-12-01T09:00:00.000Z'],
      ['partner-2', 'SHIP', '2026-12-01T09:00:00.000Z'],
    ]);
    for (const e of events) expect(verifySignedEvent(e.signed, key.publicKey)).toBe(true);
  });

  it('refuses by name an event the mapping cannot keep, and a document that is not one', () => {
    const document = JSON.parse(
      readFileSync(join(DOCUMENTS, 'ObjectEvent_with_sensorData.json'), 'utf8'),
    ) as unknown;
    const { events, refused } = importEpcisDocument(document, key);
    expect(events).toEqual([]);
    expect(refused[0]).toMatchObject({
      pointer: '/epcisBody/eventList/0',
      field: '/bizStep',
      reason: expect.stringMatching(/^inspecting has no Custos counterpart/),
    });
    expect(() => importEpcisDocument({ type: 'Nothing' }, key)).toThrow(/document: epcisBody/);
    expect(() =>
      importEpcisDocument(document, keyFromSeed(new Uint8Array(32).fill(9), 'k1')),
    ).toThrow(/key: names no participant/);
  });
});
