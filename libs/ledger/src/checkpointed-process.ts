import {
  CheckpointedProcessorHost,
  type CheckpointedProcessor,
  type ProcessorSession,
  type ProcessorState,
} from '@ledger/background';
import type { EventStore, RecordedEvent } from '@ledger/event-store';
import type { DataSource, QueryRunner } from 'typeorm';

export interface CheckpointedProcessOptions {
  /** How long the host waits before starting over after a failure (an outage), times failures, up to 10 s. */
  retryMs?: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/**
 * What every process of the ledger is to its host: a checkpointed processor named `name`, with
 * the lease `cme-ledger/process/<name>` (one instance at a time) and its checkpoint as its row of
 * `process_checkpoints`. Each event of a batch becomes a trigger (or none) and is reacted to in
 * log order; then the checkpoint moves, fenced. A process says what triggers it and how it reacts.
 */
export abstract class CheckpointedProcess<Trigger> implements CheckpointedProcessor<RecordedEvent> {
  readonly leaseKey: string;
  readonly logFields: { process: string };
  private readonly host: CheckpointedProcessorHost<RecordedEvent>;
  private checkpoint = 0n;

  protected constructor(
    private readonly name: string,
    dataSource: DataSource,
    store: EventStore,
    options: CheckpointedProcessOptions,
  ) {
    this.leaseKey = `cme-ledger/process/${name}`;
    this.logFields = { process: name };
    this.host = new CheckpointedProcessorHost(dataSource, store, this, {
      batchSize: 100,
      retryMs: options.retryMs ?? 1000,
      ...(options.log ? { log: options.log } : {}),
    });
  }

  /** The trigger an event of the log is for this process, if any. */
  protected abstract triggerOf(recorded: RecordedEvent): Promise<Trigger | undefined>;

  /** Reacts to a trigger, and to each answer the reaction's calls bring back. */
  protected abstract react(trigger: Trigger): Promise<void>;

  get state(): ProcessorState {
    return this.host.state;
  }

  start(): void {
    this.host.start();
  }

  stop(): Promise<void> {
    return this.host.stop();
  }

  async open({ connection }: ProcessorSession): Promise<bigint> {
    const [row] = (await connection.query(
      'SELECT position::text FROM process_checkpoints WHERE name = $1',
      [this.name],
    )) as { position: string }[];
    this.checkpoint = BigInt(row?.position ?? '0');
    return this.checkpoint;
  }

  async handle(events: readonly RecordedEvent[], { connection }: ProcessorSession): Promise<void> {
    for (const recorded of events) {
      const trigger = await this.triggerOf(recorded);
      if (trigger) await this.react(trigger);
    }
    const last = events[events.length - 1];
    if (last) await this.moveCheckpoint(connection, last.position);
  }

  /**
   * Moves the checkpoint on the lease's connection, fenced: it must still be where it was. A
   * fenced upsert (ON CONFLICT … DO UPDATE … WHERE) is beyond TypeORM's query builder: SQL.
   */
  private async moveCheckpoint(connection: QueryRunner, position: bigint): Promise<void> {
    const result = await connection.query(
      `INSERT INTO process_checkpoints (name, position) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = now()
        WHERE process_checkpoints.position = $3`,
      [this.name, position.toString(), this.checkpoint.toString()],
      true,
    );
    if (result.affected !== 1) throw new Error(`${this.name}: checkpoint moved under this process`);
    this.checkpoint = position;
  }
}
