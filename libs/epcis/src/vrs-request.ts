// GS1 US Lightweight Messaging Standard for DSCSA Verification of Product Identifiers,
// release 1.3: the two requests a responder answers, read from the URL and checked field by
// field (GS1 General Specifications section 3 for each AI's syntax and check digit).
//   GET /verify/gtin/{gtin}/lot/{lot}/ser/{ser}?exp=YYMMDD&linkType=verificationService
//       &context=dscsaSaleableReturn&reqGLN={GLN}&corrUUID={uuid}
//   GET /checkConnectivity?gtin={gtin}&reqGLN={GLN}
import { Gs1Error } from '@custos/gs1/errors';
import { validateAiValue } from '@custos/gs1/ai';

/** A request that is not one the standard defines; `field` names the parameter. */
export class VrsRequestError extends Error {
  override readonly name = 'VrsRequestError';
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

export interface VrsVerifyRequest {
  readonly gtin: string;
  readonly lot: string;
  readonly serial: string;
  /** AI (17) `YYMMDD` as asked. */
  readonly expiry: string;
  readonly context: VrsContext;
  readonly requesterGln: string;
  /** The requester's correlation id, echoed; absent when it sent none. */
  readonly corrUUID: string | undefined;
}

export interface VrsConnectivityRequest {
  readonly gtin: string;
  readonly requesterGln: string;
}

/**
 * The contexts answered. LWMS 1.3 names others (suspect product, exception verification)
 * whose exact strings the standard text held here does not give; they are refused by name.
 */
export const VRS_CONTEXTS = ['dscsaSaleableReturn'] as const;
export type VrsContext = (typeof VRS_CONTEXTS)[number];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Params = Readonly<Record<string, unknown>>;

export function parseVrsVerifyRequest(path: Params, query: Params): VrsVerifyRequest {
  const linkType = required(query, 'linkType');
  if (linkType !== 'verificationService')
    throw new VrsRequestError('linkType', `must be verificationService, not "${linkType}"`);
  const context = required(query, 'context');
  if (!(VRS_CONTEXTS as readonly string[]).includes(context))
    throw new VrsRequestError(
      'context',
      `"${context}" is not answered here; the contexts answered: ${VRS_CONTEXTS.join(', ')}`,
    );
  const corrUUID = optional(query, 'corrUUID');
  if (corrUUID !== undefined && !UUID.test(corrUUID))
    throw new VrsRequestError('corrUUID', 'must be a UUID (8-4-4-4-12 hexadecimal digits)');
  return {
    gtin: ai(path, 'gtin', '01', 'a GTIN-14 (14 digits with its check digit)'),
    lot: ai(path, 'lot', '10', 'a lot number (AI 10: 1 to 20 characters of GS1 set 82)'),
    serial: ai(path, 'ser', '21', 'a serial number (AI 21: 1 to 20 characters of GS1 set 82)'),
    expiry: ai(query, 'exp', '17', 'an expiry date YYMMDD (AI 17)'),
    context: context as VrsContext,
    requesterGln: gln(query),
    corrUUID,
  };
}

export function parseVrsConnectivityRequest(query: Params): VrsConnectivityRequest {
  return {
    gtin: ai(query, 'gtin', '01', 'a GTIN-14 (14 digits with its check digit)'),
    requesterGln: gln(query),
  };
}

function gln(query: Params): string {
  return ai(query, 'reqGLN', '414', "the requester's GLN (13 digits with its check digit)");
}

function optional(params: Params, field: string): string | undefined {
  const value = params[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new VrsRequestError(field, 'must be given once');
  return value;
}

function required(params: Params, field: string): string {
  const value = optional(params, field);
  if (value === undefined || value === '') throw new VrsRequestError(field, 'is required');
  return value;
}

/** A parameter holding one GS1 AI value, checked as the AI's syntax says. */
function ai(params: Params, field: string, code: string, what: string): string {
  const value = required(params, field);
  try {
    validateAiValue(code, value);
  } catch (err) {
    if (err instanceof Gs1Error)
      throw new VrsRequestError(field, `must be ${what}: ${err.message}`);
    throw err;
  }
  return value;
}
