import { createHmac, timingSafeEqual } from 'node:crypto';
import { KeyedMutex } from '@ledger/background';
import { uuidV5 } from '@ledger/domain';
import {
  WrongExpectedRevisionError,
  type EventStore,
  type JsonObject,
  type RecordedEvent,
} from '@ledger/event-store';
import type { SnapshotCodec, SnapshotSettings, StoredSnapshot } from './stream-snapshots';

/** A pure decider over one stream (see libs/domain). */
export interface StreamDecider<State, Command, Event, Context> {
  initialState: () => State;
  evolve: (state: State, event: Event) => State;
  /** Optional: `events.reduce(evolve, from)` in one pass (used to load a stream). */
  fold?: (events: Iterable<Event>, from: State) => State;
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
  commands: Map<string, RememberedCommand>;
  /** The revision of the last snapshot written or read (undefined: none). */
  snapshotRevision: bigint | undefined;
  /** The id of the event at `revision` (what a snapshot is checked against). */
  lastEventId: string | undefined;
  /** Approximate heap bytes this entry holds (see approximateBytes). */
  bytes: number;
}

/**
 * Where a command's events ended: numbers, not bigints (two heap objects fewer per command id
 * remembered), while they are exact; the rare revision or position past 2^53 stays a bigint.
 */
interface RememberedCommand {
  revision: number | bigint;
  position: number | bigint;
}

const compact = (n: bigint): number | bigint => (n <= MAX_EXACT ? Number(n) : n);
const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

const MAX_REMEMBERED_COMMANDS = 2000;
const PAGE = 1000;

/**
 * Approximate heap bytes of a cached stream: the entry itself (its record, its place in the
 * cache, the stream's name, the map of command ids) about 900 bytes, a remembered command id
 * (its text, its place in the map, where its events ended) about 140, and the folded state as
 * its stream kind weighs it (`StreamStateWeight`; else 400 bytes per event folded). Measured
 * by `npm run bench:memory`, which holds the estimate against the heap: an estimate, so that
 * the cache is bounded by memory and not only by count.
 */
const ENTRY_BYTES = 900;
const COMMAND_ID_BYTES = 140;
const EVENT_BYTES = 400;

/**
 * What one stream kind's folded state holds on the heap, approximately (see
 * StreamCommandExecutorOptions.stateBytes): streams whose name starts with `prefix`.
 */
export interface StreamStateWeight {
  prefix: string;
  bytes: (state: never) => number;
}

export interface StreamCommandExecutorOptions {
  maxAttempts?: number;
  /** At most this many folded streams are kept (least recently used go first). */
  cacheSize?: number;
  /** And at most about this many bytes of them (default 64 MiB). */
  cacheBytes?: number;
  /**
   * The heap bytes of a folded state, per stream kind, that the cache's bound counts (a kind
   * not named: 400 bytes per event folded). A state that holds little of its events (a learner's
   * wrong answers, say) then leaves room for more streams.
   */
  stateBytes?: readonly StreamStateWeight[];
  /** Snapshots of folded streams, to start a cold load from (none when unset). */
  snapshots?: SnapshotSettings;
  /** Told when a snapshot could not be written or read (a cache: the command goes on). */
  onSnapshotError?: (streamName: string, error: unknown) => void;
  /**
   * Checks a stream whenever it is not in the cache (first load, or after eviction), before
   * its state is folded. It verifies the stored events (hash chain and Merkle leaves); a
   * snapshot is then used only if the verified stream still holds, at the snapshot's revision,
   * the event id the snapshot was made after. The snapshot's encoded state itself is not
   * re-derived: it is a cache this process wrote from verified events.
   */
  verifier?: StreamLoadVerifier;
}

/** What the executor's cache holds, for /metrics. */
export interface StreamCacheFigures {
  streams: number;
  bytes: number;
  limitBytes: number;
  limitStreams: number;
  snapshotsWritten: number;
  snapshotsRead: number;
  /** Snapshots that could not be read or written (the stream was folded from its events). */
  snapshotErrors: number;
}

/**
 * Checks a stream the first time this process loads it (and remembers the answer): throws,
 * refusing the command, when the stream failed verification.
 */
export interface StreamLoadVerifier {
  /** Verifies the whole stream (once per process); throws when it failed. */
  assertIntact(streamName: string): Promise<void>;
  /**
   * Verifies the events a load from a snapshot folds: `tail`, the events after `anchor` (the
   * event the snapshot was made after), link from the anchor's stored link and match the log's
   * Merkle tree; throws when they do not, or when the stream is already known to be broken.
   * The events before the anchor are not read: the snapshot (authenticated, see
   * SnapshotSettings.key) stands for them; the whole stream is then verified in the background
   * (`verifyInBackground`).
   */
  assertTailIntact(
    streamName: string,
    anchor: RecordedEvent,
    tail: readonly RecordedEvent[],
  ): Promise<void>;
  /**
   * Starts verifying the whole stream in the background (once; nothing when this process knows
   * its answer already); a failure found there refuses every later command on it. Called once
   * the command that loaded the stream from a snapshot is decided, so that the first pages of
   * the pass do not share the event loop with that command.
   */
  verifyInBackground(streamName: string): void;
}

/**
 * Loads a stream, folds it, decides, appends with the expected revision, and on a conflict
 * catches up and decides again (bounded). Folded states are cached per stream (bounded by count
 * and approximate bytes) and caught up from their revision, so a command reads only what it
 * has not seen; a stream not in the cache starts from its snapshot when there is one.
 */
export class StreamCommandExecutor {
  private readonly mutex = new KeyedMutex();
  private readonly cache = new Map<string, CachedStream>();
  private cachedBytes = 0;
  private readonly pendingSnapshots = new Map<string, Promise<void>>();
  /** Streams loaded from a snapshot whose background verification starts after the command. */
  private readonly toVerify = new Set<string>();
  private snapshotsWritten = 0;
  private snapshotsRead = 0;
  private snapshotErrors = 0;

  constructor(
    private readonly store: EventStore,
    private readonly options: StreamCommandExecutorOptions = {},
  ) {}

  figures(): StreamCacheFigures {
    return {
      streams: this.cache.size,
      bytes: this.cachedBytes,
      limitBytes: this.limitBytes,
      limitStreams: this.limitStreams,
      snapshotsWritten: this.snapshotsWritten,
      snapshotsRead: this.snapshotsRead,
      snapshotErrors: this.snapshotErrors,
    };
  }

  /** Resolves once the snapshots being written have been (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.pendingSnapshots.size > 0) await Promise.all(this.pendingSnapshots.values());
  }

  private get limitBytes(): number {
    return this.options.cacheBytes ?? 64 * 1024 * 1024;
  }

  private get limitStreams(): number {
    return this.options.cacheSize ?? 10_000;
  }

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
    return this.afterwardVerifying(streamName, () =>
      this.mutex.run(streamName, async () => {
        for (let attempt = 1; attempt <= maxAttempts; attempt++) {
          const cached = await this.load(streamName, decider, codec);
          const state = cached.state as State;
          const before = cached.commands.get(metadata.commandId);
          if (before) {
            return {
              streamName,
              events: [],
              revision: cached.revision,
              position: BigInt(before.position),
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
              const next = foldWith(decider, events, state);
              cached.state = next;
              cached.revision = result.nextRevision;
              cached.lastEventId = toAppend[toAppend.length - 1]?.id;
              remember(cached, metadata.commandId, result);
              this.touch(streamName, cached);
              this.snapshotIfDue(streamName, cached);
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
            this.drop(streamName);
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
      }),
    );
  }

  /** Runs `work`, then starts the background verification of a stream it loaded from a snapshot. */
  private async afterwardVerifying<T>(streamName: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } finally {
      if (this.toVerify.delete(streamName)) this.options.verifier?.verifyInBackground(streamName);
    }
  }

  /** Forgets a stream's folded state (e.g. after its personal data was erased). */
  forget(streamName: string): void {
    this.drop(streamName);
  }

  /** The stream's current folded state, caught up with the store. */
  async state<State, Event>(
    streamName: string,
    decider: Folding<State, Event>,
    codec: EventCodec<Event>,
  ): Promise<{ state: State; revision: bigint | undefined }> {
    return this.afterwardVerifying(streamName, () =>
      this.mutex.run(streamName, async () => {
        const cached = await this.load(streamName, decider, codec);
        return { state: cached.state as State, revision: cached.revision };
      }),
    );
  }

  private async load<State, Event>(
    streamName: string,
    decider: Folding<State, Event>,
    codec: EventCodec<Event>,
  ): Promise<CachedStream> {
    let cached = this.cache.get(streamName);
    // First load in this process (or evicted since): what is folded is verified first (see
    // `verifier`). From a snapshot, the events after it, as they are read; else the whole stream.
    let anchor: RecordedEvent | undefined;
    let prefetched: RecordedEvent[] | undefined;
    if (!cached) {
      const snapshot = await this.fromSnapshot<State>(streamName);
      if (snapshot && this.options.verifier) anchor = snapshot.anchor;
      else await this.options.verifier?.assertIntact(streamName);
      cached = snapshot?.entry ?? emptyEntry(decider.initialState());
      prefetched = snapshot?.after;
    }
    let revision = cached.revision;
    let lastEventId = cached.lastEventId;
    let fromRevision = revision === undefined ? 0n : revision + 1n;
    // Folded a page at a time: a load holds one page of events, however long the stream (a
    // fold costs no copy of the state: see the learner's EarnedFacts).
    let state = cached.state as State;
    for (;;) {
      const page =
        prefetched ?? (await this.store.readStream(streamName, { fromRevision, maxCount: PAGE }));
      prefetched = undefined;
      if (anchor) {
        // The events after a snapshot are verified before anything is decided from them.
        await this.options.verifier?.assertTailIntact(streamName, anchor, page);
        anchor = page[page.length - 1] ?? anchor;
      }
      const decoded: Event[] = [];
      for (const recorded of page) {
        const event = await codec.decode(recorded);
        if (event !== undefined) decoded.push(event);
        revision = recorded.revision;
        lastEventId = recorded.id;
        remember(cached, recorded.metadata.causationId, recorded);
      }
      state = foldWith(decider, decoded, state);
      if (page.length < PAGE) break;
      fromRevision = (revision ?? -1n) + 1n;
    }
    if (anchor) this.toVerify.add(streamName);
    cached.state = state;
    cached.revision = revision;
    cached.lastEventId = lastEventId;
    this.touch(streamName, cached);
    this.snapshotIfDue(streamName, cached);
    return cached;
  }

  /**
   * The stream's snapshot as a cache entry, when there is one of this state version and the
   * stream still holds the event it was made after; else undefined (fold from the start).
   */
  private async fromSnapshot<State>(
    streamName: string,
  ): Promise<{ entry: CachedStream; anchor: RecordedEvent; after: RecordedEvent[] } | undefined> {
    const settings = this.options.snapshots;
    const codec = settings && codecFor<State>(settings, streamName);
    if (!settings || !codec) return undefined;
    try {
      const snapshot = await settings.store.load(streamName, codec.stateVersion);
      if (!snapshot) return undefined;
      const text = openSnapshot(settings.key, snapshot);
      if (text === undefined) return undefined;
      // The snapshot's event and the first page after it, in one read; the state decoded
      // meanwhile (its personal data's key is another round trip), used only if the event is
      // the snapshot's.
      const [[atRevision, ...after], state] = await Promise.all([
        this.store.readStream(streamName, { fromRevision: snapshot.revision, maxCount: PAGE + 1 }),
        codec.decode(text, streamName),
      ]);
      if (atRevision?.revision !== snapshot.revision || atRevision.id !== snapshot.eventId)
        return undefined;
      if (state === undefined) return undefined;
      const commands = new Map<string, RememberedCommand>();
      for (const [id, revision, position] of JSON.parse(snapshot.commands) as [
        string,
        string,
        string,
      ][])
        commands.set(id, {
          revision: compact(BigInt(revision)),
          position: compact(BigInt(position)),
        });
      this.snapshotsRead += 1;
      return {
        entry: {
          state,
          revision: snapshot.revision,
          commands,
          snapshotRevision: snapshot.revision,
          lastEventId: snapshot.eventId,
          bytes: 0,
        },
        anchor: atRevision,
        after,
      };
    } catch (error) {
      this.snapshotErrors += 1;
      this.options.onSnapshotError?.(streamName, error);
      return undefined;
    }
  }

  /** Writes a snapshot in the background once `every` events were folded since the last. */
  private snapshotIfDue(streamName: string, cached: CachedStream): void {
    const settings = this.options.snapshots;
    const { revision, lastEventId } = cached;
    if (!settings || settings.every <= 0 || revision === undefined || lastEventId === undefined)
      return;
    if (revision - (cached.snapshotRevision ?? -1n) < BigInt(settings.every)) return;
    if (this.pendingSnapshots.has(streamName)) return;
    const codec = codecFor<unknown>(settings, streamName);
    if (!codec) return;
    cached.snapshotRevision = revision;
    // The state is never mutated (evolve and fold make new ones), so it can be encoded later.
    const { state } = cached;
    const commands = JSON.stringify(
      [...cached.commands].map(([id, at]) => [id, at.revision.toString(), at.position.toString()]),
    );
    const write = (async () => {
      try {
        const unsealed = {
          streamName,
          stateVersion: codec.stateVersion,
          revision,
          eventId: lastEventId,
          state: await codec.encode(state, streamName),
          commands,
        };
        await settings.store.save({ ...unsealed, state: sealSnapshot(settings.key, unsealed) });
        this.snapshotsWritten += 1;
      } catch (error) {
        this.snapshotErrors += 1;
        this.options.onSnapshotError?.(streamName, error);
      } finally {
        this.pendingSnapshots.delete(streamName);
      }
    })();
    this.pendingSnapshots.set(streamName, write);
  }

  private drop(streamName: string): void {
    const found = this.cache.get(streamName);
    if (!found) return;
    this.cachedBytes -= found.bytes;
    this.cache.delete(streamName);
  }

  private approximateBytes(streamName: string, cached: CachedStream): number {
    const weight = this.options.stateBytes?.find((w) => streamName.startsWith(w.prefix));
    const state = weight
      ? weight.bytes(cached.state as never)
      : Number((cached.revision ?? -1n) + 1n) * EVENT_BYTES;
    return ENTRY_BYTES + cached.commands.size * COMMAND_ID_BYTES + state;
  }

  private touch(streamName: string, cached: CachedStream): void {
    this.drop(streamName);
    cached.bytes = this.approximateBytes(streamName, cached);
    this.cache.set(streamName, cached);
    this.cachedBytes += cached.bytes;
    while (this.cache.size > this.limitStreams || this.cachedBytes > this.limitBytes) {
      const oldest = this.cache.keys().next().value;
      // The entry just touched stays even when it alone is over the bound: the command needs it.
      if (oldest === undefined || oldest === streamName) break;
      this.drop(oldest);
    }
  }
}

type Folding<State, Event> = Pick<
  StreamDecider<State, never, Event, never>,
  'initialState' | 'evolve' | 'fold'
>;

/** One fold of the events: the decider's own `fold` when it has one (linear), else `evolve`. */
function foldWith<State, Event>(
  decider: Folding<State, Event>,
  events: readonly Event[],
  from: State,
): State {
  if (events.length === 0) return from;
  if (decider.fold) return decider.fold(events, from);
  let state = from;
  for (const e of events) state = decider.evolve(state, e);
  return state;
}

const emptyEntry = (state: unknown): CachedStream => ({
  state,
  revision: undefined,
  commands: new Map(),
  snapshotRevision: undefined,
  lastEventId: undefined,
  bytes: 0,
});

function codecFor<State>(
  settings: SnapshotSettings,
  streamName: string,
): SnapshotCodec<State> | undefined {
  return settings.codecs.find((c) => streamName.startsWith(c.prefix))?.codec as
    SnapshotCodec<State> | undefined;
}

/**
 * A snapshot's state as stored: `hmac1.<hex>.<state>`, where the HMAC-SHA256 (under a key that
 * lives in configuration, never in the database) covers the stream, state version, revision,
 * event id, state and command ids. A snapshot is decided from without reading the events
 * before it, so one written by anyone but the ledger (a database superuser, say) must not
 * be taken: a row whose seal does not verify is passed over and the stream folded from its
 * events.
 */
const SEAL = 'hmac1.';

function snapshotMac(key: Buffer, s: StoredSnapshot, state: string): string {
  const mac = createHmac('sha256', key);
  for (const part of [
    s.streamName,
    s.stateVersion,
    s.revision.toString(),
    s.eventId,
    state,
    s.commands,
  ])
    mac.update(`${Buffer.byteLength(part)}:`).update(part);
  return mac.digest('hex');
}

function sealSnapshot(key: Buffer, s: StoredSnapshot): string {
  return `${SEAL}${snapshotMac(key, s, s.state)}.${s.state}`;
}

/** The snapshot's state when its seal verifies; else undefined (pass it over). */
function openSnapshot(key: Buffer, s: StoredSnapshot): string | undefined {
  if (!s.state.startsWith(SEAL)) return undefined;
  const dot = s.state.indexOf('.', SEAL.length);
  if (dot < 0) return undefined;
  const given = Buffer.from(s.state.slice(SEAL.length, dot), 'hex');
  const state = s.state.slice(dot + 1);
  const expected = Buffer.from(snapshotMac(key, s, state), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) ? state : undefined;
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
  if (!known || BigInt(known.revision) < revision) {
    cached.commands.delete(commandId);
    cached.commands.set(commandId, { revision: compact(revision), position: compact(at.position) });
  }
  if (cached.commands.size > MAX_REMEMBERED_COMMANDS) {
    const oldest = cached.commands.keys().next().value;
    if (oldest !== undefined) cached.commands.delete(oldest);
  }
}
