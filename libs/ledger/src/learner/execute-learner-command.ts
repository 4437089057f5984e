import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  learnerDecider,
  learnerStreamName,
  type LearnerCommand,
  type LearnerEvent,
  type LearnerState,
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

/** Any command of a learner's account, with who sent it. */
export class ExecuteLearnerCommand {
  constructor(
    readonly learnerId: string,
    readonly command: LearnerCommand,
    readonly metadata: CommandMetadata,
  ) {}
}

export type LearnerCommandOutcome = CommandOutcome<LearnerState, LearnerEvent>;

/** Loads `learner-<id>`, decides with the pure learner decider, appends at the expected revision. */
@CommandHandler(ExecuteLearnerCommand)
export class ExecuteLearnerCommandHandler implements ICommandHandler<
  ExecuteLearnerCommand,
  LearnerCommandOutcome
> {
  constructor(
    private readonly executor: StreamCommandExecutor,
    @Inject(LEARNER_EVENT_CODEC) private readonly codec: EventCodec<LearnerEvent>,
    @Inject(LEDGER_CLOCK) private readonly clock: Clock,
    @Inject(DECISION_SETTINGS) private readonly settings: DecisionSettings,
  ) {}

  execute({ learnerId, command, metadata }: ExecuteLearnerCommand): Promise<LearnerCommandOutcome> {
    return this.executor.execute({
      streamName: learnerStreamName(learnerId),
      decider: learnerDecider,
      codec: this.codec,
      command,
      metadata,
      context: () => ({ now: this.clock(), ...this.settings }),
    });
  }
}
