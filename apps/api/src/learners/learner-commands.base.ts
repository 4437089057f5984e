import { Inject } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { LearnerCommand } from '@ledger/domain';
import {
  DECISION_SETTINGS,
  ExecuteLearnerCommand,
  type CommandMetadata,
  LEDGER_CLOCK,
  type Clock,
  type DecisionSettings,
  type LearnerCommandOutcome,
} from '@ledger/ledger';
import type { Request } from 'express';
import { commandMetadata } from '../http/command-context';

/** What the learner command controllers share: sending a domain command with its metadata. */
export abstract class LearnerCommandController {
  @Inject(CommandBus) protected readonly commandBus!: CommandBus;
  @Inject(LEDGER_CLOCK) protected readonly clock!: Clock;
  @Inject(DECISION_SETTINGS) protected readonly settings!: DecisionSettings;

  protected metadata(request: Request): CommandMetadata {
    return commandMetadata(request, `${request.method} ${request.path}`);
  }

  protected send(
    request: Request,
    learnerId: string,
    command: LearnerCommand,
    metadata: CommandMetadata = this.metadata(request),
  ): Promise<LearnerCommandOutcome> {
    return this.commandBus.execute<ExecuteLearnerCommand, LearnerCommandOutcome>(
      new ExecuteLearnerCommand(learnerId, command, metadata),
    );
  }
}
