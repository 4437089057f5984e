import { EventEmitter } from 'node:events';
import { Pool, type PoolClient, type PoolConfig } from 'pg';
import {
  IdempotencyConflictError,
  InvalidAppendError,
  WrongExpectedRevisionError,
} from '../errors';
import type {
  AppendOptions,
  AppendResult,
  EventBatchHandler,
  EventMetadata,
  EventStore,
  EventStoreHealth,
  EventToAppend,
  JsonObject,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
  VerificationReport,
  ChainBreak,
} from '../event-store.port';
import { contentDigest, genesisHash, verifyChain, type StreamHead } from '../hash-chain';
import { EVENT_STORE_MIGRATIONS, runMigrations } from './migrations';
import { PollingSubscription } from '../polling-subscription';
import { normalizeAppend } from '../validate-append';

/**
 * The PostgreSQL adapter.
 *
 * Global order. A plain sequence column is not a safe order for readers: sequence values are
 * taken before commit, so a reader can see position 11 committed while 10 is still in flight,
 * move its checkpoint past 10, and never see it. Here every event's position is
 * (writing transaction id << 20) | ordinal, and every whole-log read only returns positions
 * below (xmin of the reader's snapshot) << 20: all transactions with smaller ids have ended
 * (committed or rolled back), so no event can ever appear below a position a reader has been
 * given. Ordering and paging by that one key means that small pages neither repeat nor skip,
 * and that a checkpoint is a single 64-bit number, like EventStoreDB's commit position.
 * The price: an open transaction holds readers back until it ends (that is the point), and
 * transaction ids must keep growing (restore a backup physically or with pg_upgrade, not with
 * pg_dump into a new cluster, or raise the new cluster's next transaction id above the last
 * stored position >> 20 with pg_resetwal -x before appending).
 */
export interface PostgresEventStoreOptions {
  connectionString: string;
  /** Pool size. */
  maxConnections?: number;
  /** How long an idle subscription waits before it polls again. */
  pollIntervalMs?: number;
  clock?: () => Date;
  /** Run the migrations in `init()`; default true. */
  migrate?: boolean;
}

interface EventRow {
  position: string;
  stream_name: string;
  stream_revision: string;
  event_id: string;
  event_type: string;
  schema_version: number;
  data: JsonObject;
  metadata: EventMetadata;
  recorded_at: Date;
  hash: Buffer;
}

type Queryable = Pick<Pool, 'query'> | PoolClient;

const EVENT_COLUMNS =
  'position, stream_name, stream_revision, event_id, event_type, schema_version, data, metadata, recorded_at, hash';
const MAX_APPEND_ATTEMPTS = 5;
const DEFAULT_PAGE = 1000;

export class PostgresEventStore implements EventStore {
  readonly pool: Pool;
  private readonly clock: () => Date;
  private readonly pollIntervalMs: number;
  private readonly appended = new EventEmitter();
  private closed = false;

  private constructor(private readonly options: PostgresEventStoreOptions) {
    const config: PoolConfig = {
      connectionString: options.connectionString,
      max: options.maxConnections ?? 20,
      application_name: 'cme-ledger-event-store',
    };
    this.pool = new Pool(config);
    // An idle client whose server went away must not crash the process; the next query
    // gets a fresh connection.
    this.pool.on('error', () => undefined);
    this.clock = options.clock ?? (() => new Date());
    this.pollIntervalMs = options.pollIntervalMs ?? 50;
    this.appended.setMaxListeners(0);
  }

  static async create(options: PostgresEventStoreOptions): Promise<PostgresEventStore> {
    const store = new PostgresEventStore(options);
    if (options.migrate ?? true) {
      try {
        await runMigrations(store.pool, EVENT_STORE_MIGRATIONS);
      } catch (error) {
        await store.pool.end();
        throw error;
      }
    }
    return store;
  }

  async append(
    streamName: string,
    events: readonly EventToAppend[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    const call = this.prepareAppend(streamName, events, options);
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await call(this.pool);
        if (result.appended) this.appended.emit('appended', result.position);
        return { nextRevision: result.nextRevision, position: result.position };
      } catch (error) {
        const code = (error as { code?: string }).code;
        // 23505: a concurrent append created the stream or stored these ids first; 40001: our
        // transaction id is older than the stream head. Either way, decide again.
        if ((code === '23505' || code === '40001') && attempt < MAX_APPEND_ATTEMPTS) continue;
        throw error;
      }
    }
  }

  /**
   * The same append on a connection the caller holds, inside the caller's transaction: for
   * tests and tools that need to roll an append back or hold it open. No retries.
   */
  async appendWith(
    client: PoolClient,
    streamName: string,
    events: readonly EventToAppend[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    const { nextRevision, position } = await this.prepareAppend(
      streamName,
      events,
      options,
    )(client);
    return { nextRevision, position };
  }

  private prepareAppend(
    streamName: string,
    toAppend: readonly EventToAppend[],
    options: AppendOptions,
  ): (db: Queryable) => Promise<AppendResult & { appended: boolean }> {
    const events = normalizeAppend(streamName, toAppend);
    if (events.length >= 1 << 20) {
      throw new InvalidAppendError('an append holds at most 1,048,575 events');
    }
    const expected = options.expectedRevision ?? 'any';
    const recordedAt = this.clock();
    const params = [
      streamName,
      typeof expected === 'bigint' ? expected.toString() : expected,
      events.map((e) => e.id),
      events.map((e) => e.type),
      events.map((e) => e.schemaVersion),
      events.map((e) => e.data),
      events.map((e) => e.metadata),
      events.map(() => recordedAt),
      events.map((e) => contentDigest({ ...e, recordedAt })),
      genesisHash(streamName),
    ];
    return async (db) => {
      let row: { outcome: string; revision: string; last_position: string | null } | undefined;
      try {
        ({
          rows: [row],
        } = await db.query<{
          outcome: string;
          revision: string;
          last_position: string | null;
        }>(
          `SELECT outcome, revision, last_position FROM ledger_append(
             $1, $2, $3::uuid[], $4::text[], $5::integer[], $6::jsonb[], $7::jsonb[],
             $8::timestamptz[], $9::bytea[], $10)`,
          params,
        ));
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === '22P02' || code === '22P05' || code === '54000') {
          throw new InvalidAppendError(`stream ${streamName}: ${(error as Error).message}`);
        }
        throw error;
      }
      if (!row) throw new Error('ledger_append returned no row');
      switch (row.outcome) {
        case 'appended':
        case 'duplicate':
          return {
            nextRevision: BigInt(row.revision),
            position: BigInt(row.last_position ?? '0'),
            appended: row.outcome === 'appended',
          };
        case 'wrong_expected_revision': {
          const actual = BigInt(row.revision);
          throw new WrongExpectedRevisionError(
            streamName,
            expected,
            actual < 0n ? undefined : actual,
          );
        }
        case 'conflict':
          throw new IdempotencyConflictError(
            streamName,
            events.map((e) => e.id),
            'some of these event ids were stored before, but not as this same append',
          );
        default:
          throw new Error(`ledger_append: unknown outcome ${row.outcome}`);
      }
    };
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const limit = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    const from = options.fromRevision;
    const condition =
      from === undefined
        ? ''
        : backwards
          ? 'AND stream_revision <= $2'
          : 'AND stream_revision >= $2';
    const params: unknown[] = [streamName];
    if (from !== undefined) params.push(from.toString());
    params.push(Math.min(limit, Number.MAX_SAFE_INTEGER));
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_name = $1 ${condition}
       ORDER BY stream_revision ${backwards ? 'DESC' : 'ASC'} LIMIT $${params.length}`,
      params,
    );
    return rows.map(toRecorded);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events
        WHERE position > $1
          AND position < (pg_snapshot_xmin(pg_current_snapshot())::text::bigint << 20)
        ORDER BY position LIMIT $2`,
      [(options.after ?? 0n).toString(), options.maxCount ?? DEFAULT_PAGE],
    );
    return rows.map(toRecorded);
  }

  subscribeToAll(handler: EventBatchHandler, options: SubscribeOptions = {}): Subscription {
    return new PollingSubscription({
      read: (after, maxCount) => this.readAll({ after, maxCount }),
      handler,
      after: options.after ?? 0n,
      batchSize: options.batchSize ?? DEFAULT_PAGE,
      pollIntervalMs: this.pollIntervalMs,
      wakeups: this.appended,
    });
  }

  async streamRevision(streamName: string): Promise<bigint | undefined> {
    const { rows } = await this.pool.query<{ revision: string }>(
      'SELECT revision FROM streams WHERE stream_name = $1',
      [streamName],
    );
    return rows[0] ? BigInt(rows[0].revision) : undefined;
  }

  async verifyStream(streamName: string): Promise<VerificationReport> {
    const { events, broken, found } = await this.verifyOne(streamName);
    return {
      ok: broken === undefined,
      streamsChecked: found ? 1 : 0,
      eventsChecked: events,
      breaks: broken ? [broken] : [],
    };
  }

  /**
   * One stream against its head. The head is read first and events past it are left out, so an
   * append that commits meanwhile is not mistaken for a removed event.
   */
  private async verifyOne(
    streamName: string,
  ): Promise<{ events: number; broken: ChainBreak | undefined; found: boolean }> {
    const head = (await this.heads([streamName])).get(streamName);
    const events = (await this.readStream(streamName)).filter(
      (e) => head === undefined || e.revision <= head.revision,
    );
    const found = events.length > 0 || head !== undefined;
    return {
      events: events.length,
      broken: found ? verifyChain(streamName, events, head) : undefined,
      found,
    };
  }

  /**
   * Every stream, in bounded memory: the log is read in (stream, revision) order in keyset
   * pages and one stream is checked at a time.
   */
  async verifyAll(): Promise<VerificationReport> {
    const breaks: ChainBreak[] = [];
    let streamsChecked = 0;
    let eventsChecked = 0;
    let current: RecordedEvent[] = [];
    let lastKey: [string, string] | undefined;
    const pageSize = 5000;
    const finish = async (): Promise<void> => {
      const first = current[0];
      if (!first) return;
      const head = (await this.heads([first.streamName])).get(first.streamName);
      let broken = verifyChain(first.streamName, current, head);
      // A break at the tail may be an append that committed after this page was read: check
      // the stream again, head first.
      if (broken && (broken.kind === 'removed' || broken.kind === 'head-mismatch')) {
        broken = (await this.verifyOne(first.streamName)).broken;
      }
      if (broken) breaks.push(broken);
      streamsChecked += 1;
      eventsChecked += current.length;
      current = [];
    };
    for (;;) {
      const { rows } = await this.pool.query<EventRow>(
        lastKey
          ? `SELECT ${EVENT_COLUMNS} FROM events WHERE (stream_name, stream_revision) > ($1, $2)
             ORDER BY stream_name, stream_revision LIMIT $3`
          : `SELECT ${EVENT_COLUMNS} FROM events ORDER BY stream_name, stream_revision LIMIT $1`,
        lastKey ? [...lastKey, pageSize] : [pageSize],
      );
      for (const row of rows) {
        const e = toRecorded(row);
        if (current[0] && current[0].streamName !== e.streamName) await finish();
        current.push(e);
      }
      const last = rows[rows.length - 1];
      if (!last || rows.length < pageSize) break;
      lastKey = [last.stream_name, last.stream_revision];
    }
    await finish();
    // Heads whose every event is gone.
    const { rows: orphans } = await this.pool.query<{ stream_name: string; revision: string }>(
      `SELECT s.stream_name, s.revision FROM streams s
        WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.stream_name = s.stream_name)
        ORDER BY s.stream_name`,
    );
    for (const o of orphans) {
      streamsChecked += 1;
      breaks.push({
        streamName: o.stream_name,
        kind: 'removed',
        revision: 0n,
        detail: `the stream's head is at revision ${o.revision} but none of its events is stored`,
      });
    }
    breaks.sort((a, b) => (a.streamName < b.streamName ? -1 : a.streamName > b.streamName ? 1 : 0));
    return { ok: breaks.length === 0, streamsChecked, eventsChecked, breaks };
  }

  async health(): Promise<EventStoreHealth> {
    try {
      const { rows } = await this.pool.query<{ server_version: string }>('SHOW server_version');
      return {
        ok: true,
        adapter: 'postgres',
        serverVersion: `PostgreSQL ${rows[0]?.server_version ?? '?'}`,
      };
    } catch (error) {
      return { ok: false, adapter: 'postgres', detail: (error as Error).message };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.appended.emit('closing');
    await this.pool.end();
  }

  private async heads(streamNames: string[]): Promise<Map<string, StreamHead>> {
    const { rows } = await this.pool.query<{
      stream_name: string;
      revision: string;
      last_hash: Buffer;
    }>('SELECT stream_name, revision, last_hash FROM streams WHERE stream_name = ANY ($1)', [
      streamNames,
    ]);
    return new Map(
      rows.map((r) => [
        r.stream_name,
        { revision: BigInt(r.revision), hash: r.last_hash.toString('hex') },
      ]),
    );
  }
}

function toRecorded(row: EventRow): RecordedEvent {
  return {
    streamName: row.stream_name,
    id: row.event_id,
    type: row.event_type,
    schemaVersion: row.schema_version,
    data: row.data,
    metadata: row.metadata,
    revision: BigInt(row.stream_revision),
    position: BigInt(row.position),
    recordedAt: row.recorded_at,
    hash: row.hash.toString('hex'),
  };
}
