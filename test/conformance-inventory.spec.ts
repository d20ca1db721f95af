// The repository's copy of the conformance material must stay byte-for-byte what its
// INVENTORY.csv lists (path, size, SHA-256): the collection's rule is "do not edit files
// in place" (a test-side skip list is the way), and a checkout that rewrites line endings
// (.gitattributes keeps test/conformance out of any conversion) would change the vectors.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { conformanceRoot } from './conformance';

/** Files we add beside the collection (not part of it, so not in its inventory). */
const OURS = new Set(['INVENTORY.csv', 'NOTICE.md']);

/** RFC 4180 rows: quoted fields may hold commas and doubled quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.length === 0) continue;
    const fields: string[] = [];
    let i = 0;
    while (i <= line.length) {
      if (line[i] === '"') {
        let value = '';
        i++;
        while (i < line.length) {
          if (line[i] !== '"') {
            value += line[i++];
          } else if (line[i + 1] === '"') {
            value += '"';
            i += 2;
          } else {
            break;
          }
        }
        fields.push(value);
        i += 2; // closing quote and comma
      } else {
        const end = line.indexOf(',', i);
        fields.push(line.slice(i, end < 0 ? line.length : end));
        i = end < 0 ? line.length + 1 : end + 1;
      }
    }
    rows.push(fields);
  }
  return rows;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

const [header, ...rows] = parseCsv(readFileSync(join(conformanceRoot, 'INVENTORY.csv'), 'utf8'));

describe(`conformance material (${conformanceRoot})`, () => {
  it('INVENTORY.csv has its documented columns', () => {
    expect(header!.slice(0, 3)).toEqual(['path', 'bytes', 'sha256']);
    expect(rows.length).toBeGreaterThan(600);
  });

  it('every listed file is present with its size and SHA-256', () => {
    const wrong: string[] = [];
    for (const [path, bytes, sha256] of rows) {
      let data: Buffer;
      try {
        data = readFileSync(join(conformanceRoot, path!));
      } catch {
        wrong.push(`${path}: missing`);
        continue;
      }
      const digest = createHash('sha256').update(data).digest('hex');
      if (String(data.length) !== bytes || digest !== sha256) {
        wrong.push(`${path}: ${data.length} bytes, sha256 ${digest}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('holds no file the inventory does not list', () => {
    const listed = new Set(rows.map((row) => row[0]));
    const unlisted = filesUnder(conformanceRoot)
      .map((file) => relative(conformanceRoot, file).split('\\').join('/'))
      .filter((path) => !listed.has(path) && !OURS.has(path));
    expect(unlisted).toEqual([]);
  });
});
