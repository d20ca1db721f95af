import fc from 'fast-check';
import { FormatError, LedgerArgumentError } from './errors';
import { leafHash, rootOfLeafHashes } from './merkle';
import { MemoryLog } from './merkle-memory-store';
import {
  MAX_ENTRY_BYTES,
  encodeEntryBundle,
  encodeTileIndex,
  fullTileCount,
  parseEntryBundle,
  parseTilePath,
  partialTileWidth,
  tileFitsSize,
  tileNodeIds,
  tilePath,
} from './tiles';

describe('C2SP tlog-tiles', () => {
  it("writes the spec's index example and Rekor's entry bundle path", () => {
    expect(encodeTileIndex(1234067)).toBe('x001/x234/067');
    expect(encodeTileIndex(0)).toBe('000');
    expect(encodeTileIndex(1000)).toBe('x001/000');
    // log2025-1.rekor.sigstore.dev/api/v2/tile/entries/x019/669 holds index 5035492.
    expect(Math.floor(5035492 / 256)).toBe(19669);
    expect(tilePath({ level: 'entries', index: 19669, width: 256 })).toBe('tile/entries/x019/669');
    expect(tilePath({ level: 2, index: 5, width: 7 })).toBe('tile/2/005.p/7');
  });

  it("counts the spec's tiles for sizes 70,000 and 256", () => {
    expect([fullTileCount(0, 70000), partialTileWidth(0, 70000)]).toEqual([273, 112]);
    expect([fullTileCount(1, 70000), partialTileWidth(1, 70000)]).toEqual([1, 17]);
    expect([fullTileCount(2, 70000), partialTileWidth(2, 70000)]).toEqual([0, 1]);
    expect([fullTileCount(0, 256), partialTileWidth(0, 256)]).toEqual([1, 0]);
    expect([fullTileCount(1, 256), partialTileWidth(1, 256)]).toEqual([0, 1]);
  });

  it.each([
    'tile/0/1',
    'tile/00/001',
    'tile/64/001',
    'tile/0/001.p/0',
    'tile/0/001.p/256',
    'tile/0/001.p/07',
    'tile/0/x001',
    'tile/0/001/002',
    'tile/0/x000/001',
    'tiles/0/001',
    'tile/data/001',
  ])('refuses the non-canonical path %s', (path) => {
    expect(() => parseTilePath(path)).toThrow(FormatError);
  });

  it('property: path then parse is the identity', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 0, max: 63 }), fc.constant('entries' as const)),
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 1, max: 256 }),
        (level, index, width) => {
          expect(parseTilePath(tilePath({ level, index, width }))).toEqual({
            level,
            index,
            width,
          });
        },
      ),
    );
  });

  it('tile hashes are the subtrees of level 8L; they fit a size exactly when complete', () => {
    const log = new MemoryLog();
    const size = 256 * 3 + 10;
    const leaves = Array.from({ length: size }, (_, i) =>
      leafHash(new Uint8Array([i & 255, i >> 8])),
    );
    log.append(leaves);
    // Level-1 tile 0 of width 3: the roots of the three full level-0 tiles.
    const ids = tileNodeIds({ level: 1, index: 0, width: 3 });
    expect(ids).toEqual([0, 1, 2].map((index) => ({ level: 8, index })));
    expect(log.store.get(8, 2)).toEqual(rootOfLeafHashes(leaves.slice(512, 768)));
    expect(tileFitsSize({ level: 1, index: 0, width: 3 }, size)).toBe(true);
    expect(tileFitsSize({ level: 1, index: 0, width: 4 }, size)).toBe(false);
    expect(tileFitsSize({ level: 0, index: 3, width: 10 }, size)).toBe(true);
    expect(tileFitsSize({ level: 0, index: 3, width: 11 }, size)).toBe(false);
    expect(tileFitsSize({ level: 63, index: 0, width: 1 }, Number.MAX_SAFE_INTEGER)).toBe(false);
  });

  it('entry bundles: uint16 big-endian length prefixes, at most 65,535 bytes an entry', () => {
    const bundle = encodeEntryBundle([new Uint8Array([7]), new Uint8Array(300)]);
    expect([...bundle.subarray(0, 3)]).toEqual([0, 1, 7]);
    expect([...bundle.subarray(3, 5)]).toEqual([1, 44]);
    expect(parseEntryBundle(bundle).map((e) => e.length)).toEqual([1, 300]);
    expect(parseEntryBundle(encodeEntryBundle([new Uint8Array(MAX_ENTRY_BYTES)]))[0]!.length).toBe(
      65535,
    );
    expect(() => encodeEntryBundle([new Uint8Array(MAX_ENTRY_BYTES + 1)])).toThrow(
      LedgerArgumentError,
    );
    expect(() => parseEntryBundle(bundle.subarray(0, bundle.length - 1))).toThrow(/truncated/);
    expect(() => parseEntryBundle(new Uint8Array([0]))).toThrow(/length prefix/);
  });

  it('property: bundles round trip', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 40 }), (entries) => {
        expect(parseEntryBundle(encodeEntryBundle(entries))).toEqual(entries);
      }),
    );
  });
});
