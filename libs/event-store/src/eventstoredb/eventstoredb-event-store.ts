import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  excludeSystemEvents,
  jsonEvent,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type AppendResult as ClientAppendResult,
  type AppendToStreamOptions,
  type BaseOptions,
  type EventData,
  type GetStreamMetadataResult,
  type Position,
  type ReadAllOptions as ClientReadAllOptions,
  type ReadStreamOptions as ClientReadStreamOptions,
  type ResolvedEvent,
  type StreamingRead,
  type SubscribeToAllOptions,
} from '@eventstore/db-client';
import {
  EventStoreError,
  IdempotencyConflictError,
  InvalidAppendError,
  WrongExpectedRevisionError,
} from '../errors';
import type {
  AppendOptions,
  AppendResult,
  ChainBreak,
  EventBatchHandler,
  EventStore,
  EventStoreHealth,
  EventToAppend,
  ExpectedRevision,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
  SubscriptionsHealth,
  VerificationReport,
} from '../event-store.port';
import { chainLink, contentDigest, genesisHash, verifyChain } from '../hash-chain';
import { normalizeAppend } from '../validate-append';
import {
  checkServerVersion,
  classifyError,
  comparePositions,
  decodeEvent,
  expectationHolds,
  isStreamDeleted,
  isStreamNotFound,
  isSystemEvent,
  isWrongExpectedVersion,
  packMetadata,
  toClientPosition,
  toPortError,
  type ClientRecordedEvent,
  type DecodedEvent,
} from './eventstoredb-mapping';
import { CatchUpSubscription, type SubscriptionLog } from './eventstoredb-subscription';

/**
 * The EventStoreDB adapter (gRPC, @eventstore/db-client 6). EXPERIMENTAL until the CI workflow
 * `.github/workflows/eventstoredb.yml` has run green against real servers: see the README.
 * Needs EventStoreDB 22.10 or later (KurrentDB 25 speaks the same protocol): older servers
 * give events read from a stream no $all position, and `open` refuses them by the version the
 * server reports when the adapter connects.
 *
 * Positions. A position is the $all commit position of the event, as a bigint. Servers since
 * v20 write each event as its own committed record, so every event has its own commit
 * position (equal to its prepare position) and the commit position alone orders $all
 * strictly; reads and subscriptions resume from `{ commit: p, prepare: p }` of a stored p. The
 * client reads an absent position as 0 and servers before 22.6 send 2^64−1: both count as
 * missing (positionOf), and an event without a position fails loudly, never as a checkpoint.
 *
 * Events. Type = our type, data = our data as JSON, EventStoreDB's event id = our id, and the
 * metadata = our metadata plus `$correlationId`/`$causationId` and the ledger's fields under
 * `$ledger` (hash, recordedAt, schemaVersion, batch): see packMetadata. Reading strips them,
 * so RecordedEvent.metadata is exactly what was appended.
 *
 * Reads that decide go to the leader (`requiresLeader`): the tail an append links from, the
 * id claims, the read-back of an append, and every read the port offers (a command handler
 * folds a stream to decide, and the contract promises that a reader sees what was appended
 * before). A follower may be behind the leader; the client reads from whichever node it is
 * connected to, and a node that lost the leadership answers NotLeader, after which the
 * client reconnects to the leader it names. Only the live part of a subscription may be
 * served by a follower (its positions are the same on every node).
 *
 * The hash chain is computed here: the append reads the stream's last event (its revision and
 * link), links the new events from it, and appends with exactly that revision as the expected
 * one, so no two writers can both extend the same link (the chain cannot fork). A stream that
 * was soft-deleted continues its revision numbers when written again, while a ledger reading it
 * as empty would link from the genesis at revision 0: the append refuses a stream whose
 * metadata says it was deleted, and refuses loudly an append the server stored at another
 * revision than the one it was hashed with.
 *
 * Idempotency and the meaning of a raced append's ids. EventStoreDB's own check of event ids
 * holds only in some cases (it depends on the expected version and on a cache, and never spans
 * streams), so the adapter keeps its own index of event ids: one claim stream per event id,
 * `<prefix><id>` (default `$ledger-id-`), whose last event names the stream, the revision of
 * the append's first event (`first`) and the revision the id is to take. Exactly one writer can
 * write each claim event (expected revision no_stream, or the last claim's revision). A claim
 * is
 *   - stored: that stream holds the id at that revision;
 *   - pending: the stream has not reached `first` (an append in flight, or cut off before it
 *     wrote: retried, it completes);
 *   - void: the stream holds another event at `first`. The claimed append was made at exactly
 *     `first − 1`, so it can never be stored: the id is free again, for any stream.
 * So, as on PostgreSQL, an append refused for its expected revision (it lost a race) leaves
 * its ids free for any stream; an id stored in one stream, or claimed by an unfinished append
 * to it, is refused for any other (IdempotencyConflictError). An append:
 *   1. reads the claims of its ids and the stream's last event, in parallel (leader);
 *   2. resolves the claims (one read per claimed (stream, first)): an id stored or pending in
 *      another stream → IdempotencyConflictError; all ids stored here as one whole earlier
 *      append → that append's result, nothing written, whatever the expected revision; some →
 *      IdempotencyConflictError;
 *   3. checks the caller's expected revision against the last event read in 1;
 *   4. links the events and checks their size against the server's append limit;
 *   5. claims the ids that are free or void (a claim lost to a concurrent writer → again);
 *   6. appends, at the exact revision read in 1;
 *   7. reads the stream back from `first`: the stored events are the result (their revision
 *      and $all position), which also answers right when EventStoreDB's own idempotency
 *      replied for an identical append that won a race.
 * A lost race (a claim or the append refused for its expected revision), a claim not yet
 * readable, and a failure that may pass (NotLeader, Unavailable, a timeout: the server may
 * have written, and step 2 finds out) start over from 1 after a short random backoff, within
 * `retryForMs`; nothing the client throws leaves the port (toPortError).
 *
 * The trade-off: an append costs 4 round trips (claims + tail, claim writes, append, read-back)
 * and one extra event and stream per event id, where a bounded tail-window check would cost one
 * read but miss ids stored further back or in other streams. For a credit ledger the exactness
 * is worth it. Claims live in `$` streams, which EventStoreDB reserves for system use: in a
 * secure deployment the ledger's user needs write and read access to them (a member of
 * $admins, or a $systemStreamAcl that grants it), and read access to $all; or choose another
 * prefix with `idClaimStreamPrefix` (EVENTSTORE_CLAIM_STREAM_PREFIX; appends to streams under
 * it are then refused).
 */
export interface EventStoreDbEventStoreOptions {
  /** E.g. `esdb://localhost:2113?tls=false`; credentials and TLS settings go in it. */
  connectionString: string;
  clock?: () => Date;
  /** Prefix of the streams that bind each event id to its stream. Default `$ledger-id-`. */
  idClaimStreamPrefix?: string;
  /** The largest append the server takes (its MaxAppendSize). Default 1 MiB, the server's. */
  maxAppendSize?: number;
  /** How long an operation keeps retrying failures that may pass. Default 15 s. */
  retryForMs?: number;
  /** Where the adapter reports what operators should know. Default: JSON lines on stderr. */
  log?: EventStoreLog;
}

export type EventStoreLog = SubscriptionLog;

/** The client calls the adapter uses: EventStoreDBClient, or a stand-in in tests. */
export interface EventStoreDbClientLike {
  appendToStream(
    streamName: string,
    events: EventData | EventData[],
    options?: AppendToStreamOptions,
  ): Promise<ClientAppendResult>;
  readStream(streamName: string, options?: ClientReadStreamOptions): StreamingRead<ResolvedEvent>;
  readAll(options?: ClientReadAllOptions): StreamingRead<AllStreamResolvedEvent>;
  getStreamMetadata(streamName: string, options?: BaseOptions): Promise<GetStreamMetadataResult>;
  subscribeToAll(options?: SubscribeToAllOptions): AllStreamSubscription;
  dispose(): Promise<void>;
}

/** The last event of an id's claim stream. */
interface Claim {
  streamName: string;
  /** Revision of the first event of the append that claimed the id. */
  first: bigint;
  /** Revision the id takes in that append. */
  revision: bigint;
  /** Revision of this claim event in the claim stream. */
  claimRevision: bigint;
}

type ClaimState =
  | { state: 'free' }
  | { state: 'stored'; claim: Claim; event: DecodedEvent }
  | { state: 'pending'; claim: Claim }
  | { state: 'void'; claim: Claim }
  /** The stream moved past `first`, but its events there can no longer be read (truncated). */
  | { state: 'unreadable'; claim: Claim };

type Attempt = { outcome: 'done'; result: AppendResult } | { outcome: 'again'; error?: unknown };

// Each adapter's own tuning constants; alike in shape with the PostgreSQL adapter's only.
export const CLAIM_EVENT_TYPE = '$ledger-id-claim';
const DEFAULT_CLAIM_PREFIX = '$ledger-id-';
const DEFAULT_PAGE = 1000;
const READ_ALL_PAGE = 500;
const VERIFY_PAGE = 1000;
const MAX_APPEND_ATTEMPTS = 80;
const READ_TRIES = 3;
const DEFAULT_RETRY_FOR_MS = 15_000;
const DEFAULT_MAX_APPEND_SIZE = 1024 * 1024;
const PING_TIMEOUT_MS = 10_000;
const LEADER = { requiresLeader: true } as const;
const NIL_UUID = '00000000-0000-0000-0000-000000000000';
const NON_INCREASING =
  'EventStoreDB returned $all events whose commit positions do not strictly increase ' +
  '(events of explicit transactions of EventStoreDB 5?): positions would not be a safe checkpoint';

export class EventStoreDbEventStore implements EventStore {
  private readonly clock: () => Date;
  private readonly claimPrefix: string;
  private readonly maxAppendSize: number;
  private readonly retryForMs: number;
  private readonly log: EventStoreLog;
  private readonly subscriptions = new Set<CatchUpSubscription<AllStreamResolvedEvent>>();
  private readonly stopped = {
    count: 0,
    last: undefined as { message: string; at: Date } | undefined,
  };
  private serverVersion = 'unknown';

  private constructor(
    private readonly client: EventStoreDbClientLike,
    options: Omit<EventStoreDbEventStoreOptions, 'connectionString'>,
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.claimPrefix = options.idClaimStreamPrefix ?? DEFAULT_CLAIM_PREFIX;
    this.maxAppendSize = options.maxAppendSize ?? DEFAULT_MAX_APPEND_SIZE;
    this.retryForMs = options.retryForMs ?? DEFAULT_RETRY_FOR_MS;
    this.log = options.log ?? logToStderr;
    if (this.claimPrefix.length === 0) {
      throw new EventStoreError(
        'EVENTSTORE_CLAIM_STREAM_PREFIX (idClaimStreamPrefix) must not be empty',
        false,
      );
    }
  }

  /**
   * Connects: checks the server's version, that $all can be read, and that the id-claim
   * streams can be read; fails like the PostgreSQL adapter's create, naming cause and fix.
   */
  static async create(options: EventStoreDbEventStoreOptions): Promise<EventStoreDbEventStore> {
    let client: EventStoreDBClient;
    try {
      client = EventStoreDBClient.connectionString(options.connectionString);
    } catch (error) {
      // The client's message may quote the string, and the string may hold a password.
      const detail = options.connectionString.includes('@') ? '' : `: ${(error as Error).message}`;
      throw new EventStoreError(
        `EVENTSTORE_CONNECTION_STRING is not a valid EventStoreDB connection string${detail} ` +
          '(e.g. esdb://user:password@host:2113?tls=true&tlsCAFile=/path/ca.crt)',
        false,
      );
    }
    try {
      return await EventStoreDbEventStore.open(client, {
        ...options,
        // `capabilities` is protected in the client's types: the server's answer to its
        // ServerFeatures call, 'unknown' on servers too old to have one.
        serverVersion: async () =>
          (
            await (client as unknown as { capabilities: Promise<{ serverVersion?: string }> })
              .capabilities
          ).serverVersion ?? 'unknown',
      });
    } catch (error) {
      await client.dispose().catch(() => undefined);
      throw error;
    }
  }

  /** `create` over a client made elsewhere (a stand-in in tests). */
  static async open(
    client: EventStoreDbClientLike,
    options: Omit<EventStoreDbEventStoreOptions, 'connectionString'> & {
      serverVersion: () => Promise<string>;
    },
  ): Promise<EventStoreDbEventStore> {
    const store = new EventStoreDbEventStore(client, options);
    const version = await withTimeout(
      store.retrying('asking the server for its version', options.serverVersion),
      PING_TIMEOUT_MS,
      'EventStoreDB did not answer',
    );
    checkServerVersion(version);
    store.serverVersion = version;
    await withTimeout(
      store.retrying('reading $all', () => store.ping()),
      PING_TIMEOUT_MS,
      'EventStoreDB did not answer',
    );
    await store.retrying('reading the id-claim streams', () =>
      store.readRawStream(store.claimStream(NIL_UUID), {
        direction: BACKWARDS,
        fromRevision: END,
        maxCount: 1,
      }),
    );
    return store;
  }

  /** Over a client made elsewhere, without `open`'s checks (tests of the adapter's logic). */
  static fromClient(
    client: EventStoreDbClientLike,
    options: Omit<EventStoreDbEventStoreOptions, 'connectionString'> = {},
  ): EventStoreDbEventStore {
    return new EventStoreDbEventStore(client, options);
  }

  async append(
    streamName: string,
    toAppend: readonly EventToAppend[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    const events = normalizeAppend(streamName, toAppend);
    if (!this.claimPrefix.startsWith('$') && streamName.startsWith(this.claimPrefix)) {
      throw new InvalidAppendError(
        `stream names starting with ${this.claimPrefix} are reserved for the store`,
      );
    }
    const expected = options.expectedRevision ?? 'any';
    const doing = `appending to ${streamName}`;
    const deadline = Date.now() + this.retryForMs;
    let lastError: unknown;
    for (let attempt = 1; ; attempt++) {
      let a: Attempt;
      try {
        a = await this.tryAppend(streamName, events, expected);
      } catch (error) {
        if (classifyError(error) === 'permanent') {
          throw toPortError(error, doing, { streamName, expected });
        }
        a = { outcome: 'again', error };
      }
      if (a.outcome === 'done') return a.result;
      lastError = a.error ?? lastError;
      if (attempt >= MAX_APPEND_ATTEMPTS || Date.now() >= deadline) {
        throw lastError !== undefined
          ? toPortError(lastError, doing, { streamName, expected })
          : new EventStoreError(
              `stream ${streamName}: gave up after ${attempt} attempts under contention`,
              true,
            );
      }
      await sleep(backoff(attempt));
    }
  }

  private async tryAppend(
    streamName: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
  ): Promise<Attempt> {
    const ids = events.map((e) => e.id);

    // 1. The claims of these ids, and the stream's last event.
    const [claims, tail] = await Promise.all([
      Promise.all(ids.map((id) => this.readClaim(id))),
      this.readTail(streamName),
    ]);
    if (!tail) await this.refuseDeletedStream(streamName);

    // 2. Stored or claimed before: here as this same append, or elsewhere. The claims were
    // read before the stream: an append that completed in between shows only some of its ids
    // claimed. Its claims were all written before its events, so one more read sees them.
    let states = await this.resolveClaims(ids, claims);
    const storedHereCount = states.filter(
      (s) => s.state === 'stored' && s.claim.streamName === streamName,
    ).length;
    if (storedHereCount > 0 && storedHereCount < ids.length) {
      states = await this.resolveClaims(
        ids,
        await Promise.all(ids.map((id) => this.readClaim(id))),
      );
    }
    this.refuseClaimsElsewhere(streamName, ids, states);
    const stored = this.storedHere(streamName, ids, states);
    if (stored) return { outcome: 'done', result: stored };

    // 3. The caller's expectation.
    const actual = tail?.event.revision;
    if (!expectationHolds(expected, actual)) {
      throw new WrongExpectedRevisionError(streamName, expected, actual);
    }

    // 4. Link the events to the stream's last one, within the server's size limit.
    const first = actual === undefined ? 0n : actual + 1n;
    const data = this.link(streamName, events, tail, first);

    // 5. Claim the ids that are free, or whose claim is void.
    // Claimed here by an append not finished: the same append (retried, or a concurrent copy)
    // if it claimed the same revisions; read again if our view of the stream is behind it.
    const pendingHere = states.flatMap((s, i) =>
      s.state === 'pending' && s.claim.streamName === streamName ? [{ claim: s.claim, i }] : [],
    );
    if (pendingHere.some(({ claim }) => claim.first !== first)) return { outcome: 'again' };
    if (pendingHere.some(({ claim, i }) => claim.revision !== first + BigInt(i))) {
      throw new IdempotencyConflictError(
        streamName,
        ids,
        'some of these event ids are claimed by an unfinished append that orders them otherwise',
      );
    }
    const claiming = states
      .map((s, i) => ({ s, i }))
      .filter(({ s }) => s.state === 'free' || s.state === 'void');
    const won = await Promise.all(
      claiming.map(({ s, i }) =>
        this.writeClaim(ids[i]!, {
          streamName,
          first,
          revision: first + BigInt(i),
          after: s.state === 'void' ? s.claim.claimRevision : undefined,
        }),
      ),
    );
    if (won.includes(false)) return { outcome: 'again' };

    // 6. Append at exactly the revision read in 1.
    let appended: ClientAppendResult;
    try {
      appended = await this.client.appendToStream(streamName, data, {
        expectedRevision: actual === undefined ? NO_STREAM : actual,
      });
    } catch (error) {
      // Someone appended since step 1: decide again from a fresh read (a caller's exact
      // revision or no_stream then fails in step 3 with the actual revision).
      if (isWrongExpectedVersion(error)) return { outcome: 'again', error };
      throw error;
    }
    // A connection string may set throwOnAppendFailure=false: the refusal comes as a result.
    if (!appended.success) return { outcome: 'again' };

    // 7. What is stored from `first` is the result.
    return this.readBack(streamName, ids, first, appended.nextExpectedRevision);
  }

  /** The events as EventStoreDB takes them, linked from the tail at revision `first`. */
  private link(
    streamName: string,
    events: readonly EventToAppend[],
    tail: DecodedEvent | undefined,
    first: bigint,
  ): EventData[] {
    if (tail && !tail.ledger) {
      throw new EventStoreError(
        `stream ${streamName}: its last event (revision ${tail.event.revision}) was not written ` +
          'through the ledger, so its hash chain cannot be extended',
        false,
      );
    }
    const recordedAt = this.clock();
    let previous = tail?.ledger ? Buffer.from(tail.ledger.hash, 'hex') : genesisHash(streamName);
    let revision = first;
    let size = 0;
    const data = events.map((e, index) => {
      const link = chainLink(previous, revision, contentDigest({ ...e, recordedAt }));
      previous = link;
      revision += 1n;
      const metadata = packMetadata(e.metadata, {
        hash: link.toString('hex'),
        recordedAt: recordedAt.toISOString(),
        schemaVersion: e.schemaVersion,
        batch: { index, size: events.length },
      });
      // As the server counts it (Event.SizeOnDisk): data + metadata + 2 × the type's length.
      size +=
        Buffer.byteLength(JSON.stringify(e.data), 'utf8') +
        Buffer.byteLength(JSON.stringify(metadata), 'utf8') +
        e.type.length * 2;
      return jsonEvent({ id: e.id, type: e.type, data: e.data, metadata });
    });
    if (size > this.maxAppendSize) {
      throw new InvalidAppendError(
        `stream ${streamName}: the append is ${size} bytes as EventStoreDB counts them, over its ` +
          `limit of ${this.maxAppendSize} (MaxAppendSize); append fewer or smaller events`,
      );
    }
    return data;
  }

  /** The result when every id is stored here as one whole earlier append; throws when only some. */
  private storedHere(
    streamName: string,
    ids: readonly string[],
    states: readonly ClaimState[],
  ): AppendResult | undefined {
    const stored = states.filter(
      (s): s is Extract<ClaimState, { state: 'stored' }> =>
        s.state === 'stored' && s.claim.streamName === streamName,
    );
    const unreadable = states.some(
      (s) => s.state === 'unreadable' && s.claim.streamName === streamName,
    );
    if (stored.length === 0 && !unreadable) return undefined;
    const whole =
      stored.length === ids.length &&
      stored.every(
        (s, i) =>
          s.claim.first === stored[0]!.claim.first &&
          s.event.event.revision === stored[0]!.claim.first + BigInt(i) &&
          s.event.ledger?.batch.index === i &&
          s.event.ledger.batch.size === ids.length,
      );
    const last = stored[stored.length - 1];
    if (!whole || !last) {
      throw new IdempotencyConflictError(
        streamName,
        ids,
        unreadable
          ? 'some of these event ids were claimed for events of this stream that can no longer be read (deleted?)'
          : 'some of these event ids were stored before, but not as this same append',
      );
    }
    return { nextRevision: last.event.event.revision, position: last.event.event.position };
  }

  private refuseClaimsElsewhere(
    streamName: string,
    ids: readonly string[],
    states: readonly ClaimState[],
  ): void {
    const elsewhere = states
      .map((s, i) => {
        if (s.state === 'free' || s.state === 'void' || s.claim.streamName === streamName) {
          return undefined;
        }
        const how =
          s.state === 'stored'
            ? 'stored'
            : s.state === 'pending'
              ? 'claimed by an append not finished (or cut off)'
              : 'claimed for events that can no longer be read';
        return `${ids[i]} (${how} in ${s.claim.streamName})`;
      })
      .filter((s): s is string => s !== undefined);
    if (elsewhere.length > 0) {
      throw new IdempotencyConflictError(
        streamName,
        ids,
        `event ids stored or claimed before in other streams: ${elsewhere.join(', ')}`,
      );
    }
  }

  /** What each claim says now: one leader read per claimed (stream, first). */
  private async resolveClaims(
    ids: readonly string[],
    claims: readonly (Claim | undefined)[],
  ): Promise<ClaimState[]> {
    const groups = new Map<string, Claim[]>();
    for (const c of claims) {
      if (!c) continue;
      const key = `${c.first}\u0000${c.streamName}`;
      groups.set(key, [...(groups.get(key) ?? []), c]);
    }
    const slots = new Map<string, DecodedEvent[]>();
    await Promise.all(
      [...groups].map(async ([key, group]) => {
        const { streamName, first } = group[0]!;
        const last = group.reduce((max, c) => (c.revision > max ? c.revision : max), first);
        const raw = await this.readRawStream(streamName, {
          direction: FORWARDS,
          fromRevision: first,
          maxCount: Number(last - first) + 1,
        });
        slots.set(key, raw.map(decodeEvent));
      }),
    );
    return claims.map((claim, i) => {
      if (!claim) return { state: 'free' };
      const read = slots.get(`${claim.first}\u0000${claim.streamName}`) ?? [];
      const head = read[0];
      if (!head) return { state: 'pending', claim };
      if (head.event.revision !== claim.first) return { state: 'unreadable', claim };
      const at = read.find((d) => d.event.revision === claim.revision);
      return at && at.event.id === ids[i]
        ? { state: 'stored', claim, event: at }
        : { state: 'void', claim };
    });
  }

  /** Reads the stream back from `first`: our events there are the result. */
  private async readBack(
    streamName: string,
    ids: readonly string[],
    first: bigint,
    reported: bigint,
  ): Promise<Attempt> {
    const n = BigInt(ids.length);
    const read = (
      await this.readRawStream(streamName, {
        direction: FORWARDS,
        fromRevision: first,
        maxCount: ids.length,
      })
    ).map(decodeEvent);
    const last = read[read.length - 1];
    if (
      last &&
      read.length === ids.length &&
      read.every((d, i) => d.event.id === ids[i] && d.event.revision === first + BigInt(i))
    ) {
      return {
        outcome: 'done',
        result: { nextRevision: last.event.revision, position: last.event.position },
      };
    }
    if (reported !== first + n - 1n) {
      // Stored at other revisions than hashed: the stream continues numbers we did not see.
      const there = (
        await this.readRawStream(streamName, {
          direction: BACKWARDS,
          fromRevision: reported,
          maxCount: ids.length,
        })
      )
        .map(decodeEvent)
        .reverse();
      if (there.length > 0 && there.every((d, i) => d.event.id === ids[i])) {
        const message =
          `stream ${streamName}: EventStoreDB stored these events at revisions ` +
          `${there[0]!.event.revision}..${reported}, but the ledger hashed them as revisions ` +
          `${first}..${first + n - 1n}: the stream was deleted (soft) and continues its revision ` +
          'numbers, so its hash chain is broken. Verification names it; restore the stream from a ' +
          'backup, or write to a new stream';
        this.log('error', 'append stored at revisions other than hashed', { streamName });
        throw new EventStoreError(message, false);
      }
    }
    return { outcome: 'again' };
  }

  private claimStream(id: string): string {
    return `${this.claimPrefix}${id}`;
  }

  private async readClaim(id: string): Promise<Claim | undefined> {
    const [e] = await this.readRawStream(this.claimStream(id), {
      direction: BACKWARDS,
      fromRevision: END,
      maxCount: 1,
    });
    if (!e) return undefined;
    const data = (typeof e.data === 'object' && e.data !== null ? e.data : {}) as Record<
      string,
      unknown
    >;
    const { streamName, first, revision } = data;
    if (
      typeof streamName !== 'string' ||
      typeof first !== 'string' ||
      typeof revision !== 'string' ||
      !/^\d+$/.test(first) ||
      !/^\d+$/.test(revision)
    ) {
      throw new EventStoreError(
        `the id claim ${this.claimStream(id)} is not one this adapter wrote ` +
          '(it names no stream and revision)',
        false,
      );
    }
    return {
      streamName,
      first: BigInt(first),
      revision: BigInt(revision),
      claimRevision: e.revision,
    };
  }

  /**
   * True when this call wrote the claim, or a concurrent identical append wrote the same one;
   * false when another claim got there first (possibly not yet readable: the caller retries).
   * A fresh random event id, so that EventStoreDB's own idempotency never makes a second
   * claimant believe it created the claim.
   */
  private async writeClaim(
    id: string,
    claim: { streamName: string; first: bigint; revision: bigint; after: bigint | undefined },
  ): Promise<boolean> {
    try {
      await this.client.appendToStream(
        this.claimStream(id),
        jsonEvent({
          type: CLAIM_EVENT_TYPE,
          data: {
            streamName: claim.streamName,
            first: claim.first.toString(),
            revision: claim.revision.toString(),
          },
        }),
        { expectedRevision: claim.after ?? NO_STREAM },
      );
      return true;
    } catch (error) {
      if (!isWrongExpectedVersion(error)) throw error;
      const now = await this.readClaim(id);
      return (
        now !== undefined &&
        now.streamName === claim.streamName &&
        now.first === claim.first &&
        now.revision === claim.revision
      );
    }
  }

  private async readTail(streamName: string): Promise<DecodedEvent | undefined> {
    const [last] = await this.readRawStream(streamName, {
      direction: BACKWARDS,
      fromRevision: END,
      maxCount: 1,
    });
    return last ? decodeEvent(last) : undefined;
  }

  /**
   * A stream that reads as missing but whose metadata says it was deleted: EventStoreDB would
   * take an append with no_stream and continue its old revision numbers, while the ledger would
   * link from the genesis at revision 0.
   */
  private async refuseDeletedStream(streamName: string): Promise<void> {
    let metadata: GetStreamMetadataResult;
    try {
      metadata = await this.client.getStreamMetadata(streamName, LEADER);
    } catch (error) {
      if (isStreamDeleted(error)) throw toPortError(error, `appending to ${streamName}`);
      throw error;
    }
    if (metadata.metadata?.truncateBefore !== undefined) {
      throw new EventStoreError(
        `stream ${streamName} was deleted (its metadata truncates it before revision ` +
          `${metadata.metadata.truncateBefore}): EventStoreDB would continue its revision numbers ` +
          'where the ledger would start a new hash chain at 0, so the ledger refuses to write it. ' +
          'Restore the stream from a backup, or remove its $tb metadata if it was deleted by mistake',
        false,
      );
    }
  }

  /**
   * The stream's events as the client gives them, from the leader; none when it does not exist.
   * A read that fails for a reason that may pass is made again at once, a few times (after
   * NotLeader the client has already reconnected to the leader it named).
   */
  private async readRawStream(
    streamName: string,
    options: ClientReadStreamOptions,
  ): Promise<ClientRecordedEvent[]> {
    for (let attempt = 1; ; attempt++) {
      const events: ClientRecordedEvent[] = [];
      try {
        for await (const resolved of this.client.readStream(streamName, {
          ...options,
          ...LEADER,
        })) {
          if (resolved.event) events.push(resolved.event);
        }
        return events;
      } catch (error) {
        if (isStreamNotFound(error) || isStreamDeleted(error)) return [];
        if (attempt >= READ_TRIES || classifyError(error) === 'permanent') throw error;
        await sleep(backoff(attempt));
      }
    }
  }

  /** Retries failures that may pass, within `budgetMs`; then the port's error. */
  private async retrying<T>(
    doing: string,
    op: () => Promise<T>,
    budgetMs = this.retryForMs,
  ): Promise<T> {
    const deadline = Date.now() + budgetMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await op();
      } catch (error) {
        if (classifyError(error) === 'permanent' || Date.now() >= deadline) {
          throw toPortError(error, doing);
        }
        await sleep(backoff(attempt));
      }
    }
  }

  /**
   * Events not written through this adapter come back too (schemaVersion 0, empty hash), so
   * that verification names them.
   */
  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    if (options.maxCount !== undefined && options.maxCount <= 0) return [];
    const backwards = options.direction === 'backwards';
    const raw = await this.retrying(`reading ${streamName}`, () =>
      this.readRawStream(streamName, {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision: options.fromRevision ?? (backwards ? END : START),
        ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
      }),
    );
    return raw.map((e) => decodeEvent(e).event);
  }

  /**
   * Ledger events after a position, in $all order: system events, events of `$` streams
   * (EventStoreDB's own and the id claims) and events not written through this adapter are
   * left out.
   */
  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return this.retrying('reading $all', () =>
      this.readAllOnce(options.after ?? 0n, options.maxCount ?? DEFAULT_PAGE),
    );
  }

  /** One try of readAll. The client's readAll has no server-side filter: it pages until full. */
  private async readAllOnce(after: bigint, maxCount: number): Promise<RecordedEvent[]> {
    const out: RecordedEvent[] = [];
    if (maxCount <= 0) return out;
    let from: Position | undefined = after > 0n ? toClientPosition(after) : undefined;
    for (;;) {
      const pageSize = Math.max(READ_ALL_PAGE, maxCount - out.length + 1);
      const read = this.client.readAll({
        direction: FORWARDS,
        fromPosition: from ?? START,
        maxCount: pageSize,
        ...LEADER,
      });
      let seen = 0;
      let lastPosition: Position | undefined;
      let full = false;
      try {
        for await (const resolved of read) {
          seen += 1;
          const e = resolved.event;
          if (!e) continue;
          lastPosition = e.position;
          // A read from a position may start with the event at that position.
          if (from && comparePositions(e.position, from) <= 0) continue;
          if (e.position.commit <= after) continue;
          const event = this.decodeLedgerEvent(e);
          if (!event) continue;
          const previous = out[out.length - 1];
          if (previous && event.position <= previous.position) {
            throw new EventStoreError(NON_INCREASING, false);
          }
          out.push(event);
          if (out.length >= maxCount) {
            full = true;
            break;
          }
        }
      } finally {
        if (full) await read.cancel().catch(() => undefined);
      }
      if (full || seen < pageSize || !lastPosition) return out;
      from = lastPosition;
    }
  }

  private decodeLedgerEvent(e: ClientRecordedEvent | undefined): RecordedEvent | undefined {
    if (!e || isSystemEvent(e)) return undefined;
    const decoded = decodeEvent(e);
    return decoded.ledger ? decoded.event : undefined;
  }

  subscribeToAll(handler: EventBatchHandler, options: SubscribeOptions = {}): Subscription {
    const failuresAtStart = this.stopped.count;
    const sub: CatchUpSubscription<AllStreamResolvedEvent> = new CatchUpSubscription({
      readAll: (after, maxCount) => this.readAllOnce(after, maxCount),
      subscribe: (after) =>
        this.client.subscribeToAll({
          fromPosition: after > 0n ? toClientPosition(after) : START,
          filter: excludeSystemEvents(),
        }),
      decode: (resolved) => this.decodeLedgerEvent(resolved.event),
      handler,
      after: options.after ?? 0n,
      batchSize: options.batchSize ?? DEFAULT_PAGE,
      classify: classifyError,
      toPortError: (error) => toPortError(error, 'following $all'),
      log: this.log,
      onLive: () => {
        // The failure shown in health is cured once a subscription started after it caught up.
        if (this.stopped.last && failuresAtStart >= this.stopped.count) {
          this.stopped.last = undefined;
        }
      },
      onEnd: (permanent) => {
        this.subscriptions.delete(sub);
        if (permanent) {
          this.stopped.count += 1;
          this.stopped.last = { message: permanent.message, at: new Date() };
        }
      },
    });
    this.subscriptions.add(sub);
    return sub;
  }

  subscriptionHealth(): SubscriptionsHealth {
    return {
      running: [...this.subscriptions].map((s) => s.health()),
      stopped: this.stopped.count,
      ...(this.stopped.last ? { lastError: { ...this.stopped.last } } : {}),
    };
  }

  async streamRevision(streamName: string): Promise<bigint | undefined> {
    return (await this.retrying(`reading ${streamName}`, () => this.readTail(streamName)))?.event
      .revision;
  }

  async verifyStream(streamName: string): Promise<VerificationReport> {
    const events = await this.readStream(streamName);
    const broken = events.length > 0 ? verifyChain(streamName, events) : undefined;
    return {
      ok: broken === undefined,
      streamsChecked: events.length > 0 ? 1 : 0,
      eventsChecked: events.length,
      breaks: broken ? [broken] : [],
    };
  }

  /**
   * Every ledger stream: one pass over $all discovers the streams (in the order of their
   * first event), and each is read and verified whole when first seen. Memory: one stream's
   * events at a time plus the set of stream names already verified (tens of bytes a stream).
   * EventStoreDB keeps no separate head, so the chain's end is checked by nothing but the
   * stream itself; a stream whose events are still in $all but that reads as empty (deleted)
   * is reported as removed, and one that reads from a later revision (deleted and written
   * again) as removed from revision 0.
   */
  async verifyAll(): Promise<VerificationReport> {
    const verified = new Set<string>();
    const breaks: ChainBreak[] = [];
    let streamsChecked = 0;
    let eventsChecked = 0;
    let after = 0n;
    for (;;) {
      const page = await this.readAll({ after, maxCount: VERIFY_PAGE });
      for (const seen of page) {
        if (verified.has(seen.streamName)) continue;
        verified.add(seen.streamName);
        const events = await this.readStream(seen.streamName);
        streamsChecked += 1;
        eventsChecked += events.length;
        const broken =
          events.length > 0
            ? verifyChain(seen.streamName, events)
            : {
                streamName: seen.streamName,
                kind: 'removed' as const,
                revision: 0n,
                eventId: seen.id,
                position: seen.position,
                detail: `$all holds event ${seen.id} at revision ${seen.revision}, but the stream reads as empty (deleted)`,
              };
        if (broken) breaks.push(broken);
      }
      const last = page[page.length - 1];
      if (!last || page.length < VERIFY_PAGE) break;
      after = last.position;
    }
    breaks.sort((a, b) => (a.streamName < b.streamName ? -1 : a.streamName > b.streamName ? 1 : 0));
    return { ok: breaks.length === 0, streamsChecked, eventsChecked, breaks };
  }

  async health(): Promise<EventStoreHealth> {
    const subscriptions = this.subscriptionHealth();
    try {
      await withTimeout(
        this.retrying('reading $all', () => this.ping(), 3000),
        PING_TIMEOUT_MS,
        'EventStoreDB did not answer',
      );
      return {
        ok: true,
        adapter: 'eventstoredb',
        serverVersion: `${serverName(this.serverVersion)} ${this.serverVersion}`,
        subscriptions,
      };
    } catch (error) {
      return {
        ok: false,
        adapter: 'eventstoredb',
        detail: (error as Error).message,
        subscriptions,
      };
    }
  }

  /** Reads the head of $all from the leader: a leader answers, and this user may read $all. */
  private async ping(): Promise<void> {
    for await (const _ of this.client.readAll({
      direction: BACKWARDS,
      fromPosition: END,
      maxCount: 1,
      ...LEADER,
    })) {
      // The event itself does not matter.
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.client.dispose();
  }
}

function serverName(version: string): string {
  const major = Number.parseInt(version, 10);
  return Number.isInteger(major) && major >= 25 ? 'KurrentDB' : 'EventStoreDB';
}

/** A short random wait after the n-th failed try: spreads writers that lost the same race. */
function backoff(attempt: number): number {
  return 1 + Math.random() * Math.min(250, 5 * 2 ** Math.min(attempt, 8));
}

function logToStderr(
  level: 'info' | 'warn' | 'error',
  message: string,
  fields: Record<string, unknown> = {},
): void {
  process.stderr.write(
    `${JSON.stringify({ level, time: new Date().toISOString(), msg: message, component: 'event-store', ...fields })}\n`,
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new EventStoreError(`${message} within ${ms} ms`, true)),
          ms,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
