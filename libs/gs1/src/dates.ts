// GS1 dates, GS1 General Specifications section 7.12: `YYMMDD` with the century chosen so
// the year falls between 49 years before and 50 years after the current year, and, for
// AIs such as (17) expiry, day `00` meaning the last day of the month.
import { Gs1Error } from './errors';
import { LINTERS, describeLintFailure } from './linters';

/** The full year for a two-digit GS1 year, relative to `currentYear`. */
export function gs1Year(yy: number, currentYear: number): number {
  const century = Math.floor(currentYear / 100) * 100;
  const diff = yy - (currentYear % 100);
  if (diff >= 51) return century - 100 + yy;
  if (diff <= -50) return century + 100 + yy;
  return century + yy;
}

/**
 * `YYMMDD` (day 00 allowed) to ISO `YYYY-MM-DD`, e.g. `271200` -> `2027-12-31`.
 * `today` fixes the century window (default: now).
 */
export function expiryToIsoDate(yymmdd: string, today: Date = new Date()): string {
  const failure =
    typeof yymmdd === 'string' ? LINTERS.yymmd0!(yymmdd) : { code: 'SYNTAX', start: 0, end: 0 };
  if (failure) {
    throw new Gs1Error(failure.code, describeLintFailure(failure), { ai: '17' });
  }
  const year = gs1Year(Number(yymmdd.slice(0, 2)), today.getUTCFullYear());
  const month = Number(yymmdd.slice(2, 4));
  let day = Number(yymmdd.slice(4, 6));
  if (day === 0) day = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${year}-${pad(month)}-${pad(day)}`;
}
