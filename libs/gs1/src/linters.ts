// Content checks ("linters") named in the GS1 Barcode Syntax Dictionary, after the GS1
// Barcode Syntax Tests (ref.gs1.org/tools/gs1-barcode-syntax-resource/syntax-tests/).
// Each takes one component of an AI value and returns undefined when it is fine, or the
// failure: the reference implementation's error name and the offending span.
//
// Not implemented here: the ISO 3166 / ISO 4217 / UN/ECE Rec 21 code-list memberships
// (only their shape is checked) and the North American coupon linters of AIs (8110) and
// (8112), which Custos never reads. `UNCHECKED_LINTERS` names them.
import { isCset39, isCset64, isCset82, isDigit } from './charset';
import { CHECK_PAIR_MAX_BODY, gs1CheckDigit, gs1CheckPair } from './check-digit';

export interface LintFailure {
  readonly code: string;
  readonly start: number;
  readonly end: number;
  /** A sentence more precise than the generic one for `code`, when there is one. */
  readonly message?: string;
}

export type Linter = (data: string) => LintFailure | undefined;

const fail = (code: string, start: number, end: number, message?: string): LintFailure =>
  message === undefined ? { code, start, end } : { code, start, end, message };

function badChar(
  data: string,
  ok: (code: number) => boolean,
  code: string,
  from = 0,
  to = data.length,
): LintFailure | undefined {
  for (let i = from; i < to; i++) if (!ok(data.charCodeAt(i))) return fail(code, i, i + 1);
  return undefined;
}

const nonDigit = (data: string, from = 0, to = data.length) =>
  badChar(data, isDigit, 'NON_DIGIT_CHARACTER', from, to);

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function checkDate(
  data: string,
  yearDigits: 2 | 4,
  dayZeroAllowed: boolean,
): LintFailure | undefined {
  const bad = nonDigit(data);
  if (bad) return bad;
  const len = yearDigits + 4;
  if (data.length < len) return fail('DATE_TOO_SHORT', 0, data.length);
  if (data.length > len) return fail('DATE_TOO_LONG', 0, data.length);
  const yy = Number(data.slice(0, yearDigits));
  const mm = Number(data.slice(yearDigits, yearDigits + 2));
  const dd = Number(data.slice(yearDigits + 2));
  if (mm < 1 || mm > 12) return fail('ILLEGAL_MONTH', yearDigits, yearDigits + 2);
  // Two-digit years: every year divisible by 4 in the GS1 100-year window is a leap year
  // (2000 is one), so the century does not matter for 29 February.
  const year = yearDigits === 2 ? 2000 + yy : yy;
  if ((dd === 0 && !dayZeroAllowed) || dd > daysInMonth(year, mm)) {
    return fail('ILLEGAL_DAY', yearDigits + 2, yearDigits + 4);
  }
  return undefined;
}

function twoDigits(
  data: string,
  max: number,
  tooShort: string,
  tooLong: string,
  illegal: string,
): LintFailure | undefined {
  const bad = nonDigit(data);
  if (bad) return bad;
  if (data.length < 2) return fail(tooShort, 0, data.length);
  if (data.length > 2) return fail(tooLong, 0, data.length);
  return Number(data) > max ? fail(illegal, 0, 2) : undefined;
}

function oneOf(data: string, allowed: string, code: string): LintFailure | undefined {
  return data.length === 1 && allowed.includes(data) ? undefined : fail(code, 0, data.length);
}

function shapeOnly(length: number, code: string, numeric: boolean): Linter {
  return (data) => {
    if (data.length !== length) return fail(code, 0, data.length);
    for (let i = 0; i < data.length; i++) {
      const c = data.charCodeAt(i);
      const ok = numeric ? isDigit(c) : c >= 65 && c <= 90;
      if (!ok) return fail(code, 0, data.length);
    }
    return undefined;
  };
}

/** Minimum digits a GS1 Company Prefix (with its GS1 prefix) can have here. */
const GCP_MIN_LENGTH = 4;

function gcpAt(offset: number): Linter {
  return (data) => {
    if (data.length < offset + GCP_MIN_LENGTH) return fail('TOO_SHORT_FOR_GCP', 0, data.length);
    return badChar(data, isDigit, 'INVALID_GCP_PREFIX', offset, offset + GCP_MIN_LENGTH);
  };
}

function csum(data: string): LintFailure | undefined {
  if (data.length === 0) return fail('TOO_SHORT_FOR_CHECK_DIGIT', 0, 0);
  const bad = nonDigit(data);
  if (bad) return bad;
  const expected = gs1CheckDigit(data.slice(0, -1));
  const actual = data.charCodeAt(data.length - 1) - 48;
  if (expected === actual) return undefined;
  return fail(
    'INCORRECT_CHECK_DIGIT',
    data.length - 1,
    data.length,
    `check digit should be ${expected}, not ${actual}`,
  );
}

function csumalpha(data: string): LintFailure | undefined {
  if (data.length < 2) return fail('TOO_SHORT_FOR_CHECK_PAIR', 0, data.length);
  if (data.length - 2 > CHECK_PAIR_MAX_BODY) {
    return fail('TOO_LONG_FOR_CHECK_PAIR_IMPLEMENTATION', 0, data.length);
  }
  const bad = badChar(data, isCset82, 'INVALID_CSET82_CHARACTER', 0, data.length - 2);
  if (bad) return bad;
  const expected = gs1CheckPair(data.slice(0, -2));
  const actual = data.slice(-2);
  if (expected === actual) return undefined;
  return fail(
    'INCORRECT_CHECK_PAIR',
    data.length - 2,
    data.length,
    `check characters should be ${expected}, not ${actual}`,
  );
}

function cset64(data: string): LintFailure | undefined {
  let end = data.length;
  while (end > 0 && data[end - 1] === '=') end--;
  const bad = badChar(data, isCset64, 'INVALID_CSET64_CHARACTER', 0, end);
  if (bad) return bad;
  const pad = data.length - end;
  // As the reference linter: at most two "=", and only where they complete a group of three.
  if (pad > 0 && (pad > 2 || data.length % 3 !== 0)) {
    return fail('INVALID_CSET64_PADDING', end, data.length);
  }
  return undefined;
}

function pieceOfTotal(data: string): LintFailure | undefined {
  const bad = nonDigit(data);
  if (bad) return bad;
  if (data.length === 0 || data.length % 2 !== 0 || data.length > 6) {
    return fail('INVALID_LENGTH_FOR_PIECE_OF_TOTAL', 0, data.length);
  }
  const half = data.length / 2;
  const piece = Number(data.slice(0, half));
  const total = Number(data.slice(half));
  if (piece === 0) return fail('ZERO_PIECE_NUMBER', 0, half);
  if (total === 0) return fail('ZERO_TOTAL_PIECES', half, data.length);
  if (piece > total) return fail('PIECE_NUMBER_EXCEEDS_TOTAL', 0, data.length);
  return undefined;
}

function posInSeqSlash(data: string): LintFailure | undefined {
  const slash = data.indexOf('/');
  const malformed = fail('POSITION_IN_SEQUENCE_MALFORMED', 0, data.length);
  if (slash <= 0 || slash === data.length - 1) return malformed;
  const pos = data.slice(0, slash);
  const end = data.slice(slash + 1);
  if (badChar(pos, isDigit, 'x') || badChar(end, isDigit, 'x')) return malformed;
  if (pos[0] === '0') return fail('ILLEGAL_ZERO_PREFIX', 0, pos.length);
  if (end[0] === '0') return fail('ILLEGAL_ZERO_PREFIX', slash + 1, data.length);
  if (Number(pos) > Number(end)) return fail('POSITION_EXCEEDS_END', 0, data.length);
  return undefined;
}

function pcenc(data: string): LintFailure | undefined {
  const hex = (c: string | undefined) => c !== undefined && /^[0-9A-Fa-f]$/.test(c);
  for (let i = 0; i < data.length; i++) {
    if (data[i] !== '%') continue;
    if (!hex(data[i + 1]) || !hex(data[i + 2])) {
      return fail('INVALID_PERCENT_SEQUENCE', i, Math.min(i + 3, data.length));
    }
    i += 2;
  }
  return undefined;
}

function coordinate(max: number, lengthCode: string, valueCode: string): Linter {
  return (data) => {
    const bad = nonDigit(data);
    if (bad) return bad;
    if (data.length !== 10) return fail(lengthCode, 0, data.length);
    return Number(data) > max ? fail(valueCode, 0, 10) : undefined;
  };
}

/** IBAN (ISO 13616): country code, two check digits, BBAN; mod-97 of the rearranged string. */
function iban(data: string): LintFailure | undefined {
  if (data.length < 5) return fail('IBAN_TOO_SHORT', 0, data.length);
  if (data.length > 34) return fail('IBAN_TOO_LONG', 0, data.length);
  const isUpper = (c: number) => c >= 65 && c <= 90;
  const alnum = (c: number) => isDigit(c) || isUpper(c);
  const bad =
    badChar(data, isUpper, 'INVALID_IBAN_CHARACTER', 0, 2) ??
    badChar(data, isDigit, 'INVALID_IBAN_CHARACTER', 2, 4) ??
    badChar(data, alnum, 'INVALID_IBAN_CHARACTER', 4);
  if (bad) return bad;
  if (!IBAN_COUNTRY_SHAPE.test(data.slice(0, 2))) {
    return fail('ILLEGAL_IBAN_COUNTRY_CODE', 0, 2);
  }
  const rearranged = data.slice(4) + data.slice(0, 4);
  let rem = 0;
  for (const ch of rearranged) {
    const v = ch.charCodeAt(0);
    const n = isDigit(v) ? v - 48 : v - 55;
    rem = n >= 10 ? (rem * 100 + n) % 97 : (rem * 10 + n) % 97;
  }
  return rem === 1 ? undefined : fail('INCORRECT_IBAN_CHECKSUM', 2, 4);
}
// ISO 3166 alpha-2 shape with the user-assigned ranges (AA, QM-QZ, XA-XZ, ZZ) excluded.
const IBAN_COUNTRY_SHAPE = /^(?!AA|Q[M-Z]|X[A-Z]|ZZ)[A-Z]{2}$/;

export const LINTERS: Readonly<Record<string, Linter>> = {
  cset82: (d) => badChar(d, isCset82, 'INVALID_CSET82_CHARACTER'),
  cset39: (d) => badChar(d, isCset39, 'INVALID_CSET39_CHARACTER'),
  cset64,
  csetnumeric: (d) => nonDigit(d),
  csum,
  csumalpha,
  gcppos1: gcpAt(0),
  gcppos2: gcpAt(1),
  hasnondigit: (d) => (nonDigit(d) ? undefined : fail('REQUIRES_NON_DIGIT_CHARACTER', 0, d.length)),
  hh: (d) => twoDigits(d, 23, 'HOUR_TOO_SHORT', 'HOUR_TOO_LONG', 'ILLEGAL_HOUR'),
  mi: (d) => twoDigits(d, 59, 'MINUTE_TOO_SHORT', 'MINUTE_TOO_LONG', 'ILLEGAL_MINUTE'),
  ss: (d) => twoDigits(d, 59, 'SECOND_TOO_SHORT', 'SECOND_TOO_LONG', 'ILLEGAL_SECOND'),
  hhmi: (d) => {
    const bad = nonDigit(d);
    if (bad) return bad;
    if (d.length < 4) return fail('HOUR_WITH_MINUTE_TOO_SHORT', 0, d.length);
    if (d.length > 4) return fail('HOUR_WITH_MINUTE_TOO_LONG', 0, d.length);
    if (Number(d.slice(0, 2)) > 23) return fail('ILLEGAL_HOUR', 0, 2);
    if (Number(d.slice(2)) > 59) return fail('ILLEGAL_MINUTE', 2, 4);
    return undefined;
  },
  hyphen: (d) => (d.length > 0 && /^-+$/.test(d) ? undefined : fail('NOT_HYPHEN', 0, d.length)),
  iban,
  importeridx: (d) => {
    if (d.length !== 1) return fail('IMPORTER_IDX_MUST_BE_ONE_CHARACTER', 0, d.length);
    const c = d.charCodeAt(0);
    const ok = c === 45 || c === 95 || isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    return ok ? undefined : fail('INVALID_IMPORT_IDX_CHARACTER', 0, 1);
  },
  iso5218: (d) => oneOf(d, '0129', 'INVALID_BIOLOGICAL_SEX_CODE'),
  latitude: coordinate(1_800_000_000, 'LATITUDE_INVALID_LENGTH', 'INVALID_LATITUDE'),
  longitude: coordinate(3_600_000_000, 'LONGITUDE_INVALID_LENGTH', 'INVALID_LONGITUDE'),
  mediatype: (d) => {
    const n =
      d.length === 2 && isDigit(d.charCodeAt(0)) && isDigit(d.charCodeAt(1)) ? Number(d) : 0;
    return (n >= 1 && n <= 10) || (n >= 80 && n <= 99)
      ? undefined
      : fail('INVALID_MEDIA_TYPE', 0, d.length);
  },
  nonzero: (d) => {
    const bad = nonDigit(d);
    if (bad) return bad;
    return /[1-9]/.test(d) ? undefined : fail('ILLEGAL_ZERO_VALUE', 0, d.length);
  },
  nozeroprefix: (d) => {
    const bad = nonDigit(d);
    if (bad) return bad;
    return d.startsWith('0') ? fail('ILLEGAL_ZERO_PREFIX', 0, 1) : undefined;
  },
  pcenc,
  pieceoftotal: pieceOfTotal,
  posinseqslash: posInSeqSlash,
  winding: (d) => oneOf(d, '019', 'INVALID_WINDING_DIRECTION'),
  yesno: (d) => oneOf(d, '01', 'NOT_ZERO_OR_ONE'),
  yymmd0: (d) => checkDate(d, 2, true),
  yymmdd: (d) => checkDate(d, 2, false),
  yyyymmd0: (d) => checkDate(d, 4, true),
  yyyymmdd: (d) => checkDate(d, 4, false),
  zero: (d) => (d.length > 0 && /^0+$/.test(d) ? undefined : fail('NOT_ZERO', 0, d.length)),
  // Code lists are not shipped: only the shape is checked (see the opening note).
  iso3166: shapeOnly(3, 'NOT_ISO3166', true),
  iso3166999: shapeOnly(3, 'NOT_ISO3166_OR_999', true),
  iso3166alpha2: shapeOnly(2, 'NOT_ISO3166_ALPHA2', false),
  iso4217: shapeOnly(3, 'NOT_ISO4217', true),
};

/** Linters named by the dictionary whose full check is not implemented (see above). */
export const UNCHECKED_LINTERS: ReadonlySet<string> = new Set([
  'iso3166',
  'iso3166999',
  'iso3166alpha2',
  'iso4217',
  'packagetype',
  'couponcode',
  'couponposoffer',
]);

const SENTENCES: Readonly<Record<string, string>> = {
  NON_DIGIT_CHARACTER: 'a non-digit character was found where a digit is expected',
  INVALID_CSET82_CHARACTER: 'a character outside GS1 character set 82 was found',
  INVALID_CSET39_CHARACTER: 'a character outside GS1 character set 39 was found',
  INVALID_CSET64_CHARACTER: 'a character outside the base64url set was found',
  INVALID_CSET64_PADDING: 'the base64url padding is wrong',
  TOO_SHORT_FOR_CHECK_DIGIT: 'too short to hold a check digit',
  TOO_SHORT_FOR_CHECK_PAIR: 'too short to hold a check-character pair',
  TOO_SHORT_FOR_GCP: 'too short to hold a GS1 Company Prefix',
  INVALID_GCP_PREFIX: 'the GS1 Company Prefix is not all digits',
  DATE_TOO_SHORT: 'the date is too short',
  DATE_TOO_LONG: 'the date is too long',
  ILLEGAL_MONTH: 'the month is not 01 to 12',
  ILLEGAL_DAY: 'the day does not exist in that month',
  ILLEGAL_HOUR: 'the hour is not 00 to 23',
  ILLEGAL_MINUTE: 'the minute is not 00 to 59',
  ILLEGAL_SECOND: 'the second is not 00 to 59',
  INVALID_PERCENT_SEQUENCE: 'a "%" is not followed by two hex digits',
};

/** A sentence for a failure, e.g. "check digit should be 6, not 4". */
export function describeLintFailure(failure: LintFailure): string {
  return (
    failure.message ?? SENTENCES[failure.code] ?? failure.code.toLowerCase().replace(/_/g, ' ')
  );
}
