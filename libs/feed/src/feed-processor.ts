import {
  CheckpointedProcessorHost,
  type CheckpointedProcessor,
  type ProcessorSession,
  type ProcessorState,
} from '@ledger/background';
import type { EventStore, RecordedEvent } from '@ledger/event-store';
import type { DataSource, QueryRunner } from 'typeorm';
import { toCloudEvent } from './cloud-event';
import { DeliveryError, type FeedTransport } from './feed-transport';
import { FeedDeadLetter } from './tables/feed-dead-letter.entity';
import { FeedSubscription } from './tables/feed-subscription.entity';

export interface FeedProcessorOptions {
  /** The CloudEvents `source`. */
  source: string;
  batchSize: number;
  /** Attempts at an event the receiver refuses before it becomes a dead letter. */
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** How often the feed looks for a replay asked for (ms; default 1000). */
  pollMs?: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

type Outcome = { delivered: true } | { delivered: false; attempts: number; error: string };

class Stopping extends Error {
  constructor() {
    super('the feed is stopping');
  }
}

/**
 * The event feed of one transport, a checkpointed processor: its host holds the lease
 * `cme-ledger/feed/<transport>` (one process at a time sends), follows the log from the
 * checkpoint in `feed_subscriptions`, and hands each event to the transport in log order, one
 * at a time. The checkpoint moves only past events the receiver acknowledged (or that went to
 * the dead-letter list), so every event is delivered at least once; a restart sends again at
 * most what was sent after the last checkpoint, with the same CloudEvents id.
 *
 * An unavailable receiver is tried again, with a backoff that doubles up to its cap, for as
 * long as it takes: the feed holds its place. An event the receiver refuses `maxAttempts`
 * times becomes a dead letter, and so does every later event of its stream (parked, not sent)
 * until the dead letters are replayed: consumers see each stream in order.
 */
export class FeedProcessor implements CheckpointedProcessor<RecordedEvent> {
  readonly leaseKey: string;
  readonly logFields: Record<string, unknown>;
  private readonly host: CheckpointedProcessorHost<RecordedEvent>;
  private checkpoint = 0n;
  /** Streams with a dead letter, and the id of their first one. */
  private parked = new Map<string, string>();
  private stopping = false;
  private wakeUp: (() => void) | undefined;

  constructor(
    dataSource: DataSource,
    private readonly store: EventStore,
    private readonly transport: FeedTransport,
    private readonly options: FeedProcessorOptions,
  ) {
    this.leaseKey = `cme-ledger/feed/${transport.name}`;
    this.logFields = { feed: transport.name };
    this.host = new CheckpointedProcessorHost(dataSource, store, this, {
      batchSize: options.batchSize,
      retryMs: 1000,
      ...(options.log ? { log: options.log } : {}),
    });
  }

  get name(): string {
    return this.transport.name;
  }

  get state(): ProcessorState {
    return this.host.state;
  }

  start(): void {
    this.host.start();
  }

  /** Stops after the event in flight; a wait between attempts ends at once. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeUp?.();
    await this.host.stop();
    await this.transport.close();
  }

  async open({ connection }: ProcessorSession): Promise<bigint> {
    const subscriptions = connection.manager.getRepository(FeedSubscription);
    await subscriptions
      .createQueryBuilder()
      .insert()
      .values({ name: this.name })
      .orIgnore()
      .updateEntity(false)
      .execute();
    const row = await subscriptions.findOneBy({ name: this.name });
    this.checkpoint = BigInt(row?.position ?? '0');
    await this.loadParked(connection);
    await this.transport.open();
    return this.checkpoint;
  }

  async handle(events: readonly RecordedEvent[], { connection }: ProcessorSession): Promise<void> {
    let done: RecordedEvent | undefined;
    let count = 0;
    try {
      for (const recorded of events) {
        if (recorded.position <= this.checkpoint) continue;
        if (this.stopping) throw new Stopping();
        await this.forward(recorded, connection);
        done = recorded;
        count += 1;
      }
    } finally {
      if (done) await this.moveCheckpoint(connection, done.position, count);
    }
  }

  /** A replay from a position, and dead letters to send again, as asked. */
  async tick(session: ProcessorSession): Promise<number> {
    await session.exclusive(async () => {
      await this.replayFromPosition(session);
      await this.replayDeadLetters(session.connection);
    });
    return this.options.pollMs ?? 1000;
  }

  /** Sends the event, or makes it a dead letter (refused, or its stream parked). */
  private async forward(recorded: RecordedEvent, connection: QueryRunner): Promise<void> {
    const behind = this.parked.get(recorded.streamName);
    if (behind) {
      await this.deadLetter(connection, recorded, 0, `parked behind dead letter ${behind}`, behind);
      return;
    }
    const outcome = await this.deliver(recorded, connection, this.options.maxAttempts);
    if (outcome.delivered) return;
    await this.deadLetter(connection, recorded, outcome.attempts, outcome.error, undefined);
    this.parked.set(recorded.streamName, recorded.id);
    this.options.log?.('feed: the receiver refused an event: it is a dead letter now', {
      ...this.logFields,
      event: recorded.id,
      position: recorded.position.toString(),
      error: outcome.error,
    });
  }

  /**
   * Sends until delivered (an unavailable receiver is waited for, however long) or refused
   * `refusals` times.
   */
  private async deliver(
    recorded: RecordedEvent,
    connection: QueryRunner,
    refusals: number,
  ): Promise<Outcome> {
    const event = toCloudEvent(recorded, this.options.source);
    let refused = 0;
    for (let failures = 1; ; failures++) {
      try {
        await this.transport.send(event);
        return { delivered: true };
      } catch (error) {
        if (!(error instanceof DeliveryError)) throw error;
        if (error.kind === 'refused' && ++refused >= refusals)
          return { delivered: false, attempts: failures, error: error.message };
        await this.noteError(connection, error.message);
        if (failures === 1 || failures % 10 === 0)
          this.options.log?.('feed: delivery failed, trying again after a backoff', {
            ...this.logFields,
            event: recorded.id,
            failures,
            error: error.message,
          });
      }
      await this.sleep(
        Math.min(this.options.maxBackoffMs, this.options.initialBackoffMs * 2 ** (failures - 1)),
      );
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.reject(new Stopping());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.wakeUp = undefined;
        resolve();
      }, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        reject(new Stopping());
      };
    });
  }

  private async noteError(connection: QueryRunner, message: string): Promise<void> {
    await connection.manager.update(
      FeedSubscription,
      { name: this.name },
      { lastError: message, lastErrorAt: () => 'now()' },
    );
  }

  private async deadLetter(
    connection: QueryRunner,
    recorded: RecordedEvent,
    attempts: number,
    error: string,
    parkedBehind: string | undefined,
  ): Promise<void> {
    await connection.manager
      .createQueryBuilder()
      .insert()
      .into(FeedDeadLetter)
      .values({
        subscription: this.name,
        eventId: recorded.id,
        position: recorded.position.toString(),
        streamName: recorded.streamName,
        eventType: recorded.type,
        attempts,
        lastError: error,
        parkedBehind: parkedBehind ?? null,
      })
      .orIgnore()
      .updateEntity(false)
      .execute();
  }

  private async loadParked(connection: QueryRunner): Promise<void> {
    // The first dead letter of each stream: DISTINCT ON, which TypeORM's finders do not offer.
    const rows = (await connection.query(
      `SELECT DISTINCT ON (stream_name) stream_name, event_id
         FROM feed_dead_letters WHERE subscription = $1 ORDER BY stream_name, position`,
      [this.name],
    )) as { stream_name: string; event_id: string }[];
    this.parked = new Map(rows.map((r) => [r.stream_name, r.event_id]));
  }

  /** Moves the checkpoint on the lease's connection, fenced: it must still be where it was. */
  private async moveCheckpoint(
    connection: QueryRunner,
    position: bigint,
    delivered: number,
  ): Promise<void> {
    const result = await connection.query(
      `UPDATE feed_subscriptions
          SET position = $2, delivered = delivered + $3, last_error = NULL, updated_at = now()
        WHERE name = $1 AND position = $4`,
      [this.name, position.toString(), delivered, this.checkpoint.toString()],
      true,
    );
    if (result.affected !== 1) throw new Error(`feed ${this.name}: checkpoint moved under it`);
    this.checkpoint = position;
  }

  private async replayFromPosition(session: ProcessorSession): Promise<void> {
    const rows = (await session.connection.query(
      `WITH asked AS (
         UPDATE feed_subscriptions
            SET position = replay_after, replay_after = NULL, replay_requested_at = NULL,
                updated_at = now()
          WHERE name = $1 AND replay_requested_at IS NOT NULL
          RETURNING position::text)
       SELECT position FROM asked`,
      [this.name],
    )) as { position: string }[];
    const row = rows[0];
    if (!row) return;
    this.checkpoint = BigInt(row.position);
    session.followFrom(this.checkpoint);
    this.options.log?.('feed: replaying from a position, as asked', {
      ...this.logFields,
      after: row.position,
    });
  }

  /**
   * Dead letters asked for, in log order, each sent once: delivered ones leave the list; a
   * failure stays, with its error, and the stream's later ones wait for the next request.
   */
  private async replayDeadLetters(connection: QueryRunner): Promise<void> {
    const rows = (await connection.query(
      `SELECT event_id, position::text, stream_name FROM feed_dead_letters
        WHERE subscription = $1 AND replay_requested_at IS NOT NULL ORDER BY position`,
      [this.name],
    )) as { event_id: string; position: string; stream_name: string }[];
    if (rows.length === 0) return;
    const failed = new Set<string>();
    for (const row of rows) {
      if (failed.has(row.stream_name)) continue;
      const error = await this.replayOne(connection, row.event_id, BigInt(row.position));
      if (error === undefined) {
        await connection.manager.delete(FeedDeadLetter, {
          subscription: this.name,
          eventId: row.event_id,
        });
      } else {
        failed.add(row.stream_name);
        await connection.query(
          `UPDATE feed_dead_letters SET attempts = attempts + 1, last_error = $3
            WHERE subscription = $1 AND event_id = $2`,
          [this.name, row.event_id, error],
        );
      }
    }
    await connection.query(
      `UPDATE feed_dead_letters SET replay_requested_at = NULL
        WHERE subscription = $1 AND replay_requested_at IS NOT NULL`,
      [this.name],
    );
    await this.loadParked(connection);
  }

  /** Sends one dead letter again, read from the log; answers the error, if any. */
  private async replayOne(
    connection: QueryRunner,
    id: string,
    position: bigint,
  ): Promise<string | undefined> {
    const [recorded] = await this.store.readAll({ after: position - 1n, maxCount: 1 });
    if (!recorded || recorded.id !== id)
      return `event ${id} is not at position ${position} of the log`;
    const event = toCloudEvent(recorded, this.options.source);
    try {
      await this.transport.send(event);
      return undefined;
    } catch (error) {
      if (!(error instanceof DeliveryError)) throw error;
      await this.noteError(connection, error.message);
      return error.message;
    }
  }
}
