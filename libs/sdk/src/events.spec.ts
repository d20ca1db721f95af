import { createHash } from 'node:crypto';
import { canonicalJson } from '@custos/ledger/jcs';
import { signEvent as ledgerSignEvent } from '@custos/ledger/events';
import { keyFromSeed, generateKey } from './keys';
import {
  buildEvent,
  createSignedEvent,
  parseSignedEvent,
  signEvent,
  signingBytes,
  verifySignedEvent,
} from './events';

const MAKER = '0950600000019';
const seed = createHash('sha256').update('custos sdk test key').digest();

describe('events', () => {
  it('builds an event with only the given fields, a UUID and the current time', () => {
    const before = Date.now();
    const event = buildEvent(
      'COMMISSION',
      { items: ['https://id.gs1.org/01/09506000134352/21/A1'], lot: 'L1', expiry: '2030-12-31' },
      { actor: MAKER },
    );
    expect(Object.keys(event).sort()).toEqual(
      ['actor', 'eventId', 'eventTime', 'expiry', 'items', 'lot', 'type'].sort(),
    );
    expect(event.eventId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(Date.parse(String(event.eventTime))).toBeGreaterThanOrEqual(before - 1);
    expect(String(event.eventTime)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(() => buildEvent('SELL' as never, {}, { actor: MAKER })).toThrow(
      /^type: expected one of/,
    );
    expect(() => buildEvent('SHIP', {}, { actor: '' })).toThrow(/^actor:/);
  });

  it('signs exactly SPEC 4: custos-event:v1: + RFC 8785 of the event without null fields', () => {
    const key = keyFromSeed(seed, 'k1', MAKER);
    const event = {
      type: 'SHIP',
      eventId: '6f1c1b1e-2c51-4d3f-9a47-0d9f8ad1e7a1',
      actor: MAKER,
      eventTime: '2026-01-02T03:04:05Z',
      items: ['https://id.gs1.org/00/095060000000000017'],
      to: '0950600000026',
      lot: null,
    };
    const expected =
      'custos-event:v1:{"actor":"0950600000019","eventId":"6f1c1b1e-2c51-4d3f-9a47-0d9f8ad1e7a1",' +
      '"eventTime":"2026-01-02T03:04:05Z","items":["https://id.gs1.org/00/095060000000000017"],' +
      '"to":"0950600000026","type":"SHIP"}';
    expect(new TextDecoder().decode(signingBytes(event))).toBe(expected);
    const { lot: _lot, ...withoutNull } = event;
    expect(`custos-event:v1:${canonicalJson(withoutNull)}`).toBe(expected);
    const signed = signEvent(event, key);
    expect(signed).toEqual({ event, keyId: 'k1', signature: ledgerSignEvent(event, seed) });
    expect(Buffer.from(signed.signature, 'base64url')).toHaveLength(64);
    expect(verifySignedEvent(signed, key.publicKey)).toBe(true);
  });

  it('a signature does not verify for a changed event or another key', () => {
    const key = generateKey('k1', MAKER);
    const signed = createSignedEvent(key, 'DISPENSE', { items: ['x'] });
    expect(signed.event.actor).toBe(MAKER);
    expect(verifySignedEvent(signed, key.publicKey)).toBe(true);
    expect(
      verifySignedEvent({ ...signed, event: { ...signed.event, items: ['y'] } }, key.publicKey),
    ).toBe(false);
    expect(verifySignedEvent(signed, generateKey().publicKey)).toBe(false);
  });

  it('refuses to sign for another actor than the key holder, and an event with no actor', () => {
    const key = generateKey('k1', MAKER);
    expect(() => signEvent(buildEvent('SHIP', {}, { actor: '0950600000026' }), key)).toThrow(
      /^event.actor: is "0950600000026", but the key belongs to 0950600000019/,
    );
    expect(() => createSignedEvent(generateKey(), 'SHIP')).toThrow(
      /^actor: the key names no participant/,
    );
  });

  it('parses a signed event from JSON, naming the field that is wrong', () => {
    const signed = createSignedEvent(generateKey('k1', MAKER), 'SHIP', { items: ['a'], to: 'b' });
    expect(parseSignedEvent(JSON.parse(JSON.stringify(signed)))).toEqual(signed);
    expect(() => parseSignedEvent({ ...signed, keyId: 1 }, 'line 3')).toThrow(
      /^line 3.keyId: expected a string/,
    );
    expect(() => parseSignedEvent({ keyId: 'k', signature: 's' }, 'line 4')).toThrow(
      /^line 4.event:/,
    );
    expect(() => parseSignedEvent('x', 'line 5')).toThrow(/^line 5: expected an object/);
  });
});
