// What the scan field accepts, before the code goes to the server unchanged otherwise
// (the server reads every identifier form of SPEC section 2: Digital Link URI, bracketed
// element string, raw scanner data with or without `]d2`, EPC URN).
//
// Keyboard-wedge scanners type the raw string and press Enter. The GS separator (0x1D)
// that ends a variable-length field arrives in one of these ways, all accepted:
//   - the real character 0x1D (scanners in "control characters" mode, pasted data);
//   - Ctrl+] typed as a key stroke (the ASCII control-key form of GS; the page turns
//     the key stroke into 0x1D, see main.ts);
//   - a typed escape: `<GS>`, `{GS}`, `[GS]` (any case), `\x1D`, `\u001D`, `^]`, or the
//     symbol `␝` (U+241D).
// None of `{ } [ ] \ ^ ␝` is in GS1 character set 82, so those escapes cannot be part of
// a real serial. `<` and `>` are in set 82: a serial holding the exact text `<GS>` would
// be misread, a price we pay for the most common scanner-configuration convention.
// Surrounding white space and the Enter/Tab a scanner adds are dropped.

export const GS = '\u001d';

const GS_ESCAPES = /<GS>|\{GS\}|\[GS\]|\\x1d|\\u001d|\^\]|\u241d/gi;

/** The code as the server should read it, or '' when nothing was entered. */
export function normaliseScan(raw: string): string {
  return raw.replace(GS_ESCAPES, GS).trim();
}

/** The code as a person can read it back: GS shown as `<GS>`. */
export function displayScan(code: string): string {
  return code.split(GS).join('<GS>');
}
