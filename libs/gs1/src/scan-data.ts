// Barcode scanner output: an AIM symbology identifier (ISO/IEC 15424, `]` + code
// character + modifier) followed by the data, as in GS1 General Specifications section
// 5.1.2 / 7.8. GS1 modes (`]d2` GS1 DataMatrix, `]Q3` GS1 QR, `]C1` GS1-128, `]e0` GS1
// DataBar and composites, `]J1` GS1 DotCode) carry element strings with GS (0x1D) as FNC1;
// plain modes may carry a GS1 Digital Link URI; `]E0`/`]E4` carry an EAN-13/UPC-A or
// EAN-8, optionally followed by `|]e0` and a composite component.
import type { AiElement } from './ai';
import { validateAssociations } from './associations';
import { isDigits } from './charset';
import { gs1CheckDigit } from './check-digit';
import type { DigitalLinkParseOptions } from './digital-link';
import { parseDigitalLink } from './digital-link';
import { parseElementString } from './element-string';
import { Gs1Error, assertString } from './errors';

export type Symbology =
  'QR' | 'DM' | 'DotCode' | 'DataBarExpanded' | 'GS1_128_CCA' | 'EAN13' | 'EAN8';

const SYMBOLOGIES: Readonly<
  Record<string, { symbology: Symbology; mode: 'gs1' | 'plain' | 'ean13' | 'ean8' }>
> = {
  ']Q1': { symbology: 'QR', mode: 'plain' },
  ']Q3': { symbology: 'QR', mode: 'gs1' },
  ']d1': { symbology: 'DM', mode: 'plain' },
  ']d2': { symbology: 'DM', mode: 'gs1' },
  ']J0': { symbology: 'DotCode', mode: 'plain' },
  ']J1': { symbology: 'DotCode', mode: 'gs1' },
  ']e0': { symbology: 'DataBarExpanded', mode: 'gs1' },
  ']C1': { symbology: 'GS1_128_CCA', mode: 'gs1' },
  ']E0': { symbology: 'EAN13', mode: 'ean13' },
  ']E4': { symbology: 'EAN8', mode: 'ean8' },
};

export type ScanData =
  | { readonly kind: 'gs1'; readonly symbology: Symbology; readonly elements: AiElement[] }
  | {
      readonly kind: 'digital-link';
      readonly symbology: Symbology;
      readonly text: string;
      readonly elements: AiElement[];
    }
  | { readonly kind: 'text'; readonly symbology: Symbology; readonly text: string }
  | {
      readonly kind: 'ean';
      readonly symbology: Symbology;
      /** The 13 or 8 digits read. */
      readonly digits: string;
      /** AIs of a `|]e0` composite component, if any. */
      readonly composite: AiElement[];
    };

function scanError(message: string): Gs1Error {
  return new Gs1Error('BAD_SCAN_DATA', message, { field: 'scan' });
}

function gs1Data(data: string): AiElement[] {
  if (data.length === 0) throw scanError('GS1 symbology with no data');
  return parseElementString(data, { validateAssociations: false });
}

/** Splits scanner output into its symbology and its content, validating GS1 content. */
export function decodeScanData(scan: string, dlOptions: DigitalLinkParseOptions = {}): ScanData {
  assertString(scan, 'scan');
  if (scan.length < 3 || scan[0] !== ']')
    throw scanError('does not start with a symbology identifier such as ]d2');
  const known = SYMBOLOGIES[scan.slice(0, 3)];
  if (!known) throw scanError(`unknown symbology identifier "${scan.slice(0, 3)}"`);
  const { symbology, mode } = known;
  const data = scan.slice(3);
  switch (mode) {
    case 'gs1': {
      const elements = gs1Data(data);
      validateAssociations(elements);
      return { kind: 'gs1', symbology, elements };
    }
    case 'plain':
      if (/^(https?|HTTPS?):\/\//.test(data)) {
        return {
          kind: 'digital-link',
          symbology,
          text: data,
          elements: parseDigitalLink(data, dlOptions).elements,
        };
      }
      return { kind: 'text', symbology, text: data };
    case 'ean13':
    case 'ean8': {
      const length = mode === 'ean13' ? 13 : 8;
      const bar = data.indexOf('|');
      const digits = bar < 0 ? data : data.slice(0, bar);
      if (digits.length !== length || !isDigits(digits))
        throw scanError(`${symbology} data must be ${length} digits`);
      const expected = gs1CheckDigit(digits.slice(0, -1));
      if (String(expected) !== digits[length - 1]) {
        throw new Gs1Error(
          'INCORRECT_CHECK_DIGIT',
          `check digit should be ${expected}, not ${digits[length - 1]}`,
          {
            field: 'scan',
          },
        );
      }
      let composite: AiElement[] = [];
      if (bar >= 0) {
        const rest = data.slice(bar + 1);
        if (!rest.startsWith(']e0')) throw scanError('a composite component must start with ]e0');
        composite = gs1Data(rest.slice(3));
        validateAssociations([{ ai: '01', value: digits.padStart(14, '0') }, ...composite]);
      }
      return { kind: 'ean', symbology, digits, composite };
    }
  }
}
