import {
  CheckpointedProcessorHost,
  type CheckpointedProcessor,
  type ProcessorSession,
  type ProcessorState,
} from '@ledger/background';
import {
  BOARD_SUBMISSION_PROCESS,
  reactToBoardSubmission,
  streamsReadBy,
  type BoardSubmissionTrigger,
} from '@ledger/domain';
import type { EventStore, RecordedEvent } from '@ledger/event-store';
import type { DataSource, QueryRunner } from 'typeorm';
import { ProcessCheckpoint } from '../operational/process-checkpoint.entity';
import type { BoardSubmissionEffectHandler } from './board-submission-effect-handler';

export interface BoardSubmissionProcessOptions {
  /** Ids of submissions the board accepted and has not confirmed (from the read models). */
  acceptedSubmissions: () => Promise<string[]>;
  /** R8: submissions whose correction is unfinished (from the read models): the sweep resumes them. */
  unfinishedCorrections?: () => Promise<{ submissionId: string; learnerId: string }[]>;
  /** How often accepted submissions are checked for the board's confirmation (R9). */
  sweepIntervalMs?: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/**
 * The board submission process (R8, R9, R16), a checkpointed processor: its host holds the
 * lease (one instance at a time), follows the log from the checkpoint in `process_checkpoints`,
 * and runs the R9 sweep on its schedule. Each event the process reacts to, and each submission
 * the sweep finds awaiting confirmation, is a trigger of the pure reactor
 * (`reactToBoardSubmission`); the effect handler reads what the reaction needs, sends its
 * commands and calls the board, whose answer is the next trigger. Each step is recorded before
 * and after the outside call, and every command's id derives from what caused it: a process
 * killed anywhere and restarted redoes the step it was in, the board gets the same submission
 * id (its idempotency key), and nothing is recorded twice.
 */
export class BoardSubmissionProcess implements CheckpointedProcessor<RecordedEvent> {
  readonly leaseKey = `cme-ledger/process/${BOARD_SUBMISSION_PROCESS}`;
  readonly logFields = { process: BOARD_SUBMISSION_PROCESS };
  private readonly host: CheckpointedProcessorHost<RecordedEvent>;
  private checkpoint = 0n;

  constructor(
    dataSource: DataSource,
    store: EventStore,
    private readonly effects: BoardSubmissionEffectHandler,
    private readonly options: BoardSubmissionProcessOptions,
  ) {
    this.host = new CheckpointedProcessorHost(dataSource, store, this, {
      batchSize: 100,
      retryMs: 1000,
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
    const row = await connection.manager.findOneBy(ProcessCheckpoint, {
      name: BOARD_SUBMISSION_PROCESS,
    });
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

  /** R9: the sweep, once the log is followed to its head, then every `sweepIntervalMs`. */
  async tick(session: ProcessorSession): Promise<number> {
    const interval = this.options.sweepIntervalMs ?? 60_000;
    if (!session.live) return Math.min(1000, interval);
    for (const submissionId of await this.options.acceptedSubmissions())
      await this.react({ type: 'ConfirmationAwaited', submissionId });
    for (const { submissionId, learnerId } of (await this.options.unfinishedCorrections?.()) ?? [])
      await this.react({ type: 'CorrectionAwaited', submissionId, learnerId });
    return interval;
  }

  /** Reacts to a trigger, and to each answer the reaction's calls bring back. */
  private async react(trigger: BoardSubmissionTrigger): Promise<void> {
    const state = await this.effects.read(streamsReadBy(trigger));
    for (const reaction of reactToBoardSubmission(trigger, state, this.effects.context())) {
      const answer = await this.effects.perform(reaction);
      if (answer) await this.react(answer);
    }
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
      [BOARD_SUBMISSION_PROCESS, position.toString(), this.checkpoint.toString()],
      true,
    );
    if (result.affected !== 1)
      throw new Error(`${BOARD_SUBMISSION_PROCESS}: checkpoint moved under this process`);
    this.checkpoint = position;
  }
}
