import { createHash } from 'node:crypto';
import { GENESIS_PREV_HASH, blockHash } from './block';

const block0 = {
  height: 0,
  prevHash: GENESIS_PREV_HASH,
  firstLeafIndex: 0,
  eventCount: 3,
  treeSize: 3,
  rootHash: 'ab'.repeat(32),
  sealedAt: '2026-01-05T10:00:00.123Z',
};

describe('blockHash (SPEC section 5)', () => {
  it('is SHA-256 of the canonical JSON of the seven fields, keys sorted', () => {
    const text =
      '{"eventCount":3,"firstLeafIndex":0,"height":0,' +
      `"prevHash":"${'0'.repeat(64)}","rootHash":"${'ab'.repeat(32)}",` +
      '"sealedAt":"2026-01-05T10:00:00.123Z","treeSize":3}';
    expect(blockHash(block0)).toBe(createHash('sha256').update(text).digest('hex'));
  });
  it('ignores other fields and chains by prevHash', () => {
    const h0 = blockHash(block0);
    expect(blockHash({ ...block0, hash: 'x' } as typeof block0)).toBe(h0);
    const block1 = {
      ...block0,
      height: 1,
      prevHash: h0,
      firstLeafIndex: 3,
      eventCount: 1,
      treeSize: 4,
    };
    expect(blockHash(block1)).toMatch(/^[0-9a-f]{64}$/);
    expect(blockHash({ ...block1, sealedAt: '2026-01-05T10:00:00.124Z' })).not.toBe(
      blockHash(block1),
    );
  });
  it('names the bad field', () => {
    expect(() => blockHash({ ...block0, rootHash: 'AB'.repeat(32) })).toThrow(/rootHash/);
    expect(() => blockHash({ ...block0, treeSize: 1.5 })).toThrow(/treeSize/);
    expect(() => blockHash({ ...block0, prevHash: 'ab'.repeat(32) })).toThrow(/prevHash/);
  });
});
