import { randomInt, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
// The client's own errors and types: the fake answers as the client does, so it names the same.
import {
  AccessDeniedError,
  DeadlineExceededError,
  MaxAppendSizeExceededError,
  NotLeaderError,
  StreamDeletedError,
  StreamNotFoundError,
  UnavailableError,
  UnknownError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type AppendResult as ClientAppendResult,
  type AppendToStreamOptions,
  type BaseOptions,
  type EventData,
  type GetStreamMetadataResult,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type ResolvedEvent,
  type StreamingRead,
  type SubscribeToAllOptions,
} from '@eventstore/db-client';
import type { EventStoreDbClientLike } from './eventstoredb-event-store';
import { comparePositions, type ClientRecordedEvent } from './eventstoredb-mapping';

/**
 * TEST SUPPORT ONLY. An in-memory stand-in for EventStoreDBClient (@eventstore/db-client 6) that
 * behaves as the client's source and the server's documentation say a server does, including
 * the ways a real server is less kind than a map in memory. Every behaviour below names where
 * it comes from; the options switch on what a default single node does not show every time.
 *
 * Always:
 * - optimistic concurrency with the client's WrongExpectedVersionError; StreamNotFoundError on
 *   reads of streams that do not exist (or were soft-deleted); $all reads inclusive of their
 *   start position, subscriptions exclusive of theirs ("starting with the first event after
 *   the position"), server-side event-type filters; one commit position per event (= prepare)
 *   with gaps between them; system events in $all;
 * - EventStoreDB's own idempotency (documented under "Optimistic concurrency & idempotence"):
 *   with an expected revision, the same ids right after it answer success with the original
 *   revision and no position, a partial match is WrongExpectedVersion; with `any` (and
 *   `stream_exists` on an existing stream) the first id is looked up in the stream: the same ids
 *   in the same order answer success at their original revision, a partial match is
 *   WrongExpectedVersion, an unknown id is written (again). `idempotentReplies: false` refuses
 *   instead, as when the server's id cache has been emptied;
 * - soft deletion (`softDelete`): the stream's metadata gets `$tb` = 2^63−1, reads answer
 *   StreamNotFound, $all keeps the events, and an append with `no_stream` or `any` recreates
 *   the stream with revisions continuing where they stopped (the metadata's `$tb` then points at
 *   the first new event); `stream_exists` answers StreamDeleted;
 * - the append size limit: data + metadata + 2 × type length of all events above
 *   `maxAppendSize` (default 1 MiB, the server's MaxAppendSize) is refused with
 *   MaxAppendSizeExceededError before anything is written.
 *
 * Options:
 * - `readLagMs`: the server checks expected revisions against writes as soon as they are
 *   written, but serves reads (streams, $all, subscriptions) only once they are indexed; an
 *   append is answered once its own write is indexed (the request manager's default commit
 *   level), so a writer reads its own writes, while a concurrent writer refused by a write in
 *   flight may not yet read it;
 * - `followerLagMs`: reads without `requiresLeader` are answered by a follower that is this far
 *   behind the leader (the client reads from whichever node it is connected to);
 * - `streamReadPositions`: servers before 22.6 send 2^64−1 as the position of events read from a
 *   stream (`'max'`); a missing position reads as 0 in the client (`'zero'`); `serverVersion`
 *   is what the server reports;
 * - `faults`: every n-th call fails: `notLeaderEvery` (calls with `requiresLeader`: the node
 *   is no longer the leader), `unavailableEvery` (any call, subscriptions included),
 *   `timeoutAfterWriteEvery` (appends: the server wrote, the answer never came);
 * - `slowConsumerLimit`: a live subscription whose reader leaves more than this many events
 *   unread is dropped by the server (servers before 23.10: "Consumer too slow");
 * - `denySubscriptions`: subscribing to $all answers AccessDenied;
 * - `loseLeader(ms)`: for a while every call fails (NotLeader for calls that require the
 *   leader, Unavailable otherwise) and every live subscription is dropped: an election;
 *   `electLeader()` ends it sooner.
 *
 * It lets the adapter's own logic run the shared contract under each of these; it proves
 * nothing about a real server.
 */
export interface FakeServerOptions {
  /** Each call waits 0..maxLatencyMs (default 2). */
  maxLatencyMs?: number;
  /** A `$statsCollected` system event every n-th append (default 7). */
  systemEventEvery?: number;
  idempotentReplies?: boolean;
  readLagMs?: number;
  followerLagMs?: number;
  streamReadPositions?: 'exact' | 'max' | 'zero';
  serverVersion?: string;
  maxAppendSize?: number;
  faults?: { notLeaderEvery?: number; unavailableEvery?: number; timeoutAfterWriteEvery?: number };
  slowConsumerLimit?: number;
  /** The user may read $all but not subscribe to it (an ACL an operator got wrong). */
  denySubscriptions?: boolean;
}

/** An event as the stand-in server keeps it: as the client gives it back, with its position. */
export interface StoredRecord extends ClientRecordedEvent {
  position: Position;
  /** When it was indexed (Date.now() ms): reads and subscriptions see it from then on. */
  visibleAt: number | undefined;
}

interface NewRecord {
  id: string;
  type: string;
  data: unknown;
  metadata: unknown;
  isJson: boolean;
}

const MAX_U64 = 2n ** 64n - 1n;
const SOFT_DELETED = 2n ** 63n - 1n;
const DEFAULT_MAX_APPEND_SIZE = 1024 * 1024;

export class FakeEventStoreDbClient implements EventStoreDbClientLike {
  readonly log: StoredRecord[] = [];
  /** Every call the adapter made, with the options it passed (for tests of what it asks). */
  readonly calls: { method: string; stream?: string; requiresLeader: boolean }[] = [];
  private readonly streams = new Map<string, StoredRecord[]>();
  private readonly truncateBefore = new Map<string, bigint>();
  private readonly visible = new EventEmitter();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly counts = { leader: 0, all: 0, appends: 0, written: 0 };
  private nextPosition = 1000n;
  private lastIndexDue = 0;
  private readonly indexQueue: { records: StoredRecord[]; done: (() => void) | undefined }[] = [];
  private readonly indexed = new Map<StoredRecord, Promise<void>>();
  private electionUntil = 0;

  constructor(private readonly options: FakeServerOptions = {}) {
    this.visible.setMaxListeners(0);
    this.write('$settings', [
      { id: randomUUID(), type: '$settings', data: {}, metadata: undefined, isJson: true },
    ]);
    this.write('foreign-orders', [
      {
        id: randomUUID(),
        type: 'OrderPlaced',
        data: { order: 1 },
        metadata: { not: 'ledger' },
        isJson: true,
      },
    ]);
  }

  get serverVersion(): string {
    return this.options.serverVersion ?? '24.10.0';
  }

  async appendToStream(
    streamName: string,
    events: EventData | EventData[],
    options: AppendToStreamOptions = {},
  ): Promise<ClientAppendResult> {
    this.record('appendToStream', streamName, options);
    this.counts.appends += 1;
    await this.latency();
    this.failIfFaulty(options);
    const list = (Array.isArray(events) ? events : [events]).map(toNewRecord);
    const max = this.options.maxAppendSize ?? DEFAULT_MAX_APPEND_SIZE;
    if (list.reduce((sum, e) => sum + sizeOnDisk(e), 0) > max) {
      throw new MaxAppendSizeExceededError(undefined, max);
    }
    const stream = this.streams.get(streamName) ?? [];
    const current = stream[stream.length - 1]?.revision;
    const deleted = this.isSoftDeleted(streamName);
    const expected = options.expectedRevision ?? 'any';
    const refuse = (): never => {
      throw new WrongExpectedVersionError(undefined, {
        streamName,
        expected,
        current: current ?? 'no_stream',
      });
    };
    const idempotentFrom = (start: bigint): ClientAppendResult | 'partial' | 'none' => {
      const following = stream.filter((r) => r.revision >= start);
      const matching = list.filter((e, i) => following[i]?.id === e.id).length;
      if (matching === 0) return 'none';
      if (matching < list.length || (this.options.idempotentReplies ?? true) === false)
        return 'partial';
      return {
        success: true,
        nextExpectedRevision: start + BigInt(list.length) - 1n,
        position: undefined,
      };
    };
    let write = false;
    if (expected === 'any' || expected === 'stream_exists') {
      if (expected === 'stream_exists' && deleted)
        throw new StreamDeletedError(undefined, streamName);
      if (expected === 'stream_exists' && current === undefined) refuse();
      const first = stream.find((r) => r.id === list[0]?.id);
      if (first) {
        const answer = idempotentFrom(first.revision);
        if (answer === 'partial' || answer === 'none') refuse();
        return answer as ClientAppendResult;
      }
      write = true;
    } else if (expected === 'no_stream') {
      if (current === undefined || deleted) write = true;
      else {
        const answer = idempotentFrom(0n);
        if (typeof answer === 'string') refuse();
        return answer as ClientAppendResult;
      }
    } else if (current === expected) {
      write = true;
    } else if (current !== undefined && expected < current) {
      const answer = idempotentFrom(expected + 1n);
      if (typeof answer === 'string') refuse();
      return answer as ClientAppendResult;
    }
    if (!write) refuse();

    const written = this.write(streamName, list);
    if (deleted) this.truncateBefore.set(streamName, written[0]!.revision);
    this.counts.written += 1;
    const every = this.options.systemEventEvery ?? 7;
    if (this.counts.written % every === 0) {
      this.write('$stats-127.0.0.1:2113', [
        { id: randomUUID(), type: '$statsCollected', data: {}, metadata: undefined, isJson: true },
      ]);
    }
    const timeoutEvery = this.options.faults?.timeoutAfterWriteEvery;
    if (timeoutEvery && this.counts.appends % timeoutEvery === 0) {
      throw new DeadlineExceededError(undefined, 'Deadline exceeded (after the server wrote)');
    }
    const last = written[written.length - 1]!;
    await this.indexed.get(last);
    this.indexed.delete(last);
    return { success: true, nextExpectedRevision: last.revision, position: { ...last.position } };
  }

  // readStream and readAll open alike (recorded, then the client's defaults) because the client's
  // two reads take the same options but for where they start: each fakes its own read.
  readStream(streamName: string, options: ReadStreamOptions = {}): StreamingRead<ResolvedEvent> {
    this.record('readStream', streamName, options);
    const {
      direction = 'forwards',
      fromRevision = 'start',
      maxCount = Number.MAX_SAFE_INTEGER,
    } = options;
    return this.streaming(options, () => {
      const stream = this.readable(streamName, options);
      if (stream.length === 0) return new StreamNotFoundError(undefined, streamName);
      const selected =
        direction === 'forwards'
          ? stream.filter(
              (r) =>
                fromRevision === 'start' || (fromRevision !== 'end' && r.revision >= fromRevision),
            )
          : stream
              .filter(
                (r) =>
                  fromRevision === 'end' ||
                  (fromRevision !== 'start' && r.revision <= fromRevision),
              )
              .reverse();
      return selected
        .slice(0, Number(maxCount))
        .map((r) => ({ event: this.asReadFromStream(r) }) as ResolvedEvent);
    });
  }

  readAll(options: ReadAllOptions = {}): StreamingRead<AllStreamResolvedEvent> {
    this.record('readAll', undefined, options);
    const {
      direction = 'forwards',
      fromPosition = 'start',
      maxCount = Number.MAX_SAFE_INTEGER,
    } = options;
    return this.streaming(options, () => {
      const log = this.log.filter((r) => this.isVisible(r, options));
      const selected =
        direction === 'forwards'
          ? log.filter(
              (r) =>
                fromPosition === 'start' ||
                (fromPosition !== 'end' && comparePositions(r.position, fromPosition) >= 0),
            )
          : log
              .filter(
                (r) =>
                  fromPosition === 'end' ||
                  (fromPosition !== 'start' && comparePositions(r.position, fromPosition) <= 0),
              )
              .reverse();
      return selected
        .slice(0, Number(maxCount))
        .map(
          (r) => ({ event: clone(r), commitPosition: r.position.commit }) as AllStreamResolvedEvent,
        );
    });
  }

  async getStreamMetadata(
    streamName: string,
    options: BaseOptions = {},
  ): Promise<GetStreamMetadataResult> {
    this.record('getStreamMetadata', streamName, options);
    await this.latency();
    this.failIfFaulty(options);
    const truncateBefore = this.truncateBefore.get(streamName);
    return truncateBefore === undefined
      ? { streamName }
      : { streamName, metadata: { truncateBefore: Number(truncateBefore) } };
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): AllStreamSubscription {
    this.record('subscribeToAll', undefined, options);
    const { fromPosition = 'start', filter } = options;
    const regex = filter && 'regex' in filter ? new RegExp(filter.regex) : undefined;
    const passes = (r: StoredRecord): boolean =>
      !regex || regex.test(filter?.filterOn === 'streamName' ? r.streamId : r.type);
    const feed = new Readable({ objectMode: true, highWaterMark: 8, read() {} });
    const limit = this.options.slowConsumerLimit;
    const drop = (error: Error): void => {
      this.visible.off('record', onVisible);
      this.visible.off('election', onElection);
      feed.destroy(error);
    };
    const onVisible = (r: StoredRecord): void => {
      if (!passes(r) || feed.destroyed) return;
      feed.push({ event: clone(r), commitPosition: r.position.commit });
      if (limit !== undefined && feed.readableLength > limit) {
        drop(new UnknownError(undefined, 'Consumer too slow. Client resubscription required.'));
      }
    };
    const onElection = (): void => drop(new UnavailableError(undefined, 'leader lost'));
    const start = this.later(() => {
      try {
        if (this.options.denySubscriptions) throw new AccessDeniedError(undefined, 'Access denied');
        this.failIfFaulty(options);
      } catch (error) {
        feed.destroy(error as Error);
        return;
      }
      // Snapshot and going live in one turn: nothing can fall between them.
      for (const r of this.log) {
        if (fromPosition === 'end' || !this.isVisible(r, { requiresLeader: true })) break;
        if (fromPosition !== 'start' && comparePositions(r.position, fromPosition) <= 0) continue;
        onVisible(r);
      }
      if (feed.destroyed) return;
      feed.emit('caughtUp');
      this.visible.on('record', onVisible);
      this.visible.on('election', onElection);
    }, this.delay());
    Object.assign(feed, {
      unsubscribe: async () => {
        clearTimeout(start);
        this.timers.delete(start);
        this.visible.off('record', onVisible);
        this.visible.off('election', onElection);
      },
    });
    return feed as unknown as AllStreamSubscription;
  }

  async dispose(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.visible.removeAllListeners();
  }

  /** Soft-deletes a stream, as the client's deleteStream does. */
  softDelete(streamName: string): void {
    this.truncateBefore.set(streamName, SOFT_DELETED);
    this.write(`$$${streamName}`, [
      {
        id: randomUUID(),
        type: '$metadata',
        data: { $tb: Number(SOFT_DELETED) },
        metadata: undefined,
        isJson: true,
      },
    ]);
  }

  /** An election: for `ms`, calls fail and live subscriptions are dropped. */
  loseLeader(ms: number): void {
    this.electionUntil = Date.now() + ms;
    this.visible.emit('election');
  }

  /** Ends the election in progress now: the cluster has a leader again. */
  electLeader(): void {
    this.electionUntil = 0;
  }

  /** Changes a stored event in place (what a tamperer with disk access could do). */
  tamper(streamName: string, revision: bigint, change: (record: StoredRecord) => void): void {
    const record = this.streams.get(streamName)?.find((r) => r.revision === revision);
    if (!record) throw new Error(`no event ${streamName}@${revision}`);
    change(record);
  }

  streamNames(): string[] {
    return [...this.streams.keys()];
  }

  private record(method: string, stream: string | undefined, options: BaseOptions): void {
    this.calls.push({ method, stream, requiresLeader: options.requiresLeader === true });
    if (this.calls.length > 10_000) this.calls.splice(0, 5_000);
  }

  /** The faults of this call, if any: an election, or the n-th call of a kind. */
  private failIfFaulty(options: BaseOptions): void {
    const leader = options.requiresLeader === true;
    if (Date.now() < this.electionUntil) {
      throw leader ? notLeader() : new UnavailableError(undefined, 'no leader (election)');
    }
    const faults = this.options.faults ?? {};
    this.counts.all += 1;
    if (faults.unavailableEvery && this.counts.all % faults.unavailableEvery === 0) {
      throw new UnavailableError(undefined, '14 UNAVAILABLE: connection dropped');
    }
    if (leader) {
      this.counts.leader += 1;
      if (faults.notLeaderEvery && this.counts.leader % faults.notLeaderEvery === 0) {
        throw notLeader();
      }
    }
  }

  private isSoftDeleted(streamName: string): boolean {
    return this.truncateBefore.get(streamName) === SOFT_DELETED;
  }

  private isVisible(r: StoredRecord, options: BaseOptions): boolean {
    const lag = options.requiresLeader ? 0 : (this.options.followerLagMs ?? 0);
    return r.visibleAt !== undefined && r.visibleAt + lag <= Date.now();
  }

  /** The events of a stream a read can see: indexed, not truncated. */
  private readable(streamName: string, options: BaseOptions): StoredRecord[] {
    const from = this.truncateBefore.get(streamName) ?? 0n;
    return (this.streams.get(streamName) ?? []).filter(
      (r) => r.revision >= from && this.isVisible(r, options),
    );
  }

  private asReadFromStream(r: StoredRecord): StoredRecord {
    const copy = clone(r);
    const kind = this.options.streamReadPositions ?? 'exact';
    if (kind === 'max') copy.position = { commit: MAX_U64, prepare: MAX_U64 };
    if (kind === 'zero') copy.position = { commit: 0n, prepare: 0n };
    return copy;
  }

  /**
   * Writes at once (expected-revision checks see it); indexes after `readLagMs`, in write order:
   * only then do reads and subscriptions see it, and only then is the append answered.
   * Visibility is a flag set by the index timer, not a comparison of clocks, so that a reader
   * refused by a write in flight cannot see it however slowly the event loop runs meanwhile.
   */
  private write(streamName: string, events: NewRecord[]): StoredRecord[] {
    const stream = this.streams.get(streamName) ?? [];
    this.streams.set(streamName, stream);
    const written: StoredRecord[] = [];
    for (const e of events) {
      this.nextPosition += BigInt(100 + randomInt(400));
      const last = stream[stream.length - 1];
      const record: StoredRecord = {
        streamId: streamName,
        id: e.id,
        revision: last ? last.revision + 1n : 0n,
        type: e.type,
        data: e.data,
        metadata: e.metadata,
        isJson: e.isJson,
        created: new Date(),
        position: { commit: this.nextPosition, prepare: this.nextPosition },
        visibleAt: undefined,
      };
      stream.push(record);
      this.log.push(record);
      written.push(record);
    }
    const lag = this.options.readLagMs ?? 0;
    const entry = { records: written, done: undefined as (() => void) | undefined };
    this.indexQueue.push(entry);
    if (lag <= 0) {
      this.indexUpTo(entry);
      return written;
    }
    const due = Math.max(this.lastIndexDue, Date.now() + lag);
    this.lastIndexDue = due;
    this.indexed.set(
      written[written.length - 1]!,
      new Promise((resolve) => {
        entry.done = resolve;
        this.later(() => this.indexUpTo(entry), due - Date.now());
      }),
    );
    return written;
  }

  /**
   * Indexes the queued writes in log order, up to and including `entry`: timers of equal due
   * time may fire in any order, the index may not.
   */
  private indexUpTo(entry: { records: StoredRecord[] }): void {
    const at = this.indexQueue.indexOf(entry as (typeof this.indexQueue)[number]);
    if (at < 0) return;
    const now = Date.now();
    for (const e of this.indexQueue.splice(0, at + 1)) {
      for (const r of e.records) r.visibleAt = now;
      for (const r of e.records) this.visible.emit('record', r);
      e.done?.();
    }
  }

  private streaming<T>(options: BaseOptions, produce: () => T[] | Error): StreamingRead<T> {
    const readable = new Readable({ objectMode: true, read() {} });
    const timer = this.later(() => {
      let items: T[] | Error;
      try {
        this.failIfFaulty(options);
        items = produce();
      } catch (error) {
        items = error as Error;
      }
      if (items instanceof Error) {
        readable.destroy(items);
        return;
      }
      for (const item of items) readable.push(item);
      readable.push(null);
    }, this.delay());
    Object.assign(readable, {
      cancel: async () => {
        clearTimeout(timer);
        this.timers.delete(timer);
        readable.destroy();
      },
    });
    return readable as unknown as StreamingRead<T>;
  }

  private later(run: () => void, ms: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  private delay(): number {
    const max = this.options.maxLatencyMs ?? 2;
    return max > 0 ? randomInt(max + 1) : 0;
  }

  private latency(): Promise<void> {
    return new Promise((resolve) => this.later(resolve, this.delay()));
  }
}

function toNewRecord(e: EventData): NewRecord {
  const json = e.contentType === 'application/json';
  return {
    id: e.id,
    type: e.type,
    data: json ? JSON.parse(JSON.stringify(e.data)) : e.data,
    metadata: e.metadata === undefined ? undefined : JSON.parse(JSON.stringify(e.metadata)),
    isJson: json,
  };
}

/** The server's Event.SizeOnDisk: data + metadata + 2 × the type's length. */
function sizeOnDisk(e: NewRecord): number {
  const bytes = (v: unknown): number =>
    v === undefined
      ? 0
      : v instanceof Uint8Array
        ? v.byteLength
        : Buffer.byteLength(JSON.stringify(v), 'utf8');
  return bytes(e.data) + bytes(e.metadata) + e.type.length * 2;
}

function notLeader(): NotLeaderError {
  const metadata = { 'leader-endpoint-host': 'node-2', 'leader-endpoint-port': '2113' };
  return new NotLeaderError({
    code: 5,
    details: 'Leader info available',
    message: '5 NOT_FOUND: Leader info available',
    metadata: { getMap: () => metadata },
  } as unknown as ConstructorParameters<typeof NotLeaderError>[0]);
}

function clone(r: StoredRecord): StoredRecord {
  return {
    ...r,
    data: r.data === undefined ? undefined : JSON.parse(JSON.stringify(r.data)),
    metadata: r.metadata === undefined ? undefined : JSON.parse(JSON.stringify(r.metadata)),
    position: { ...r.position },
  };
}
