// What the page says when a scan or a sign-in goes wrong, in the pharmacist's words. The
// service answers errors as a stable code (`extensions.code`), the input at fault
// (`extensions.field`) and a sentence written for developers ("code: AI (01): check digit
// should be 2, not 3", SPEC section 7). The sentence shown is chosen from the code and the
// field alone; the service's sentence stays available as a details line, without the
// field-name prefixes that mean nothing at a counter.

/** A service error as the page receives it. */
export interface ServiceError {
  readonly code: string;
  readonly field?: string | undefined;
  readonly message: string;
}

export interface Problem {
  /** What happened and what to do now. */
  readonly sentence: string;
  /** The service's own words, for whoever looks into it. */
  readonly detail?: string;
}

export const NOT_A_PACKAGE_CODE =
  'This is not a package code we can read — scan again or type the code under the barcode.';

export const SIGN_IN_FIRST: Problem = {
  sentence: 'Sign in first: the ledger answers signed-in participants only.',
};

export const NOTHING_SCANNED: Problem = { sentence: 'Type, paste or scan a code first.' };

/** Codes the page itself gives to failures that never reached a GraphQL answer (api.ts). */
export const NETWORK = 'NETWORK';

function scanSentence({ code }: ServiceError): string {
  switch (code) {
    case 'BAD_USER_INPUT': // verifyPackage has one input: the code
      return NOT_A_PACKAGE_CODE;
    case 'UNAUTHENTICATED':
    case 'KEY_REVOKED':
      return 'Your session has ended: sign in again, then scan the package again.';
    case 'FORBIDDEN':
      return 'Your organisation may not check packages with this key: ask your Custos administrator.';
    case 'RATE_LIMITED':
      return 'Too many checks at once: wait a moment, then scan again.';
    case NETWORK:
      return 'The ledger cannot be reached: check the connection, then scan again.';
    default:
      return 'The ledger could not answer this check: scan again in a moment, and report it if it keeps failing.';
  }
}

function signInSentence({ code, field }: ServiceError): string {
  switch (code) {
    case 'UNKNOWN_PARTICIPANT':
      return 'No participant is registered with this id: check the participant id (GLN).';
    case 'UNKNOWN_KEY':
      return 'Your organisation has no key with this key id: check the key id.';
    case 'KEY_REVOKED':
      return "This key has been revoked: sign in with your organisation's current key.";
    case 'KEY_NOT_YET_VALID':
      return "This key is not valid yet: sign in with your organisation's current key.";
    case 'BAD_SIGNATURE':
      return 'The private key does not belong to this key id: check both.';
    case 'NONCE_UNKNOWN':
    case 'NONCE_EXPIRED':
    case 'NONCE_ALREADY_USED':
      return 'The sign-in took too long or was interrupted: sign in again.';
    case 'RATE_LIMITED':
      return 'Too many sign-in attempts: wait a minute, then try again.';
    case 'BAD_USER_INPUT':
      return field === 'participantId'
        ? 'This is not a participant id: it is the 13-digit GLN of your organisation.'
        : 'The service refused these sign-in details: check them and try again.';
    case NETWORK:
      return 'The service cannot be reached: check the connection, then sign in again.';
    default:
      return 'Sign-in did not work: try again, and report it if it keeps failing.';
  }
}

/** The problem of a scan the service refused or could not answer. */
export function scanProblem(error: ServiceError): Problem {
  return withDetail(scanSentence(error), error.message);
}

/** The problem of a sign-in the service refused or could not answer. */
export function signInProblem(error: ServiceError): Problem {
  return withDetail(signInSentence(error), error.message);
}

function withDetail(sentence: string, message: string): Problem {
  const detail = technicalDetail(message);
  return detail ? { sentence, detail } : { sentence };
}

// `code: `, `identifier: `, `keyId: `, `input.license.validUntil: ` — never a sentence's
// first words, which have spaces before any colon.
const FIELD_PREFIX = /^([a-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)*): /;
const SUBJECTS: Record<string, string> = {
  code: 'the code',
  identifier: 'the code',
  uri: 'the link',
  epc: 'the EPC URN',
};
// The Application Identifiers a medicine pack carries (GS1 General Specifications 3.2).
const AI_NAMES: Record<string, string> = {
  '00': 'SSCC',
  '01': 'GTIN',
  '10': 'Lot',
  '17': 'Expiry date',
  '21': 'Serial number',
  '710': 'National healthcare number',
  '711': 'National healthcare number',
  '712': 'National healthcare number',
  '713': 'National healthcare number',
  '714': 'National healthcare number',
};

/**
 * The service's sentence without its field-name prefixes: "code: identifier: is not a
 * GS1 …" reads "the code is not a GS1 …", "code: AI (01): check digit …" reads
 * "GTIN (01): check digit …".
 */
export function technicalDetail(message: string): string {
  let rest = message.trim();
  let field: string | undefined;
  for (let m = FIELD_PREFIX.exec(rest); m; m = FIELD_PREFIX.exec(rest)) {
    field = m[1];
    rest = rest.slice(m[0].length);
  }
  rest = rest.replace(/^AI \((\d{2,4})\)/, (whole, ai: string) =>
    AI_NAMES[ai] ? `${AI_NAMES[ai]} (${ai})` : whole,
  );
  // A prefix that was the subject of the sentence ("identifier: is not …") comes back as one.
  if (field !== undefined && /^(is|has|holds) /.test(rest)) {
    rest = `${SUBJECTS[field] ?? field} ${rest}`;
  }
  return rest;
}
