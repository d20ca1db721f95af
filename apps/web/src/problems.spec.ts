import fc from 'fast-check';
import { NOT_A_PACKAGE_CODE, scanProblem, signInProblem, technicalDetail } from './problems';

describe('technicalDetail', () => {
  it.each([
    [
      'code: identifier: is not a GS1 Digital Link URI, element string, barcode scan or EPC URN',
      'the code is not a GS1 Digital Link URI, element string, barcode scan or EPC URN',
    ],
    ['code: AI (01): check digit should be 2, not 3', 'GTIN (01): check digit should be 2, not 3'],
    [
      'code: AI (21): a character outside GS1 character set 82 was found',
      'Serial number (21): a character outside GS1 character set 82 was found',
    ],
    ['code: AI (8003): too short', 'AI (8003): too short'],
    [
      'code: uri: has no GS1 Digital Link primary key in its path',
      'the link has no GS1 Digital Link primary key in its path',
    ],
    [
      'code: identifier: holds (8003), but no GTIN (01), SSCC (00) or GLN (414)/(417)',
      'the code holds (8003), but no GTIN (01), SSCC (00) or GLN (414)/(417)',
    ],
    [
      'code: a package is a unit (GTIN with serial, AI 21) or a logistic unit (SSCC), not a product',
      'a package is a unit (GTIN with serial, AI 21) or a logistic unit (SSCC), not a product',
    ],
    [
      'keyId: participant 9506000000007 has no key "k9"',
      'participant 9506000000007 has no key "k9"',
    ],
    ['the session has expired: sign in again', 'the session has expired: sign in again'],
    ['Internal server error', 'Internal server error'],
  ])('reads %j as %j', (message, detail) => {
    expect(technicalDetail(message)).toBe(detail);
  });

  it('never leaves a field-name prefix in front', () => {
    const field = fc.stringMatching(/^[a-z][A-Za-z0-9]{0,12}$/);
    fc.assert(
      fc.property(fc.array(field, { minLength: 1, maxLength: 4 }), fc.string(), (fields, rest) => {
        const detail = technicalDetail(`${fields.join(': ')}: ${rest}`);
        expect(detail).not.toMatch(/^[a-z][A-Za-z0-9]*: /);
      }),
    );
  });
});

describe('scanProblem', () => {
  it('says a code it cannot read is not a package code, whatever the reason', () => {
    const problem = scanProblem({
      code: 'BAD_USER_INPUT',
      field: 'code',
      message: 'code: AI (01): check digit should be 2, not 3',
    });
    expect(problem).toEqual({
      sentence: NOT_A_PACKAGE_CODE,
      detail: 'GTIN (01): check digit should be 2, not 3',
    });
  });

  it.each([
    ['UNAUTHENTICATED', /sign in again/],
    ['RATE_LIMITED', /wait a moment/],
    ['NETWORK', /cannot be reached/],
    ['INTERNAL_SERVER_ERROR', /could not answer this check/],
  ])('words %s for the counter', (code, sentence) => {
    expect(scanProblem({ code, message: 'x' }).sentence).toMatch(sentence);
  });
});

describe('signInProblem', () => {
  it.each([
    ['UNKNOWN_PARTICIPANT', 'participantId', /check the participant id/],
    ['UNKNOWN_KEY', 'keyId', /check the key id/],
    ['BAD_SIGNATURE', 'signature', /private key does not belong to this key id/],
    ['NONCE_EXPIRED', 'nonce', /sign in again/],
    ['KEY_REVOKED', 'keyId', /revoked/],
  ])('words %s for the counter', (code, field, sentence) => {
    const problem = signInProblem({ code, field, message: `${field}: what the service said` });
    expect(problem.sentence).toMatch(sentence);
    expect(problem.detail).toBe('what the service said');
  });
});
