// A mirror of a Custos log (SPEC section 9, C2SP tlog-tiles): a folder laid out exactly as
// the log's /log/ (`checkpoint`, `tile/<L>/<N>[.p/<W>]`, `tile/entries/<N>[.p/<W>]`), so
// that any static web server serving it is a full mirror. A round trusts nothing it is
// served: the checkpoint's signature (the log's vkey) and, when a witness policy is given,
// its cosignatures; the tree rebuilt from the level-0 hash tiles must give the served root
// and the root of the checkpoint the folder already holds (consistency); every higher
// tile and every entry bundle must match the rebuilt tree. A round that finds anything
// else writes nothing and says why. Files are only ever added; the checkpoint is replaced
// last, once everything it covers is in place.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { openCheckpoint, type Checkpoint } from '@custos/ledger/checkpoint';
import { bytesToHex, equalBytes } from '@custos/ledger/bytes';
import { leafHash, rootOfLeafHashes } from '@custos/ledger/merkle';
import type { VerifierKey } from '@custos/ledger/note';
import {
  TILE_WIDTH,
  parseEntryBundle,
  parseHashTile,
  tilePath,
  type TileRef,
} from '@custos/ledger/tiles';
import {
  assessWitnesses,
  type WitnessAssessment,
  type WitnessPolicy,
} from '@custos/ledger/witness-policy';

/** Where a round reads the log: a path below /log/ → its bytes, or undefined for a 404. */
export type LogSource = (path: string) => Promise<Uint8Array | undefined>;

export interface MirrorPolicy {
  /** The log's key(s); the checkpoint must be signed by one, its origin is the key's name. */
  readonly logKeys: readonly VerifierKey[];
  readonly witnesses?: WitnessPolicy;
  /** Also copy the entry bundles (needs a regulator's or the admin's token at the source). */
  readonly entries: boolean;
}

export interface MirrorRound {
  readonly previousSize: number;
  readonly size: number;
  readonly rootHash: string;
  /** Files added to the folder this round (paths below it). */
  readonly added: readonly string[];
  readonly witnesses?: WitnessAssessment;
}

/** The log served something the mirror must not take; nothing was written. */
export class MirrorRefusal extends Error {}

/** An HTTP source: `<log URL>/<path>`, with a bearer token when given. */
export function httpLogSource(logUrl: string, token?: string): LogSource {
  const base = logUrl.replace(/\/+$/, '');
  return async (path) => {
    const response = await fetch(`${base}/${path}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    if (response.status === 404) return undefined;
    if (!response.ok)
      throw new MirrorRefusal(`${base}/${path}: HTTP ${response.status} ${response.statusText}`);
    return new Uint8Array(await response.arrayBuffer());
  };
}

/** `http://host` → `http://host/log`; a URL already ending in /log is kept. */
export function logUrlOf(url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  return trimmed.endsWith('/log') ? trimmed : `${trimmed}/log`;
}

/** One round: fetch, check everything, then add what is new to `dir`. */
export async function mirrorRound(
  source: LogSource,
  dir: string,
  policy: MirrorPolicy,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<MirrorRound> {
  const origin = policy.logKeys[0]?.name;
  if (origin === undefined) throw new MirrorRefusal('no log key given');
  const open = (note: string, what: string): Checkpoint => {
    try {
      return openCheckpoint(note, policy.logKeys, origin).checkpoint;
    } catch (err) {
      throw new MirrorRefusal(`${what}: ${(err as Error).message}`);
    }
  };

  const servedBytes = await source('checkpoint');
  if (!servedBytes) throw new MirrorRefusal('the log serves no checkpoint');
  const note = new TextDecoder().decode(servedBytes);
  const served = open(note, 'the served checkpoint');
  let witnesses: WitnessAssessment | undefined;
  if (policy.witnesses) {
    witnesses = assessWitnesses(note, policy.witnesses, nowSeconds);
    if (!witnesses.witnessed)
      throw new MirrorRefusal(`the served checkpoint is not witnessed: ${witnesses.summary}`);
  }

  const heldPath = join(dir, 'checkpoint');
  const held = existsSync(heldPath)
    ? open(readFileSync(heldPath, 'utf8'), `the checkpoint held in ${dir}`)
    : undefined;
  const previousSize = held?.size ?? 0;
  const summary = { previousSize, size: served.size, rootHash: bytesToHex(served.rootHash) };
  if (held && served.size < held.size)
    throw new MirrorRefusal(
      `the log serves a tree of size ${served.size}, smaller than the ${held.size} this mirror holds: rolled back or forked`,
    );
  if (held && served.size === held.size) {
    if (!equalBytes(served.rootHash, held.rootHash))
      throw new MirrorRefusal(
        `split view: the log serves size ${served.size} with root ${summary.rootHash}, this mirror holds root ${bytesToHex(held.rootHash)}`,
      );
    return { ...summary, added: [], ...(witnesses ? { witnesses } : {}) };
  }

  // New files, checked before any is written; files already held are read, not fetched.
  const writes = new Map<string, Uint8Array>();
  const tileBytes = async (tile: TileRef): Promise<Uint8Array> => {
    const path = tilePath(tile);
    const local = join(dir, path);
    if (existsSync(local)) return new Uint8Array(readFileSync(local));
    const bytes = await source(path);
    if (!bytes)
      throw new MirrorRefusal(`the log serves no ${path} although its checkpoint covers it`);
    writes.set(path, bytes);
    return bytes;
  };
  const tilesOf = (count: number) =>
    Array.from({ length: Math.ceil(count / TILE_WIDTH) }, (_, index) => ({
      index,
      width: Math.min(TILE_WIDTH, count - index * TILE_WIDTH),
    }));
  const hashesOf = async (tile: TileRef): Promise<Uint8Array[]> => {
    const bytes = await tileBytes(tile);
    try {
      return parseHashTile(bytes, tile.width);
    } catch {
      throw new MirrorRefusal(
        `${tilePath(tile)}: ${bytes.length} bytes, expected ${tile.width * 32}`,
      );
    }
  };

  const leaves: Uint8Array[] = [];
  for (const t of tilesOf(served.size)) leaves.push(...(await hashesOf({ level: 0, ...t })));
  // Full tiles the folder holds are read from it, not fetched: a log that forked inside
  // them fails the first test, one that forked after them the second.
  const inconsistent = held
    ? `inconsistent: the log's tree of size ${served.size} does not extend the tree of size ${held.size} this mirror holds (root ${bytesToHex(held.rootHash)})`
    : undefined;
  if (!equalBytes(rootOfLeafHashes(leaves), served.rootHash))
    throw new MirrorRefusal(
      inconsistent ??
        `the level-0 tiles do not give the root of the served checkpoint (size ${served.size})`,
    );
  if (held && !equalBytes(rootOfLeafHashes(leaves.slice(0, held.size)), held.rootHash))
    throw new MirrorRefusal(inconsistent ?? 'inconsistent');

  // Level L holds the roots of complete subtrees of 256^L leaves: 256 hashes of level L-1.
  let below = leaves;
  for (let level = 1; below.length >= TILE_WIDTH; level++) {
    const nodes = Array.from({ length: Math.floor(below.length / TILE_WIDTH) }, (_, i) =>
      rootOfLeafHashes(below.slice(i * TILE_WIDTH, (i + 1) * TILE_WIDTH)),
    );
    for (const t of tilesOf(nodes.length)) {
      const got = await hashesOf({ level, ...t });
      got.forEach((hash, i) => {
        if (!equalBytes(hash, nodes[t.index * TILE_WIDTH + i]!))
          throw new MirrorRefusal(
            `${tilePath({ level, ...t })}: hash ${i} is not the subtree the level-0 tiles give`,
          );
      });
    }
    below = nodes;
  }

  if (policy.entries) {
    for (const t of tilesOf(served.size)) {
      const tile = { level: 'entries' as const, ...t };
      let entries: Uint8Array[];
      try {
        entries = parseEntryBundle(await tileBytes(tile));
      } catch (err) {
        if (err instanceof MirrorRefusal) throw err;
        throw new MirrorRefusal(`${tilePath(tile)}: ${(err as Error).message}`);
      }
      if (entries.length !== t.width)
        throw new MirrorRefusal(
          `${tilePath(tile)}: ${entries.length} entries, expected ${t.width}`,
        );
      entries.forEach((entry, i) => {
        if (!equalBytes(leafHash(entry), leaves[t.index * TILE_WIDTH + i]!))
          throw new MirrorRefusal(
            `${tilePath(tile)}: entry ${i} (leaf ${t.index * TILE_WIDTH + i}) does not hash to the leaf hash of the tiles`,
          );
      });
    }
  }

  for (const [path, bytes] of writes) writeNew(join(dir, path), bytes);
  const temporary = `${heldPath}.new`;
  writeFileSync(temporary, note);
  renameSync(temporary, heldPath);
  return {
    ...summary,
    added: [...writes.keys(), 'checkpoint'],
    ...(witnesses ? { witnesses } : {}),
  };
}

/** Writes a file that must not exist yet, through a temporary name (never half a tile). */
function writeNew(path: string, bytes: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.new`;
  writeFileSync(temporary, bytes, { flag: 'w' });
  renameSync(temporary, path);
}

/** The leaf inputs [from, to) of a mirror folder that holds the entry bundles. */
export function mirroredEntries(dir: string, from: number, to: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let index = Math.floor(from / TILE_WIDTH); index * TILE_WIDTH < to; index++) {
    const width = Math.min(TILE_WIDTH, to - index * TILE_WIDTH);
    const path = join(dir, tilePath({ level: 'entries', index, width }));
    const bundle = parseEntryBundle(new Uint8Array(readFileSync(path)));
    bundle.forEach((entry, i) => {
      const leaf = index * TILE_WIDTH + i;
      if (leaf >= from && leaf < to) out.push(entry);
    });
  }
  return out;
}

/** The leaf hashes [0, size) of a mirror folder, from its level-0 tiles. */
export function mirroredLeafHashes(dir: string, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let index = 0; index * TILE_WIDTH < size; index++) {
    const width = Math.min(TILE_WIDTH, size - index * TILE_WIDTH);
    const path = join(dir, tilePath({ level: 0, index, width }));
    out.push(...parseHashTile(new Uint8Array(readFileSync(path)), width));
  }
  return out;
}
