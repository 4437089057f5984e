import { Inject } from '@nestjs/common';
import { Command, CommandHandler } from '@nestjs/cqrs';
import {
  boardSubmissionDecider,
  boardSubmissionStreamName,
  learnerDecider,
  learnerStreamName,
  missingBoardFields,
  type BoardSubmissionCommand,
  type BoardSubmissionEvent,
  type BoardSubmissionState,
  type ConfirmBoardRecord,
  type FlagForFollowUp,
  type LearnerEvent,
  type RecordSubmissionAccepted,
  type RecordSubmissionFailed,
  type RequestBoardSubmission,
  type RetryBoardSubmission,
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
import {
  BOARD_SUBMISSION_EVENT_CODEC,
  LEARNER_EVENT_CODEC,
} from '../learner/learner-event-codec.token';

export type BoardSubmissionCommandOutcome = CommandOutcome<
  BoardSubmissionState,
  BoardSubmissionEvent
>;

/**
 * A use case of one board submission (`board-submission-<id>`): a step of the board submission
 * process, or an operator's retry. Each is a class of its own, sent through the CommandBus.
 */
export abstract class BoardSubmissionUseCase<
  C extends BoardSubmissionCommand,
> extends Command<BoardSubmissionCommandOutcome> {
  abstract readonly type: C['type'];

  constructor(
    readonly submissionId: string,
    readonly data: C['data'],
    readonly metadata: CommandMetadata,
  ) {
    super();
  }

  /** The command as the pure board submission decider takes it. */
  toDecider(): C {
    return { type: this.type, data: this.data } as C;
  }
}

/** R8: one submission per board of a claim. */
export class RequestBoardSubmissionCommand extends BoardSubmissionUseCase<RequestBoardSubmission> {
  readonly type = 'RequestBoardSubmission' as const;
}

/** The board accepted the attempt. */
export class RecordSubmissionAcceptedCommand extends BoardSubmissionUseCase<RecordSubmissionAccepted> {
  readonly type = 'RecordSubmissionAccepted' as const;
}

/** The board refused the attempt, or could not be reached (R16). */
export class RecordSubmissionFailedCommand extends BoardSubmissionUseCase<RecordSubmissionFailed> {
  readonly type = 'RecordSubmissionFailed' as const;
}

/** The board confirmed the record it accepted. */
export class ConfirmBoardRecordCommand extends BoardSubmissionUseCase<ConfirmBoardRecord> {
  readonly type = 'ConfirmBoardRecord' as const;
}

/** An accepted record stayed unconfirmed: someone follows it up. */
export class FlagForFollowUpCommand extends BoardSubmissionUseCase<FlagForFollowUp> {
  readonly type = 'FlagForFollowUp' as const;
}

/** The process's steps: the use-case class of each command its reactor sends. */
const PROCESS_STEPS = {
  RequestBoardSubmission: RequestBoardSubmissionCommand,
  RecordSubmissionAccepted: RecordSubmissionAcceptedCommand,
  RecordSubmissionFailed: RecordSubmissionFailedCommand,
  ConfirmBoardRecord: ConfirmBoardRecordCommand,
  FlagForFollowUp: FlagForFollowUpCommand,
} as const;

/** The use case a command of the board submission reactor is. */
export function boardSubmissionStep(
  submissionId: string,
  command: BoardSubmissionCommand,
  metadata: CommandMetadata,
): BoardSubmissionUseCase<BoardSubmissionCommand> {
  if (command.type === 'RetryBoardSubmission') {
    // A retry reads the learner's current profile: RetryBoardSubmissionCommand does that.
    throw new TypeError('a retry is an operator use case: send RetryBoardSubmissionCommand');
  }
  const UseCase = PROCESS_STEPS[command.type] as new (
    submissionId: string,
    data: BoardSubmissionCommand['data'],
    metadata: CommandMetadata,
  ) => BoardSubmissionUseCase<BoardSubmissionCommand>;
  return new UseCase(submissionId, command.data, metadata);
}

/** Loads the submission's stream, decides with the pure decider, appends at the expected revision. */
export abstract class BoardSubmissionUseCaseHandler<
  C extends BoardSubmissionUseCase<BoardSubmissionCommand>,
> {
  constructor(
    @Inject(StreamCommandExecutor) protected readonly executor: StreamCommandExecutor,
    @Inject(BOARD_SUBMISSION_EVENT_CODEC)
    protected readonly codec: EventCodec<BoardSubmissionEvent>,
    @Inject(LEDGER_CLOCK) protected readonly clock: Clock,
    @Inject(DECISION_SETTINGS) protected readonly settings: DecisionSettings,
  ) {}

  execute(command: C): Promise<BoardSubmissionCommandOutcome> {
    return this.decide(command.submissionId, command.toDecider(), command.metadata);
  }

  protected decide(
    submissionId: string,
    command: BoardSubmissionCommand,
    metadata: CommandMetadata,
  ): Promise<BoardSubmissionCommandOutcome> {
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

@CommandHandler(RequestBoardSubmissionCommand)
export class RequestBoardSubmissionHandler extends BoardSubmissionUseCaseHandler<RequestBoardSubmissionCommand> {}

@CommandHandler(RecordSubmissionAcceptedCommand)
export class RecordSubmissionAcceptedHandler extends BoardSubmissionUseCaseHandler<RecordSubmissionAcceptedCommand> {}

@CommandHandler(RecordSubmissionFailedCommand)
export class RecordSubmissionFailedHandler extends BoardSubmissionUseCaseHandler<RecordSubmissionFailedCommand> {}

@CommandHandler(ConfirmBoardRecordCommand)
export class ConfirmBoardRecordHandler extends BoardSubmissionUseCaseHandler<ConfirmBoardRecordCommand> {}

@CommandHandler(FlagForFollowUpCommand)
export class FlagForFollowUpHandler extends BoardSubmissionUseCaseHandler<FlagForFollowUpCommand> {}

/** The handlers of the board submission process's steps (what runs wherever the process runs). */
export const BOARD_SUBMISSION_STEP_HANDLERS = [
  RequestBoardSubmissionHandler,
  RecordSubmissionAcceptedHandler,
  RecordSubmissionFailedHandler,
  ConfirmBoardRecordHandler,
  FlagForFollowUpHandler,
];

/** R16: after the learner corrected the profile, a failed submission is tried again in the same history. */
export class RetryBoardSubmissionCommand extends Command<BoardSubmissionCommandOutcome> {
  constructor(
    readonly submissionId: string,
    readonly metadata: CommandMetadata,
  ) {
    super();
  }
}

export class SubmissionNotFoundError extends Error {
  override readonly name = 'SubmissionNotFoundError';
}

@CommandHandler(RetryBoardSubmissionCommand)
export class RetryBoardSubmissionHandler extends BoardSubmissionUseCaseHandler<never> {
  constructor(
    @Inject(StreamCommandExecutor) executor: StreamCommandExecutor,
    @Inject(BOARD_SUBMISSION_EVENT_CODEC) codec: EventCodec<BoardSubmissionEvent>,
    @Inject(LEDGER_CLOCK) clock: Clock,
    @Inject(DECISION_SETTINGS) settings: DecisionSettings,
    @Inject(LEARNER_EVENT_CODEC) private readonly learnerCodec: EventCodec<LearnerEvent>,
  ) {
    super(executor, codec, clock, settings);
  }

  override async execute({
    submissionId,
    metadata,
  }: RetryBoardSubmissionCommand): Promise<BoardSubmissionCommandOutcome> {
    const { state } = await this.executor.state(
      boardSubmissionStreamName(submissionId),
      boardSubmissionDecider,
      this.codec,
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
    const retry: RetryBoardSubmission = {
      type: 'RetryBoardSubmission',
      data: {
        occurredAt: this.clock(),
        profileGaps: missingBoardFields(state.board, learner.state.profile),
        profileVersion: learner.state.profile?.version,
      },
    };
    return this.decide(submissionId, retry, metadata);
  }
}
