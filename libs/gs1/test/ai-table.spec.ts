// The committed AI table must be exactly what the generator makes of the conformance copy of
// the GS1 Barcode Syntax Dictionary.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { conformancePath } from '../../../test/conformance';
import { lookupAi } from '../src/ai';
import { AI_TABLE, SYNTAX_DICTIONARY_RELEASE } from '../src/generated/ai-table';
import { parseSyntaxDictionary, renderAiTableModule } from '../scripts/syntax-dictionary';

const dictionaryPath = conformancePath('gs1', 'syntax-dictionary', 'gs1-syntax-dictionary.txt');
const dictionary = parseSyntaxDictionary(readFileSync(dictionaryPath, 'utf8'));

describe(`ai-table (GS1 Barcode Syntax Dictionary ${dictionary.release}, ${dictionary.entries.length} AIs)`, () => {
  it('the committed src/generated/ai-table.ts equals a fresh generation', () => {
    const committed = readFileSync(
      join(__dirname, '..', 'src', 'generated', 'ai-table.ts'),
      'utf8',
    );
    expect(committed).toBe(renderAiTableModule(dictionary, 'gs1-syntax-dictionary.txt'));
    expect(SYNTAX_DICTIONARY_RELEASE).toBe(dictionary.release);
    expect(AI_TABLE).toHaveLength(dictionary.entries.length);
  });

  it('reads the dictionary as documented: flags, components, pairings, DL keys', () => {
    expect(lookupAi('01')).toMatchObject({
      predefinedLength: true,
      dlAttribute: true,
      components: [{ cset: 'N', min: 14, max: 14, linters: ['csum', 'gcppos2'] }],
      ex: ['255', '37'],
      dlpkey: [['22', '10', '21'], ['235']],
    });
    expect(lookupAi('21')).toMatchObject({
      predefinedLength: false,
      dlAttribute: false,
      req: [[['01'], ['03'], ['8006']]],
    });
    expect(lookupAi('17')?.components[0]?.linters).toEqual(['yymmd0']);
    expect(lookupAi('8003')?.components.map((c) => c.optional)).toEqual([false, false, true]);
    expect(lookupAi('3105')?.ex).toEqual(['310n']);
    expect(lookupAi('99')?.components[0]).toMatchObject({ cset: 'X', min: 1, max: 90 });
    expect(lookupAi('8041')?.req).toEqual([[['01', '21', '8040']]]);
    expect(lookupAi('2')).toBeUndefined();
  });
});
