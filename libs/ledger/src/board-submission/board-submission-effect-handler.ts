import type { ICommand } from '@nestjs/cqrs';
import { BoardRequestRefusedError, BoardUnavailableError, type BoardGateway } from '@ledger/boards';
// The reactor's names, as the domain's index exports them: this handler performs its reactions.
import {
  BOARD_SUBMISSION_PROCESS,
  BOARD_SUBMISSION_PROCESS_EVENT_TYPES,
  boardSubmissionDecider,
  boardSubmissionStreamName,
  initialBoardSubmissionState,
  initialLearnerState,
  isBoardSubmissionStream,
  isDomainRuleViolation,
  learnerDecider,
  learnerIdOfStream,
  learnerStreamName,
  type BoardDeleteAnswer,
  type BoardRecord,
  type BoardSubmissionEvent,
  type BoardSubmissionProcessContext,
  type BoardSubmissionProcessState,
  type BoardSubmissionReaction,
  type BoardSubmissionTrigger,
  type CheckBoardRecord,
  type DeleteBoardRecord,
  type LearnerEvent,
  type SendCommand,
  type SubmitToBoard,
} from '@ledger/domain';
import type { RecordedEvent } from '@ledger/event-store';
import type {
  EventCodec,
  StreamCommandExecutor,
} from '../command-handling/stream-command-executor';
import type { Clock } from '../ledger.tokens';
import { boardSubmissionStep } from './board-submission-commands';
import { identityAt } from './pars-batch';

/** Where the process sends its commands: the CommandBus (`(c) => commandBus.execute(c)`). */
export type CommandSender = (command: ICommand) => Promise<unknown>;

export interface BoardSubmissionEffectHandlerOptions {
  /** Reads streams' folded states (cached, caught up with the store); it writes nothing here. */
  streams: StreamCommandExecutor;
  learnerCodec: EventCodec<LearnerEvent>;
  submissionCodec: EventCodec<BoardSubmissionEvent>;
  gateway: BoardGateway;
  send: CommandSender;
  clock: Clock;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/**
 * Everything the board submission process does outside its pure reactor: decoding the events it
 * reacts to, reading the streams a reaction needs (the learner's profile and claims, the
 * submission), the clock, sending commands, and calling the board. A call's answer comes back
 * as the next trigger.
 */
export class BoardSubmissionEffectHandler {
  constructor(private readonly options: BoardSubmissionEffectHandlerOptions) {}

  context(): BoardSubmissionProcessContext {
    return { now: this.options.clock() };
  }

  /** The trigger a recorded event is, or undefined for what the process does not react to. */
  async triggerOf(recorded: RecordedEvent): Promise<BoardSubmissionTrigger | undefined> {
    if (!BOARD_SUBMISSION_PROCESS_EVENT_TYPES.includes(recorded.type)) return undefined;
    const learnerId = learnerIdOfStream(recorded.streamName);
    if (learnerId !== undefined) {
      // R7: consent carries no personal data: its type and stream are the trigger.
      if (recorded.type === 'DataSharingConsentGranted')
        return { type: 'ConsentGranted', eventId: recorded.id, learnerId };
      const event = await this.options.learnerCodec.decode(recorded);
      if (event?.type !== 'CreditClaimed') return undefined;
      return { type: 'CreditClaimed', eventId: recorded.id, learnerId, data: event.data };
    }
    if (isBoardSubmissionStream(recorded.streamName)) {
      const event = await this.options.submissionCodec.decode(recorded);
      return event === undefined ? undefined : submissionTrigger(recorded.id, event);
    }
    return undefined;
  }

  /** The streams a reaction reads, as they are now. */
  async read(streams: {
    learnerId?: string;
    submissionId?: string;
  }): Promise<BoardSubmissionProcessState> {
    const { streams: reader, learnerCodec, submissionCodec } = this.options;
    const [learner, submission] = await Promise.all([
      streams.learnerId === undefined
        ? initialLearnerState()
        : reader
            .state(learnerStreamName(streams.learnerId), learnerDecider, learnerCodec)
            .then((s) => s.state),
      streams.submissionId === undefined
        ? initialBoardSubmissionState()
        : reader
            .state(
              boardSubmissionStreamName(streams.submissionId),
              boardSubmissionDecider,
              submissionCodec,
            )
            .then((s) => s.state),
    ]);
    return { learner, submission };
  }

  /** Carries out a reaction; answers what the board said, as the next trigger. */
  async perform(reaction: BoardSubmissionReaction): Promise<BoardSubmissionTrigger | undefined> {
    switch (reaction.type) {
      case 'SendCommand':
        await this.send(reaction);
        return undefined;
      case 'SubmitToBoard':
        return this.submit(reaction);
      case 'CheckBoardRecord':
        return { type: 'BoardRecordChecked', call: reaction, record: await this.check(reaction) };
      case 'DeleteBoardRecord':
        return {
          type: 'BoardRecordDeleteAnswered',
          call: reaction,
          answer: await this.deleteRecord(reaction),
        };
      default: {
        const _unknownReaction: never = reaction;
        throw new TypeError(`unknown reaction ${JSON.stringify(_unknownReaction)}`);
      }
    }
  }

  private async send({ submissionId, commandId, command }: SendCommand): Promise<void> {
    try {
      await this.options.send(
        boardSubmissionStep(submissionId, command, {
          actor: `process:${BOARD_SUBMISSION_PROCESS}`,
          correlationId: submissionId,
          commandId,
        }),
      );
    } catch (error) {
      // A rule refusal here means the step was already taken (or overtaken): nothing to do.
      if (!isDomainRuleViolation(error)) throw error;
      this.options.log?.('step refused by the submission rules', {
        submissionId,
        command: command.type,
        error: error.message,
      });
    }
  }

  private async submit(call: SubmitToBoard): Promise<BoardSubmissionTrigger> {
    const result = await this.options.gateway.submit({
      submissionId: call.submissionId,
      board: call.board,
      attempt: call.attempt,
      learner: identityAt(call.identity, call.board),
      activity: call.activity,
      twelfths: call.twelfths.toString(),
      credits: call.credits,
      completedAt: call.completedAt.toISOString(),
    });
    this.options.log?.('board answered', {
      submissionId: call.submissionId,
      board: call.board,
      attempt: call.attempt,
      outcome: result.outcome,
    });
    return {
      type: 'BoardAnswered',
      call,
      answer:
        result.outcome === 'accepted'
          ? { outcome: 'accepted' }
          : { outcome: result.outcome, reason: result.reason },
    };
  }

  private async deleteRecord({
    board,
    submissionId,
    attempt,
  }: DeleteBoardRecord): Promise<BoardDeleteAnswer> {
    try {
      await this.options.gateway.deleteRecord(board, submissionId);
      this.options.log?.('board record deleted', { submissionId, board, attempt });
      return { outcome: 'deleted' };
    } catch (error) {
      const reason = (error as Error).message;
      this.options.log?.('board record not deleted', { submissionId, board, error: reason });
      if (error instanceof BoardRequestRefusedError) return { outcome: 'refused', reason };
      if (error instanceof BoardUnavailableError) return { outcome: 'unavailable', reason };
      // Anything else (a network failure outside the retry discipline): the sweep tries again.
      return { outcome: 'unavailable', reason };
    }
  }

  private async check({ board, submissionId }: CheckBoardRecord): Promise<BoardRecord> {
    try {
      const status = await this.options.gateway.recordStatus(board, submissionId);
      if (status.rejected !== undefined) return { status: 'rejected', reason: status.rejected };
      if (!status.confirmed) return { status: 'not-confirmed' };
      return {
        status: 'confirmed',
        confirmedAt: status.confirmedAt ? new Date(status.confirmedAt) : undefined,
      };
    } catch (error) {
      const reason = (error as Error).message;
      this.options.log?.('board status unavailable', { submissionId, error: reason });
      return { status: 'unavailable', reason };
    }
  }
}

/** The trigger an event of a submission's stream is, for the process; undefined for the others. */
function submissionTrigger(
  eventId: string,
  event: BoardSubmissionEvent,
): BoardSubmissionTrigger | undefined {
  switch (event.type) {
    case 'BoardSubmissionRequested':
    case 'BoardSubmissionRetryRequested':
    case 'BoardSubmissionResumed':
    case 'BoardRecordDeleted': {
      const { submissionId, learnerId, attempt } = event.data;
      return { type: 'AttemptRequested', eventId, submissionId, learnerId, attempt };
    }
    case 'BoardSubmissionCorrectionRequested': {
      const { submissionId, learnerId, attempt } = event.data;
      return { type: 'CorrectionRequested', eventId, submissionId, learnerId, attempt };
    }
    case 'BoardSubmissionSucceeded':
      return {
        type: 'RecordAnswered',
        eventId,
        submissionId: event.data.submissionId,
        attempt: event.data.attempt,
        outcome: 'accepted',
      };
    case 'BoardRecordConfirmed':
      return {
        type: 'RecordAnswered',
        eventId,
        submissionId: event.data.submissionId,
        attempt: event.data.attempt ?? 1,
        outcome: 'confirmed',
      };
    case 'BoardSubmissionFailed':
      return {
        type: 'RecordAnswered',
        eventId,
        submissionId: event.data.submissionId,
        attempt: event.data.attempt,
        outcome: 'failed',
        reason: event.data.reason,
        retryable: event.data.retryable,
      };
    default:
      return undefined;
  }
}
