// In-memory storage of complete subtrees (merkle.ts) for tests, benchmarks and the
// offline tools: one growable buffer per level, 32 bytes per node, so a million-leaf log
// takes about 64 MB. The server keeps the same (level, index, hash) rows in PostgreSQL.
import { auint } from './assert';
import { LedgerArgumentError } from './errors';
import { HASH_SIZE, type NodeId, type StoredNode } from './merkle';
import { type AppendResult, EMPTY_FRONTIER, type Frontier, appendLeaves } from './merkle-append';
import {
  type NodeLookup,
  assembleProof,
  planConsistency,
  planInclusion,
  rootFromNodes,
} from './merkle-plan';

interface Level {
  buffer: Uint8Array;
  count: number;
}

export class MemoryNodeStore {
  private readonly levels: Level[] = [];
  /** Reads served, for tests that bound the work of a proof. */
  reads = 0;

  /** Stores nodes; each level grows append-only, in index order. */
  put(nodes: readonly StoredNode[]): void {
    for (const node of nodes) {
      const level = (this.levels[node.level] ??= {
        buffer: new Uint8Array(HASH_SIZE * 1024),
        count: 0,
      });
      if (node.index !== level.count) {
        throw new LedgerArgumentError(
          'node.index',
          `level ${node.level} expects index ${level.count}, got ${node.index}`,
        );
      }
      if (node.hash.length !== HASH_SIZE)
        throw new LedgerArgumentError('node.hash', 'expected 32 bytes');
      if ((level.count + 1) * HASH_SIZE > level.buffer.length) {
        const grown = new Uint8Array(level.buffer.length * 2);
        grown.set(level.buffer);
        level.buffer = grown;
      }
      level.buffer.set(node.hash, level.count * HASH_SIZE);
      level.count++;
    }
  }

  get(level: number, index: number): Uint8Array | undefined {
    this.reads++;
    const l = this.levels[level];
    if (l === undefined || index < 0 || index >= l.count) return undefined;
    return l.buffer.subarray(index * HASH_SIZE, (index + 1) * HASH_SIZE);
  }

  getMany(ids: readonly NodeId[]): (Uint8Array | undefined)[] {
    return ids.map((id) => this.get(id.level, id.index));
  }

  readonly lookup: NodeLookup = (level, index) => this.get(level, index);
}

/** An append-only log over a MemoryNodeStore: the server's sealing flow, in memory. */
export class MemoryLog {
  readonly store = new MemoryNodeStore();
  private current: Frontier = EMPTY_FRONTIER;

  get size(): number {
    return this.current.size;
  }

  get frontier(): Frontier {
    return this.current;
  }

  append(leafHashes: readonly Uint8Array[]): AppendResult {
    const result = appendLeaves(this.current, leafHashes);
    this.store.put(result.nodes);
    this.current = result.frontier;
    return result;
  }

  root(treeSize = this.size): Uint8Array {
    this.assertSize(treeSize);
    return rootFromNodes(treeSize, this.store.lookup);
  }

  inclusionProof(leafIndex: number, treeSize = this.size): Uint8Array[] {
    this.assertSize(treeSize);
    return assembleProof(planInclusion(leafIndex, treeSize), this.store.lookup);
  }

  consistencyProof(size1: number, size2 = this.size): Uint8Array[] {
    this.assertSize(size2);
    return assembleProof(planConsistency(size1, size2), this.store.lookup);
  }

  private assertSize(treeSize: number): void {
    auint(treeSize, 'treeSize');
    if (treeSize > this.size)
      throw new LedgerArgumentError('treeSize', `log has only ${this.size} leaves`);
  }
}
