// libs/gs1: identifiers parsed and canonicalised per second, for each input form, next to
// the same-run raw SHA-256 rate (the machines are shared; compare ratios, not numbers).
import { canonicalize } from '@custos/gs1/canonical';
import { gs1CheckDigit } from '@custos/gs1/check-digit';
import { type Bench, opsPerSecond, rawSha256Rate } from './harness';

const GS = '\u001d';
const COUNT = 1024;

/** COUNT distinct units of one product, so nothing is cached between calls. */
function inputs(): Record<string, string[]> {
  const gtin = '0950600013435' + String(gs1CheckDigit('0950600013435'));
  const out: Record<string, string[]> = {
    'Digital Link': [],
    'bracketed element string': [],
    'scan ]d2 with GS': [],
    'EPC URN': [],
  };
  for (let i = 0; i < COUNT; i++) {
    const serial = `SN${String(i * 7919).padStart(10, '0')}`;
    out['Digital Link']!.push(`https://id.gs1.org/01/${gtin}/21/${serial}?10=L1&17=271231`);
    out['bracketed element string']!.push(`(01)${gtin}(17)271231(10)L1(21)${serial}`);
    out['scan ]d2 with GS']!.push(`]d201${gtin}17271231${'10L1'}${GS}21${serial}`);
    out['EPC URN']!.push(`urn:epc:id:sgtin:9506000.013435.${serial}`);
  }
  return out;
}

export const bench: Bench = {
  name: 'gs1',
  run(ctx) {
    const minMs = ctx.smoke ? 50 : 1000;
    for (const [form, list] of Object.entries(inputs())) {
      let i = 0;
      const rate = opsPerSecond(() => canonicalize(list[i++ % COUNT]!), minMs, 256);
      ctx.report(`parse + canonicalise: ${form}`, rate, 'ids/s');
    }
    ctx.report(
      'raw SHA-256 (64 B, node:crypto), same run',
      rawSha256Rate(ctx.smoke ? 50 : 300),
      'hash/s',
    );
  },
};
