// The product's node flags are part of how it starts: `npm start` and the image's CMD give
// the same ones, and the tests and benches start the product with them (test/product.ts),
// so what is measured is what runs. test/e2e/large-batches checks they carry the request
// limits (a V8 heap cap of 128 or 256 MB did not: BENCHMARKS.md step 13).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { START_NODE_ARGS } from './product';

const root = join(__dirname, '..');

describe('the start command', () => {
  it('is the same in the Dockerfile as in npm start', () => {
    const dockerfile = readFileSync(join(root, 'docker', 'Dockerfile'), 'utf8');
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    expect(cmd).toBeDefined();
    expect(JSON.parse(cmd!)).toEqual(['node', ...START_NODE_ARGS, 'dist/apps/server/src/main.js']);
  });
});
