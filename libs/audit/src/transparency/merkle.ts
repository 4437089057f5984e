import { createHash, hash } from 'node:crypto';

/**
 * A Merkle tree over the log, as transparency logs build theirs (RFC 6962 §2.1, RFC 9162 §2.1):
 *
 *   leaf hash   = sha256(0x00 ‖ leaf data)
 *   node hash   = sha256(0x01 ‖ left ‖ right)
 *   MTH(D[n])   = node hash of MTH(D[0:k]) and MTH(D[k:n]), k the largest power of two below n
 *
 * Every subtree of that tree is either perfect (2^l leaves starting at a multiple of 2^l, kept
 * by the tree store as node (l, i)) or lies on the right edge and is computed from perfect ones,
 * so a proof reads O(log n) stored nodes however long the log is. Indices are numbers: exact up
 * to 2^53 leaves.
 */

export const LEAF_PREFIX_BYTE = 0x00;
const NODE_PREFIX_BYTE = 0x01;

/** Hashes are taken in one call over one buffer: the same bytes, without a hash object each. */
export const leafHash = (data: Buffer): Buffer => {
  const input = Buffer.allocUnsafe(1 + data.length);
  input[0] = LEAF_PREFIX_BYTE;
  data.copy(input, 1);
  return hash('sha256', input, 'buffer');
};

export const nodeHash = (left: Buffer, right: Buffer): Buffer => {
  const input = Buffer.allocUnsafe(1 + left.length + right.length);
  input[0] = NODE_PREFIX_BYTE;
  left.copy(input, 1);
  right.copy(input, 1 + left.length);
  return hash('sha256', input, 'buffer');
};

/** The hash of the empty tree: sha256 of nothing. */
export const emptyRoot = (): Buffer => createHash('sha256').digest();

/** A perfect subtree's hash: level l, index i covers leaves [i·2^l, (i+1)·2^l). */
export interface NodeSource {
  node(level: number, index: number): Buffer;
}

/** The key of a perfect subtree. */
export interface NodeKey {
  level: number;
  index: number;
}

const isPowerOfTwo = (n: number): boolean => n > 0 && 2 ** Math.floor(Math.log2(n)) === n;

/** The largest power of two strictly below n (n ≥ 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[start:end]) from the perfect subtrees it is made of. */
export function subtreeHash(source: NodeSource, start: number, end: number): Buffer {
  const size = end - start;
  if (size <= 0) return emptyRoot();
  if (isPowerOfTwo(size) && start % size === 0) {
    return source.node(Math.log2(size), start / size);
  }
  const k = splitPoint(size);
  return nodeHash(subtreeHash(source, start, start + k), subtreeHash(source, start + k, end));
}

/** The root of the first `size` leaves. */
export const rootHash = (source: NodeSource, size: number): Buffer => subtreeHash(source, 0, size);

/** PATH(m, D[n]) of RFC 9162 §2.1.3.1: the audit path of leaf m in the tree of the first n. */
export function inclusionPath(source: NodeSource, leafIndex: number, treeSize: number): Buffer[] {
  if (leafIndex < 0 || leafIndex >= treeSize) {
    throw new RangeError(`leaf ${leafIndex} is not in a tree of ${treeSize} leaves`);
  }
  const path: Buffer[] = [];
  let start = 0;
  let end = treeSize;
  let m = leafIndex;
  const siblings: Buffer[] = [];
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (m < k) {
      siblings.push(subtreeHash(source, start + k, end));
      end = start + k;
    } else {
      siblings.push(subtreeHash(source, start, start + k));
      start += k;
      m -= k;
    }
  }
  // Collected from the root down; the path runs from the leaf up.
  for (let i = siblings.length - 1; i >= 0; i--) path.push(siblings[i] as Buffer);
  return path;
}

/** PROOF(m, D[n]) of RFC 9162 §2.1.4.1: that the first m leaves are a prefix of the first n. */
export function consistencyPath(source: NodeSource, first: number, second: number): Buffer[] {
  if (first < 0 || first > second) {
    throw new RangeError(`a tree of ${first} leaves cannot be a prefix of one of ${second}`);
  }
  if (first === 0 || first === second) return [];
  const proof: Buffer[] = [];
  const sub = (m: number, start: number, end: number, whole: boolean): void => {
    const n = end - start;
    if (m === n) {
      if (!whole) proof.push(subtreeHash(source, start, end));
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      sub(m, start, start + k, whole);
      proof.push(subtreeHash(source, start + k, end));
    } else {
      sub(m - k, start + k, end, false);
      proof.push(subtreeHash(source, start, start + k));
    }
  };
  sub(first, 0, second, true);
  return proof;
}

const odd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

/** Both indices shifted right until fn is odd or zero (the right edge's missing siblings). */
function climbRightEdge(fn: number, sn: number): [number, number] {
  do {
    fn = half(fn);
    sn = half(sn);
  } while (!odd(fn) && fn !== 0);
  return [fn, sn];
}

/** RFC 9162 §2.1.3.2: does this path take this leaf hash to this root? */
export function verifyInclusion(
  leaf: Buffer,
  leafIndex: number,
  treeSize: number,
  path: readonly Buffer[],
  root: Buffer,
): boolean {
  if (!Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= treeSize) return false;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leaf;
  // The steps RFC 9162 gives for both proofs, written as it gives them (verifyConsistency's
  // loop is this one with a second hash): kept apart so each reads against its section.
  for (const p of path) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!odd(fn)) [fn, sn] = climbRightEdge(fn, sn);
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && r.equals(root);
}

/** RFC 9162 §2.1.4.2: is the tree of `first` leaves with firstRoot a prefix of the second? */
export function verifyConsistency(
  first: number,
  second: number,
  proof: readonly Buffer[],
  firstRoot: Buffer,
  secondRoot: Buffer,
): boolean {
  if (!Number.isSafeInteger(first) || first < 0 || first > second) return false;
  if (first === second) return proof.length === 0 && firstRoot.equals(secondRoot);
  if (first === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  const c = isPowerOfTwo(first) ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = c[0] as Buffer;
  let sr = c[0] as Buffer;
  for (const p of c.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = nodeHash(p, fr);
      sr = nodeHash(p, sr);
      if (!odd(fn)) [fn, sn] = climbRightEdge(fn, sn);
    } else {
      sr = nodeHash(sr, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return fr.equals(firstRoot) && sr.equals(secondRoot) && sn === 0;
}

/**
 * The perfect subtrees a computation reads, found by running it once over a recording source:
 * an asynchronous store fetches them in one query, then the computation runs again over them.
 */
export async function withNodes<T>(
  compute: (source: NodeSource) => T,
  fetch: (keys: NodeKey[]) => Promise<Map<string, Buffer>>,
): Promise<T> {
  const keys = new Map<string, NodeKey>();
  const zero = Buffer.alloc(32);
  compute({
    node: (level, index) => {
      keys.set(nodeKeyText(level, index), { level, index });
      return zero;
    },
  });
  const found = await fetch([...keys.values()]);
  return compute({
    node: (level, index) => {
      const hash = found.get(nodeKeyText(level, index));
      if (!hash) throw new Error(`the tree store has no node at level ${level}, index ${index}`);
      return hash;
    },
  });
}

export const nodeKeyText = (level: number, index: number): string => `${level}/${index}`;

/**
 * Builds a tree leaf by leaf, keeping only the right edge (one pending left node per level):
 * each leaf yields the perfect nodes it completes, for a store to keep.
 */
export class TreeFrontier {
  /** level → the last node at that level while it waits for its right sibling. */
  private readonly pending = new Map<number, Buffer>();

  constructor(
    private leaves: number,
    pending: Iterable<[number, Buffer]> = [],
  ) {
    for (const [level, hash] of pending) this.pending.set(level, hash);
  }

  get size(): number {
    return this.leaves;
  }

  /** The levels whose last node waits for a sibling in a tree of `size` leaves, with its index. */
  static pendingKeys(size: number): NodeKey[] {
    const keys: NodeKey[] = [];
    for (let level = 0; 2 ** level <= size; level++) {
      const count = Math.floor(size / 2 ** level);
      if (odd(count)) keys.push({ level, index: count - 1 });
    }
    return keys;
  }

  /** Adds a leaf hash; answers the perfect nodes now complete, the leaf first. */
  add(leaf: Buffer): Array<NodeKey & { hash: Buffer }> {
    const made: Array<NodeKey & { hash: Buffer }> = [];
    let index = this.leaves;
    let level = 0;
    let hash = leaf;
    made.push({ level, index, hash });
    while (odd(index)) {
      const left = this.pending.get(level);
      if (!left) throw new Error(`the frontier has no node at level ${level}`);
      this.pending.delete(level);
      hash = nodeHash(left, hash);
      level += 1;
      index = half(index);
      made.push({ level, index, hash });
    }
    this.pending.set(level, hash);
    this.leaves += 1;
    return made;
  }

  /** The root of the leaves added so far. */
  root(): Buffer {
    let root: Buffer | undefined;
    for (let level = 0; 2 ** level <= this.leaves; level++) {
      const left = odd(Math.floor(this.leaves / 2 ** level)) ? this.pending.get(level) : undefined;
      if (left) root = root ? nodeHash(left, root) : left;
    }
    return root ?? emptyRoot();
  }
}
