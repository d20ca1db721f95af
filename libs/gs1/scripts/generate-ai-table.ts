// Regenerates src/generated/ai-table.ts from a GS1 Barcode Syntax Dictionary file:
//   npx ts-node -P tsconfig.jest.json libs/gs1/scripts/generate-ai-table.ts <dictionary path>
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseSyntaxDictionary, renderAiTableModule } from './syntax-dictionary';

const source = process.argv[2];
if (!source) {
  console.error('usage: generate-ai-table.ts <path to gs1-syntax-dictionary.txt>');
  process.exit(2);
}
const dictionary = parseSyntaxDictionary(readFileSync(source, 'utf8'));
const target = join(__dirname, '..', 'src', 'generated', 'ai-table.ts');
writeFileSync(target, renderAiTableModule(dictionary, basename(source)));
console.log(`wrote ${target}: ${dictionary.entries.length} AIs, release ${dictionary.release}`);
