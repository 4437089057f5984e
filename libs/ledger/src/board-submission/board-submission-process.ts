import type { ProcessorSession } from '@ledger/background';
import {
  BOARD_SUBMISSION_PROCESS,
  reactToBoardSubmission,
  streamsReadBy,
  type BoardSubmissionTrigger,
} from '@ledger/domain';
import type { EventStore, RecordedEvent } from '@ledger/event-store';
import type { DataSource } from 'typeorm';
import { CheckpointedProcess, type CheckpointedProcessOptions } from '../checkpointed-process';
import type { BoardSubmissionEffectHandler } from './board-submission-effect-handler';

export interface BoardSubmissionProcessOptions extends CheckpointedProcessOptions {
  /** Ids of submissions the board accepted and has not confirmed (from the read models). */
  acceptedSubmissions: () => Promise<string[]>;
  /** R8: submissions whose correction is unfinished (from the read models): the sweep resumes them. */
  unfinishedCorrections?: () => Promise<{ submissionId: string; learnerId: string }[]>;
  /** How often accepted submissions are checked for the board's confirmation (R9). */
  sweepIntervalMs?: number;
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
export class BoardSubmissionProcess extends CheckpointedProcess<BoardSubmissionTrigger> {
  constructor(
    dataSource: DataSource,
    store: EventStore,
    private readonly effects: BoardSubmissionEffectHandler,
    private readonly options: BoardSubmissionProcessOptions,
  ) {
    super(BOARD_SUBMISSION_PROCESS, dataSource, store, options);
  }

  protected triggerOf(recorded: RecordedEvent): Promise<BoardSubmissionTrigger | undefined> {
    return this.effects.triggerOf(recorded);
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

  protected async react(trigger: BoardSubmissionTrigger): Promise<void> {
    const state = await this.effects.read(streamsReadBy(trigger));
    for (const reaction of reactToBoardSubmission(trigger, state, this.effects.context())) {
      const answer = await this.effects.perform(reaction);
      if (answer) await this.react(answer);
    }
  }
}
