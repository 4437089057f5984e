import { Inject } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  boardSubmissionDecider,
  boardSubmissionStreamName,
  learnerDecider,
  learnerStreamName,
  missingBoardFields,
  type BoardSubmissionEvent,
  type LearnerEvent,
} from '@ledger/domain';
import {
  StreamCommandExecutor,
  type CommandMetadata,
  type EventCodec,
} from '../command-handling/stream-command-executor';
import { LEDGER_CLOCK, type Clock } from '../ledger.tokens';
import {
  BOARD_SUBMISSION_EVENT_CODEC,
  LEARNER_EVENT_CODEC,
} from '../learner/learner-event-codec.token';
import {
  ExecuteBoardSubmissionCommand,
  type BoardSubmissionCommandOutcome,
} from './execute-board-submission-command';

/** R16: after the learner corrected the profile, a failed submission is tried again in the same history. */
export class RetryBoardSubmission {
  constructor(
    readonly submissionId: string,
    readonly metadata: CommandMetadata,
  ) {}
}

export class SubmissionNotFoundError extends Error {
  override readonly name = 'SubmissionNotFoundError';
}

@CommandHandler(RetryBoardSubmission)
export class RetryBoardSubmissionHandler implements ICommandHandler<
  RetryBoardSubmission,
  BoardSubmissionCommandOutcome
> {
  constructor(
    private readonly executor: StreamCommandExecutor,
    private readonly commandBus: CommandBus,
    @Inject(BOARD_SUBMISSION_EVENT_CODEC)
    private readonly submissionCodec: EventCodec<BoardSubmissionEvent>,
    @Inject(LEARNER_EVENT_CODEC) private readonly learnerCodec: EventCodec<LearnerEvent>,
    @Inject(LEDGER_CLOCK) private readonly clock: Clock,
  ) {}

  async execute({
    submissionId,
    metadata,
  }: RetryBoardSubmission): Promise<BoardSubmissionCommandOutcome> {
    const { state } = await this.executor.state(
      boardSubmissionStreamName(submissionId),
      boardSubmissionDecider,
      this.submissionCodec,
    );
    if (state.status === 'not-requested') {
      throw new SubmissionNotFoundError(`no board submission ${submissionId}`);
    }
    // The profile as it is now: the learner may have corrected it since the failure.
    const learner = await this.executor.state(
      learnerStreamName(state.learnerId),
      learnerDecider,
      this.learnerCodec,
    );
    const profileGaps = missingBoardFields(state.board, learner.state.profile);
    return this.commandBus.execute(
      new ExecuteBoardSubmissionCommand(
        submissionId,
        {
          type: 'RetryBoardSubmission',
          data: {
            occurredAt: this.clock(),
            profileGaps,
            profileVersion: learner.state.profile?.version,
          },
        },
        metadata,
      ),
    );
  }
}
