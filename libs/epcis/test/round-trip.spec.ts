// The published mapping is exact (SPEC section 10, docs/epcis.md): for generated valid
// Custos events of every type, signed, mapped to EPCIS in either GS1-EPC-Format, put in a
// document that the GS1 JSON Schema accepts, sent as JSON and mapped back, the Custos event
// has the signed bytes (RFC 8785 signing input) and the signature still verifies.
import fc from 'fast-check';
import { ed25519 } from '@noble/curves/ed25519.js';
import { eventTypes } from '@custos/custody/custody-event';
import { validateEvent } from '@custos/events/event-validation';
import { bytesToHex } from '@custos/ledger/bytes';
import { eventSigningBytes, signEvent, verifyEventSignature } from '@custos/ledger/events';
import { documentEvents, epcisDocument, epcisQueryDocument } from '../src/document';
import { fromEpcisEvent } from '../src/from-epcis';
import { type EpcFormat } from '../src/identifiers';
import { toEpcisEvent } from '../src/to-epcis';
import { custosEvent } from './arbitraries';
import { epcisSchema } from './conformance';

const secretKey = ed25519.utils.randomSecretKey();
const publicKey = ed25519.getPublicKey(secretKey);
const keyId = 'k-epcis';
// Registered prefixes of 7 digits: identifiers signed as Digital Links still get EPC URNs.
const companyPrefixLength = () => 7;

describe('Custos → EPCIS → Custos gives back the signed event byte for byte', () => {
  it.each(eventTypes)('%s', (type) => {
    fc.assert(
      fc.property(custosEvent(type), fc.nat(), (event, leafIndex) => {
        const signature = signEvent(event, secretKey);
        validateEvent({ event, keyId, signature }, 0); // a valid event, as ingest judges it
        const hashes = new Set<unknown>();
        for (const epcFormat of ['digital-link', 'epc-urn'] as EpcFormat[]) {
          const epcis = toEpcisEvent(
            { event, keyId, signature },
            {
              epcFormat,
              companyPrefixLength,
              provenance: { recordTime: '2031-01-01T00:00:00Z', leafIndex, blockHeight: 0 },
            },
          );
          hashes.add(epcis['custos:eventHash']);
          const wire = JSON.parse(JSON.stringify(epcisDocument([epcis], '2031-01-01T00:00:00Z')));
          expect(epcisSchema()(wire)).toEqual([]);
          const [read] = documentEvents(wire) as Exclude<ReturnType<typeof documentEvents>, string>;
          const back = fromEpcisEvent(read!.event, read!.names, { profile: 'capture' });
          expect(bytesToHex(eventSigningBytes(back.event))).toBe(
            bytesToHex(eventSigningBytes(event)),
          );
          expect(back.keyId).toBe(keyId);
          expect(back.signature).toBe(signature);
          expect(verifyEventSignature(back.event, back.signature!, publicKey)).toBe(true);
        }
        expect(hashes.size).toBe(1);
      }),
      { numRuns: 150 },
    );
  });

  it('serves query documents the GS1 JSON Schema accepts', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...eventTypes).chain(custosEvent), { minLength: 0, maxLength: 5 }),
        (events) => {
          const list = events.map((event) =>
            toEpcisEvent(
              { event, keyId, signature: signEvent(event, secretKey) },
              { provenance: {} },
            ),
          );
          const doc = epcisQueryDocument(list, {
            queryName: 'SimpleEventQuery',
            creationDate: '2031-01-01T00:00:00Z',
          });
          expect(epcisSchema()(doc)).toEqual([]);
        },
      ),
      { numRuns: 50 },
    );
  });
});
