import { Inject } from '@nestjs/common';
import { Command, CommandBus, CommandHandler } from '@nestjs/cqrs';
// The commands' types, as the domain's index exports them: one use case per command below.
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
  type CorrectBoardSubmission,
  type CorrectionReason,
  type FlagForFollowUp,
  type FollowCombinedRecord,
  type RecordBoardRecordDeleted,
  type LearnerEvent,
  type RecordBoardRecordRejected,
  type RecordSubmissionAccepted,
  type RecordSubmissionFailed,
  type RequestBoardSubmission,
  type RetryBoardSubmission,
  type AwaitConsent,
  type ResumeAfterConsent,
} from '@ledger/domain';
import {
  StreamCommandExecutor,
  type CommandMetadata,
  type CommandOutcome,
  type EventCodec,
} from '../command-handling/stream-command-executor';
import { LEDGER_CLOCK, type Clock } from '../ledger.tokens';
import { StreamUseCase, StreamUseCaseHandler } from '../command-handling/stream-use-case';
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
 * process, or an operator's retry.
 */
export abstract class BoardSubmissionUseCase<
  C extends BoardSubmissionCommand,
> extends StreamUseCase<C, BoardSubmissionCommandOutcome> {
  get submissionId(): string {
    return this.entityId;
  }
}

// The use-case classes below are alike by design: one class per use case, each naming its
// command type; what they share is in StreamUseCase.

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

/** PARS rejected, on a later status poll, a record it had accepted (R9, R16). */
export class RecordBoardRecordRejectedCommand extends BoardSubmissionUseCase<RecordBoardRecordRejected> {
  readonly type = 'RecordBoardRecordRejected' as const;
}

/** An accepted record stayed unconfirmed: someone follows it up. */
export class FlagForFollowUpCommand extends BoardSubmissionUseCase<FlagForFollowUp> {
  readonly type = 'FlagForFollowUp' as const;
}

/** R16: a new attempt, with what the learner's current profile lacks (see RetryBoardSubmissionCommand). */
export class RequestRetryCommand extends BoardSubmissionUseCase<RetryBoardSubmission> {
  readonly type = 'RetryBoardSubmission' as const;
}

/** R7/R8: the attempt waits for the learner's consent to share. */
export class AwaitConsentCommand extends BoardSubmissionUseCase<AwaitConsent> {
  readonly type = 'AwaitConsent' as const;
}

/** R7/R8: consent given: an attempt that waited goes on. */
export class ResumeAfterConsentCommand extends BoardSubmissionUseCase<ResumeAfterConsent> {
  readonly type = 'ResumeAfterConsent' as const;
}

/** R8: a correction of the board's record (delete, then send again), as a new attempt. */
export class RequestCorrectionCommand extends BoardSubmissionUseCase<CorrectBoardSubmission> {
  readonly type = 'CorrectBoardSubmission' as const;
}

/** R8: the board deleted the record of a correction. */
export class RecordBoardRecordDeletedCommand extends BoardSubmissionUseCase<RecordBoardRecordDeleted> {
  readonly type = 'RecordBoardRecordDeleted' as const;
}

/** a submission reported in another's record follows what the board answered for it. */
export class FollowCombinedRecordCommand extends BoardSubmissionUseCase<FollowCombinedRecord> {
  readonly type = 'FollowCombinedRecord' as const;
}

/** The use-case class of each command of the board submission decider. */
const STEPS = {
  RequestBoardSubmission: RequestBoardSubmissionCommand,
  RecordSubmissionAccepted: RecordSubmissionAcceptedCommand,
  RecordSubmissionFailed: RecordSubmissionFailedCommand,
  ConfirmBoardRecord: ConfirmBoardRecordCommand,
  RecordBoardRecordRejected: RecordBoardRecordRejectedCommand,
  FlagForFollowUp: FlagForFollowUpCommand,
  RetryBoardSubmission: RequestRetryCommand,
  AwaitConsent: AwaitConsentCommand,
  ResumeAfterConsent: ResumeAfterConsentCommand,
  CorrectBoardSubmission: RequestCorrectionCommand,
  RecordBoardRecordDeleted: RecordBoardRecordDeletedCommand,
  FollowCombinedRecord: FollowCombinedRecordCommand,
} as const;

/** The use case a command of the board submission reactor is. */
export function boardSubmissionStep(
  submissionId: string,
  command: BoardSubmissionCommand,
  metadata: CommandMetadata,
): BoardSubmissionUseCase<BoardSubmissionCommand> {
  const UseCase = STEPS[command.type] as new (
    submissionId: string,
    data: BoardSubmissionCommand['data'],
    metadata: CommandMetadata,
  ) => BoardSubmissionUseCase<BoardSubmissionCommand>;
  return new UseCase(submissionId, command.data, metadata);
}

/** Decides a board submission use case with the pure decider on `board-submission-<id>`. */
export abstract class BoardSubmissionUseCaseHandler extends StreamUseCaseHandler<
  BoardSubmissionState,
  BoardSubmissionCommand,
  BoardSubmissionEvent
> {
  @Inject(BOARD_SUBMISSION_EVENT_CODEC) protected readonly codec!: EventCodec<BoardSubmissionEvent>;
  protected readonly decider = boardSubmissionDecider;
  protected streamName(submissionId: string): string {
    return boardSubmissionStreamName(submissionId);
  }
}

@CommandHandler(RequestBoardSubmissionCommand)
export class RequestBoardSubmissionHandler extends BoardSubmissionUseCaseHandler {}

@CommandHandler(RecordSubmissionAcceptedCommand)
export class RecordSubmissionAcceptedHandler extends BoardSubmissionUseCaseHandler {}

@CommandHandler(RecordSubmissionFailedCommand)
export class RecordSubmissionFailedHandler extends BoardSubmissionUseCaseHandler {}

@CommandHandler(ConfirmBoardRecordCommand)
export class ConfirmBoardRecordHandler extends BoardSubmissionUseCaseHandler {}

@CommandHandler(RecordBoardRecordRejectedCommand)
export class RecordBoardRecordRejectedHandler extends BoardSubmissionUseCaseHandler {}

@CommandHandler(FlagForFollowUpCommand)
export class FlagForFollowUpHandler extends BoardSubmissionUseCaseHandler {}

@CommandHandler(RequestRetryCommand)
export class RequestRetryHandler extends BoardSubmissionUseCaseHandler {}

@CommandHandler(AwaitConsentCommand)
export class AwaitConsentHandler extends BoardSubmissionUseCaseHandler {}

@CommandHandler(ResumeAfterConsentCommand)
export class ResumeAfterConsentHandler extends BoardSubmissionUseCaseHandler {}

@CommandHandler(RequestCorrectionCommand)
export class RequestCorrectionHandler extends BoardSubmissionUseCaseHandler {}

@CommandHandler(RecordBoardRecordDeletedCommand)
export class RecordBoardRecordDeletedHandler extends BoardSubmissionUseCaseHandler {}

@CommandHandler(FollowCombinedRecordCommand)
export class FollowCombinedRecordHandler extends BoardSubmissionUseCaseHandler {}

/** The handlers of the board submission process's steps (what runs wherever the process runs). */
export const BOARD_SUBMISSION_STEP_HANDLERS = [
  RequestBoardSubmissionHandler,
  RecordSubmissionAcceptedHandler,
  RecordSubmissionFailedHandler,
  ConfirmBoardRecordHandler,
  RecordBoardRecordRejectedHandler,
  FlagForFollowUpHandler,
  RequestRetryHandler,
  AwaitConsentHandler,
  ResumeAfterConsentHandler,
  RequestCorrectionHandler,
  RecordBoardRecordDeletedHandler,
  FollowCombinedRecordHandler,
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

/** What the learner's profile, as it is now, gives a new attempt of a submission (R16). */
interface CurrentProfile {
  occurredAt: Date;
  profileGaps: string[];
  profileVersion: number | undefined;
}

/**
 * A retry and a correction both send the record again with the learner's profile as it is now
 * (R16: the learner may have corrected it since): each reads the submission, then the profile.
 */
abstract class SendAgainHandler {
  constructor(
    @Inject(StreamCommandExecutor) private readonly streams: StreamCommandExecutor,
    @Inject(CommandBus) private readonly commandBus: CommandBus,
    @Inject(BOARD_SUBMISSION_EVENT_CODEC)
    private readonly submissionCodec: EventCodec<BoardSubmissionEvent>,
    @Inject(LEARNER_EVENT_CODEC) private readonly learnerCodec: EventCodec<LearnerEvent>,
    @Inject(LEDGER_CLOCK) private readonly clock: Clock,
  ) {}

  protected async sendAgain(
    submissionId: string,
    step: (profile: CurrentProfile) => BoardSubmissionUseCase<BoardSubmissionCommand>,
  ): Promise<BoardSubmissionCommandOutcome> {
    const { state } = await this.streams.state(
      boardSubmissionStreamName(submissionId),
      boardSubmissionDecider,
      this.submissionCodec,
    );
    if (state.status === 'not-requested') {
      throw new SubmissionNotFoundError(`no board submission ${submissionId}`);
    }
    const learner = await this.streams.state(
      learnerStreamName(state.learnerId),
      learnerDecider,
      this.learnerCodec,
    );
    return this.commandBus.execute(
      step({
        occurredAt: this.clock(),
        profileGaps: missingBoardFields(state.board, learner.state.profile),
        profileVersion: learner.state.profile?.version,
      }),
    );
  }
}

@CommandHandler(RetryBoardSubmissionCommand)
export class RetryBoardSubmissionHandler extends SendAgainHandler {
  execute({
    submissionId,
    metadata,
  }: RetryBoardSubmissionCommand): Promise<BoardSubmissionCommandOutcome> {
    return this.sendAgain(
      submissionId,
      (profile) => new RequestRetryCommand(submissionId, profile, metadata),
    );
  }
}

/**
 * R8: compliance asks for the board's record to be corrected (the learner's identity was
 * corrected in the profile after the board accepted or rejected a record, or the record is wrong
 * otherwise): it is deleted and sent again with the profile as it is now, in the same history.
 * `reference`: the ticket the request cites (never free text: events are immutable).
 */
export class CorrectBoardSubmissionCommand extends Command<BoardSubmissionCommandOutcome> {
  constructor(
    readonly submissionId: string,
    readonly reason: Exclude<CorrectionReason, 'combined-completion'>,
    readonly reference: string,
    readonly metadata: CommandMetadata,
  ) {
    super();
  }
}

@CommandHandler(CorrectBoardSubmissionCommand)
export class CorrectBoardSubmissionHandler extends SendAgainHandler {
  execute({
    submissionId,
    reason,
    reference,
    metadata,
  }: CorrectBoardSubmissionCommand): Promise<BoardSubmissionCommandOutcome> {
    return this.sendAgain(
      submissionId,
      (profile) =>
        new RequestCorrectionCommand(submissionId, { reason, reference, ...profile }, metadata),
    );
  }
}
