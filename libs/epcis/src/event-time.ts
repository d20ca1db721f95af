// Event times: Custos signs an RFC 3339 UTC instant (SPEC section 4); EPCIS 2.0 carries
// eventTime as xsd:dateTimeStamp with any offset, plus eventTimeZoneOffset (EPCIS 2.0
// section 7.4.1). An EPCIS time with an offset reads as the same instant in UTC, the
// fraction kept digit for digit.

/** The instants Custos accepts, exactly as ingest checks them. */
export const UTC_INSTANT = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?[Zz]$/;
const WITH_OFFSET =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([+-])(\d{2}):(\d{2})$/;

/** `+00:00` and `-00:00`: the offsets that lose nothing when an event becomes UTC. */
export const isZeroOffset = (offset: unknown): boolean =>
  offset === '+00:00' || offset === '-00:00';

/** The same instant as `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, or undefined when not a time with an offset. */
export function toUtcInstant(text: string): string | undefined {
  if (UTC_INSTANT.test(text)) return text;
  const m = WITH_OFFSET.exec(text);
  if (!m) return undefined;
  const sign = m[8] === '-' ? -1 : 1;
  const local = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  const utc = new Date(local - sign * (Number(m[9]) * 60 + Number(m[10])) * 60_000);
  if (Number.isNaN(utc.getTime()) || +m[9]! > 23 || +m[10]! > 59) return undefined;
  return `${utc.toISOString().slice(0, 19)}${m[7] ?? ''}Z`;
}
