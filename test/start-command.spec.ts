// The product's node flags (the V8 heap limit, BENCHMARKS.md step 13) are part of how it
// starts: `npm start` and the image's CMD give the same ones, and the tests and benches
// start the product with them (test/product.ts), so what is measured is what runs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { START_NODE_ARGS } from './product';

const root = join(__dirname, '..');

describe('the start command', () => {
  it('caps the V8 heap', () => {
    expect(START_NODE_ARGS).toContainEqual(expect.stringMatching(/^--max-old-space-size=\d+$/));
  });

  it('is the same in the Dockerfile as in npm start', () => {
    const dockerfile = readFileSync(join(root, 'docker', 'Dockerfile'), 'utf8');
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    expect(cmd).toBeDefined();
    expect(JSON.parse(cmd!)).toEqual(['node', ...START_NODE_ARGS, 'dist/apps/server/src/main.js']);
  });
});
