import { KeyedMutex } from '@ledger/background';
import { uuidV5 } from '@ledger/domain';
import {
  WrongExpectedRevisionError,
  type EventStore,
  type JsonObject,
  type RecordedEvent,
} from '@ledger/event-store';

/** A pure decider over one stream (see libs/domain). */
export interface StreamDecider<State, Command, Event, Context> {
  initialState: () => State;
  evolve: (state: State, event: Event) => State;
  decide: (command: Command, state: State, context: Context) => Event[];
}

/** Between domain events and stored events: types, schema versions, upcasting, encryption. */
export interface EventCodec<Event> {
  encode(
    event: Event,
    streamName: string,
  ): Promise<{ type: string; schemaVersion: number; data: JsonObject }>;
  /** The domain event, or undefined for a type this stream kind does not know (passed over). */
  decode(recorded: RecordedEvent): Promise<Event | undefined>;
}

export interface CommandMetadata {
  /** The caller's identity, recorded in every event's metadata. */
  actor: string;
  correlationId: string;
  /**
   * The command's id. The events it causes get ids derived from it, so a retry of the same
   * command (same id) appends nothing new, even after a crash between append and answer.
   */
  commandId: string;
}

export interface CommandOutcome<State, Event> {
  streamName: string;
  /** The events this command recorded; empty when it changed nothing or was a retry. */
  events: Event[];
  /** The stream's revision after the command; undefined if the stream does not exist. */
  revision: bigint | undefined;
  /** Global position of the last event this command wrote (or wrote the first time). */
  position: bigint | undefined;
  /** True when this command id had been handled before: nothing new was recorded. */
  repeated: boolean;
  state: State;
}

/** The stream kept changing under this command beyond the retry budget. */
export class ConcurrencyExhaustedError extends Error {
  override readonly name = 'ConcurrencyExhaustedError';
}

interface CachedStream {
  state: unknown;
  revision: bigint | undefined;
  /** Command id → where its events ended, for the commands this stream holds. */
  commands: Map<string, { revision: bigint; position: bigint }>;
}

const MAX_REMEMBERED_COMMANDS = 2000;

/**
 * Checks a stream the first time this process loads it (and remembers the answer): throws,
 * refusing the command, when the stream failed verification.
 */
export interface StreamLoadVerifier {
  assertIntact(streamName: string): Promise<void>;
}

/**
 * Loads a stream, folds it, decides, appends with the expected revision, and on a conflict
 * catches up and decides again (bounded). Folded states are cached per stream and caught up
 * from their revision, so a command reads only what it has not seen.
 */
export class StreamCommandExecutor {
  private readonly mutex = new KeyedMutex();
  private readonly cache = new Map<string, CachedStream>();

  constructor(
    private readonly store: EventStore,
    private readonly options: {
      maxAttempts?: number;
      cacheSize?: number;
      verifier?: StreamLoadVerifier;
    } = {},
  ) {}

  async execute<State, Command, Event, Context>(params: {
    streamName: string;
    decider: StreamDecider<State, Command, Event, Context>;
    codec: EventCodec<Event>;
    command: Command;
    context: () => Context;
    metadata: CommandMetadata;
  }): Promise<CommandOutcome<State, Event>> {
    const { streamName, decider, codec, command, metadata } = params;
    const maxAttempts = this.options.maxAttempts ?? 40;
    return this.mutex.run(streamName, async () => {
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        const cached = await this.load(streamName, decider, codec);
        const state = cached.state as State;
        const before = cached.commands.get(metadata.commandId);
        if (before) {
          return {
            streamName,
            events: [],
            revision: cached.revision,
            position: before.position,
            repeated: true,
            state,
          };
        }
        const events = decider.decide(command, state, params.context());
        if (events.length === 0) {
          return {
            streamName,
            events,
            revision: cached.revision,
            position: undefined,
            repeated: false,
            state,
          };
        }
        const toAppend = await Promise.all(
          events.map(async (event, index) => ({
            id: uuidV5(`${streamName}/${metadata.commandId}/${index}`, COMMAND_EVENT_NAMESPACE),
            ...(await codec.encode(event, streamName)),
            metadata: {
              actor: metadata.actor,
              correlationId: metadata.correlationId,
              causationId: metadata.commandId,
            },
          })),
        );
        try {
          const result = await this.store.append(streamName, toAppend, {
            expectedRevision: cached.revision ?? 'no_stream',
          });
          const expectedNext = (cached.revision ?? -1n) + BigInt(events.length);
          if (result.nextRevision === expectedNext) {
            let next = state;
            for (const e of events) next = decider.evolve(next, e);
            cached.state = next;
            cached.revision = result.nextRevision;
            remember(cached, metadata.commandId, result);
            this.touch(streamName, cached);
            return {
              streamName,
              events,
              revision: result.nextRevision,
              position: result.position,
              repeated: false,
              state: next,
            };
          }
          // The store answered an earlier append of these same events: reload from scratch.
          this.cache.delete(streamName);
          return {
            streamName,
            events: [],
            revision: result.nextRevision,
            position: result.position,
            repeated: true,
            state,
          };
        } catch (error) {
          if (error instanceof WrongExpectedRevisionError) {
            // Another process won this revision. It has its state at hand and would tend to win
            // the next race too (this one must first read what it wrote): back off a little,
            // at random, so that every contender gets its turn.
            await new Promise((resolve) =>
              setTimeout(resolve, Math.random() * Math.min(2 ** attempt, 50)),
            );
            continue;
          }
          throw error;
        }
      }
      throw new ConcurrencyExhaustedError(
        `stream ${streamName} kept changing: the command was decided ${maxAttempts} times and lost every time`,
      );
    });
  }

  /** Forgets a stream's folded state (e.g. after its personal data was erased). */
  forget(streamName: string): void {
    this.cache.delete(streamName);
  }

  /** The stream's current folded state, caught up with the store. */
  async state<State, Event>(
    streamName: string,
    decider: Pick<StreamDecider<State, never, Event, never>, 'initialState' | 'evolve'>,
    codec: EventCodec<Event>,
  ): Promise<{ state: State; revision: bigint | undefined }> {
    return this.mutex.run(streamName, async () => {
      const cached = await this.load(streamName, decider, codec);
      return { state: cached.state as State, revision: cached.revision };
    });
  }

  private async load<State, Event>(
    streamName: string,
    decider: Pick<StreamDecider<State, never, Event, never>, 'initialState' | 'evolve'>,
    codec: EventCodec<Event>,
  ): Promise<CachedStream> {
    if (!this.cache.has(streamName)) await this.options.verifier?.assertIntact(streamName);
    const cached: CachedStream = this.cache.get(streamName) ?? {
      state: decider.initialState(),
      revision: undefined,
      commands: new Map(),
    };
    let state = cached.state as State;
    let revision = cached.revision;
    for (;;) {
      const page = await this.store.readStream(streamName, {
        fromRevision: revision === undefined ? 0n : revision + 1n,
        maxCount: 1000,
      });
      for (const recorded of page) {
        const event = await codec.decode(recorded);
        if (event !== undefined) state = decider.evolve(state, event);
        revision = recorded.revision;
        remember(cached, recorded.metadata.causationId, recorded);
      }
      if (page.length < 1000) break;
    }
    cached.state = state;
    cached.revision = revision;
    this.touch(streamName, cached);
    return cached;
  }

  private touch(streamName: string, cached: CachedStream): void {
    this.cache.delete(streamName);
    this.cache.set(streamName, cached);
    const limit = this.options.cacheSize ?? 10_000;
    while (this.cache.size > limit) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
  }
}

/** Namespace of the ids of events derived from a command id. Never change it. */
export const COMMAND_EVENT_NAMESPACE = '3c1f6a0e-7d2b-4c55-9e8a-5b0d4f6e2a17';

function remember(
  cached: CachedStream,
  commandId: string,
  at: { revision?: bigint; nextRevision?: bigint; position: bigint },
): void {
  const revision = at.revision ?? at.nextRevision ?? 0n;
  const known = cached.commands.get(commandId);
  if (!known || known.revision < revision) {
    cached.commands.delete(commandId);
    cached.commands.set(commandId, { revision, position: at.position });
  }
  if (cached.commands.size > MAX_REMEMBERED_COMMANDS) {
    const oldest = cached.commands.keys().next().value;
    if (oldest !== undefined) cached.commands.delete(oldest);
  }
}
