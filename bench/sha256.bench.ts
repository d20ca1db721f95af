import { type Bench, rawSha256Rate } from './harness';

/** The reference every other figure is compared with. */
export const bench: Bench = {
  name: 'reference',
  run(ctx) {
    ctx.report('raw SHA-256 (64 B, node:crypto)', rawSha256Rate(ctx.smoke ? 100 : 1000), 'hash/s');
  },
};
