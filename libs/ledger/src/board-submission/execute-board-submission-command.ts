import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  boardSubmissionDecider,
  boardSubmissionStreamName,
  type BoardSubmissionCommand,
  type BoardSubmissionEvent,
  type BoardSubmissionState,
} from '@ledger/domain';
import {
  StreamCommandExecutor,
  type CommandMetadata,
  type CommandOutcome,
  type EventCodec,
} from '../command-handling/stream-command-executor';
import {
  DECISION_SETTINGS,
  LEDGER_CLOCK,
  type Clock,
  type DecisionSettings,
} from '../ledger.tokens';
import { BOARD_SUBMISSION_EVENT_CODEC } from '../learner/learner-event-codec.token';

/** Any command of one board submission (`board-submission-<id>`), with who sent it. */
export class ExecuteBoardSubmissionCommand {
  constructor(
    readonly submissionId: string,
    readonly command: BoardSubmissionCommand,
    readonly metadata: CommandMetadata,
  ) {}
}

export type BoardSubmissionCommandOutcome = CommandOutcome<
  BoardSubmissionState,
  BoardSubmissionEvent
>;

@CommandHandler(ExecuteBoardSubmissionCommand)
export class ExecuteBoardSubmissionCommandHandler implements ICommandHandler<
  ExecuteBoardSubmissionCommand,
  BoardSubmissionCommandOutcome
> {
  constructor(
    private readonly executor: StreamCommandExecutor,
    @Inject(BOARD_SUBMISSION_EVENT_CODEC) private readonly codec: EventCodec<BoardSubmissionEvent>,
    @Inject(LEDGER_CLOCK) private readonly clock: Clock,
    @Inject(DECISION_SETTINGS) private readonly settings: DecisionSettings,
  ) {}

  execute({
    submissionId,
    command,
    metadata,
  }: ExecuteBoardSubmissionCommand): Promise<BoardSubmissionCommandOutcome> {
    return this.executor.execute({
      streamName: boardSubmissionStreamName(submissionId),
      decider: boardSubmissionDecider,
      codec: this.codec,
      command,
      metadata,
      context: () => ({ now: this.clock(), ...this.settings }),
    });
  }
}
