// The committed CBV term table is the held cbv-vocabulary.csv (re-run the generator if not),
// and the mapping's table reads both ways: one row per Custos type and reason, each a
// distinct EPCIS (type, action, bizStep, disposition) of standard CBV 2.0 terms.
import { parseCbvVocabularyCsv, renderCbvTermsModule } from '../scripts/cbv-terms';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decommissionReasons, eventTypes } from '@custos/custody/custody-event';
import { MAPPING_ROWS, epcisShapeOf, rowsOf } from '../src/mapping-table';
import { cbvBareWord, cbvWebUri, isCbvTerm } from '../src/vocabulary';
import { readEpcisText } from './conformance';

describe('generated/cbv-terms.ts', () => {
  it('is what the generator writes from the held cbv-vocabulary.csv', () => {
    const table = parseCbvVocabularyCsv(readEpcisText('gs1-epcis/cbv/cbv-vocabulary.csv'));
    const committed = readFileSync(
      join(__dirname, '..', 'src', 'generated', 'cbv-terms.ts'),
      'utf8',
    );
    expect(committed).toBe(renderCbvTermsModule(table, 'cbv-vocabulary.csv'));
    expect(Object.values(table).flat()).toHaveLength(106);
  });

  it('reads a term in its three forms and nothing else', () => {
    expect(cbvBareWord('BizStep', 'shipping')).toBe('shipping');
    expect(cbvBareWord('BizStep', 'https://ref.gs1.org/cbv/BizStep-shipping')).toBe('shipping');
    expect(cbvBareWord('BizStep', 'urn:epcglobal:cbv:bizstep:shipping')).toBe('shipping');
    expect(cbvBareWord('BizStep', 'transforming')).toBeUndefined();
    expect(cbvBareWord('Disp', 'shipping')).toBeUndefined();
    expect(cbvWebUri('Disp', 'in_transit')).toBe('https://ref.gs1.org/cbv/Disp-in_transit');
  });
});

describe('the mapping table', () => {
  it('has one row per Custos type, and per DECOMMISSION reason', () => {
    for (const type of eventTypes) {
      const reasons = type === 'DECOMMISSION' ? decommissionReasons : [undefined];
      for (const reason of reasons) expect(epcisShapeOf(type, reason)).toBeDefined();
    }
    expect(MAPPING_ROWS).toHaveLength(eventTypes.length - 1 + decommissionReasons.length);
  });

  it('gives every row a distinct EPCIS shape of standard CBV terms, read back to that row', () => {
    const keys = new Set<string>();
    for (const row of MAPPING_ROWS) {
      if (row.bizStep !== undefined) expect(isCbvTerm('BizStep', row.bizStep)).toBe(true);
      expect(isCbvTerm('Disp', row.disposition)).toBe(true);
      keys.add(`${row.bizStep ?? ''}|${row.disposition}`);
      expect(rowsOf(row).exact).toBe(row);
    }
    expect(keys.size).toBe(MAPPING_ROWS.length);
  });
});
