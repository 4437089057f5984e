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
  type EventData,
  type Position,
  type ReadAllOptions as ClientReadAllOptions,
  type ReadStreamOptions as ClientReadStreamOptions,
  type ResolvedEvent,
  type StreamingRead,
  type SubscribeToAllOptions,
} from '@eventstore/db-client';
import {
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
  VerificationReport,
} from '../event-store.port';
import { chainLink, contentDigest, genesisHash, verifyChain } from '../hash-chain';
import { normalizeAppend } from '../validate-append';
import {
  comparePositions,
  decodeEvent,
  expectationHolds,
  isStreamDeleted,
  isStreamNotFound,
  isSystemEvent,
  isWrongExpectedVersion,
  mapClientError,
  packMetadata,
  toClientExpectedRevision,
  toClientPosition,
  type ClientRecordedEvent,
  type DecodedEvent,
} from './eventstoredb-mapping';
import { CatchUpSubscription } from './eventstoredb-subscription';

/**
 * The EventStoreDB adapter (gRPC, @eventstore/db-client v6). Needs EventStoreDB 22.10 or later:
 * events read from streams carry their $all position only on servers newer than 22.6.
 *
 * Positions. A position is the $all commit position of the event, as a bigint. Servers since
 * v20 write each event as its own committed record, so every event has its own commit
 * position (equal to its prepare position) and the commit position alone orders $all
 * strictly; reads and subscriptions resume from `{ commit: p, prepare: p }` of a stored p.
 * (Events written by v5 explicit transactions share one commit position; readAll refuses to
 * hand out such a non-increasing sequence rather than skip or repeat events silently.)
 *
 * Events. Type = our type, data = our data as JSON, EventStoreDB's event id = our id, and the
 * metadata = our metadata plus `$correlationId`/`$causationId` and the ledger's fields under
 * `$ledger` (hash, recordedAt, schemaVersion, batch): see packMetadata. Reading strips them,
 * so RecordedEvent.metadata is exactly what was appended.
 *
 * The hash chain is computed here: the append reads the stream's last event (its revision and
 * link), links the new events from it, and appends with exactly that revision as the expected
 * one, so no two writers can both extend the same link (the chain cannot fork). A writer that
 * loses that race starts over from a fresh read when the caller asked for `any` or
 * `stream_exists`; when the caller asked for an exact revision or `no_stream`, the fresh read
 * shows the stream moved and the append fails with WrongExpectedRevisionError.
 *
 * Idempotency. EventStoreDB's own check of event ids only holds in some cases (it depends on
 * the expected version and on a cache, and never spans streams), so the adapter keeps its own
 * index of event ids: one claim stream per event id, `$ledger-id-<id>`, whose single event
 * names the stream the id belongs to, written with expected revision no_stream (so exactly one
 * writer can create it). An append:
 *   1. reads the claims of its ids and the stream's last event, in parallel;
 *   2. an id claimed by another stream → IdempotencyConflictError. If some ids are claimed by
 *      this stream, it searches the stream backwards for them, no further back than the
 *      earliest of those claims (events are always written after their claims): all found as
 *      one whole earlier append → the result of that append (its last event's revision and
 *      position), nothing written, whatever the expected revision; some found, or found in
 *      another arrangement → IdempotencyConflictError; none found → carry on;
 *   3. checks the caller's expected revision against the last event read in 1;
 *   4. claims the ids not yet claimed (a claim found taken by this stream means a concurrent
 *      identical append: start over at 1; by another stream: IdempotencyConflictError);
 *   5. appends, at the exact revision read in 1;
 *   6. reads the stream's event at the returned revision: its revision and $all position are
 *      the result. This also gives the right answer when EventStoreDB's own idempotency
 *      answered for an identical append that won a race, and it makes the result's position
 *      the $all position readers see, whatever the server reports in its append response.
 * Concurrent retries of one append converge: one of them wins step 5, and every other either
 * finds it in step 2 of its next round or is answered by EventStoreDB's own idempotency check.
 *
 * The trade-off: an append costs 4 round trips (claims + tail, claim writes, append, read-back)
 * and one extra event and stream per event id, where a bounded tail-window check would cost
 * one read but miss ids stored further back or in other streams. For a credit ledger the
 * exactness is worth it. A claim outlives an append that the server then refuses (too large,
 * or a concurrent writer moved the stream): the id stays bound to that stream, where it can
 * still be appended. Claims live in `$` streams, which EventStoreDB reserves for system use:
 * in a secure deployment the ledger's user needs write and read access to them (a member of
 * $admins, or a $systemStreamAcl that grants it), and read access to $all; or choose another
 * prefix with `idClaimStreamPrefix` (appends to streams under it are then refused).
 */
export interface EventStoreDbEventStoreOptions {
  /** E.g. `esdb://localhost:2113?tls=false`. */
  connectionString: string;
  clock?: () => Date;
  /** Prefix of the streams that bind each event id to its stream. Default `$ledger-id-`. */
  idClaimStreamPrefix?: string;
}

/** The client calls the adapter uses: EventStoreDBClient, or a stand-in in tests. */
export interface EventStoreDbClientLike {
  appendToStream(
    streamName: string,
    events: EventData | EventData[],
    options?: AppendToStreamOptions,
  ): Promise<ClientAppendResult>;
  readStream(streamName: string, options?: ClientReadStreamOptions): StreamingRead<ResolvedEvent>;
  readAll(options?: ClientReadAllOptions): StreamingRead<AllStreamResolvedEvent>;
  subscribeToAll(options?: SubscribeToAllOptions): AllStreamSubscription;
  dispose(): Promise<void>;
}

interface Claim {
  streamName: string;
  position: bigint | undefined;
}

type Attempt =
  | { outcome: 'done'; result: AppendResult }
  /** Lost a race: the stream moved under us, or a concurrent identical append claimed first. */
  | { outcome: 'again'; backoff: boolean; error?: unknown };

export const CLAIM_EVENT_TYPE = '$ledger-id-claim';
const DEFAULT_CLAIM_PREFIX = '$ledger-id-';
const DEFAULT_PAGE = 1000;
const READ_ALL_PAGE = 500;
const SEARCH_PAGE = 200;
const VERIFY_PAGE = 1000;
const MAX_APPEND_ATTEMPTS = 25;
const PING_TIMEOUT_MS = 10_000;
const NON_INCREASING =
  'EventStoreDB returned $all events whose commit positions do not strictly increase ' +
  '(events of explicit transactions of EventStoreDB 5?): positions would not be a safe checkpoint';

export class EventStoreDbEventStore implements EventStore {
  private readonly clock: () => Date;
  private readonly claimPrefix: string;
  private readonly subscriptions = new Set<Subscription>();

  private constructor(
    private readonly client: EventStoreDbClientLike,
    options: Omit<EventStoreDbEventStoreOptions, 'connectionString'>,
    private readonly fetchServerVersion: () => Promise<string>,
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.claimPrefix = options.idClaimStreamPrefix ?? DEFAULT_CLAIM_PREFIX;
    if (this.claimPrefix.length === 0) throw new Error('idClaimStreamPrefix must not be empty');
  }

  /** Connects and checks that $all can be read (fails like the PostgreSQL adapter's create). */
  static async create(options: EventStoreDbEventStoreOptions): Promise<EventStoreDbEventStore> {
    const client = EventStoreDBClient.connectionString(options.connectionString);
    const store = new EventStoreDbEventStore(client, options, async () => {
      // `capabilities` is protected in the client's types: the server's answer to its
      // ServerFeatures call, 'unknown' on servers too old to have one.
      const features = await (
        client as unknown as { capabilities?: Promise<{ serverVersion?: string }> }
      ).capabilities;
      return features?.serverVersion ?? 'unknown';
    });
    try {
      await withTimeout(store.ping(), PING_TIMEOUT_MS, 'EventStoreDB did not answer');
    } catch (error) {
      await client.dispose().catch(() => undefined);
      throw error;
    }
    return store;
  }

  /** Over a client made elsewhere (tests, tools). */
  static fromClient(
    client: EventStoreDbClientLike,
    options: Omit<EventStoreDbEventStoreOptions, 'connectionString'> & {
      serverVersion?: () => Promise<string>;
    } = {},
  ): EventStoreDbEventStore {
    return new EventStoreDbEventStore(
      client,
      options,
      options.serverVersion ?? (async () => 'unknown'),
    );
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
    let lastError: unknown;
    for (let attempt = 1; attempt <= MAX_APPEND_ATTEMPTS; attempt++) {
      const a = await this.tryAppend(streamName, events, expected);
      if (a.outcome === 'done') return a.result;
      lastError = a.error ?? lastError;
      if (a.backoff) await sleep(Math.random() * Math.min(200, 5 * 2 ** attempt));
    }
    throw (
      lastError ??
      new Error(
        `stream ${streamName}: gave up after ${MAX_APPEND_ATTEMPTS} attempts under contention`,
      )
    );
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

    // 2. Stored before: here as this same append, or elsewhere.
    this.refuseClaimsElsewhere(streamName, ids, claims);
    const existing = claims.filter((c): c is Claim => c !== undefined);
    if (existing.length > 0) {
      const bound = existing.every((c) => c.position !== undefined)
        ? existing.reduce(
            (min, c) => (c.position! < min ? c.position! : min),
            existing[0]!.position!,
          )
        : undefined;
      const stored = await this.findStoredAppend(streamName, ids, bound);
      if (stored === 'conflict') {
        throw new IdempotencyConflictError(
          streamName,
          ids,
          'some of these event ids were stored before, but not as this same append',
        );
      }
      if (stored !== 'none') return { outcome: 'done', result: stored };
    }

    // 3. The caller's expectation.
    const actual = tail?.event.revision;
    if (!expectationHolds(expected, actual)) {
      throw new WrongExpectedRevisionError(streamName, expected, actual);
    }

    // 4. Claim the ids nobody has claimed yet.
    const missing = ids.filter((_, i) => claims[i] === undefined);
    const taken = (await Promise.all(missing.map((id) => this.writeClaim(id, streamName)))).map(
      (claim, i) => [missing[i]!, claim] as const,
    );
    this.refuseClaimsElsewhere(
      streamName,
      taken.map(([id]) => id),
      taken.map(([, claim]) => claim),
    );
    if (taken.some(([, claim]) => claim !== undefined)) {
      // A concurrent append with some of these ids (to this stream) claimed them first.
      return { outcome: 'again', backoff: false };
    }

    // 5. Link the events to the stream's last one and append at exactly its revision.
    if (tail && !tail.ledger) {
      throw new Error(
        `stream ${streamName}: its last event (revision ${tail.event.revision}) was not written ` +
          'through the ledger, so its hash chain cannot be extended',
      );
    }
    const recordedAt = this.clock();
    let previous = tail?.ledger ? Buffer.from(tail.ledger.hash, 'hex') : genesisHash(streamName);
    let revision = actual === undefined ? 0n : actual + 1n;
    const data = events.map((e, index) => {
      const link = chainLink(previous, revision, contentDigest({ ...e, recordedAt }));
      previous = link;
      revision += 1n;
      return jsonEvent({
        id: e.id,
        type: e.type,
        data: e.data,
        metadata: packMetadata(e.metadata, {
          hash: link.toString('hex'),
          recordedAt: recordedAt.toISOString(),
          schemaVersion: e.schemaVersion,
          batch: { index, size: events.length },
        }),
      });
    });
    let appended: ClientAppendResult;
    try {
      appended = await this.client.appendToStream(streamName, data, {
        expectedRevision: toClientExpectedRevision(actual === undefined ? 'no_stream' : actual),
      });
    } catch (error) {
      if (isWrongExpectedVersion(error)) {
        // Someone appended since step 1. Decide again from a fresh read: a caller's exact
        // revision or no_stream then fails in step 3 with the actual revision.
        return {
          outcome: 'again',
          backoff: true,
          error: mapClientError(error, streamName, expected),
        };
      }
      throw mapClientError(error, streamName, expected);
    }

    // 6. What is stored at the returned revision is the result.
    const [last] = await this.readRawStream(streamName, {
      direction: BACKWARDS,
      fromRevision: appended.nextExpectedRevision,
      maxCount: 1,
    });
    const decoded = last ? decodeEvent(last) : undefined;
    if (!decoded || decoded.event.id !== ids[ids.length - 1])
      return { outcome: 'again', backoff: false };
    return {
      outcome: 'done',
      result: { nextRevision: decoded.event.revision, position: decoded.event.position },
    };
  }

  private refuseClaimsElsewhere(
    streamName: string,
    ids: readonly string[],
    claims: readonly (Claim | undefined)[],
  ): void {
    const elsewhere = claims
      .map((c, i) =>
        c && c.streamName !== streamName ? `${ids[i]} (in ${c.streamName})` : undefined,
      )
      .filter((s): s is string => s !== undefined);
    if (elsewhere.length > 0) {
      throw new IdempotencyConflictError(
        streamName,
        ids,
        `event ids stored before in other streams: ${elsewhere.join(', ')}`,
      );
    }
  }

  /**
   * Searches the stream backwards from its end, down to `bound` (a position before which none
   * of these events can be), for the events with these ids.
   */
  private async findStoredAppend(
    streamName: string,
    ids: readonly string[],
    bound: bigint | undefined,
  ): Promise<AppendResult | 'none' | 'conflict'> {
    const index = new Map(ids.map((id, i) => [id, i]));
    const found: (DecodedEvent | undefined)[] = ids.map(() => undefined);
    let count = 0;
    let from: bigint | typeof END = END;
    scan: for (;;) {
      const page = await this.readRawStream(streamName, {
        direction: BACKWARDS,
        fromRevision: from,
        maxCount: SEARCH_PAGE,
      });
      for (const raw of page) {
        const d = decodeEvent(raw);
        if (bound !== undefined && d.event.position < bound) break scan;
        const i = index.get(d.event.id);
        if (i !== undefined && found[i] === undefined) {
          found[i] = d;
          count += 1;
        }
        // The first event of the append is the earliest: everything after it has been seen.
        if (i === 0 || count === ids.length) break scan;
      }
      const last = page[page.length - 1];
      if (!last || page.length < SEARCH_PAGE || last.revision === 0n) break;
      from = last.revision - 1n;
    }
    if (count === 0) return 'none';
    const first = found[0];
    const same =
      count === ids.length &&
      first !== undefined &&
      found.every(
        (d, i) =>
          d !== undefined &&
          d.event.revision === first.event.revision + BigInt(i) &&
          d.ledger?.batch.index === i &&
          d.ledger.batch.size === ids.length,
      );
    const last = found[found.length - 1];
    if (!same || !last) return 'conflict';
    return { nextRevision: last.event.revision, position: last.event.position };
  }

  private claimStream(id: string): string {
    return `${this.claimPrefix}${id}`;
  }

  private async readClaim(id: string): Promise<Claim | undefined> {
    const [e] = await this.readRawStream(this.claimStream(id), {
      direction: FORWARDS,
      fromRevision: START,
      maxCount: 1,
    });
    if (!e) return undefined;
    const streamName =
      typeof e.data === 'object' && e.data !== null
        ? (e.data as { streamName?: unknown }).streamName
        : undefined;
    if (typeof streamName !== 'string') {
      throw new Error(`the id claim ${this.claimStream(id)} names no stream`);
    }
    return { streamName, position: e.position?.commit };
  }

  /** Undefined when this call created the claim; otherwise the claim someone else made. */
  private async writeClaim(id: string, streamName: string): Promise<Claim | undefined> {
    try {
      // A fresh random event id, so that EventStoreDB's own idempotency never makes a second
      // claimant believe it created the claim.
      await this.client.appendToStream(
        this.claimStream(id),
        jsonEvent({ type: CLAIM_EVENT_TYPE, data: { streamName } }),
        { expectedRevision: NO_STREAM },
      );
      return undefined;
    } catch (error) {
      if (!isWrongExpectedVersion(error)) throw error;
      const claim = await this.readClaim(id);
      if (!claim) throw error;
      return claim;
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

  /** The stream's events as the client gives them; none when it does not exist (or was deleted). */
  private async readRawStream(
    streamName: string,
    options: ClientReadStreamOptions,
  ): Promise<ClientRecordedEvent[]> {
    const events: ClientRecordedEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(streamName, options)) {
        if (resolved.event) events.push(resolved.event);
      }
    } catch (error) {
      if (isStreamNotFound(error) || isStreamDeleted(error)) return [];
      throw error;
    }
    return events;
  }

  /**
   * Events not written through this adapter come back too (schemaVersion 0, empty hash), so
   * that verification names them.
   */
  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    if (options.maxCount !== undefined && options.maxCount <= 0) return [];
    const backwards = options.direction === 'backwards';
    const raw = await this.readRawStream(streamName, {
      direction: backwards ? BACKWARDS : FORWARDS,
      fromRevision: options.fromRevision ?? (backwards ? END : START),
      ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
    });
    return raw.map((e) => decodeEvent(e).event);
  }

  /**
   * Ledger events after a position, in $all order: system events, events of `$` streams
   * (EventStoreDB's own and the id claims) and events not written through this adapter are
   * left out. The client's readAll has no server-side filter, so this pages through $all until
   * it has maxCount events or reaches the end.
   */
  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const after = options.after ?? 0n;
    const maxCount = options.maxCount ?? DEFAULT_PAGE;
    const out: RecordedEvent[] = [];
    if (maxCount <= 0) return out;
    let from: Position | undefined = after > 0n ? toClientPosition(after) : undefined;
    for (;;) {
      const pageSize = Math.max(READ_ALL_PAGE, maxCount - out.length + 1);
      const read = this.client.readAll({
        direction: FORWARDS,
        fromPosition: from ?? START,
        maxCount: pageSize,
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
          if (previous && event.position <= previous.position) throw new Error(NON_INCREASING);
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
    const registered: { sub?: Subscription } = {};
    const sub = new CatchUpSubscription<AllStreamResolvedEvent>({
      readAll: (after, maxCount) => this.readAll({ after, maxCount }),
      subscribe: (after) =>
        this.client.subscribeToAll({
          fromPosition: after > 0n ? toClientPosition(after) : START,
          filter: excludeSystemEvents(),
        }),
      decode: (resolved) => this.decodeLedgerEvent(resolved.event),
      handler,
      after: options.after ?? 0n,
      batchSize: options.batchSize ?? DEFAULT_PAGE,
      onEnd: () => {
        if (registered.sub) this.subscriptions.delete(registered.sub);
      },
    });
    registered.sub = sub;
    this.subscriptions.add(sub);
    return sub;
  }

  async streamRevision(streamName: string): Promise<bigint | undefined> {
    return (await this.readTail(streamName))?.event.revision;
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
   * is reported as removed.
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
    try {
      await withTimeout(this.ping(), PING_TIMEOUT_MS, 'EventStoreDB did not answer');
      const version = await withTimeout(
        this.fetchServerVersion(),
        PING_TIMEOUT_MS,
        'no server version',
      );
      return { ok: true, adapter: 'eventstoredb', serverVersion: `EventStoreDB ${version}` };
    } catch (error) {
      return { ok: false, adapter: 'eventstoredb', detail: (error as Error).message };
    }
  }

  /** Reads the head of $all: the server answers, and this user may read $all. */
  private async ping(): Promise<void> {
    for await (const _ of this.client.readAll({
      direction: BACKWARDS,
      fromPosition: END,
      maxCount: 1,
    })) {
      // The event itself does not matter.
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.client.dispose();
  }
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
        timer = setTimeout(() => reject(new Error(`${message} within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
