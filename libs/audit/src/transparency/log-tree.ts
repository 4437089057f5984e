import type { EventStore, RecordedEvent } from '@ledger/event-store';
import type { Pool, PoolClient } from 'pg';
import { eventLeafHash, type SignedCheckpoint } from './checkpoint';
import {
  consistencyPath,
  inclusionPath,
  nodeKeyText,
  rootHash,
  TreeFrontier,
  withNodes,
  type NodeKey,
} from './merkle';

/** The tree's extent: how many events it holds, and the position of the last. */
export interface TreeExtent {
  size: number;
  position: bigint;
}

/** One event's place in the tree. */
export interface TreeLeaf {
  leafIndex: number;
  eventId: string;
  streamName: string;
  revision: bigint;
  position: bigint;
  hash: Buffer;
}

/** The event has no leaf (yet): unknown, or appended after the tree was last extended. */
export class LeafNotFoundError extends Error {
  override readonly name = 'LeafNotFoundError';
}

const TREE_LOCK = 'cme-ledger/audit/tree';

/** How long the tree waits before reading a short page again (over the store's 20 ms). */
const HORIZON_SETTLE_MS = 30;

interface LeafRow {
  leaf_index: string;
  event_id: string;
  stream_name: string;
  revision: string;
  position: string;
  hash: Buffer;
}

const leafOf = (r: LeafRow): TreeLeaf => ({
  leafIndex: Number(r.leaf_index),
  eventId: r.event_id,
  streamName: r.stream_name,
  revision: BigInt(r.revision),
  position: BigInt(r.position),
  hash: r.hash,
});

/**
 * The Merkle tree over the log, kept in PostgreSQL: one leaf per event in log order and every
 * perfect subtree above them, so a proof reads O(log n) rows. It is extended from the log
 * through the event-store port (either adapter), one page per transaction, under a
 * transaction-scoped advisory lock, so two processes extending at once add each event once.
 */
export class LogTree {
  constructor(
    private readonly pool: Pool,
    private readonly store: Pick<EventStore, 'readAll'>,
    private readonly options: { pageSize?: number } = {},
  ) {}

  /** Events read per page (one transaction each). */
  get pageSize(): number {
    return this.options.pageSize ?? 5000;
  }

  async extent(client: Pick<PoolClient, 'query'> = this.pool): Promise<TreeExtent> {
    const { rows } = await client.query<{ leaf_index: string; position: string }>(
      'SELECT leaf_index, position FROM audit_tree_leaves ORDER BY leaf_index DESC LIMIT 1',
    );
    const last = rows[0];
    return last
      ? { size: Number(last.leaf_index) + 1, position: BigInt(last.position) }
      : { size: 0, position: 0n };
  }

  /**
   * Adds the events the log holds after the tree's last one (up to `limit` pages); answers the
   * extent reached. `then` runs inside the last page's transaction, still under the lock (the
   * checkpointer signs there, so two processes never sign two roots for one size).
   */
  async extend<T>(
    then?: (client: PoolClient, extent: TreeExtent) => Promise<T>,
    limit = Infinity,
  ): Promise<{ extent: TreeExtent; added: number; result: T | undefined }> {
    const pageSize = this.pageSize;
    let added = 0;
    // The first short page is read once more, a moment later, before it counts as the log's end:
    // a transaction open in another database of the server holds a new reader's horizon until
    // the store has seen it hold for 20 ms (see readLogPages), and a checkpoint asked for now
    // should cover what was committed before it was asked for.
    let readAgain = true;
    for (let pages = 0; ; pages++) {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        // Derived data, rebuilt from the log if a crash loses it: its commit need not wait for
        // the disk, and so takes no WAL flush from the appends (the witness is flushed itself).
        await client.query('SET LOCAL synchronous_commit = off');
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [TREE_LOCK]);
        const extent = await this.extent(client);
        const page =
          pages < limit
            ? await this.store.readAll({ after: extent.position, maxCount: pageSize })
            : [];
        const reached = page.length > 0 ? await this.addPage(client, extent, page) : extent;
        added += page.length;
        const short = page.length < pageSize;
        const again = short && readAgain && pages + 1 < limit;
        const last = (short && !again) || pages + 1 >= limit;
        const result = last && then ? await then(client, reached) : undefined;
        await client.query('COMMIT');
        if (last) return { extent: reached, added, result };
        if (again) {
          readAgain = false;
          await new Promise((resolve) => setTimeout(resolve, HORIZON_SETTLE_MS));
        }
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    }
  }

  private async addPage(
    client: PoolClient,
    extent: TreeExtent,
    page: readonly RecordedEvent[],
  ): Promise<TreeExtent> {
    const pending = await this.fetchNodes(TreeFrontier.pendingKeys(extent.size), client);
    const frontier = new TreeFrontier(
      extent.size,
      TreeFrontier.pendingKeys(extent.size).map(({ level, index }) => [
        level,
        pending.get(nodeKeyText(level, index)) as Buffer,
      ]),
    );
    const leaves: {
      index: string[];
      id: string[];
      stream: string[];
      rev: string[];
      pos: string[];
      hash: Buffer[];
    } = { index: [], id: [], stream: [], rev: [], pos: [], hash: [] };
    const nodes: { level: number[]; index: string[]; hash: Buffer[] } = {
      level: [],
      index: [],
      hash: [],
    };
    for (const e of page) {
      const made = frontier.add(eventLeafHash(e));
      const leaf = made[0] as NodeKey & { hash: Buffer };
      leaves.index.push(String(leaf.index));
      leaves.id.push(e.id);
      leaves.stream.push(e.streamName);
      leaves.rev.push(e.revision.toString());
      leaves.pos.push(e.position.toString());
      leaves.hash.push(leaf.hash);
      for (const n of made.slice(1)) {
        nodes.level.push(n.level);
        nodes.index.push(String(n.index));
        nodes.hash.push(n.hash);
      }
    }
    await client.query(
      `INSERT INTO audit_tree_leaves (leaf_index, event_id, stream_name, revision, position, hash)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bytea[])`,
      [leaves.index, leaves.id, leaves.stream, leaves.rev, leaves.pos, leaves.hash],
    );
    if (nodes.level.length > 0) {
      await client.query(
        `INSERT INTO audit_tree_nodes (level, node_index, hash)
         SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[])`,
        [nodes.level, nodes.index, nodes.hash],
      );
    }
    return { size: frontier.size, position: (page[page.length - 1] as RecordedEvent).position };
  }

  /** The stored perfect subtrees asked for (level 0: the leaves), in one query. */
  async fetchNodes(
    keys: readonly NodeKey[],
    client: Pick<PoolClient, 'query'> = this.pool,
  ): Promise<Map<string, Buffer>> {
    const found = new Map<string, Buffer>();
    if (keys.length === 0) return found;
    const leaves = keys.filter((k) => k.level === 0).map((k) => String(k.index));
    const upper = keys.filter((k) => k.level > 0);
    const { rows } = await client.query<{ level: number; node_index: string; hash: Buffer }>(
      `SELECT 0 AS level, leaf_index AS node_index, hash FROM audit_tree_leaves
        WHERE leaf_index = ANY($1::bigint[])
       UNION ALL
       SELECT k.level, k.node_index, n.hash
         FROM unnest($2::smallint[], $3::bigint[]) AS k(level, node_index)
         -- One primary-key lookup per node, never a scan of the table.
         CROSS JOIN LATERAL (
           SELECT hash FROM audit_tree_nodes t
            WHERE t.level = k.level AND t.node_index = k.node_index
         ) n`,
      [leaves, upper.map((k) => k.level), upper.map((k) => String(k.index))],
    );
    for (const r of rows) found.set(nodeKeyText(r.level, Number(r.node_index)), r.hash);
    return found;
  }

  /** The root of the first `size` events, from the stored tree. */
  root(size: number, client: Pick<PoolClient, 'query'> = this.pool): Promise<Buffer> {
    return withNodes(
      (s) => rootHash(s, size),
      (keys) => this.fetchNodes(keys, client),
    );
  }

  async leafOfEvent(eventId: string): Promise<TreeLeaf> {
    const { rows } = await this.pool.query<LeafRow>(
      'SELECT * FROM audit_tree_leaves WHERE event_id = $1',
      [eventId],
    );
    if (!rows[0]) {
      throw new LeafNotFoundError(
        `event ${eventId} is not in the tree: no such event, or it was appended after the last checkpoint`,
      );
    }
    return leafOf(rows[0]);
  }

  /** The leaves of one stream, in revision order. */
  /** The stream's leaves from `fromRevision` (inclusive) to `toRevision` (exclusive; none: all). */
  async leavesOfStream(
    streamName: string,
    fromRevision = 0n,
    toRevision?: bigint,
  ): Promise<TreeLeaf[]> {
    const { rows } = await this.pool.query<LeafRow>(
      `SELECT * FROM audit_tree_leaves
        WHERE stream_name = $1 AND revision >= $2 AND ($3::bigint IS NULL OR revision < $3)
        ORDER BY revision`,
      [streamName, fromRevision.toString(), toRevision?.toString() ?? null],
    );
    return rows.map(leafOf);
  }

  /** Leaves [from, to), in order (verification reads them in pages). */
  async leaves(from: number, to: number): Promise<TreeLeaf[]> {
    const { rows } = await this.pool.query<LeafRow>(
      'SELECT * FROM audit_tree_leaves WHERE leaf_index >= $1 AND leaf_index < $2 ORDER BY leaf_index',
      [from, to],
    );
    return rows.map(leafOf);
  }

  inclusionPath(leafIndex: number, treeSize: number): Promise<Buffer[]> {
    return withNodes(
      (s) => inclusionPath(s, leafIndex, treeSize),
      (keys) => this.fetchNodes(keys),
    );
  }

  consistencyPath(first: number, second: number): Promise<Buffer[]> {
    return withNodes(
      (s) => consistencyPath(s, first, second),
      (keys) => this.fetchNodes(keys),
    );
  }

  /** The database's copy of the checkpoints: the latest, or the one of a tree size. */
  async checkpoint(
    treeSize?: number,
    client: Pick<PoolClient, 'query'> = this.pool,
  ): Promise<SignedCheckpoint | undefined> {
    const { rows } = await client.query<{ checkpoint: SignedCheckpoint }>(
      treeSize === undefined
        ? 'SELECT checkpoint FROM audit_checkpoints ORDER BY tree_size DESC LIMIT 1'
        : 'SELECT checkpoint FROM audit_checkpoints WHERE tree_size = $1',
      treeSize === undefined ? [] : [treeSize],
    );
    return rows[0]?.checkpoint;
  }
}
