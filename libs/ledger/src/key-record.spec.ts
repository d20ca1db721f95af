import fc from 'fast-check';
import { bytesToUtf8, utf8ToBytes } from './bytes';
import { publicKeyOf, randomSecretKey } from './ed25519';
import {
  type KeyRecord,
  type KeyRequest,
  keyRecordLeafInput,
  keyRequestBytes,
  parseKeyRecord,
  requestOf,
  signKeyRequest,
  verifyKeyRequest,
} from './key-record';

describe('key directory records', () => {
  const secret = randomSecretKey();
  const added: KeyRecord = {
    type: 'KEY_ADDED',
    participantId: '9506000000003',
    keyId: 'k2',
    publicKey: publicKeyOf(randomSecretKey()),
    validFrom: new Date('2026-01-01T00:00:00Z'),
    at: new Date('2026-12-02T04:00:00.123Z'),
    authorisedBy: { role: 'ADMIN' },
  };

  it('the leaf input is the RFC 8785 form of the whole record', () => {
    const text = bytesToUtf8(keyRecordLeafInput(added));
    expect(text).toMatch(
      /^\{"at":"2026-12-02T04:00:00.123Z","authorisedBy":\{"role":"ADMIN"\},"keyId":"k2","participantId":"9506000000003","publicKey":"[A-Za-z0-9_-]{43}","type":"KEY_ADDED","validFrom":"2026-01-01T00:00:00.000Z"\}$/,
    );
  });

  it('a participant signs custos-key-request:v1: and the request, without at and authorisedBy', () => {
    const request = requestOf(added) as KeyRequest;
    const text = bytesToUtf8(keyRequestBytes(request));
    expect(text.startsWith('custos-key-request:v1:{"keyId":"k2",')).toBe(true);
    expect(text).not.toContain('"at"');
    expect(text).not.toContain('authorisedBy');
    const signature = signKeyRequest(request, secret);
    expect(verifyKeyRequest(request, signature, publicKeyOf(secret))).toBe(true);
    expect(verifyKeyRequest({ ...request, keyId: 'k3' }, signature, publicKeyOf(secret))).toBe(
      false,
    );
    const revoke: KeyRequest = { type: 'KEY_REVOKED', participantId: '9506000000003', keyId: 'k2' };
    expect(verifyKeyRequest(revoke, signature, publicKeyOf(secret))).toBe(false);
    expect(verifyKeyRequest(request, signature.slice(1), publicKeyOf(secret))).toBe(false);
  });

  it('parses what it writes, for every kind and authorisation', () => {
    const records: KeyRecord[] = [
      added,
      {
        type: 'PARTICIPANT_REGISTERED',
        participantId: '9506000000003',
        roles: ['MANUFACTURER'],
        companyPrefixes: ['950600'],
        at: new Date(0),
        authorisedBy: { role: 'REGULATOR', participantId: '9506000000010' },
      },
      {
        type: 'KEY_REVOKED',
        participantId: '9506000000003',
        keyId: 'k2',
        at: new Date(1),
        authorisedBy: { role: 'PARTICIPANT', keyId: 'k1', signature: new Uint8Array(64).fill(7) },
      },
      { ...added, validFrom: null, authorisedBy: { role: 'UPGRADE' } },
    ];
    for (const record of records) {
      const leaf = keyRecordLeafInput(record);
      expect(keyRecordLeafInput(parseKeyRecord(leaf))).toEqual(leaf);
    }
  });

  it('refuses anything but the canonical form, naming the field', () => {
    const json = JSON.parse(bytesToUtf8(keyRecordLeafInput(added)));
    const leaf = (o: unknown) => utf8ToBytes(JSON.stringify(o));
    expect(() => parseKeyRecord(leaf({ ...json, type: 'KEY_STOLEN' }))).toThrow('record.type');
    expect(() => parseKeyRecord(leaf({ ...json, at: '2026-12-02' }))).toThrow('record.at');
    expect(() => parseKeyRecord(leaf({ ...json, publicKey: 'AAAA' }))).toThrow('record.publicKey');
    expect(() => parseKeyRecord(leaf({ ...json, authorisedBy: { role: 'ROOT' } }))).toThrow(
      'record.authorisedBy.role',
    );
    expect(() => parseKeyRecord(leaf({ ...json, extra: 1 }))).toThrow('RFC 8785 form');
    expect(() => parseKeyRecord(utf8ToBytes(' ' + JSON.stringify(json)))).toThrow('RFC 8785 form');
    expect(() => parseKeyRecord(utf8ToBytes('{'))).toThrow('record: not JSON');
  });

  it('any change to a request breaks its signature (property)', () => {
    const request = requestOf(added) as KeyRequest;
    const signature = signKeyRequest(request, secret);
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 20 }), (keyId) => {
        fc.pre(keyId !== 'k2');
        return !verifyKeyRequest({ ...request, keyId }, signature, publicKeyOf(secret));
      }),
      { numRuns: 50 },
    );
  });
});
