import type { EventStore, RecordedEvent, Subscription } from '@ledger/event-store';
import { KeyedMutex, LEARNER_STREAM_PREFIX } from '@ledger/ledger';
import type { DataSource, QueryRunner } from 'typeorm';
import { ProjectionApplyError, type ProjectedEvent, type Projection } from '../projection';
import { toProjected } from './projected-events';

export type RunnerState = 'starting' | 'standby' | 'running' | 'failed' | 'stopped';

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
 * Keeps one projection from the log. Only the process holding the projection's lease (a
 * PostgreSQL advisory lock on a connection of its own) applies events; others stand by and
 * take over when it dies. Each batch's read-model writes and the checkpoint commit in one
 * transaction on that connection, and the checkpoint update is fenced (it must still be at
 * the position the batch started from), so a batch is never applied twice nor lost.
 *
 * A rebuild fills a new generation from position zero while the live one keeps answering and
 * keeps following the log; once the new one has caught up, one transaction makes it live.
 */
export class ProjectionRunner {
  private stopped = false;
  private loop: Promise<void> | undefined;
  private lease: QueryRunner | undefined;
  private subscription: Subscription | undefined;
  private readonly mutex = new KeyedMutex();
  private livePosition = 0n;
  private liveGeneration = 1;
  private current: RunnerState = 'starting';
  private wake: (() => void) | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: EventStore,
    readonly projection: Projection,
    private readonly options: RunnerOptions = {},
  ) {}

  get state(): RunnerState {
    return this.current;
  }

  get position(): bigint {
    return this.livePosition;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.subscription?.stop();
    await this.loop;
    this.current = 'stopped';
  }

  private log(message: string, fields: Record<string, unknown> = {}): void {
    this.options.log?.(message, { projection: this.projection.name, ...fields });
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        if (await this.acquireLease()) {
          failures = 0;
          await this.ensureState();
          await this.follow();
        } else {
          this.current = 'standby';
        }
      } catch (error) {
        failures += 1;
        this.log('projection runner interrupted', { error: (error as Error).message });
      } finally {
        await this.releaseLease();
      }
      if (!this.stopped)
        await this.sleep(Math.min(10_000, (this.options.retryMs ?? 1000) * Math.max(1, failures)));
    }
  }

  private async acquireLease(): Promise<boolean> {
    const lease = this.dataSource.createQueryRunner();
    await lease.connect();
    const [row] = (await lease.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [
      `cme-ledger/projection/${this.projection.name}`,
    ])) as { locked: boolean }[];
    if (!row?.locked) {
      await lease.release();
      return false;
    }
    this.lease = lease;
    return true;
  }

  private async releaseLease(): Promise<void> {
    const lease = this.lease;
    this.lease = undefined;
    if (!lease) return;
    await lease
      .query('SELECT pg_advisory_unlock(hashtext($1))', [
        `cme-ledger/projection/${this.projection.name}`,
      ])
      .catch(() => undefined);
    await lease.release().catch(() => undefined);
  }

  private async ensureState(): Promise<void> {
    const lease = this.requireLease();
    const existing = await this.readState();
    if (existing) {
      // A live generation made by an earlier version: bring its tables to this version's layout.
      const schema = schemaOf(this.projection.name, existing.live_generation);
      await lease.startTransaction();
      try {
        await createQuarantineTable(lease, schema);
        await this.projection.upgradeTables?.(lease.manager, schema);
        await lease.commitTransaction();
      } catch (error) {
        await lease.rollbackTransaction();
        throw error;
      }
    } else {
      await lease.startTransaction();
      try {
        const schema = schemaOf(this.projection.name, 1);
        await this.createGeneration(schema);
        await lease.query(
          `INSERT INTO projection_state (name, live_generation, live_position) VALUES ($1, 1, 0)`,
          [this.projection.name],
        );
        await lease.commitTransaction();
      } catch (error) {
        await lease.rollbackTransaction();
        throw error;
      }
    }
  }

  /** A generation's schema: the projection's tables and the quarantine of its events. */
  private async createGeneration(schema: string): Promise<void> {
    const lease = this.requireLease();
    await lease.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await lease.query(`CREATE SCHEMA ${schema}`);
    await this.projection.createTables(lease.manager, schema);
    await createQuarantineTable(lease, schema);
  }

  private async readState(): Promise<StateRow | undefined> {
    const rows = (await this.requireLease().query(
      `SELECT live_generation, live_position::text, rebuild_generation, rebuild_position::text,
              rebuild_requested_at, failed_event
         FROM projection_state WHERE name = $1`,
      [this.projection.name],
    )) as StateRow[];
    return rows[0];
  }

  /** Follows the log until stopped or interrupted; runs rebuilds when asked. */
  private async follow(): Promise<void> {
    const state = await this.readState();
    if (!state) throw new Error('projection state vanished');
    this.livePosition = BigInt(state.live_position);
    this.liveGeneration = state.live_generation;
    // An event this projection cannot apply is quarantined, never a reason to stop.
    this.current = 'running';
    this.subscribe();
    while (!this.stopped) {
      if (this.subscriptionEnded) {
        const ended = this.subscriptionEnded;
        this.subscriptionEnded = undefined;
        this.subscription = undefined;
        if (!this.stopped) throw ended.error ?? new Error('the subscription ended');
      }
      const step = await this.mutex.run('lease', () => this.rebuildStep());
      if (step === 'swapped' && this.retired) {
        // The new generation starts below where the live subscription was: follow from there.
        const retired = this.retired;
        this.retired = undefined;
        await retired.stop();
        this.subscriptionEnded = undefined;
        this.subscribe();
      }
      if (step !== 'progress') await this.sleep(this.options.retryMs ?? 1000);
    }
  }

  private subscriptionEnded: { error: unknown } | undefined;
  /** The live subscription a rebuild swapped in below of (see rebuildStep): it applies no more. */
  private retired: Subscription | undefined;

  private subscribe(): void {
    const subscription: Subscription = this.store.subscribeToAll(
      (events) =>
        this.mutex.run('lease', async () => {
          if (this.subscription === subscription) await this.applyLive(events);
        }),
      { after: this.livePosition, batchSize: this.options.batchSize ?? 1000 },
    );
    this.subscription = subscription;
    subscription.done.then(
      () => {
        this.subscriptionEnded = { error: undefined };
        this.wake?.();
      },
      (error: unknown) => {
        this.subscriptionEnded = { error };
        this.wake?.();
      },
    );
  }

  private async applyLive(events: readonly RecordedEvent[]): Promise<void> {
    const fresh = events.filter((e) => e.position > this.livePosition);
    if (fresh.length === 0) return;
    await this.applyOrQuarantine(
      schemaOf(this.projection.name, this.liveGeneration),
      fresh,
      'live',
    );
  }

  /**
   * Applies a batch; when the projection cannot apply it, applies its events one at a time and
   * quarantines each one it cannot apply (recorded in the generation with its learner, the
   * checkpoint moved past it, the alert raised), so one event never stops the projection for
   * every learner. Reads of that learner refuse until a rebuild applies it (after a fix).
   */
  private async applyOrQuarantine(
    schema: string,
    events: readonly RecordedEvent[],
    target: 'live' | 'rebuild',
  ): Promise<void> {
    try {
      await this.applyBatch(schema, events, target);
      return;
    } catch (error) {
      if (!(error instanceof BatchApplyError)) throw error;
    }
    for (const event of events) {
      try {
        await this.applyBatch(schema, [event], target);
      } catch (single) {
        if (!(single instanceof BatchApplyError)) throw single;
        await this.quarantine(schema, event, single, target);
      }
    }
  }

  private async quarantine(
    schema: string,
    event: RecordedEvent,
    error: BatchApplyError,
    target: 'live' | 'rebuild',
  ): Promise<void> {
    const lease = this.requireLease();
    const failure = new ProjectionApplyError(this.projection.name, event, error.causeMessage);
    const learnerId = error.learnerId ?? learnerOfStream(event.streamName);
    await lease.startTransaction();
    try {
      await lease.query(
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
      await this.moveCheckpoint(event, 0, target);
      if (target === 'live') await this.raiseQuarantineAlert(schema);
      await lease.commitTransaction();
    } catch (caught) {
      await lease.rollbackTransaction().catch(() => undefined);
      throw caught;
    }
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
  private async raiseQuarantineAlert(schema: string): Promise<void> {
    await this.requireLease().query(
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
    schema: string,
    events: readonly RecordedEvent[],
    target: 'live' | 'rebuild',
  ): Promise<void> {
    const lease = this.requireLease();
    const last = events[events.length - 1];
    if (!last) return;
    let projected: ProjectedEvent[];
    try {
      projected = await Promise.all(events.map(toProjected));
    } catch (error) {
      // An event that cannot even be decoded cannot be applied either.
      throw new BatchApplyError((error as Error).message, undefined);
    }
    await lease.startTransaction();
    try {
      try {
        await this.projection.apply(lease.manager, schema, projected);
      } catch (error) {
        throw new BatchApplyError(
          (error as Error).message,
          projected.length === 1 ? projected[0]?.learnerId : undefined,
        );
      }
      await this.moveCheckpoint(last, events.length, target);
      await lease.commitTransaction();
    } catch (error) {
      await lease.rollbackTransaction().catch(() => undefined);
      throw error;
    }
    if (target === 'live') this.livePosition = last.position;
  }

  /** Moves the checkpoint to `last`, fenced: it must still be where this runner left it. */
  private async moveCheckpoint(
    last: RecordedEvent,
    applied: number,
    target: 'live' | 'rebuild',
  ): Promise<void> {
    const lease = this.requireLease();
    const result =
      target === 'live'
        ? await lease.query(
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
        : await lease.query(
            `UPDATE projection_state SET rebuild_position = $2, updated_at = now()
              WHERE name = $1 AND rebuild_generation IS NOT NULL`,
            [this.projection.name, last.position.toString()],
            true,
          );
    if (result.affected !== 1)
      throw new Error(`projection ${this.projection.name}: checkpoint moved under this runner`);
  }

  /** One step of a requested rebuild: start it, apply a page, or swap it in. */
  private async rebuildStep(): Promise<'idle' | 'progress' | 'swapped'> {
    const lease = this.requireLease();
    const state = await this.readState();
    if (!state?.rebuild_requested_at) return 'idle';
    if (state.rebuild_generation === null) {
      const generation = state.live_generation + 1;
      const schema = schemaOf(this.projection.name, generation);
      await lease.startTransaction();
      try {
        await this.createGeneration(schema);
        await lease.query(
          `UPDATE projection_state SET rebuild_generation = $2, rebuild_position = 0 WHERE name = $1`,
          [this.projection.name, generation],
        );
        await lease.commitTransaction();
      } catch (error) {
        await lease.rollbackTransaction();
        throw error;
      }
      this.log('rebuild started', { generation });
      return 'progress';
    }
    const generation = state.rebuild_generation;
    const schema = schemaOf(this.projection.name, generation);
    let position = BigInt(state.rebuild_position ?? '0');
    const batchSize = this.options.batchSize ?? 1000;
    // Several pages per step, then let live batches in.
    for (let i = 0; i < 20; i++) {
      const page = await this.store.readAll({ after: position, maxCount: batchSize });
      const last = page[page.length - 1];
      if (last) {
        await this.applyOrQuarantine(schema, page, 'rebuild');
        position = last.position;
      }
      // Caught up with the log. The live checkpoint is normally at most here (what it applied
      // was readable before this read); when it is beyond (read models restored apart from
      // this log, or applied by a process that could read further), this generation, made
      // from the log, replaces it, and the live subscription follows on from here.
      if (page.length < batchSize) {
        if (position < this.livePosition) {
          this.log('rebuild caught up with the log below the live checkpoint: replacing it', {
            position: position.toString(),
            live: this.livePosition.toString(),
          });
          this.retired = this.subscription;
          this.subscription = undefined;
        }
        return this.swap(state.live_generation, generation, position);
      }
    }
    return 'progress';
  }

  private async swap(
    oldGeneration: number,
    generation: number,
    position: bigint,
  ): Promise<'swapped'> {
    const lease = this.requireLease();
    await lease.startTransaction();
    try {
      await lease.query(
        `UPDATE projection_state
            SET live_generation = $2, live_position = $3, rebuild_generation = NULL, rebuild_position = NULL,
                rebuild_requested_at = NULL, failed_event = NULL, failure = NULL, updated_at = now()
          WHERE name = $1`,
        [this.projection.name, generation, position.toString()],
      );
      await lease.query(
        `DROP SCHEMA IF EXISTS ${schemaOf(this.projection.name, oldGeneration)} CASCADE`,
      );
      // What the new generation could not apply, if anything, is the projection's alert now.
      await this.raiseQuarantineAlert(schemaOf(this.projection.name, generation));
      await lease.commitTransaction();
    } catch (error) {
      await lease.rollbackTransaction();
      throw error;
    }
    this.liveGeneration = generation;
    this.livePosition = position;
    this.log('rebuild swapped in', { generation, position: position.toString() });
    return 'swapped';
  }

  private requireLease(): QueryRunner {
    if (!this.lease) throw new Error('the projection lease is not held');
    return this.lease;
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
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

const learnerOfStream = (streamName: string): string | undefined =>
  streamName.startsWith(LEARNER_STREAM_PREFIX)
    ? streamName.slice(LEARNER_STREAM_PREFIX.length)
    : undefined;

/** The events a generation could not apply, by position, with the learner each concerns. */
async function createQuarantineTable(lease: QueryRunner, schema: string): Promise<void> {
  await lease.query(`
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
