import {
  CheckpointedProcessorHost,
  type CheckpointedProcessor,
  type ProcessorSession,
  type ProcessorState,
} from '@ledger/background';
import type { EventStore, RecordedEvent } from '@ledger/event-store';
import { learnerIdOfStream } from '@ledger/domain';
import type { DataSource, QueryRunner } from 'typeorm';
import { ProjectionApplyError, type ProjectedEvent, type Projection } from '../projection';
import { toProjected } from './projected-events';

export type RunnerState = ProcessorState;

export interface RunnerOptions {
  batchSize?: number;
  /** How often a runner without the lease tries again, and a failed one looks for a rebuild. */
  retryMs?: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

export const schemaOf = (projection: string, generation: number): string =>
  `rm_${projection.replace(/[^a-z0-9]/g, '_')}_g${generation}`;

interface StateRow {
  live_generation: number;
  live_position: string;
  rebuild_generation: number | null;
  rebuild_position: string | null;
  rebuild_requested_at: Date | null;
  failed_event: string | null;
}

/**
 * Keeps one projection from the log, as a checkpointed processor: its host applies events only
 * while it holds the projection's lease (a PostgreSQL advisory lock on a connection of its
 * own); other processes stand by and take over when it dies. Each batch's read-model writes and
 * the checkpoint commit in one transaction on that connection, and the checkpoint update is
 * fenced (it must still be at the position the batch started from), so a batch is never
 * applied twice nor lost.
 *
 * A rebuild fills a new generation from position zero while the live one keeps answering and
 * keeps following the log; once the new one has caught up, one transaction makes it live.
 */
export class ProjectionRunner implements CheckpointedProcessor<RecordedEvent> {
  readonly leaseKey: string;
  readonly logFields: Record<string, unknown>;
  private readonly host: CheckpointedProcessorHost<RecordedEvent>;
  private livePosition = 0n;
  private liveGeneration = 1;

  constructor(
    dataSource: DataSource,
    private readonly store: EventStore,
    readonly projection: Projection,
    private readonly options: RunnerOptions = {},
  ) {
    this.leaseKey = `cme-ledger/projection/${projection.name}`;
    this.logFields = { projection: projection.name };
    this.host = new CheckpointedProcessorHost(dataSource, store, this, {
      batchSize: this.batchSize,
      retryMs: options.retryMs ?? 1000,
      ...(options.log ? { log: options.log } : {}),
    });
  }

  get state(): RunnerState {
    return this.host.state;
  }

  get position(): bigint {
    return this.livePosition;
  }

  start(): void {
    this.host.start();
  }

  stop(): Promise<void> {
    return this.host.stop();
  }

  private get batchSize(): number {
    return this.options.batchSize ?? 1000;
  }

  private log(message: string, fields: Record<string, unknown> = {}): void {
    this.options.log?.(message, { ...this.logFields, ...fields });
  }

  /** With the lease: the tables of this version, and the live checkpoint to follow from. */
  async open({ connection }: ProcessorSession): Promise<bigint> {
    await this.ensureState(connection);
    const state = await this.readState(connection);
    if (!state) throw new Error('projection state vanished');
    this.livePosition = BigInt(state.live_position);
    this.liveGeneration = state.live_generation;
    return this.livePosition;
  }

  /** A live batch; what the live generation has (a rebuild swapped in further) is passed over. */
  async handle(events: readonly RecordedEvent[], { connection }: ProcessorSession): Promise<void> {
    const fresh = events.filter((e) => e.position > this.livePosition);
    if (fresh.length === 0) return;
    await this.applyOrQuarantine(
      connection,
      schemaOf(this.projection.name, this.liveGeneration),
      fresh,
      'live',
    );
  }

  /** Runs a requested rebuild step by step, between live batches. */
  async tick(session: ProcessorSession): Promise<number> {
    const step = await session.exclusive(() => this.rebuildStep(session));
    return step === 'progress' ? 0 : (this.options.retryMs ?? 1000);
  }

  private async ensureState(connection: QueryRunner): Promise<void> {
    const existing = await this.readState(connection);
    await inTransaction(connection, async () => {
      if (existing) {
        // A live generation made by an earlier version: bring its tables to this version's layout.
        const schema = schemaOf(this.projection.name, existing.live_generation);
        await createQuarantineTable(connection, schema);
        await this.projection.upgradeTables?.(connection.manager, schema);
      } else {
        await this.createGeneration(connection, schemaOf(this.projection.name, 1));
        await connection.query(
          `INSERT INTO projection_state (name, live_generation, live_position) VALUES ($1, 1, 0)`,
          [this.projection.name],
        );
      }
    });
  }

  /** A generation's schema: the projection's tables and the quarantine of its events. */
  private async createGeneration(connection: QueryRunner, schema: string): Promise<void> {
    await connection.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await connection.query(`CREATE SCHEMA ${schema}`);
    await this.projection.createTables(connection.manager, schema);
    await createQuarantineTable(connection, schema);
  }

  private async readState(connection: QueryRunner): Promise<StateRow | undefined> {
    const rows = (await connection.query(
      `SELECT live_generation, live_position::text, rebuild_generation, rebuild_position::text,
              rebuild_requested_at, failed_event
         FROM projection_state WHERE name = $1`,
      [this.projection.name],
    )) as StateRow[];
    return rows[0];
  }

  /**
   * Applies a batch; when the projection cannot apply it, applies its events one at a time and
   * quarantines each one it cannot apply (recorded in the generation with its learner, the
   * checkpoint moved past it, the alert raised), so one event never stops the projection for
   * every learner. Reads of that learner refuse until a rebuild applies it (after a fix).
   */
  private async applyOrQuarantine(
    connection: QueryRunner,
    schema: string,
    events: readonly RecordedEvent[],
    target: Target,
  ): Promise<void> {
    try {
      await this.applyBatch(connection, schema, events, target);
      return;
    } catch (error) {
      if (!(error instanceof BatchApplyError)) throw error;
    }
    for (const event of events) {
      try {
        await this.applyBatch(connection, schema, [event], target);
      } catch (single) {
        if (!(single instanceof BatchApplyError)) throw single;
        await this.quarantine(connection, schema, event, single, target);
      }
    }
  }

  private async quarantine(
    connection: QueryRunner,
    schema: string,
    event: RecordedEvent,
    error: BatchApplyError,
    target: Target,
  ): Promise<void> {
    const failure = new ProjectionApplyError(this.projection.name, event, error.causeMessage);
    const learnerId = error.learnerId ?? learnerIdOfStream(event.streamName);
    await inTransaction(connection, async () => {
      await connection.query(
        `INSERT INTO ${schema}.quarantined_events (position, event_id, stream_name, event_type, learner_id, failure)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (position) DO NOTHING`,
        [
          event.position.toString(),
          event.id,
          event.streamName,
          event.type,
          learnerId ?? null,
          failure.message,
        ],
      );
      await this.moveCheckpoint(connection, event, 0, target);
      if (target === 'live') await this.raiseQuarantineAlert(connection, schema);
    });
    if (target === 'live') this.livePosition = event.position;
    this.log(
      'projection quarantined an event it cannot apply: reads of its learner refuse until a rebuild applies it',
      {
        alert: 'projection-event-quarantined',
        event: event.id,
        position: event.position.toString(),
        learnerId,
        error: failure.message,
      },
    );
  }

  /** projection_state names the quarantine (in /health, /metrics and the admin status). */
  private async raiseQuarantineAlert(connection: QueryRunner, schema: string): Promise<void> {
    await connection.query(
      `UPDATE projection_state p
          SET quarantined_events = q.n,
              failed_event = CASE WHEN q.n = 0 THEN NULL
                                  ELSE q.n || ' event(s) quarantined, the last ' || q.last END,
              failure = q.failure, updated_at = now()
         FROM (SELECT count(*)::int AS n,
                      (array_agg(event_type || ' ' || event_id || ' at position ' || position ORDER BY position DESC))[1] AS last,
                      (array_agg(failure ORDER BY position DESC))[1] AS failure
                 FROM ${schema}.quarantined_events) q
        WHERE p.name = $1`,
      [this.projection.name],
    );
  }

  /** Applies events and moves the checkpoint, in one transaction on the lease's connection. */
  private async applyBatch(
    connection: QueryRunner,
    schema: string,
    events: readonly RecordedEvent[],
    target: Target,
  ): Promise<void> {
    const last = events[events.length - 1];
    if (!last) return;
    let projected: ProjectedEvent[];
    try {
      projected = await Promise.all(events.map(toProjected));
    } catch (error) {
      // An event that cannot even be decoded cannot be applied either.
      throw new BatchApplyError((error as Error).message, undefined);
    }
    await inTransaction(connection, async () => {
      try {
        await this.projection.apply(connection.manager, schema, projected);
      } catch (error) {
        throw new BatchApplyError(
          (error as Error).message,
          projected.length === 1 ? projected[0]?.learnerId : undefined,
        );
      }
      await this.moveCheckpoint(connection, last, events.length, target);
    });
    if (target === 'live') this.livePosition = last.position;
  }

  /** Moves the checkpoint to `last`, fenced: it must still be where this runner left it. */
  private async moveCheckpoint(
    connection: QueryRunner,
    last: RecordedEvent,
    applied: number,
    target: Target,
  ): Promise<void> {
    const result =
      target === 'live'
        ? await connection.query(
            `UPDATE projection_state
                SET live_position = $2, events_applied = events_applied + $3,
                    last_applied_recorded_at = $4, updated_at = now()
              WHERE name = $1 AND live_position = $5 AND live_generation = $6`,
            [
              this.projection.name,
              last.position.toString(),
              applied,
              last.recordedAt,
              this.livePosition.toString(),
              this.liveGeneration,
            ],
            true,
          )
        : await connection.query(
            `UPDATE projection_state SET rebuild_position = $2, updated_at = now()
              WHERE name = $1 AND rebuild_generation IS NOT NULL`,
            [this.projection.name, last.position.toString()],
            true,
          );
    if (result.affected !== 1)
      throw new Error(`projection ${this.projection.name}: checkpoint moved under this runner`);
  }

  /** One step of a requested rebuild: start it, apply a page, or swap it in. */
  private async rebuildStep(session: ProcessorSession): Promise<'idle' | 'progress' | 'swapped'> {
    const { connection } = session;
    const state = await this.readState(connection);
    if (!state?.rebuild_requested_at) return 'idle';
    if (state.rebuild_generation === null) {
      const generation = state.live_generation + 1;
      await inTransaction(connection, async () => {
        await this.createGeneration(connection, schemaOf(this.projection.name, generation));
        await connection.query(
          `UPDATE projection_state SET rebuild_generation = $2, rebuild_position = 0 WHERE name = $1`,
          [this.projection.name, generation],
        );
      });
      this.log('rebuild started', { generation });
      return 'progress';
    }
    const generation = state.rebuild_generation;
    const schema = schemaOf(this.projection.name, generation);
    let position = BigInt(state.rebuild_position ?? '0');
    // Several pages per step, then let live batches in.
    for (let i = 0; i < 20; i++) {
      const page = await this.store.readAll({ after: position, maxCount: this.batchSize });
      const last = page[page.length - 1];
      if (last) {
        await this.applyOrQuarantine(connection, schema, page, 'rebuild');
        position = last.position;
      }
      // Caught up with the log. The live checkpoint is normally at most here (what it applied
      // was readable before this read); when it is beyond (read models restored apart from
      // this log, or applied by a process that could read further), this generation, made
      // from the log, replaces it, and the live subscription follows on from here.
      if (page.length < this.batchSize) {
        const below = position < this.livePosition;
        if (below) {
          this.log('rebuild caught up with the log below the live checkpoint: replacing it', {
            position: position.toString(),
            live: this.livePosition.toString(),
          });
        }
        await this.swap(connection, state.live_generation, generation, position);
        if (below) session.followFrom(position);
        return 'swapped';
      }
    }
    return 'progress';
  }

  private async swap(
    connection: QueryRunner,
    oldGeneration: number,
    generation: number,
    position: bigint,
  ): Promise<void> {
    await inTransaction(connection, async () => {
      await connection.query(
        `UPDATE projection_state
            SET live_generation = $2, live_position = $3, rebuild_generation = NULL, rebuild_position = NULL,
                rebuild_requested_at = NULL, failed_event = NULL, failure = NULL, updated_at = now()
          WHERE name = $1`,
        [this.projection.name, generation, position.toString()],
      );
      await connection.query(
        `DROP SCHEMA IF EXISTS ${schemaOf(this.projection.name, oldGeneration)} CASCADE`,
      );
      // What the new generation could not apply, if anything, is the projection's alert now.
      await this.raiseQuarantineAlert(connection, schemaOf(this.projection.name, generation));
    });
    this.liveGeneration = generation;
    this.livePosition = position;
    this.log('rebuild swapped in', { generation, position: position.toString() });
  }
}

type Target = 'live' | 'rebuild';

/** Runs work in one transaction on the connection: committed, or rolled back and thrown. */
async function inTransaction(connection: QueryRunner, work: () => Promise<void>): Promise<void> {
  await connection.startTransaction();
  try {
    await work();
    await connection.commitTransaction();
  } catch (error) {
    await connection.rollbackTransaction().catch(() => undefined);
    throw error;
  }
}

class BatchApplyError extends Error {
  constructor(
    readonly causeMessage: string,
    /** The learner of the one event applied, when it concerns one. */
    readonly learnerId: string | undefined,
  ) {
    super(causeMessage);
  }
}

/** The events a generation could not apply, by position, with the learner each concerns. */
async function createQuarantineTable(connection: QueryRunner, schema: string): Promise<void> {
  await connection.query(`
    CREATE TABLE IF NOT EXISTS ${schema}.quarantined_events (
      position       bigint      PRIMARY KEY,
      event_id       uuid        NOT NULL,
      stream_name    text        NOT NULL,
      event_type     text        NOT NULL,
      learner_id     text,
      failure        text        NOT NULL,
      quarantined_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX IF NOT EXISTS quarantined_events_learner ON ${schema}.quarantined_events (learner_id);`);
}

/**
 * Asks the runner holding the projection's lease to rebuild it (from the API or the CLI).
 * False when the projection has never run here; a rebuild already asked for stays as it is.
 */
export async function requestRebuild(dataSource: DataSource, projection: string): Promise<boolean> {
  // A SELECT around the UPDATE, so that the driver answers the rows (not [rows, count]).
  const rows = (await dataSource.query(
    `WITH asked AS (
       UPDATE projection_state
          SET rebuild_requested_at = coalesce(rebuild_requested_at, now()), updated_at = now()
        WHERE name = $1 RETURNING name)
     SELECT name FROM asked`,
    [projection],
  )) as { name: string }[];
  return rows.length > 0;
}
