import { GS, displayScan, normaliseScan } from './scan-input';

describe('normaliseScan', () => {
  const raw = `]d20109506000134352${'21ABC123'}${GS}10L1${GS}17271231`;

  it('keeps a real GS and drops the white space and line end a scanner adds', () => {
    expect(normaliseScan(`  ${raw}\r\n`)).toBe(raw);
  });

  it.each(['<GS>', '<gs>', '{GS}', '[GS]', '\\x1D', '\\x1d', '\\u001D', '^]', '\u241d'])(
    'reads the typed escape %s as GS',
    (escape) => {
      expect(normaliseScan(raw.split(GS).join(escape))).toBe(raw);
    },
  );

  it('leaves the other identifier forms alone', () => {
    for (const code of [
      'https://id.gs1.org/01/09506000134352/21/ABC123?10=L1&17=271231',
      '(01)09506000134352(21)ABC123(10)L1(17)271231',
      'urn:epc:id:sgtin:9506000.013435.ABC123',
    ]) {
      expect(normaliseScan(code)).toBe(code);
    }
  });

  it('answers empty for blank input', () => {
    expect(normaliseScan(' \t\n')).toBe('');
  });

  it('shows GS back as <GS>', () => {
    expect(displayScan(raw)).toBe(']d20109506000134352' + '21ABC123<GS>10L1<GS>17271231');
  });
});
