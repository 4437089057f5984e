import { BoardUnavailableError, type BoardGateway } from '@ledger/boards';
import {
  isDomainRuleViolation,
  LEARNER_MATCH_PROCESS,
  LEARNER_MATCH_PROCESS_EVENT_TYPES,
  learnerDecider,
  learnerIdOfStream,
  learnerStreamName,
  type LearnerEvent,
  type LearnerMatchContext,
  type LearnerMatchReaction,
  type LearnerMatchTrigger,
  type LearnerState,
  type MatchAtBoard,
  type SendLearnerCommand,
} from '@ledger/domain';
import type { RecordedEvent } from '@ledger/event-store';
import type {
  EventCodec,
  StreamCommandExecutor,
} from '../command-handling/stream-command-executor';
import type { CommandSender } from '../board-submission/board-submission-effect-handler';
import { identityAt } from '../board-submission/pars-batch';
import type { Clock } from '../ledger.tokens';
import { RecordBoardIdentityCheckCommand } from '../learner/learner-commands';

// Shaped as the board submission process's effect handler on purpose (a gateway, a command
// sender and a clock; context and triggerOf): each process's own, for its own reactor.
export interface LearnerMatchEffectHandlerOptions {
  /** Reads the learner's folded state (cached, caught up with the store); writes nothing here. */
  streams: StreamCommandExecutor;
  learnerCodec: EventCodec<LearnerEvent>;
  gateway: BoardGateway;
  /** The CommandBus (`(c) => commandBus.execute(c)`). */
  send: CommandSender;
  clock: Clock;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/**
 * Everything the learner match process does outside its pure reactor (R16): decoding the
 * profile events it reacts to, reading the learner's stream, the clock, asking the board's
 * learner match through the gateway port, and recording the answer through the CommandBus.
 * A board that cannot be reached throws `BoardUnavailableError`: the host starts over from the
 * checkpoint after a backoff, so the check is asked again later and no mismatch is recorded.
 */
export class LearnerMatchEffectHandler {
  constructor(private readonly options: LearnerMatchEffectHandlerOptions) {}

  context(): LearnerMatchContext {
    return { now: this.options.clock() };
  }

  /** The trigger a recorded event is, or undefined for what the process does not react to. */
  async triggerOf(recorded: RecordedEvent): Promise<LearnerMatchTrigger | undefined> {
    if (!LEARNER_MATCH_PROCESS_EVENT_TYPES.includes(recorded.type)) return undefined;
    const learnerId = learnerIdOfStream(recorded.streamName);
    if (learnerId === undefined) return undefined;
    const event = await this.options.learnerCodec.decode(recorded);
    if (event?.type !== 'LearnerProfileUpdated') return undefined;
    return {
      type: 'ProfileUpdated',
      eventId: recorded.id,
      learnerId,
      profileVersion: event.data.profileVersion,
    };
  }

  /** The learner's stream as it is now. */
  async learner(learnerId: string): Promise<LearnerState> {
    const { state } = await this.options.streams.state(
      learnerStreamName(learnerId),
      learnerDecider,
      this.options.learnerCodec,
    );
    return state;
  }

  /** Carries out a reaction; answers what the board said, as the next trigger. */
  async perform(reaction: LearnerMatchReaction): Promise<LearnerMatchTrigger | undefined> {
    switch (reaction.type) {
      case 'SendLearnerCommand':
        await this.send(reaction);
        return undefined;
      case 'MatchAtBoard':
        return this.match(reaction);
      default: {
        const _unknownReaction: never = reaction;
        throw new TypeError(`unknown reaction ${JSON.stringify(_unknownReaction)}`);
      }
    }
  }

  private async match(call: MatchAtBoard): Promise<LearnerMatchTrigger | undefined> {
    const result = await this.options.gateway.matchLearnerIdentity({
      board: call.board,
      learner: identityAt(call.identity, call.board),
    });
    this.options.log?.('board answered the learner match', {
      learnerId: call.learnerId,
      board: call.board,
      profileVersion: call.profileVersion,
      outcome: result.outcome,
    });
    switch (result.outcome) {
      case 'matched':
        return { type: 'BoardMatched', call, answer: { outcome: 'matched' } };
      case 'mismatched':
        return {
          type: 'BoardMatched',
          call,
          answer: { outcome: 'mismatched', reason: result.reason },
        };
      case 'no-answer':
        // Nothing to record: the profile shows the board as not checked.
        this.options.log?.('no learner match for this board', {
          learnerId: call.learnerId,
          board: call.board,
          reason: result.reason,
        });
        return undefined;
      case 'unavailable':
        // Never a mismatch: the host starts over from the checkpoint, and asks again.
        throw new BoardUnavailableError(call.board, result.reason);
      default: {
        const _unknownResult: never = result;
        throw new TypeError(`unknown learner match result ${JSON.stringify(_unknownResult)}`);
      }
    }
  }

  private async send({ learnerId, commandId, command }: SendLearnerCommand): Promise<void> {
    try {
      await this.options.send(
        new RecordBoardIdentityCheckCommand(learnerId, command.data, {
          actor: `process:${LEARNER_MATCH_PROCESS}`,
          correlationId: learnerId,
          commandId,
        }),
      );
    } catch (error) {
      // A rule refusal means the answer no longer applies (the profile changed meanwhile).
      if (!isDomainRuleViolation(error)) throw error;
      this.options.log?.('learner match answer refused by the learner rules', {
        learnerId,
        board: command.data.board,
        error: error.message,
      });
    }
  }
}
