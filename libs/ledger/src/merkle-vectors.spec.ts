import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { conformancePath, readConformanceJson } from '../../../test/conformance';
import { base64ToBytes, bytesToHex, hexToBytes } from './bytes';
import { ProofVerificationError } from './errors';
import { emptyRoot, leafHash, nodeHash, rootOfLeafHashes } from './merkle';
import { MemoryLog } from './merkle-memory-store';
import { verifyConsistency, verifyInclusion } from './merkle-verify';

const testdata = conformancePath('merkle', 'transparency-dev-testdata');

function jsonFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? jsonFiles(path) : name.endsWith('.json') ? [path] : [];
    })
    .sort();
}

const b64 = (s: string | null): Uint8Array => (s === null ? new Uint8Array(0) : base64ToBytes(s));

function outcome(run: () => void): 'ok' | 'error' {
  try {
    run();
    return 'ok';
  } catch (err) {
    if (err instanceof Error) return 'error';
    throw err;
  }
}

interface InclusionProbe {
  leafIdx: number;
  treeSize: number;
  root: string | null;
  leafHash: string | null;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}
interface ConsistencyProbe {
  size1: number;
  size2: number;
  root1: string | null;
  root2: string | null;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

const inclusion = jsonFiles(join(testdata, 'inclusion')).map((path) => ({
  file: relative(testdata, path),
  ...readConformanceJson<InclusionProbe>(
    'merkle',
    'transparency-dev-testdata',
    relative(testdata, path),
  ),
}));
const consistency = jsonFiles(join(testdata, 'consistency')).map((path) => ({
  file: relative(testdata, path),
  ...readConformanceJson<ConsistencyProbe>(
    'merkle',
    'transparency-dev-testdata',
    relative(testdata, path),
  ),
}));

describe(`merkle/transparency-dev-testdata/inclusion: ${inclusion.length} probes`, () => {
  it.each(inclusion)('$file ($desc) wantErr=$wantErr', (p) => {
    const got = outcome(() =>
      verifyInclusion(
        p.leafIdx,
        p.treeSize,
        b64(p.leafHash),
        (p.proof ?? []).map(b64),
        b64(p.root),
      ),
    );
    expect(got).toBe(p.wantErr ? 'error' : 'ok');
  });
});

describe(`merkle/transparency-dev-testdata/consistency: ${consistency.length} probes`, () => {
  it.each(consistency)('$file ($desc) wantErr=$wantErr', (p) => {
    const got = outcome(() =>
      verifyConsistency(p.size1, p.size2, (p.proof ?? []).map(b64), b64(p.root1), b64(p.root2)),
    );
    expect(got).toBe(p.wantErr ? 'error' : 'ok');
  });
  it('the policy probe: size1 == 0 is an error even when size2 == 0', () => {
    expect(() => verifyConsistency(0, 0, [], emptyRoot(), emptyRoot())).toThrow(
      ProofVerificationError,
    );
  });
});

interface Rfc6962Vectors {
  hasher_vectors: {
    desc: string;
    kind: 'leaf' | 'node' | null;
    input_hex: string | string[] | null;
    expected_hex: string;
  }[];
  tree: {
    leaf_inputs_hex: string[];
    leaf_hashes_hex: string[];
    node_hashes_by_level_hex: { levels: string[][] };
    root_hash_by_tree_size_hex: Record<string, string>;
  };
  inclusion_proofs: {
    leaf_index: number;
    tree_size: number;
    leaf_input_hex: string;
    leaf_hash_hex: string;
    root_hex: string;
    audit_path_hex: string[];
    expect: string;
  }[];
  consistency_proofs: {
    size1: number;
    size2: number;
    root1_hex: string;
    root2_hex: string;
    proof_hex: string[];
    expect: string;
  }[];
}

const rfc = readConformanceJson<Rfc6962Vectors>('merkle', 'rfc6962-reference-vectors.json');
const hex = (s: string) => hexToBytes(s);
const hexes = (a: readonly Uint8Array[]) => a.map(bytesToHex);

function logOf(size: number): MemoryLog {
  const log = new MemoryLog();
  log.append(rfc.tree.leaf_inputs_hex.slice(0, size).map((h) => leafHash(hex(h))));
  return log;
}

describe('merkle/rfc6962-reference-vectors.json', () => {
  it.each(rfc.hasher_vectors)('hasher: $desc', (v) => {
    const got =
      v.kind === 'leaf'
        ? leafHash(hex(v.input_hex as string))
        : v.kind === 'node'
          ? nodeHash(hex((v.input_hex as string[])[0]!), hex((v.input_hex as string[])[1]!))
          : emptyRoot();
    expect(bytesToHex(got)).toBe(v.expected_hex);
  });

  it(`tree: ${rfc.tree.leaf_inputs_hex.length} leaf hashes and every stored node by level`, () => {
    const log = logOf(8);
    expect(rfc.tree.leaf_inputs_hex.map((h) => bytesToHex(leafHash(hex(h))))).toEqual(
      rfc.tree.leaf_hashes_hex,
    );
    rfc.tree.node_hashes_by_level_hex.levels.forEach((level, l) => {
      expect(level.map((_, i) => bytesToHex(log.store.get(l, i)!))).toEqual(level);
    });
  });

  const sizes = Object.entries(rfc.tree.root_hash_by_tree_size_hex);
  it.each(sizes)('tree: root at size %s (appender, stored nodes, recursive MTH)', (size, root) => {
    const n = Number(size);
    expect(bytesToHex(logOf(n).root())).toBe(root);
    expect(bytesToHex(logOf(8).root(n))).toBe(root);
    expect(bytesToHex(rootOfLeafHashes(rfc.tree.leaf_hashes_hex.slice(0, n).map(hex)))).toBe(root);
  });

  it.each(rfc.inclusion_proofs)(
    'inclusion leaf $leaf_index of $tree_size: generated and verified',
    (v) => {
      expect(v.expect).toBe('valid');
      const log = logOf(8);
      expect(bytesToHex(leafHash(hex(v.leaf_input_hex)))).toBe(v.leaf_hash_hex);
      expect(hexes(log.inclusionProof(v.leaf_index, v.tree_size))).toEqual(v.audit_path_hex);
      expect(() =>
        verifyInclusion(
          v.leaf_index,
          v.tree_size,
          hex(v.leaf_hash_hex),
          v.audit_path_hex.map(hex),
          hex(v.root_hex),
        ),
      ).not.toThrow();
    },
  );

  it.each(rfc.consistency_proofs)('consistency $size1 -> $size2: generated and verified', (v) => {
    expect(v.expect).toBe('valid');
    const log = logOf(8);
    expect(hexes(log.consistencyProof(v.size1, v.size2))).toEqual(v.proof_hex);
    expect(bytesToHex(log.root(v.size1))).toBe(v.root1_hex);
    expect(() =>
      verifyConsistency(v.size1, v.size2, v.proof_hex.map(hex), hex(v.root1_hex), hex(v.root2_hex)),
    ).not.toThrow();
  });
});
