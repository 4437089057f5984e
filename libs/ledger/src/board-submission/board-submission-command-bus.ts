import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import type { BoardSubmissionEvent, LearnerEvent } from '@ledger/domain';
import {
  StreamCommandExecutor,
  type EventCodec,
} from '../command-handling/stream-command-executor';
import {
  BOARD_SUBMISSION_EVENT_CODEC,
  LEARNER_EVENT_CODEC,
} from '../learner/learner-event-codec.token';
import { RecordBoardIdentityCheckHandler } from '../learner/learner-commands';
import {
  DECISION_SETTINGS,
  LEDGER_CLOCK,
  type Clock,
  type DecisionSettings,
} from '../ledger.tokens';
import { BOARD_SUBMISSION_STEP_HANDLERS } from './board-submission-commands';

/**
 * A CommandBus with the handlers of the board processes' steps (the board submission process's,
 * and the learner match process's answer), for a process that runs them without the API (the
 * worker): their commands go through the bus to the same handlers as in the API. Close the
 * context when done.
 */
export async function openBoardSubmissionCommandBus(options: {
  streams: StreamCommandExecutor;
  submissionCodec: EventCodec<BoardSubmissionEvent>;
  learnerCodec: EventCodec<LearnerEvent>;
  clock: Clock;
  settings: DecisionSettings;
}): Promise<{ commandBus: CommandBus; context: INestApplicationContext }> {
  @Module({
    imports: [CqrsModule.forRoot()],
    providers: [
      { provide: StreamCommandExecutor, useValue: options.streams },
      { provide: BOARD_SUBMISSION_EVENT_CODEC, useValue: options.submissionCodec },
      { provide: LEARNER_EVENT_CODEC, useValue: options.learnerCodec },
      { provide: LEDGER_CLOCK, useValue: options.clock },
      { provide: DECISION_SETTINGS, useValue: options.settings },
      ...BOARD_SUBMISSION_STEP_HANDLERS,
      RecordBoardIdentityCheckHandler,
    ],
  })
  class BoardSubmissionCommandsModule {}
  const context = await NestFactory.createApplicationContext(BoardSubmissionCommandsModule, {
    logger: false,
  });
  return { commandBus: context.get(CommandBus), context };
}
