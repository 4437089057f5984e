import { Inject } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { LearnerCommand } from '@ledger/domain';
import {
  DECISION_SETTINGS,
  LEDGER_CLOCK,
  type Clock,
  type CommandMetadata,
  type DecisionSettings,
  type LearnerCommandOutcome,
  type LearnerUseCase,
} from '@ledger/ledger';
import type { Request } from 'express';
import { commandMetadata } from '../http/command-context';

/** What the learner command controllers share: the request's metadata and the CommandBus. */
export abstract class LearnerCommandController {
  @Inject(CommandBus) protected readonly commandBus!: CommandBus;
  @Inject(LEDGER_CLOCK) protected readonly clock!: Clock;
  @Inject(DECISION_SETTINGS) protected readonly settings!: DecisionSettings;

  protected metadata(request: Request): CommandMetadata {
    return commandMetadata(request, `${request.method} ${request.path}`);
  }

  protected send(command: LearnerUseCase<LearnerCommand>): Promise<LearnerCommandOutcome> {
    return this.commandBus.execute(command);
  }
}
