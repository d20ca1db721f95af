import fc from 'fast-check';
import { bytesToHex } from './bytes';
import { EMPTY_FRONTIER, appendLeaves } from './merkle-append';
import { leafHash, nodeHash } from './merkle';
import { leafHashFast, nodeHashFast } from './merkle-native';

const bytes = fc.uint8Array({ maxLength: 200 });
const hex = (b: Uint8Array) => bytesToHex(b);

describe('merkle-native: the RFC 9162 hashes through OpenSSL', () => {
  it('leafHashFast and nodeHashFast equal the pure leafHash and nodeHash', () => {
    fc.assert(
      fc.property(bytes, bytes, (a, b) => {
        expect(hex(leafHashFast(a))).toBe(hex(leafHash(a)));
        expect(hex(nodeHashFast(a, b))).toBe(hex(nodeHash(a, b)));
      }),
    );
  });

  it('appendLeaves with nodeHashFast gives the same nodes, frontier and root', () => {
    fc.assert(
      fc.property(fc.array(bytes, { maxLength: 70 }), fc.nat(69), (inputs, cut) => {
        const leaves = inputs.map(leafHash);
        const at = Math.min(cut, leaves.length);
        const pure = appendLeaves(
          appendLeaves(EMPTY_FRONTIER, leaves.slice(0, at)).frontier,
          leaves.slice(at),
        );
        const firstFast = appendLeaves(EMPTY_FRONTIER, leaves.slice(0, at), nodeHashFast);
        const fast = appendLeaves(firstFast.frontier, leaves.slice(at), nodeHashFast);
        expect(hex(fast.root)).toBe(hex(pure.root));
        expect(fast.nodes.map((n) => [n.level, n.index, hex(n.hash)])).toEqual(
          pure.nodes.map((n) => [n.level, n.index, hex(n.hash)]),
        );
      }),
    );
  });

  it('names the field it refuses', () => {
    expect(() => nodeHashFast(new Uint8Array(1), 'x' as unknown as Uint8Array)).toThrow(/right/);
  });
});
