// C2SP tlog-tiles (c2sp.org/tlog-tiles): the log as static files. Tiles have height 8: the
// tile N of level L holds the Merkle Tree Hashes of the subtrees [(N·256+i)·256^L,
// (N·256+i+1)·256^L) for i < W, which are our stored nodes of tree level 8·L, index
// N·256+i. Paths are `tile/<L>/<N>[.p/<W>]` and `tile/entries/<N>[.p/<W>]`, N written in
// 3-digit elements all but the last prefixed `x` (1234067 → x001/x234/067); a full tile
// has W = 256 and no `.p/` suffix. Entry bundles are the leaf inputs, each prefixed by its
// big-endian uint16 length, so an entry is at most 65,535 bytes.
import { abytes, auint } from './assert';
import { LedgerArgumentError, FormatError } from './errors';

export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;
export const MAX_TILE_LEVEL = 63;
export const MAX_ENTRY_BYTES = 65_535;

export interface TileRef {
  /** 0..63 for hash tiles; 'entries' for an entry bundle. */
  readonly level: number | 'entries';
  readonly index: number;
  /** 1..256; 256 is a full tile. */
  readonly width: number;
}

/** 1234067 → `x001/x234/067`. */
export function encodeTileIndex(index: number): string {
  auint(index, 'index');
  const groups: string[] = [];
  let n = index;
  do {
    groups.unshift(String(n % 1000).padStart(3, '0'));
    n = Math.floor(n / 1000);
  } while (n > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

export function tilePath(tile: TileRef): string {
  const { level, width } = tile;
  if (level !== 'entries') {
    auint(level, 'level');
    if (level > MAX_TILE_LEVEL) throw new LedgerArgumentError('level', 'at most 63');
  }
  auint(width, 'width');
  if (width < 1 || width > TILE_WIDTH) throw new LedgerArgumentError('width', '1 to 256');
  const suffix = width === TILE_WIDTH ? '' : `.p/${width}`;
  return `tile/${String(level)}/${encodeTileIndex(tile.index)}${suffix}`;
}

/**
 * Reads a path relative to the log prefix (`tile/0/x001/234.p/7`). Throws FormatError
 * MALFORMED_TILE_PATH for anything that is not exactly the canonical form.
 */
export function parseTilePath(path: string): TileRef {
  const fail = (why: string) =>
    new FormatError('MALFORMED_TILE_PATH', `tile path ${JSON.stringify(path)}: ${why}`);
  const parts = path.split('/');
  if (parts[0] !== 'tile' || parts.length < 3) throw fail('expected tile/<L>/<N>[.p/<W>]');
  const levelText = parts[1]!;
  let level: number | 'entries';
  if (levelText === 'entries') level = 'entries';
  else if (/^(0|[1-9][0-9]?)$/.test(levelText) && Number(levelText) <= MAX_TILE_LEVEL)
    level = Number(levelText);
  else throw fail('level must be 0 to 63 or "entries"');
  let rest = parts.slice(2);
  let width = TILE_WIDTH;
  const last = rest[rest.length - 1]!;
  if (rest.length >= 2 && rest[rest.length - 2]!.endsWith('.p')) {
    if (!/^[1-9][0-9]{0,2}$/.test(last) || Number(last) > 255)
      throw fail('partial width must be 1 to 255');
    width = Number(last);
    rest = [...rest.slice(0, -2), rest[rest.length - 2]!.slice(0, -2)];
  }
  let index = 0;
  rest.forEach((element, i) => {
    const isLast = i === rest.length - 1;
    const m = (isLast ? /^([0-9]{3})$/ : /^x([0-9]{3})$/).exec(element);
    if (!m) throw fail('index elements must be 3 digits, all but the last prefixed x');
    index = index * 1000 + Number(m[1]);
  });
  if (rest.length > 1 && rest[0] === 'x000') throw fail('index has a leading zero element');
  if (!Number.isSafeInteger(index)) throw fail('index too large');
  return { level, index, width };
}

/** The width of the rightmost tile of `level` for a tree of `size` (0: no partial tile). */
export function partialTileWidth(level: number, size: number): number {
  auint(level, 'level');
  auint(size, 'size');
  return Number((BigInt(size) / 256n ** BigInt(level)) % 256n);
}

/** How many full tiles `level` has for a tree of `size`. */
export function fullTileCount(level: number, size: number): number {
  auint(level, 'level');
  auint(size, 'size');
  return Number(BigInt(size) / 256n ** BigInt(level + 1));
}

/** Whether the tile's hashes are all determined by a tree of `size` (servable, immutable). */
export function tileFitsSize(tile: TileRef, size: number): boolean {
  auint(size, 'size');
  const level = tile.level === 'entries' ? 0 : tile.level;
  const end = (BigInt(tile.index) * 256n + BigInt(tile.width)) * 256n ** BigInt(level);
  return end <= BigInt(size);
}

/** The tree node (level 8·L, index) behind each hash of the tile, in order. */
export function tileNodeIds(tile: TileRef): { level: number; index: number }[] {
  if (tile.level === 'entries') throw new LedgerArgumentError('level', 'an entry bundle');
  const level = tile.level * TILE_HEIGHT;
  return Array.from({ length: tile.width }, (_, i) => ({
    level,
    index: tile.index * TILE_WIDTH + i,
  }));
}

/** Leaf index range [start, end) that an entry bundle holds. */
export function entryBundleRange(tile: TileRef): { start: number; end: number } {
  const start = tile.index * TILE_WIDTH;
  return { start, end: start + tile.width };
}

export function encodeEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  entries.forEach((entry, i) => {
    abytes(entry, `entries[${i}]`);
    if (entry.length > MAX_ENTRY_BYTES)
      throw new LedgerArgumentError(`entries[${i}]`, `longer than ${MAX_ENTRY_BYTES} bytes`);
    total += 2 + entry.length;
  });
  const out = new Uint8Array(total);
  let at = 0;
  for (const entry of entries) {
    out[at] = entry.length >>> 8;
    out[at + 1] = entry.length & 255;
    out.set(entry, at + 2);
    at += 2 + entry.length;
  }
  return out;
}

export function parseEntryBundle(bundle: Uint8Array): Uint8Array[] {
  abytes(bundle, 'bundle');
  const entries: Uint8Array[] = [];
  let at = 0;
  while (at < bundle.length) {
    if (at + 2 > bundle.length)
      throw new FormatError('MALFORMED_TILE', 'entry bundle: truncated length prefix');
    const length = (bundle[at]! << 8) | bundle[at + 1]!;
    if (at + 2 + length > bundle.length)
      throw new FormatError('MALFORMED_TILE', `entry bundle: entry ${entries.length} truncated`);
    entries.push(bundle.slice(at + 2, at + 2 + length));
    at += 2 + length;
  }
  return entries;
}

/** The 32-byte hashes of a hash tile. */
export function parseHashTile(tile: Uint8Array, width: number): Uint8Array[] {
  abytes(tile, 'tile', width * 32);
  return Array.from({ length: width }, (_, i) => tile.slice(i * 32, i * 32 + 32));
}
