import { createHash } from 'node:crypto';
import fc from 'fast-check';
import {
  consistencyPath,
  inclusionPath,
  leafHash,
  nodeHash,
  rootHash,
  splitPoint,
  TreeFrontier,
  verifyConsistency,
  verifyInclusion,
  withNodes,
  type NodeSource,
} from './merkle';

/** MTH as RFC 6962 defines it, recursively over the leaves' data. */
function mth(data: Buffer[]): Buffer {
  if (data.length === 0) return createHash('sha256').digest();
  if (data.length === 1) return leafHash(data[0] as Buffer);
  const k = splitPoint(data.length);
  return nodeHash(mth(data.slice(0, k)), mth(data.slice(k)));
}

/** Perfect nodes straight from the leaves (what a tree store keeps). */
const sourceOf = (data: Buffer[]): NodeSource => ({
  node: (level, index) => mth(data.slice(index * 2 ** level, (index + 1) * 2 ** level)),
});

const leaves = (n: number): Buffer[] =>
  Array.from({ length: n }, (_, i) => Buffer.from(`event ${i}`));

describe('Merkle tree (RFC 6962 / RFC 9162 hashing)', () => {
  it('gives the root of the RFC 6962 reference tree of eight leaves', () => {
    const data = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657'].map((h) =>
      Buffer.from(h, 'hex'),
    );
    data.push(Buffer.from('606162636465666768696a6b6c6d6e6f', 'hex'));
    expect(rootHash(sourceOf(data), 8).toString('hex')).toBe(
      '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
    );
    // Leaf and node hashes are domain-separated: a leaf cannot pass for a node.
    expect(leafHash(Buffer.concat([Buffer.alloc(32), Buffer.alloc(32)]))).not.toEqual(
      nodeHash(Buffer.alloc(32), Buffer.alloc(32)),
    );
  });

  it('computes the root from stored perfect subtrees as the recursive definition does', () => {
    for (let n = 0; n <= 40; n++) {
      const data = leaves(n);
      expect(rootHash(sourceOf(data), n)).toEqual(mth(data));
    }
  });

  it('builds leaf by leaf (the frontier) to the same nodes and roots', () => {
    const data = leaves(37);
    const frontier = new TreeFrontier(0);
    const kept = new Map<string, Buffer>();
    data.forEach((d, i) => {
      for (const n of frontier.add(leafHash(d))) kept.set(`${n.level}/${n.index}`, n.hash);
      expect(frontier.root()).toEqual(mth(data.slice(0, i + 1)));
    });
    const source = sourceOf(data);
    for (const [key, hash] of kept) {
      const [level, index] = key.split('/').map(Number) as [number, number];
      expect(hash).toEqual(source.node(level, index));
    }
    // Resumed from the stored right edge, it goes on to the same root.
    const resumed = new TreeFrontier(
      20,
      TreeFrontier.pendingKeys(20).map(({ level, index }) => [level, source.node(level, index)]),
    );
    for (const d of data.slice(20)) resumed.add(leafHash(d));
    expect(resumed.root()).toEqual(mth(data));
  });

  it('proves every leaf of every tree up to 33 leaves, and refuses a wrong leaf, index or root', () => {
    for (let n = 1; n <= 33; n++) {
      const data = leaves(n);
      const source = sourceOf(data);
      const root = mth(data);
      for (let m = 0; m < n; m++) {
        const path = inclusionPath(source, m, n);
        expect(verifyInclusion(leafHash(data[m] as Buffer), m, n, path, root)).toBe(true);
        expect(verifyInclusion(leafHash(Buffer.from('forged')), m, n, path, root)).toBe(false);
        if (n > 1) {
          expect(verifyInclusion(leafHash(data[m] as Buffer), (m + 1) % n, n, path, root)).toBe(
            false,
          );
        }
        expect(verifyInclusion(leafHash(data[m] as Buffer), m, n, path, mth(leaves(n + 1)))).toBe(
          false,
        );
      }
    }
  });

  it('proves every prefix consistent, and refuses a tree that is not a prefix', () => {
    for (let n = 1; n <= 33; n++) {
      const data = leaves(n);
      const source = sourceOf(data);
      for (let m = 1; m <= n; m++) {
        const proof = consistencyPath(source, m, n);
        const first = mth(data.slice(0, m));
        expect(verifyConsistency(m, n, proof, first, mth(data))).toBe(true);
        // A first tree whose history was rewritten is not a prefix of the second.
        const rewritten = [...data.slice(0, m - 1), Buffer.from('rewritten')];
        if (m < n) expect(verifyConsistency(m, n, proof, mth(rewritten), mth(data))).toBe(false);
      }
    }
  });

  it('refuses any altered proof (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 300 }),
        fc.nat(),
        fc.nat(),
        fc.nat(255),
        (n, a, which, byte) => {
          const data = leaves(n);
          const source = sourceOf(data);
          const m = a % n;
          const path = inclusionPath(source, m, n);
          const altered = path.map((p) => Buffer.from(p));
          const target = altered[which % altered.length] as Buffer;
          target[byte % 32] = (target[byte % 32] as number) ^ 0x01;
          expect(verifyInclusion(leafHash(data[m] as Buffer), m, n, altered, mth(data))).toBe(
            false,
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it('reads only the perfect nodes a proof needs, fetched in one go', async () => {
    const data = leaves(1000);
    const source = sourceOf(data);
    const fetched: number[] = [];
    const path = await withNodes(
      (s) => inclusionPath(s, 123, 1000),
      async (keys) => {
        fetched.push(keys.length);
        return new Map(keys.map((k) => [`${k.level}/${k.index}`, source.node(k.level, k.index)]));
      },
    );
    expect(verifyInclusion(leafHash(data[123] as Buffer), 123, 1000, path, mth(data))).toBe(true);
    expect(fetched.length).toBe(1);
    expect(fetched[0]).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(1000)));
  });
});
