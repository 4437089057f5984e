import { Inject } from '@nestjs/common';
import { CommandHandler } from '@nestjs/cqrs';
import {
  learnerDecider,
  learnerStreamName,
  type ClaimCredits,
  type ImportHistory,
  type LearnerCommand,
  type LearnerEvent,
  type LearnerState,
  type RecordAnswer,
  type RecordBoardIdentityCheck,
  type RecordDataSharingConsent,
  type RecordResearch,
  type UpdateProfile,
} from '@ledger/domain';
import type { CommandOutcome, EventCodec } from '../command-handling/stream-command-executor';
import { StreamUseCase, StreamUseCaseHandler } from '../command-handling/stream-use-case';
import { LEARNER_EVENT_CODEC } from './learner-event-codec.token';

export type LearnerCommandOutcome = CommandOutcome<LearnerState, LearnerEvent>;

/** A use case of a learner's account (`learner-<id>`): what the learner did, and who sent it. */
export abstract class LearnerUseCase<C extends LearnerCommand> extends StreamUseCase<
  C,
  LearnerCommandOutcome
> {
  get learnerId(): string {
    return this.entityId;
  }
}

// The use-case classes below are alike by design: one class per use case, each naming its
// command type; what they share is in StreamUseCase.

/** R7/R10: replace the CME profile. */
export class UpdateProfileCommand extends LearnerUseCase<UpdateProfile> {
  readonly type = 'UpdateProfile' as const;
}

/** R1: a clinical question researched. */
export class RecordResearchCommand extends LearnerUseCase<RecordResearch> {
  readonly type = 'RecordResearch' as const;
}

/** R2/R14: a board-review question answered. */
export class RecordAnswerCommand extends LearnerUseCase<RecordAnswer> {
  readonly type = 'RecordAnswer' as const;
}

/** R5/R6: all unclaimed, unexpired credit of one activity claimed. */
export class ClaimCreditsCommand extends LearnerUseCase<ClaimCredits> {
  readonly type = 'ClaimCredits' as const;
}

/** R15: facts older than the backdate bound, imported by an administrator. */
export class ImportHistoryCommand extends LearnerUseCase<ImportHistory> {
  readonly type = 'ImportHistory' as const;
}

/** R7: consent to share completion data with the selected boards, granted or withdrawn. */
export class RecordDataSharingConsentCommand extends LearnerUseCase<RecordDataSharingConsent> {
  readonly type = 'RecordDataSharingConsent' as const;
}

/** R16: a board's learner-match answer (the learner match process's step). */
export class RecordBoardIdentityCheckCommand extends LearnerUseCase<RecordBoardIdentityCheck> {
  readonly type = 'RecordBoardIdentityCheck' as const;
}

/** Decides a learner use case with the pure learner decider on `learner-<id>`. */
export abstract class LearnerUseCaseHandler extends StreamUseCaseHandler<
  LearnerState,
  LearnerCommand,
  LearnerEvent
> {
  @Inject(LEARNER_EVENT_CODEC) protected readonly codec!: EventCodec<LearnerEvent>;
  protected readonly decider = learnerDecider;
  protected streamName(learnerId: string): string {
    return learnerStreamName(learnerId);
  }
}

@CommandHandler(UpdateProfileCommand)
export class UpdateProfileHandler extends LearnerUseCaseHandler {}

@CommandHandler(RecordResearchCommand)
export class RecordResearchHandler extends LearnerUseCaseHandler {}

@CommandHandler(RecordAnswerCommand)
export class RecordAnswerHandler extends LearnerUseCaseHandler {}

@CommandHandler(ClaimCreditsCommand)
export class ClaimCreditsHandler extends LearnerUseCaseHandler {}

@CommandHandler(ImportHistoryCommand)
export class ImportHistoryHandler extends LearnerUseCaseHandler {}

@CommandHandler(RecordDataSharingConsentCommand)
export class RecordDataSharingConsentHandler extends LearnerUseCaseHandler {}

@CommandHandler(RecordBoardIdentityCheckCommand)
export class RecordBoardIdentityCheckHandler extends LearnerUseCaseHandler {}
