import { InterruptibleLoop } from '@ledger/background';
import type { PoolClient } from 'pg';
import type { CheckpointSigner, SignedCheckpoint } from './checkpoint';
import type { LogTree, TreeExtent } from './log-tree';
import type { CheckpointWitness } from './witness';

export interface CheckpointPolicy {
  /** Sign once the tree holds this many events more than the last checkpoint. */
  everyEvents: number;
  /** ... or once this long has passed since it, when any event was added. */
  intervalMs: number;
  /** How often the tree is extended from the log. */
  pollMs?: number;
  clock?: () => Date;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

/**
 * Extends the tree from the log and signs a checkpoint when one is due: the witness keeps it
 * first (outside the database), then the database's copy, in the transaction that extended the
 * tree, under the tree's lock. Appends never wait for it: it reads the log as any reader does.
 */
export class Checkpointer {
  private readonly loop: InterruptibleLoop;
  private last: SignedCheckpoint | undefined;

  constructor(
    private readonly tree: LogTree,
    private readonly signer: CheckpointSigner,
    private readonly witness: CheckpointWitness,
    private readonly policy: CheckpointPolicy,
  ) {
    this.loop = new InterruptibleLoop({
      turn: async () => {
        const { added } = await this.turn();
        // A full page: more is waiting. Otherwise the log's end was reached: wait, so that the
        // tree grows by larger pages (one transaction each) rather than event by event.
        return added >= this.tree.pageSize ? 0 : (this.policy.pollMs ?? 1000);
      },
      onFailure: (error, failures) =>
        this.policy.log?.('checkpoint turn failed', {
          error: (error as Error).message,
          failures,
        }),
    });
  }

  /** The last checkpoint this process signed or read. */
  get latest(): SignedCheckpoint | undefined {
    return this.last;
  }

  /** Extends the tree by a page; signs when due (or when `force`, if the tree grew). */
  async turn(force = false): Promise<{ added: number; checkpoint: SignedCheckpoint | undefined }> {
    const { added, result } = await this.tree.extend(
      (client, extent) => this.signIfDue(client, extent, force),
      1,
    );
    if (result) this.last = result;
    return { added, checkpoint: result };
  }

  /** Brings the tree up to the log's end and signs it (CLI, tests, benchmarks). */
  async checkpointNow(): Promise<SignedCheckpoint> {
    const { result } = await this.tree.extend((client, extent) =>
      this.signIfDue(client, extent, true),
    );
    const latest = result ?? (await this.tree.checkpoint());
    if (!latest) throw new Error('no checkpoint could be signed');
    this.last = latest;
    return latest;
  }

  start(): void {
    void this.loop.start().catch(() => undefined);
  }

  wake(): void {
    this.loop.wake();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  private async signIfDue(
    client: PoolClient,
    extent: TreeExtent,
    force: boolean,
  ): Promise<SignedCheckpoint | undefined> {
    const latest = await this.tree.checkpoint(undefined, client);
    const now = (this.policy.clock ?? (() => new Date()))();
    if (latest && latest.treeSize >= extent.size) {
      this.last = latest;
      return undefined;
    }
    const grown = extent.size - (latest?.treeSize ?? 0);
    const since = latest ? now.getTime() - Date.parse(latest.issuedAt) : Infinity;
    const notDue = grown < this.policy.everyEvents && since < this.policy.intervalMs;
    // An empty log has nothing to sign unless asked.
    if (!force && (notDue || extent.size === 0)) {
      return undefined;
    }
    const root = await this.tree.root(extent.size, client);
    const checkpoint = this.signer.sign({
      treeSize: extent.size,
      rootHash: root.toString('hex'),
      position: extent.position.toString(),
      issuedAt: now.toISOString(),
    });
    await this.witness.append(checkpoint);
    await client.query(
      'INSERT INTO audit_checkpoints (tree_size, position, checkpoint) VALUES ($1, $2, $3)',
      [checkpoint.treeSize, checkpoint.position, JSON.stringify(checkpoint)],
    );
    this.policy.log?.('checkpoint signed', {
      treeSize: checkpoint.treeSize,
      position: checkpoint.position,
      rootHash: checkpoint.rootHash,
    });
    return checkpoint;
  }
}
