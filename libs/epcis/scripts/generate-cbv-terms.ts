// Regenerates src/generated/cbv-terms.ts from the held CBV term list:
//   npx ts-node -P tsconfig.jest.json libs/epcis/scripts/generate-cbv-terms.ts <cbv-vocabulary.csv>
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseCbvVocabularyCsv, renderCbvTermsModule } from './cbv-terms';

const source = process.argv[2];
if (!source) {
  console.error('usage: generate-cbv-terms.ts <path to cbv-vocabulary.csv>');
  process.exit(2);
}
const table = parseCbvVocabularyCsv(readFileSync(source, 'utf8'));
const target = join(__dirname, '..', 'src', 'generated', 'cbv-terms.ts');
writeFileSync(target, renderCbvTermsModule(table, basename(source)));
const count = Object.values(table).reduce((n, words) => n + words.length, 0);
console.log(`wrote ${target}: ${count} terms`);
