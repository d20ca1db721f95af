import fc from 'fast-check';
import { bytesToHex } from './bytes';
import { publicKeyOf, verifyStrict } from './ed25519';
import { type EventObject, eventSigningBytes, leafInput, signEvent } from './events';
import { canonicalJson } from './jcs';
import { leafHash } from './merkle';
import { sha256 } from './sha256';
import {
  PURE_CODEC,
  type StoredEventRow,
  checkStoredEvent,
  rebuildStoredEvent,
} from './stored-event';
import { NATIVE_CODEC } from './stored-event-native';

const secretKey = new Uint8Array(32).fill(3);
const publicKey = publicKeyOf(secretKey);
const hex = (b: Uint8Array) => bytesToHex(b);

/** What ingest stores for a signed event (SPEC 4 and 5), text as given. */
function stored(event: EventObject, eventJson?: string): StoredEventRow & { type: string } {
  const signature = signEvent(event, secretKey);
  return {
    eventId: event['eventId'] as string,
    actor: event['actor'] as string,
    type: event['type'] as string,
    eventJson:
      eventJson ??
      canonicalJson(Object.fromEntries(Object.entries(event).filter(([, v]) => v !== null))),
    keyId: 'k1',
    signature,
    contentHash: sha256(leafInput({ event, keyId: 'k1', signature })),
  };
}

const value = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string(), fc.integer(), fc.constant(null)), { maxLength: 3 }),
);
const eventArb = fc
  .tuple(fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), value, { maxKeys: 6 }), fc.uuid())
  .map(([extra, id]): EventObject => ({
    ...extra,
    eventId: id,
    type: 'SHIP',
    actor: '9506000000003',
    eventTime: '2026-12-02T04:00:00.000Z',
  }));

describe('stored-event: the bytes of a stored row, rebuilt', () => {
  it('gives the bytes signed at ingest, the leaf input and leaf hash, purely and natively', () => {
    fc.assert(
      fc.property(eventArb, (event) => {
        const row = stored(event);
        const entry = leafInput({ event, keyId: row.keyId, signature: row.signature });
        for (const codec of [PURE_CODEC, NATIVE_CODEC]) {
          const rebuilt = rebuildStoredEvent(row, codec);
          expect(rebuilt.contentMatches).toBe(true);
          expect(hex(rebuilt.signingBytes)).toBe(hex(eventSigningBytes(event)));
          expect(hex(rebuilt.leafInput)).toBe(hex(entry));
          expect(hex(rebuilt.leafHash)).toBe(hex(leafHash(entry)));
          const signature = codec.signatureBytes(row.signature)!;
          expect(verifyStrict(signature, rebuilt.signingBytes, publicKey)).toBe(true);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('rebuilds the same bytes from a stored text that is the event but not its RFC 8785 form', () => {
    fc.assert(
      fc.property(eventArb, (event) => {
        const row = stored(event, JSON.stringify(event, null, 1)); // spaces, order, nulls
        const rebuilt = rebuildStoredEvent(row, NATIVE_CODEC);
        expect(rebuilt.contentMatches).toBe(true);
        expect(hex(rebuilt.signingBytes)).toBe(hex(eventSigningBytes(event)));
      }),
      { numRuns: 30 },
    );
  });

  it('a changed text no longer matches its content hash', () => {
    const row = stored({ eventId: 'e1', type: 'SHIP', actor: 'a', to: 'b' });
    const edited = { ...row, eventJson: row.eventJson.replace('"b"', '"c"') };
    expect(rebuildStoredEvent(edited).contentMatches).toBe(false);
    expect(rebuildStoredEvent(edited, NATIVE_CODEC).contentMatches).toBe(false);
    expect(checkStoredEvent(edited).faults).toEqual([
      { field: 'contentHash', problem: 'content differs' },
    ]);
  });
});

describe('checkStoredEvent', () => {
  const row = stored({ eventId: 'e1', type: 'SHIP', actor: 'a', to: 'b' });

  it('finds nothing wrong with a row as ingest stored it', () => {
    for (const codec of [PURE_CODEC, NATIVE_CODEC]) {
      const checked = checkStoredEvent(row, codec);
      expect(checked.faults).toEqual([]);
      expect(checked.event).toEqual({ eventId: 'e1', type: 'SHIP', actor: 'a', to: 'b' });
      expect(checked.signature).toHaveLength(64);
    }
  });

  it('names each column that disagrees with the signed event', () => {
    const faults = checkStoredEvent({ ...row, actor: 'x', type: 'RECEIVE' }).faults;
    expect(faults).toEqual([
      { field: 'actor', problem: 'column differs' },
      { field: 'type', problem: 'column differs' },
    ]);
  });

  it('refuses a signature that is not canonical base64url of 64 bytes, purely and natively', () => {
    // 'B' leaves stray bits in the last character: never canonical.
    for (const signature of [`${row.signature}=`, `${row.signature.slice(0, -1)}B`, 'AAAA']) {
      const contentHash = sha256(
        leafInput({ event: JSON.parse(row.eventJson) as EventObject, keyId: 'k1', signature }),
      );
      for (const codec of [PURE_CODEC, NATIVE_CODEC]) {
        const checked = checkStoredEvent({ ...row, signature, contentHash }, codec);
        expect([signature, checked.faults]).toEqual([
          signature,
          [{ field: 'signature', problem: 'not 64 bytes of base64url' }],
        ]);
      }
    }
  });

  it('calls a text that is not a JSON object unreadable', () => {
    for (const eventJson of ['{', '[1]', 'null']) {
      const checked = checkStoredEvent({ ...row, eventJson });
      expect(checked.rebuilt).toBeUndefined();
      expect(checked.faults).toEqual([
        {
          field: 'eventJson',
          problem: 'unreadable',
          detail: expect.stringMatching(/^eventJson: not/),
        },
      ]);
    }
  });
});
