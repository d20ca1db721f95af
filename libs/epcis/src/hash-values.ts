// Value rules of the EPCIS Event Hash ID (CBV 2.0 section 8.9.2 steps 5-9 and 14-17) as the
// reference implementation (RalphTro/epcis-event-hash-generator, whose vectors are the
// contract here) applies them: whitespace trimmed; numbers without trailing zeros, read the
// way Python's float() reads them; timestamps in UTC with exactly three decimals; CBV 1.2
// URNs rewritten to CBV 2.0 web URIs; GS1 identifiers as constrained canonical Digital Links.
import { normaliseEpcisIdentifier } from '@custos/gs1/epcis-normalise';

// Python float() syntax: digits with single underscores, optional fraction and exponent.
const DIGITS = String.raw`\d(?:_?\d)*`;
const PY_FLOAT = new RegExp(
  String.raw`^[+-]?(?:(?:${DIGITS})?\.${DIGITS}|${DIGITS}\.?)(?:[eE][+-]?${DIGITS})?$`,
);

/** Python's repr() of a finite double: shortest digits, exponent form below 1e-4. */
function pythonRepr(x: number): string {
  if (Number.isInteger(x)) return BigInt(x).toString();
  if (Math.abs(x) >= 1e-4) return String(x);
  const [mantissa, exponent] = x.toExponential().split('e') as [string, string];
  const sign = exponent.startsWith('-') ? '-' : '+';
  return `${mantissa}e${sign}${exponent.replace(/^[+-]/, '').padStart(2, '0')}`;
}

/** A JSON number as the pre-hash writes it: `1` not `1.0`, `0.3434`, `1e-05`. */
export function hashNumber(x: number): string {
  return Number.isFinite(x) ? pythonRepr(x) : String(x);
}

/** A numeric string in canonical form (`+1.50` → `1.5`); other strings unchanged. */
function canonicalNumeric(text: string): string {
  if (!PY_FLOAT.test(text)) return text;
  const x = Number(text.replace(/_/g, ''));
  return Number.isFinite(x) ? pythonRepr(x) : text;
}

const CBV_URNS: readonly (readonly [string, string])[] = [
  ['urn:epcglobal:cbv:bizstep:', 'https://ref.gs1.org/cbv/BizStep-'],
  ['urn:epcglobal:cbv:disp:', 'https://ref.gs1.org/cbv/Disp-'],
  ['urn:epcglobal:cbv:btt:', 'https://ref.gs1.org/cbv/BTT-'],
  ['urn:epcglobal:cbv:sdt:', 'https://ref.gs1.org/cbv/SDT-'],
  ['urn:epcglobal:cbv:er:', 'https://ref.gs1.org/cbv/ER-'],
];

/** Steps 14-17 on one (trimmed) value: CBV URN → web URI, numbers, GS1 identifiers. */
export function canonicalHashValue(text: string): string {
  let value = text;
  for (const [urn, web] of CBV_URNS)
    if (value.startsWith(urn)) value = web + value.slice(urn.length);
  value = canonicalNumeric(value);
  return normaliseEpcisIdentifier(value) ?? value;
}

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

/**
 * Steps 8-9: a timestamp in UTC as `YYYY-MM-DDTHH:MM:SS.mmmZ`, the fraction read to the
 * microsecond and rounded half to even to the millisecond (what the reference does);
 * a value that is no timestamp is returned unchanged. No offset is read as UTC.
 */
export function hashTimestamp(text: string): string {
  const m = DATE_TIME.exec(text);
  if (!m) return text;
  const micro = Number((m[7] ?? '').padEnd(6, '0').slice(0, 6));
  const whole = micro - (micro % 1000);
  const rest = micro % 1000;
  const ms =
    (rest > 500 || (rest === 500 && (whole / 1000) % 2 === 1) ? whole + 1000 : whole) / 1000;
  const offsetMinutes = m[9] ? (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11])) : 0;
  const utc =
    Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) - offsetMinutes * 60_000 + ms;
  if (Number.isNaN(utc)) return text;
  return new Date(utc).toISOString();
}
