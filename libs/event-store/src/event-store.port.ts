/**
 * The one event-store port that everything above it uses. Adapters: PostgreSQL (the default)
 * and EventStoreDB. Both pass the same contract suite (testing/event-store.contract.ts).
 *
 * Revisions and positions are bigint: they are 64-bit and never go through Number().
 */

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Who asked, and why: carried on every event. */
export interface EventMetadata {
  /** The caller's identity (API key's role and name, CLI operator, process name). */
  actor: string;
  correlationId: string;
  /** The id of the command or event that caused this one. */
  causationId: string;
  /** Anything else an adapter or caller wants kept (must be JSON). */
  [key: string]: JsonValue;
}

export interface EventToAppend {
  /** UUID chosen by the writer; appending the same id again is a no-op (idempotency). */
  id: string;
  type: string;
  schemaVersion: number;
  data: JsonObject;
  metadata: EventMetadata;
}

export interface RecordedEvent {
  streamName: string;
  id: string;
  type: string;
  schemaVersion: number;
  data: JsonObject;
  metadata: EventMetadata;
  /** 0-based revision of the event in its stream. */
  revision: bigint;
  /** Position in the global log: strictly increasing in the order every reader sees. */
  position: bigint;
  recordedAt: Date;
  /** Hex sha-256 link of the stream's hash chain (see hash-chain.ts). */
  hash: string;
}

/**
 * `any`: no check. `no_stream`: the stream must not exist. `stream_exists`: it must.
 * A bigint: the stream's last revision must be exactly this.
 */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;

export interface AppendOptions {
  expectedRevision?: ExpectedRevision;
}

export interface AppendResult {
  /** Revision of the last event appended (the stream's revision after the append). */
  nextRevision: bigint;
  /** Global position of the last event appended. */
  position: bigint;
}

export interface ReadStreamOptions {
  direction?: 'forwards' | 'backwards';
  /** Inclusive. Forwards defaults to 0, backwards to the end of the stream. */
  fromRevision?: bigint;
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events with a position greater than this. Default: the start of the log. */
  after?: bigint;
  maxCount?: number;
}

export interface SubscribeOptions {
  /** Checkpoint: deliver events with a position greater than this. Default: the start. */
  after?: bigint;
  /** How many events are read per page while catching up. */
  batchSize?: number;
}

/** Handles a page of events in log order; the subscription waits for it before reading on. */
export type EventBatchHandler = (events: readonly RecordedEvent[]) => Promise<void>;

export interface Subscription {
  /** Stops reading; resolves when the handler in flight (if any) has finished. */
  stop(): Promise<void>;
  /** Resolves when the subscription stops: by stop(), or rejects with the handler's error. */
  readonly done: Promise<void>;
  /** The position of the last event handed to the handler and completed. */
  readonly position: bigint;
  /** True once the subscription has caught up with the log at least once. */
  readonly live: boolean;
}

export type ChainBreakKind = 'altered' | 'removed' | 'reordered' | 'head-mismatch';

export interface ChainBreak {
  streamName: string;
  kind: ChainBreakKind;
  /** Revision where the chain first breaks. */
  revision: bigint;
  /** The id of the event found at that revision, if any. */
  eventId?: string;
  /** Its global position, if any. */
  position?: bigint;
  detail: string;
}

export interface VerificationReport {
  ok: boolean;
  streamsChecked: number;
  eventsChecked: number;
  /** The first broken link of each broken stream, in stream-name order. */
  breaks: ChainBreak[];
}

export interface EventStoreHealth {
  ok: boolean;
  adapter: 'postgres' | 'eventstoredb';
  serverVersion?: string;
  detail?: string;
  /** The adapter's own subscriptions, where it runs them on a server connection. */
  subscriptions?: SubscriptionsHealth;
}

/** One running subscription, as an operator reads it. */
export interface SubscriptionHealth {
  /** `retrying`: the last read or the server subscription failed for a passing reason. */
  state: 'catching-up' | 'live' | 'retrying';
  position: bigint;
  /** Consecutive failures since it last made progress. */
  retries: number;
  lastError?: string;
}

export interface SubscriptionsHealth {
  running: SubscriptionHealth[];
  /** Subscriptions stopped by an error retrying cannot cure (access, integrity), since start. */
  stopped: number;
  /** The last such error, until a subscription started after it has caught up. */
  lastError?: { message: string; at: Date };
}

export interface EventStore {
  append(
    streamName: string,
    events: readonly EventToAppend[],
    options?: AppendOptions,
  ): Promise<AppendResult>;
  readStream(streamName: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  subscribeToAll(handler: EventBatchHandler, options?: SubscribeOptions): Subscription;
  /** The stream's last revision, or undefined when it does not exist. */
  streamRevision(streamName: string): Promise<bigint | undefined>;
  verifyStream(streamName: string): Promise<VerificationReport>;
  verifyAll(): Promise<VerificationReport>;
  health(): Promise<EventStoreHealth>;
  /** The subscriptions' state without a round trip (metrics); adapters that run none omit it. */
  subscriptionHealth?(): SubscriptionsHealth;
  close(): Promise<void>;
}

export const EVENT_STORE = Symbol('EVENT_STORE');
