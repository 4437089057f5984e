import { randomInt, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import {
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type AppendResult as ClientAppendResult,
  type AppendToStreamOptions,
  type EventData,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type ResolvedEvent,
  type StreamingRead,
  type SubscribeToAllOptions,
} from '@eventstore/db-client';
import type { EventStoreDbClientLike } from './eventstoredb-event-store';
import { comparePositions } from './eventstoredb-mapping';

/**
 * TEST SUPPORT ONLY. An in-memory stand-in for EventStoreDBClient with the behaviour this
 * adapter relies on, as documented by the client and server: optimistic concurrency with the
 * client's WrongExpectedVersionError, EventStoreDB's own idempotent reply to an append whose
 * ids already follow the expected revision, StreamNotFoundError on reads of missing streams,
 * inclusive $all reads from a position, exclusive subscriptions from a position with
 * server-side event-type filters, one commit position per event (= prepare position) with
 * gaps between them, and system events in $all. It lets the adapter's own logic (claims,
 * races, chain, paging, subscriptions) run the shared contract; it proves nothing about a
 * real server.
 */
export interface StoredRecord {
  streamId: string;
  id: string;
  revision: bigint;
  type: string;
  data: unknown;
  metadata: unknown;
  isJson: boolean;
  created: Date;
  position: Position;
}

export class FakeEventStoreDbClient implements EventStoreDbClientLike {
  readonly log: StoredRecord[] = [];
  private readonly streams = new Map<string, StoredRecord[]>();
  private readonly appended = new EventEmitter();
  private nextPosition = 1000n;
  private appends = 0;

  constructor(
    private readonly options: {
      maxLatencyMs?: number;
      systemEventEvery?: number;
      /** EventStoreDB's idempotent reply to retried appends (default on); off: always refuse. */
      idempotentReplies?: boolean;
    } = {},
  ) {
    this.appended.setMaxListeners(0);
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

  async appendToStream(
    streamName: string,
    events: EventData | EventData[],
    options: AppendToStreamOptions = {},
  ): Promise<ClientAppendResult> {
    await this.latency();
    const list = Array.isArray(events) ? events : [events];
    const stream = this.streams.get(streamName) ?? [];
    const current = stream[stream.length - 1]?.revision;
    const expected = options.expectedRevision ?? 'any';
    const ok =
      expected === 'any' ||
      (expected === 'no_stream' && current === undefined) ||
      (expected === 'stream_exists' && current !== undefined) ||
      (typeof expected === 'bigint' && current === expected);
    if (!ok) {
      // EventStoreDB's idempotent reply: the same ids already follow the expected revision.
      const start =
        expected === 'no_stream' ? 0n : typeof expected === 'bigint' ? expected + 1n : -1n;
      const following = stream.filter((r) => r.revision >= start);
      const idempotent = this.options.idempotentReplies ?? true;
      if (idempotent && start >= 0n && list.every((e, i) => following[i]?.id === e.id)) {
        return {
          success: true,
          nextExpectedRevision: start + BigInt(list.length) - 1n,
          position: undefined,
        };
      }
      throw new WrongExpectedVersionError(undefined, {
        streamName,
        expected,
        current: current ?? 'no_stream',
      });
    }
    const written = this.write(
      streamName,
      list.map((e) => ({
        id: e.id,
        type: e.type,
        data: e.contentType === 'application/json' ? JSON.parse(JSON.stringify(e.data)) : e.data,
        metadata: e.metadata === undefined ? undefined : JSON.parse(JSON.stringify(e.metadata)),
        isJson: e.contentType === 'application/json',
      })),
    );
    this.appends += 1;
    const every = this.options.systemEventEvery ?? 7;
    if (this.appends % every === 0) {
      this.write('$stats-127.0.0.1:2113', [
        { id: randomUUID(), type: '$statsCollected', data: {}, metadata: undefined, isJson: true },
      ]);
    }
    const last = written[written.length - 1]!;
    return { success: true, nextExpectedRevision: last.revision, position: { ...last.position } };
  }

  readStream(streamName: string, options: ReadStreamOptions = {}): StreamingRead<ResolvedEvent> {
    const {
      direction = 'forwards',
      fromRevision = 'start',
      maxCount = Number.MAX_SAFE_INTEGER,
    } = options;
    return this.streaming(() => {
      const stream = this.streams.get(streamName);
      if (!stream) return new StreamNotFoundError(undefined, streamName);
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
      return selected.slice(0, Number(maxCount)).map((r) => ({ event: clone(r) }) as ResolvedEvent);
    });
  }

  readAll(options: ReadAllOptions = {}): StreamingRead<AllStreamResolvedEvent> {
    const {
      direction = 'forwards',
      fromPosition = 'start',
      maxCount = Number.MAX_SAFE_INTEGER,
    } = options;
    return this.streaming(() => {
      const selected =
        direction === 'forwards'
          ? this.log.filter(
              (r) =>
                fromPosition === 'start' ||
                (fromPosition !== 'end' && comparePositions(r.position, fromPosition) >= 0),
            )
          : this.log
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

  subscribeToAll(options: SubscribeToAllOptions = {}): AllStreamSubscription {
    const { fromPosition = 'start', filter } = options;
    const regex = filter && 'regex' in filter ? new RegExp(filter.regex) : undefined;
    const passes = (r: StoredRecord): boolean =>
      !regex || regex.test(filter?.filterOn === 'streamName' ? r.streamId : r.type);
    const feed = new Readable({ objectMode: true, highWaterMark: 8, read() {} });
    const onAppended = (r: StoredRecord): void => {
      if (passes(r)) feed.push({ event: clone(r), commitPosition: r.position.commit });
    };
    const start = setTimeout(() => {
      // Snapshot and going live in one turn: nothing can fall between them.
      for (const r of this.log) {
        if (fromPosition === 'end') break;
        if (fromPosition !== 'start' && comparePositions(r.position, fromPosition) <= 0) continue;
        onAppended(r);
      }
      feed.emit('caughtUp');
      this.appended.on('record', onAppended);
    }, this.delay());
    Object.assign(feed, {
      unsubscribe: async () => {
        clearTimeout(start);
        this.appended.off('record', onAppended);
      },
    });
    return feed as unknown as AllStreamSubscription;
  }

  async dispose(): Promise<void> {
    this.appended.removeAllListeners();
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

  private write(
    streamName: string,
    events: { id: string; type: string; data: unknown; metadata: unknown; isJson: boolean }[],
  ): StoredRecord[] {
    const stream = this.streams.get(streamName) ?? [];
    this.streams.set(streamName, stream);
    const written: StoredRecord[] = [];
    for (const e of events) {
      this.nextPosition += BigInt(100 + randomInt(400));
      const record: StoredRecord = {
        streamId: streamName,
        id: e.id,
        revision: BigInt(stream.length),
        type: e.type,
        data: e.data,
        metadata: e.metadata,
        isJson: e.isJson,
        created: new Date(),
        position: { commit: this.nextPosition, prepare: this.nextPosition },
      };
      stream.push(record);
      this.log.push(record);
      written.push(record);
    }
    for (const r of written) this.appended.emit('record', r);
    return written;
  }

  private streaming<T>(produce: () => T[] | Error): StreamingRead<T> {
    const readable = new Readable({ objectMode: true, read() {} });
    const timer = setTimeout(() => {
      const items = produce();
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
        readable.destroy();
      },
    });
    return readable as unknown as StreamingRead<T>;
  }

  private delay(): number {
    const max = this.options.maxLatencyMs ?? 2;
    return max > 0 ? randomInt(max + 1) : 0;
  }

  private latency(): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, this.delay()));
  }
}

function clone(r: StoredRecord): StoredRecord {
  return {
    ...r,
    data: r.data === undefined ? undefined : JSON.parse(JSON.stringify(r.data)),
    metadata: r.metadata === undefined ? undefined : JSON.parse(JSON.stringify(r.metadata)),
    position: { ...r.position },
  };
}
