// The one error type of @custos/gs1. Every rejection names the Application Identifier
// (`ai`) or the field (`field`) it is about and says what is wrong, so an API can pass the
// sentence straight to the person who scanned or typed the identifier. `code` is a stable
// machine-readable reason; for the GS1 Barcode Syntax Dictionary linters it is the
// reference implementation's error name without its `GS1_LINTER_` prefix.

/** Stable reason codes; linter names follow the GS1 Barcode Syntax Tests. */
export type Gs1ErrorCode =
  | 'INPUT_TOO_LONG'
  | 'EMPTY'
  | 'UNRECOGNISED_FORM'
  | 'SYNTAX'
  | 'UNKNOWN_AI'
  | 'TOO_SHORT'
  | 'TOO_LONG'
  | 'MISSING_FNC1'
  | 'REQUIRED_AI_MISSING'
  | 'EXCLUSIVE_AIS'
  | 'REPEATED_AI_DIFFERS'
  | 'DIGSIG_NEEDS_SERIALISED_KEY'
  | 'NOT_A_DIGITAL_LINK'
  | 'NOT_A_DL_ATTRIBUTE'
  | 'NO_PRIMARY_KEY'
  | 'UNSUPPORTED_KEY'
  | 'COMPANY_PREFIX_REQUIRED'
  | 'BAD_EPC_URN'
  | 'BAD_SCAN_DATA'
  | (string & {}); // linter codes such as INCORRECT_CHECK_DIGIT

export interface Gs1ErrorDetails {
  /** The Application Identifier concerned, e.g. `01`. */
  readonly ai?: string;
  /** The field concerned when there is no AI, e.g. `gtin`, `uri`, `companyPrefix`. */
  readonly field?: string;
  /** Offending span inside the AI value (start inclusive, end exclusive), when known. */
  readonly span?: readonly [number, number];
  /** The dictionary component of the AI value holding `span`. */
  readonly component?: readonly [number, number];
}

export class Gs1Error extends Error {
  override readonly name = 'Gs1Error';
  readonly code: Gs1ErrorCode;
  readonly ai: string | undefined;
  readonly field: string | undefined;
  readonly span: readonly [number, number] | undefined;
  readonly component: readonly [number, number] | undefined;

  constructor(code: Gs1ErrorCode, message: string, details: Gs1ErrorDetails = {}) {
    const where = details.ai !== undefined ? `AI (${details.ai})` : details.field;
    super(where !== undefined ? `${where}: ${message}` : message);
    this.code = code;
    this.ai = details.ai;
    this.field = details.field;
    this.span = details.span;
    this.component = details.component;
  }
}

/** Throws a Gs1Error about `field` unless `ok`. */
export function ensure(
  ok: boolean,
  field: string,
  code: Gs1ErrorCode,
  message: string,
): asserts ok {
  if (!ok) throw new Gs1Error(code, message, { field });
}

/** Bound every public entry point: nothing longer is a plausible identifier. */
export const MAX_INPUT_LENGTH = 4096;

export function assertString(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string') {
    throw new Gs1Error('SYNTAX', `expected a string, got ${typeof value}`, { field });
  }
  if (value.length > MAX_INPUT_LENGTH) {
    throw new Gs1Error(
      'INPUT_TOO_LONG',
      `${value.length} characters is longer than any identifier (limit ${MAX_INPUT_LENGTH})`,
      { field },
    );
  }
}
