import fc from 'fast-check';
import { base64UrlToBytes, bytesToUtf8 } from './bytes';
import { publicKeyOf } from './ed25519';
import { verifyFast } from './ed25519-native';
import {
  eventSigningBytes,
  leafInput,
  signEvent,
  signInBytes,
  verifyEventSignature,
  withoutNullFields,
} from './events';

const seed = new Uint8Array(32).fill(7);
const pub = publicKeyOf(seed);
const event = {
  eventId: '3f0c8f1e-6a51-4f6e-9a3c-2b7d1f0e9a10',
  type: 'SHIP',
  actor: '9506000000002',
  eventTime: '2026-01-05T10:00:00Z',
  items: ['https://id.gs1.org/01/09506000134352/21/ABC123'],
  to: '9506000000019',
  lot: null,
};

describe('event signing bytes (SPEC section 4)', () => {
  it('is the prefix followed by the canonical JSON without null fields', () => {
    expect(bytesToUtf8(eventSigningBytes(event))).toBe(
      'custos-event:v1:{"actor":"9506000000002","eventId":"3f0c8f1e-6a51-4f6e-9a3c-2b7d1f0e9a10",' +
        '"eventTime":"2026-01-05T10:00:00Z","items":["https://id.gs1.org/01/09506000134352/21/ABC123"],' +
        '"to":"9506000000019","type":"SHIP"}',
    );
  });
  it('keeps nulls that are values inside a field', () => {
    expect(withoutNullFields({ a: null, b: [null], c: { d: null } })).toEqual({
      b: [null],
      c: { d: null },
    });
  });
  it('signs and verifies, strict and fast alike; a changed field or signature fails', () => {
    const sig = signEvent(event, seed);
    expect(sig).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(verifyEventSignature(event, sig, pub)).toBe(true);
    expect(verifyEventSignature(event, sig, pub, verifyFast)).toBe(true);
    const { lot: _lot, ...withoutLot } = event;
    expect(verifyEventSignature(withoutLot, sig, pub)).toBe(true);
    expect(verifyEventSignature({ ...event, to: '9506000000026' }, sig, pub)).toBe(false);
    expect(verifyEventSignature(event, `${sig}==`, pub)).toBe(false);
    expect(verifyEventSignature(event, sig.slice(0, -2), pub)).toBe(false);
    expect(verifyEventSignature({ ...event, n: NaN }, sig, pub)).toBe(false);
  });
  it('verifies only its own events (property)', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.constant(null))),
        (e) => {
          const sig = signEvent(e, seed);
          expect(verifyEventSignature(e, sig, pub, verifyFast)).toBe(true);
          expect(verifyEventSignature({ ...e, extra: 'x' }, sig, pub, verifyFast)).toBe(false);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('leaf input (SPEC section 5)', () => {
  it('is the canonical JSON of {event, keyId, signature}, event as signed', () => {
    const signature = signEvent(event, seed);
    const text = bytesToUtf8(leafInput({ event, keyId: 'k1', signature }));
    expect(text.startsWith('{"event":{"actor":')).toBe(true);
    expect(text.endsWith(`},"keyId":"k1","signature":"${signature}"}`)).toBe(true);
    expect(text).not.toContain('null');
    const parsed = JSON.parse(text) as { event: Record<string, unknown> };
    expect(verifyEventSignature(parsed.event, signature, pub)).toBe(true);
  });
  it('sign-in bytes', () => {
    expect(bytesToUtf8(signInBytes('n0nce'))).toBe('custos-signin:v1:n0nce');
  });
});

describe('base64url helpers', () => {
  it('reject padding, standard alphabet and non-zero trailing bits', () => {
    expect(base64UrlToBytes('_-8')).toEqual(new Uint8Array([255, 239]));
    expect(() => base64UrlToBytes('_-8=')).toThrow(/invalid base64/);
    expect(() => base64UrlToBytes('/+8')).toThrow(/invalid base64/);
    expect(() => base64UrlToBytes('_-9')).toThrow(/non-canonical/);
    expect(() => base64UrlToBytes('A')).toThrow(/length/);
  });
});
