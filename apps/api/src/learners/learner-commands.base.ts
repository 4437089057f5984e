import { createParamDecorator, Inject, type ExecutionContext } from '@nestjs/common';
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
import type { Request, Response } from 'express';
import { commandMetadata } from '../http/command-context';
import { learnerCommandResponse, type LearnerCommandResponse } from './learner-command.response';

/** A learner command's call: its metadata, taken from the request, and the response it answers on. */
export interface LearnerCommandCall {
  readonly metadata: CommandMetadata;
  readonly response: Response;
}

/**
 * The parameter of a learner command's handler that carries its call. The command id is scoped
 * to the method and path, so one Idempotency-Key sent to two endpoints makes two commands.
 */
export const CommandCall = createParamDecorator(
  (_data: unknown, context: ExecutionContext): LearnerCommandCall => {
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    return {
      metadata: commandMetadata(request, `${request.method} ${request.path}`),
      response: http.getResponse<Response>(),
    };
  },
);

/** What a learner command came to: the outcome of its handler and the body of its answer. */
export interface LearnerCommandExecution {
  readonly outcome: LearnerCommandOutcome;
  readonly answer: LearnerCommandResponse;
}

/** What the learner command controllers share: the CommandBus, the clock and the answer. */
export abstract class LearnerCommandController {
  @Inject(CommandBus) protected readonly commandBus!: CommandBus;
  @Inject(LEDGER_CLOCK) protected readonly clock!: Clock;
  @Inject(DECISION_SETTINGS) protected readonly settings!: DecisionSettings;

  /**
   * Sends the command and answers its call: the stream's revision as ETag, 201 when it recorded
   * events (200 when it changed nothing), and the learner's credits as of `asOf` (by default,
   * the moment the command was handled).
   */
  protected async execute(
    command: LearnerUseCase<LearnerCommand>,
    call: LearnerCommandCall,
    asOf?: Date,
  ): Promise<LearnerCommandExecution> {
    const outcome: LearnerCommandOutcome = await this.commandBus.execute(command);
    const answer = learnerCommandResponse(
      command.learnerId,
      outcome,
      asOf ?? this.clock(),
      this.settings.timeZone,
      call.response,
    );
    return { outcome, answer };
  }
}
