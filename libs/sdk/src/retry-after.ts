// Retry-After (RFC 9110 section 10.2.3), read by the SDK's retries (a busy Custos API's
// 503) and by the witness client (a witness's 429 push-back).

/** Retry-After: delay-seconds or an HTTP-date, as milliseconds from now. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d{1,9}$/.test(text)) return Number(text) * 1000;
  // IMF-fixdate (and the obsolete forms) always end in GMT.
  const at = text.endsWith('GMT') ? Date.parse(text) : NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
