import { Inject } from '@nestjs/common';
import { Command, CommandHandler } from '@nestjs/cqrs';
import {
  learnerDecider,
  learnerStreamName,
  type ClaimCredits,
  type ImportHistory,
  type LearnerCommand,
  type LearnerEvent,
  type LearnerState,
  type RecordAnswer,
  type RecordResearch,
  type UpdateProfile,
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
import { LEARNER_EVENT_CODEC } from './learner-event-codec.token';

export type LearnerCommandOutcome = CommandOutcome<LearnerState, LearnerEvent>;

/**
 * A use case of a learner's account (`learner-<id>`): what the learner did, and who sent it.
 * Each use case is a class of its own, sent through the CommandBus to its handler.
 */
export abstract class LearnerUseCase<
  C extends LearnerCommand,
> extends Command<LearnerCommandOutcome> {
  abstract readonly type: C['type'];

  constructor(
    readonly learnerId: string,
    readonly data: C['data'],
    readonly metadata: CommandMetadata,
  ) {
    super();
  }

  /** The command as the pure learner decider takes it. */
  toDecider(): C {
    return { type: this.type, data: this.data } as C;
  }
}

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

/**
 * Loads `learner-<id>`, decides with the pure learner decider, appends at the expected revision.
 * What every learner use case's handler does; each handler names its one command.
 */
export abstract class LearnerUseCaseHandler<C extends LearnerUseCase<LearnerCommand>> {
  constructor(
    @Inject(StreamCommandExecutor) protected readonly executor: StreamCommandExecutor,
    @Inject(LEARNER_EVENT_CODEC) protected readonly codec: EventCodec<LearnerEvent>,
    @Inject(LEDGER_CLOCK) protected readonly clock: Clock,
    @Inject(DECISION_SETTINGS) protected readonly settings: DecisionSettings,
  ) {}

  execute(command: C): Promise<LearnerCommandOutcome> {
    return this.executor.execute({
      streamName: learnerStreamName(command.learnerId),
      decider: learnerDecider,
      codec: this.codec,
      command: command.toDecider(),
      metadata: command.metadata,
      context: () => ({ now: this.clock(), ...this.settings }),
    });
  }
}

@CommandHandler(UpdateProfileCommand)
export class UpdateProfileHandler extends LearnerUseCaseHandler<UpdateProfileCommand> {}

@CommandHandler(RecordResearchCommand)
export class RecordResearchHandler extends LearnerUseCaseHandler<RecordResearchCommand> {}

@CommandHandler(RecordAnswerCommand)
export class RecordAnswerHandler extends LearnerUseCaseHandler<RecordAnswerCommand> {}

@CommandHandler(ClaimCreditsCommand)
export class ClaimCreditsHandler extends LearnerUseCaseHandler<ClaimCreditsCommand> {}

@CommandHandler(ImportHistoryCommand)
export class ImportHistoryHandler extends LearnerUseCaseHandler<ImportHistoryCommand> {}
