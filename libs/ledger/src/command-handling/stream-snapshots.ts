import { hkdfSync } from 'node:crypto';
import type { DataSource } from 'typeorm';

/**
 * Snapshots of folded streams: a cache of the fold, never a fact. The log stays the only
 * truth; a snapshot only saves reading and folding the events up to its revision. It is used
 * only when its state version is the one the code folds with today and the stream still holds,
 * at its revision, the event it was made after; anything else and the stream is folded again.
 */
export interface StoredSnapshot {
  streamName: string;
  /** The decider's state version (shape and rules): part of the key. */
  stateVersion: string;
  /** The stream's revision the state was folded up to (inclusive). */
  revision: bigint;
  /** The id of the event at `revision`: checked on load, so a snapshot of another history is never used. */
  eventId: string;
  /** The state, as the stream kind's codec wrote it. */
  state: string;
  /** The command ids the stream held, as the executor remembers them (JSON). */
  commands: string;
}

/** Where snapshots are kept. */
export interface SnapshotStore {
  load(streamName: string, stateVersion: string): Promise<StoredSnapshot | undefined>;
  save(snapshot: StoredSnapshot): Promise<void>;
}

/** How one stream kind's state becomes a snapshot and back (personal data encrypted). */
export interface SnapshotCodec<State> {
  /** Bumped when the state's shape or a rule of `evolve` changes: old snapshots are then passed over. */
  stateVersion: string;
  encode(state: State, streamName: string): Promise<string>;
  /** The state, or undefined when it cannot be read any more (e.g. the learner's key was erased). */
  decode(text: string, streamName: string): Promise<State | undefined>;
}

export interface SnapshotSettings {
  store: SnapshotStore;
  /**
   * Seals each snapshot (HMAC-SHA256): a key from configuration, never kept in the database,
   * so that a snapshot the ledger did not write is never decided from (see `snapshotKey`).
   */
  key: Buffer;
  /** Write a snapshot once this many events were folded since the last one (0: never). */
  every: number;
  /** The codec for streams whose name starts with `prefix`; other streams get no snapshot. */
  codecs: readonly { prefix: string; codec: SnapshotCodec<never> }[];
}

/** Snapshots in the ledger's PostgreSQL database (table `stream_snapshots`, entity `StreamSnapshot`). */
export class PostgresSnapshotStore implements SnapshotStore {
  constructor(private readonly dataSource: DataSource) {}

  async load(streamName: string, stateVersion: string): Promise<StoredSnapshot | undefined> {
    // In SQL, as `save`: the row's one long column handed over as it comes, no entity made.
    const [row] = (await this.dataSource.query(
      `SELECT revision::text AS revision, event_id, state, commands
         FROM stream_snapshots WHERE stream_name = $1 AND state_version = $2`,
      [streamName, stateVersion],
    )) as { revision: string; event_id: string; state: string; commands: string }[];
    if (!row) return undefined;
    return {
      streamName,
      stateVersion,
      revision: BigInt(row.revision),
      eventId: row.event_id,
      state: row.state,
      commands: row.commands,
    };
  }

  async save(s: StoredSnapshot): Promise<void> {
    // One snapshot per stream: the latest revision of the version written last wins. An upsert
    // whose update is conditional (ON CONFLICT … DO UPDATE … WHERE) is beyond TypeORM's
    // query builder, which can only overwrite: one statement, in SQL.
    await this.dataSource.query(
      `INSERT INTO stream_snapshots (stream_name, state_version, revision, event_id, state, commands)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (stream_name) DO UPDATE
          SET state_version = EXCLUDED.state_version, revision = EXCLUDED.revision,
              event_id = EXCLUDED.event_id, state = EXCLUDED.state,
              commands = EXCLUDED.commands, written_at = now()
        WHERE stream_snapshots.state_version <> EXCLUDED.state_version
           OR stream_snapshots.revision < EXCLUDED.revision`,
      [s.streamName, s.stateVersion, s.revision.toString(), s.eventId, s.state, s.commands],
    );
  }
}

/** The snapshots' sealing key, derived from the master key (its own label: never the same key). */
export const snapshotKey = (masterKey: Buffer): Buffer =>
  Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'cme-ledger/snapshot-seal/v1', 32));
