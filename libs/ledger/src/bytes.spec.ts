import fc from 'fast-check';
import {
  base64ToBytes,
  base64UrlToBytes,
  bytesToBase64,
  bytesToBase64Url,
  bytesToHex,
  bytesToUtf8,
  hexToBytes,
} from './bytes';

describe('encodings', () => {
  it('round-trip and agree with Node for every byte string', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
        const buf = Buffer.from(b);
        expect(bytesToHex(b)).toBe(buf.toString('hex'));
        expect(bytesToBase64(b)).toBe(buf.toString('base64'));
        expect(bytesToBase64Url(b)).toBe(buf.toString('base64url'));
        expect(hexToBytes(bytesToHex(b))).toEqual(b);
        expect(base64ToBytes(bytesToBase64(b))).toEqual(b);
        expect(base64UrlToBytes(bytesToBase64Url(b))).toEqual(b);
      }),
    );
  });
  it('reject non-canonical text', () => {
    expect(() => hexToBytes('AB')).toThrow(/lowercase/);
    expect(() => hexToBytes('abc')).toThrow(/even/);
    expect(() => hexToBytes('ab', 'root', 32)).toThrow(/root: expected 32 bytes/);
    expect(() => base64ToBytes('AQ')).toThrow(/multiple of 4/);
    expect(() => base64ToBytes('AR==')).toThrow(/non-canonical/);
    expect(() => base64ToBytes('A-8=')).toThrow(/invalid base64/);
    expect(() => bytesToUtf8(new Uint8Array([0xff]))).toThrow(/invalid UTF-8/);
  });
});
