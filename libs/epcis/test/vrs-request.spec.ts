// The LWMS 1.3 requests, field by field: each bad parameter is refused by name.
import {
  parseVrsConnectivityRequest,
  parseVrsVerifyRequest,
  VrsRequestError,
} from '../src/vrs-request';

const path = { gtin: '09506000134352', lot: 'A123', ser: 'SER/1' };
const query = {
  exp: '270300',
  linkType: 'verificationService',
  context: 'dscsaSaleableReturn',
  reqGLN: '9506000000008',
  corrUUID: '3b4e4c0a-4f5c-4b8e-9d51-6a1f0f9d2a77',
};

function refusal(fn: () => unknown): { field: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof VrsRequestError) return { field: err.field, message: err.message };
    throw err;
  }
  throw new Error('not refused');
}

describe('LWMS verification request', () => {
  it('reads a well-formed request as asked', () => {
    expect(parseVrsVerifyRequest(path, query)).toEqual({
      gtin: '09506000134352',
      lot: 'A123',
      serial: 'SER/1',
      expiry: '270300',
      context: 'dscsaSaleableReturn',
      requesterGln: '9506000000008',
      corrUUID: '3b4e4c0a-4f5c-4b8e-9d51-6a1f0f9d2a77',
    });
    const { corrUUID: _, ...noCorr } = query;
    expect(parseVrsVerifyRequest(path, noCorr).corrUUID).toBeUndefined();
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>, string, RegExp]>([
    ['GTIN check digit', { gtin: '09506000134353' }, {}, 'gtin', /check digit should be 2/],
    ['GTIN length', { gtin: '0950600013435' }, {}, 'gtin', /too short/],
    ['lot charset', { lot: 'A 1' }, {}, 'lot', /character set 82/],
    ['lot length', { lot: 'L'.repeat(21) }, {}, 'lot', /too long/],
    ['serial length', { ser: 'S'.repeat(21) }, {}, 'ser', /too long/],
    ['expiry month', {}, { exp: '271301' }, 'exp', /month/],
    ['expiry missing', {}, { exp: undefined }, 'exp', /required/],
    ['linkType', {}, { linkType: 'pip' }, 'linkType', /verificationService/],
    ['context', {}, { context: 'dscsaOther' }, 'context', /not answered here/],
    ['requester GLN', {}, { reqGLN: '9506000000001' }, 'reqGLN', /check digit/],
    ['requester GLN missing', {}, { reqGLN: undefined }, 'reqGLN', /required/],
    ['corrUUID', {}, { corrUUID: 'abc' }, 'corrUUID', /UUID/],
    ['a repeated parameter', {}, { exp: ['270300', '270301'] }, 'exp', /once/],
  ])('refuses a bad %s, naming it', (_, pathChange, queryChange, field, message) => {
    const got = refusal(() =>
      parseVrsVerifyRequest({ ...path, ...pathChange }, { ...query, ...queryChange }),
    );
    expect(got.field).toBe(field);
    expect(got.message).toMatch(message);
    expect(got.message.startsWith(`${field}: `)).toBe(true);
  });

  it('checkConnectivity needs a GTIN and the requester GLN', () => {
    expect(parseVrsConnectivityRequest({ gtin: path.gtin, reqGLN: query.reqGLN })).toEqual({
      gtin: path.gtin,
      requesterGln: query.reqGLN,
    });
    expect(refusal(() => parseVrsConnectivityRequest({ reqGLN: query.reqGLN })).field).toBe('gtin');
    expect(refusal(() => parseVrsConnectivityRequest({ gtin: path.gtin })).field).toBe('reqGLN');
  });
});
