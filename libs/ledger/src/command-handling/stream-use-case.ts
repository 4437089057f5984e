import { Inject } from '@nestjs/common';
import { Command } from '@nestjs/cqrs';
import type { DecisionContext } from '@ledger/domain';
import {
  DECISION_SETTINGS,
  LEDGER_CLOCK,
  type Clock,
  type DecisionSettings,
} from '../ledger.tokens';
import {
  StreamCommandExecutor,
  type CommandMetadata,
  type CommandOutcome,
  type EventCodec,
  type StreamDecider,
} from './stream-command-executor';

/** A command as a pure decider takes it. */
type DeciderCommand = { type: string; data: unknown };

/**
 * A use case of one stream: what was done, to which stream's entity (`entityId`), and who sent
 * it. Each use case is a class of its own, sent through the CommandBus to its handler; the
 * outcome type rides on the class.
 */
export abstract class StreamUseCase<C extends DeciderCommand, Outcome> extends Command<Outcome> {
  abstract readonly type: C['type'];

  constructor(
    readonly entityId: string,
    readonly data: C['data'],
    readonly metadata: CommandMetadata,
  ) {
    super();
  }

  /** The command as the pure decider takes it. */
  toDecider(): C {
    return { type: this.type, data: this.data } as C;
  }
}

/**
 * Loads the stream, decides with its pure decider, appends at the expected revision (see
 * StreamCommandExecutor): what every use case's handler does. A stream kind names its stream,
 * decider and codec; each handler names its one command.
 */
export abstract class StreamUseCaseHandler<State, DomainCommand, Event> {
  protected abstract readonly codec: EventCodec<Event>;
  protected abstract streamName(entityId: string): string;
  protected abstract readonly decider: StreamDecider<State, DomainCommand, Event, DecisionContext>;

  constructor(
    @Inject(StreamCommandExecutor) protected readonly executor: StreamCommandExecutor,
    @Inject(LEDGER_CLOCK) protected readonly clock: Clock,
    @Inject(DECISION_SETTINGS) protected readonly settings: DecisionSettings,
  ) {}

  execute(
    command: StreamUseCase<DomainCommand & DeciderCommand, CommandOutcome<State, Event>>,
  ): Promise<CommandOutcome<State, Event>> {
    return this.decide(command.entityId, command.toDecider(), command.metadata);
  }

  protected decide(
    entityId: string,
    command: DomainCommand,
    metadata: CommandMetadata,
  ): Promise<CommandOutcome<State, Event>> {
    return this.executor.execute({
      streamName: this.streamName(entityId),
      decider: this.decider,
      codec: this.codec,
      command,
      metadata,
      context: () => ({ now: this.clock(), ...this.settings }),
    });
  }
}
