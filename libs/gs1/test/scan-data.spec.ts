// barcode-scan-data.json: AIM symbology identifier + data as a scanner sends it.
import type { ScanData } from '../src/scan-data';
import { decodeScanData } from '../src/scan-data';
import { caret, gs1ErrorOf, loadGs1Vectors, show } from './vectors';

interface ScanVector {
  scan_data: string;
  valid: boolean;
  expected_symbology?: string;
  expected_data?: string;
  expected_dl_ai_element_string?: string;
  source_line: number;
}
const scans = loadGs1Vectors<ScanVector>('barcode-scan-data.json');

/** The reference's notation of decoded data ('^' = FNC1, a literal '^' as '\^'). */
function notation(scan: ScanData): string {
  switch (scan.kind) {
    case 'gs1':
      return caret(scan.elements);
    case 'digital-link':
    case 'text':
      return scan.text.replace(/\^/g, '\\^');
    case 'ean':
      return scan.digits + (scan.composite.length ? `|${caret(scan.composite)}` : '');
  }
}

describe(`barcode-scan-data.json (${scans.count} vectors)`, () => {
  it.each(scans.vectors.map((v) => [`line ${v.source_line} ${show(v.scan_data)}`, v] as const))(
    '%s',
    (_t, v) => {
      if (!v.valid) {
        expect(gs1ErrorOf(() => decodeScanData(v.scan_data))).toBeDefined();
        return;
      }
      const scan = decodeScanData(v.scan_data);
      expect(scan.symbology).toBe(v.expected_symbology);
      expect(notation(scan)).toBe(v.expected_data);
      if (v.expected_dl_ai_element_string !== undefined) {
        expect(scan.kind === 'digital-link' ? caret(scan.elements) : '').toBe(
          v.expected_dl_ai_element_string,
        );
      }
    },
  );
});
