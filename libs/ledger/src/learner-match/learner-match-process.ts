import {
  CheckpointedProcessorHost,
  type CheckpointedProcessor,
  type ProcessorSession,
  type ProcessorState,
} from '@ledger/background';
import {
  LEARNER_MATCH_PROCESS,
  reactToLearnerMatch,
  type LearnerMatchTrigger,
} from '@ledger/domain';
import type { EventStore, RecordedEvent } from '@ledger/event-store';
import type { DataSource, QueryRunner } from 'typeorm';
import type { LearnerMatchEffectHandler } from './learner-match-effect-handler';

export interface LearnerMatchProcessOptions {
  /** How long the host waits before starting over after a failure (an outage), times failures, up to 10 s. */
  retryMs?: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/**
 * The learner match process (R16), a checkpointed processor: its host holds the lease (one
 * instance at a time) and follows the log from its row in `process_checkpoints`. Each profile
 * event is a trigger of the pure reactor (`reactToLearnerMatch`): the selected boards are asked
 * through the gateway port, and each answer is recorded in the learner's stream through the
 * CommandBus with an id derived from the profile event, so a redelivered event records nothing
 * twice. A board out of reach fails the batch: the checkpoint stays, and the host starts over
 * after a backoff; an outage is never recorded as a mismatch.
 */
export class LearnerMatchProcess implements CheckpointedProcessor<RecordedEvent> {
  readonly leaseKey = `cme-ledger/process/${LEARNER_MATCH_PROCESS}`;
  readonly logFields = { process: LEARNER_MATCH_PROCESS };
  private readonly host: CheckpointedProcessorHost<RecordedEvent>;
  private checkpoint = 0n;

  constructor(
    dataSource: DataSource,
    store: EventStore,
    private readonly effects: LearnerMatchEffectHandler,
    options: LearnerMatchProcessOptions = {},
  ) {
    this.host = new CheckpointedProcessorHost(dataSource, store, this, {
      batchSize: 100,
      retryMs: options.retryMs ?? 1000,
      ...(options.log ? { log: options.log } : {}),
    });
  }

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
      [LEARNER_MATCH_PROCESS],
    )) as { position: string }[];
    this.checkpoint = BigInt(row?.position ?? '0');
    return this.checkpoint;
  }

  async handle(events: readonly RecordedEvent[], { connection }: ProcessorSession): Promise<void> {
    for (const recorded of events) {
      const trigger = await this.effects.triggerOf(recorded);
      if (trigger) await this.react(trigger);
    }
    const last = events[events.length - 1];
    if (last) await this.moveCheckpoint(connection, last.position);
  }

  /** Reacts to a trigger, and to each answer the reaction's calls bring back. */
  private async react(trigger: LearnerMatchTrigger): Promise<void> {
    const learnerId =
      trigger.type === 'ProfileUpdated' ? trigger.learnerId : trigger.call.learnerId;
    const learner = await this.effects.learner(learnerId);
    for (const reaction of reactToLearnerMatch(trigger, learner, this.effects.context())) {
      const answer = await this.effects.perform(reaction);
      if (answer) await this.react(answer);
    }
  }

  /** Moves the checkpoint on the lease's connection, fenced: it must still be where it was. */
  private async moveCheckpoint(connection: QueryRunner, position: bigint): Promise<void> {
    const result = await connection.query(
      `INSERT INTO process_checkpoints (name, position) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = now()
        WHERE process_checkpoints.position = $3`,
      [LEARNER_MATCH_PROCESS, position.toString(), this.checkpoint.toString()],
      true,
    );
    if (result.affected !== 1)
      throw new Error(`${LEARNER_MATCH_PROCESS}: checkpoint moved under this process`);
    this.checkpoint = position;
  }
}
