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
  ExpectedRevision,
  JsonObject,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
  VerificationReport,
  ChainBreak,
} from '../event-store.port';
import {
  canonicalJson,
  contentDigestOfCanonical,
  verifyChain,
  type StreamHead,
} from '../hash-chain';
import { EVENT_STORE_MIGRATIONS, runMigrations } from './migrations';
import { PollingSubscription } from '../polling-subscription';
import { serializeAppend } from '../validate-append';

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
  /**
   * Group commit: at most this many append transactions in flight; appends that arrive while
   * they are busy wait and go together in the next one, each to its own stream and with its
   * own outcome (appends of 32 events or more always go alone). Default 2: on a small server
   * fewer, larger groups do more, as each commit's WAL flush then covers more events. 0 turns
   * grouping off (every append in a transaction of its own).
   */
  appendConcurrency?: number;
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

/** One append, validated, serialized and hashed once (retries reuse it). */
interface PreparedAppend {
  streamName: string;
  expected: ExpectedRevision;
  /** The expected revision as the append function takes it. */
  expectedText: string;
  count: number;
  recordedAtIso: string;
  /** Comma-separated lower-case UUIDs (need no quoting in an array literal). */
  idList: string;
  /** The events as elements of the function's JSON array, comma-separated. */
  eventsJson: string;
  /** 32 bytes per event. */
  digests: Buffer;
}

interface PendingAppend {
  append: PreparedAppend;
  attempts: number;
  /** Failed inside a group for a reason of its own: runs alone from now on. */
  solo: boolean;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

interface GroupRow {
  outcomes: string[] | null;
  revisions: (string | null)[] | null;
  positions: (string | null)[] | null;
}

type Outcome =
  | { kind: 'done'; result: AppendResult; appended: boolean }
  | { kind: 'retry'; error: Error }
  | { kind: 'failed'; error: Error };

const EVENT_COLUMNS =
  'position, stream_name, stream_revision, event_id, event_type, schema_version, data, metadata, recorded_at, hash';
const MAX_APPEND_ATTEMPTS = 5;
const DEFAULT_PAGE = 1000;
const DEFAULT_APPEND_CONCURRENCY = 2;
/** After this long a group in flight no longer counts against appendConcurrency. */
const SLOW_GROUP_MS = 20;
/** Appends of this many events or more go alone, in a transaction of their own. */
const ALONE_FROM_EVENTS = 32;
/** A group stays well below the 2^20 ordinals of one transaction. */
const MAX_GROUP_EVENTS = 1000;
const MAX_GROUP_APPENDS = 64;
/** 23505: a concurrent append stored these ids first; 40001/40P01: try again. */
const RETRYABLE = new Set(['23505', '40001', '40P01']);
const APPEND_SQL = `SELECT outcomes, revisions, positions FROM ledger_append_group(
  $1::text[], $2::text[], $3::integer[], $4::timestamptz[], $5::uuid[], $6::jsonb, $7::bytea)`;

export class PostgresEventStore implements EventStore {
  readonly pool: Pool;
  private readonly clock: () => Date;
  private readonly pollIntervalMs: number;
  private readonly appended = new EventEmitter();
  private readonly appendConcurrency: number;
  private queue: PendingAppend[] = [];
  private inFlight = 0;
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
    this.appendConcurrency = options.appendConcurrency ?? DEFAULT_APPEND_CONCURRENCY;
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

  /**
   * Appends in a transaction of its own, or, while other appends are in flight, together with
   * the other appends waiting (group commit: one call and one commit for several streams; see
   * ledger_append_group). Either way its outcome is its own. Retries 'retry' outcomes and
   * retryable errors in a new transaction.
   */
  async append(
    streamName: string,
    events: readonly EventToAppend[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    const append = this.prepareAppend(streamName, events, options);
    // A large append pays for its own commit: grouping would only take away parallelism.
    if (this.appendConcurrency <= 0 || append.count >= ALONE_FROM_EVENTS) {
      return this.appendAlone(append);
    }
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ append, attempts: 0, solo: false, resolve, reject });
      this.dispatch();
    });
  }

  /**
   * The same append on a connection the caller holds, inside the caller's transaction: for
   * tests and tools that need to roll an append back or hold it open. Never grouped, no
   * retries: an append that must run again in a new transaction (its stream was created, or
   * its head written by a newer transaction, concurrently) throws an error with code 40001.
   */
  async appendWith(
    client: PoolClient,
    streamName: string,
    events: readonly EventToAppend[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    const append = this.prepareAppend(streamName, events, options);
    let outcome: Outcome | undefined;
    try {
      [outcome] = await callAppendGroup(client, [append]);
    } catch (error) {
      throw mapAppendError(error, [append]);
    }
    if (!outcome) throw new Error('ledger_append_group returned no row');
    if (outcome.kind !== 'done') throw outcome.error;
    return outcome.result;
  }

  private async appendAlone(append: PreparedAppend): Promise<AppendResult> {
    for (let attempt = 1; ; attempt++) {
      let outcome: Outcome | undefined;
      try {
        [outcome] = await callAppendGroup(this.pool, [append]);
      } catch (error) {
        if (RETRYABLE.has(errorCode(error)) && attempt < MAX_APPEND_ATTEMPTS) continue;
        throw mapAppendError(error, [append]);
      }
      if (!outcome) throw new Error('ledger_append_group returned no row');
      if (outcome.kind === 'done') {
        if (outcome.appended) this.appended.emit('appended', outcome.result.position);
        return outcome.result;
      }
      if (outcome.kind === 'retry' && attempt < MAX_APPEND_ATTEMPTS) continue;
      throw outcome.error;
    }
  }

  /** Starts groups while there is room in flight and appends waiting. */
  private dispatch(): void {
    while (this.inFlight < this.appendConcurrency && this.queue.length > 0) {
      const group = this.takeGroup();
      this.inFlight += 1;
      // A group that waits long (a stream's lock held by someone else's transaction) stops
      // counting against the limit, so that it cannot hold up every other stream's appends.
      let counted = true;
      const slow = setTimeout(() => {
        counted = false;
        this.inFlight -= 1;
        this.dispatch();
      }, SLOW_GROUP_MS);
      slow.unref();
      void this.runGroup(group).finally(() => {
        clearTimeout(slow);
        if (counted) this.inFlight -= 1;
        this.dispatch();
      });
    }
  }

  /**
   * The oldest waiting appends, at most one per stream. An append that cannot join keeps its
   * stream out of this group altogether, so appends to one stream start in the order they came.
   */
  private takeGroup(): PendingAppend[] {
    const group: PendingAppend[] = [];
    const rest: PendingAppend[] = [];
    const skipped = new Set<string>();
    const taken = new Set<string>();
    let events = 0;
    let i = 0;
    for (; i < this.queue.length; i++) {
      const p = this.queue[i] as PendingAppend;
      const name = p.append.streamName;
      const fits =
        group.length === 0 ||
        (!p.solo &&
          !group[0]?.solo &&
          !taken.has(name) &&
          !skipped.has(name) &&
          events + p.append.count <= MAX_GROUP_EVENTS);
      if (fits) {
        group.push(p);
        taken.add(name);
        events += p.append.count;
        if (group.length >= MAX_GROUP_APPENDS || group[0]?.solo) {
          i += 1;
          break;
        }
      } else {
        skipped.add(name);
        rest.push(p);
      }
    }
    this.queue = i < this.queue.length ? rest.concat(this.queue.slice(i)) : rest;
    return group;
  }

  private async runGroup(group: PendingAppend[]): Promise<void> {
    let outcomes: Outcome[];
    try {
      outcomes = await callAppendGroup(
        this.pool,
        group.map((p) => p.append),
      );
    } catch (error) {
      if (RETRYABLE.has(errorCode(error))) {
        // The transaction rolled back as a whole: every append of it goes again.
        this.requeue(group, error);
      } else if (group.length > 1) {
        // One bad append must not fail the others: each runs alone, and only it fails.
        for (const p of group) p.solo = true;
        this.queue.unshift(...group);
      } else {
        for (const p of group) p.reject(mapAppendError(error, [p.append]));
      }
      return;
    }
    const retries: PendingAppend[] = [];
    let lastRetryError: unknown;
    group.forEach((p, i) => {
      const outcome = outcomes[i];
      if (!outcome) {
        p.reject(new Error('ledger_append_group returned too few rows'));
      } else if (outcome.kind === 'done') {
        if (outcome.appended) this.appended.emit('appended', outcome.result.position);
        p.resolve(outcome.result);
      } else if (outcome.kind === 'retry') {
        retries.push(p);
        lastRetryError = outcome.error;
      } else {
        p.reject(outcome.error);
      }
    });
    if (retries.length > 0) this.requeue(retries, lastRetryError);
  }

  /** Back to the front of the queue for a new transaction, or failed after the last attempt. */
  private requeue(appends: PendingAppend[], error: unknown): void {
    const again: PendingAppend[] = [];
    for (const p of appends) {
      p.attempts += 1;
      if (p.attempts < MAX_APPEND_ATTEMPTS) again.push(p);
      else p.reject(mapAppendError(error, [p.append]));
    }
    this.queue.unshift(...again);
  }

  private prepareAppend(
    streamName: string,
    toAppend: readonly EventToAppend[],
    options: AppendOptions,
  ): PreparedAppend {
    const events = serializeAppend(streamName, toAppend);
    if (events.length >= 1 << 20) {
      throw new InvalidAppendError('an append holds at most 1,048,575 events');
    }
    const expected = options.expectedRevision ?? 'any';
    const recordedAtIso = this.clock().toISOString();
    const digests = Buffer.allocUnsafe(32 * events.length);
    const json: string[] = [];
    const ids: string[] = [];
    events.forEach((e, i) => {
      contentDigestOfCanonical(
        e.id,
        e.type,
        e.schemaVersion,
        e.dataJson,
        e.metadataJson,
        recordedAtIso,
      ).copy(digests, 32 * i);
      ids.push(e.id);
      json.push(
        `{"t":${canonicalJson(e.type)},"v":${e.schemaVersion},"d":${e.dataJson},"m":${e.metadataJson}}`,
      );
    });
    return {
      streamName,
      expected,
      expectedText: typeof expected === 'bigint' ? expected.toString() : expected,
      count: events.length,
      recordedAtIso,
      idList: ids.join(','),
      eventsJson: json.join(','),
      digests,
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

/**
 * One call of ledger_append_group: one transaction (or the caller's), one outcome per append,
 * in the order given. The appends are sent sorted by stream name: every group locks its
 * streams' heads in that one order, so that two groups cannot deadlock.
 */
async function callAppendGroup(
  db: Queryable,
  appends: readonly PreparedAppend[],
): Promise<Outcome[]> {
  const order = appends.map((_, i) => i);
  if (appends.length > 1) {
    order.sort((x, y) => {
      const a = (appends[x] as PreparedAppend).streamName;
      const b = (appends[y] as PreparedAppend).streamName;
      return a < b ? -1 : a > b ? 1 : 0;
    });
  }
  const sorted = order.map((i) => appends[i] as PreparedAppend);
  const values = [
    sorted.map((a) => a.streamName),
    sorted.map((a) => a.expectedText),
    `{${sorted.map((a) => a.count).join(',')}}`,
    `{${sorted.map((a) => a.recordedAtIso).join(',')}}`,
    `{${sorted.map((a) => a.idList).join(',')}}`,
    `[${sorted.map((a) => a.eventsJson).join(',')}]`,
    sorted.length === 1 ? sorted[0]?.digests : Buffer.concat(sorted.map((a) => a.digests)),
  ];
  // A named statement: parsed and planned once per connection.
  const { rows } = await db.query<GroupRow>({
    name: 'ledger_append_group',
    text: APPEND_SQL,
    values,
  });
  const row = rows[0];
  const outcomes: Outcome[] = new Array<Outcome>(appends.length);
  sorted.forEach((a, k) => {
    outcomes[order[k] as number] = toOutcome(a, row, k);
  });
  return outcomes;
}

function toOutcome(a: PreparedAppend, row: GroupRow | undefined, k: number): Outcome {
  const outcome = row?.outcomes?.[k];
  const revision = row?.revisions?.[k] ?? null;
  const position = row?.positions?.[k] ?? null;
  if (!outcome) {
    return { kind: 'failed', error: new Error('ledger_append_group returned no outcome') };
  }
  switch (outcome) {
    case 'appended':
    case 'duplicate':
      return {
        kind: 'done',
        result: {
          nextRevision: BigInt(revision ?? '0'),
          position: BigInt(position ?? '0'),
        },
        appended: outcome === 'appended',
      };
    case 'wrong_expected_revision': {
      const actual = BigInt(revision ?? '-1');
      return {
        kind: 'failed',
        error: new WrongExpectedRevisionError(
          a.streamName,
          a.expected,
          actual < 0n ? undefined : actual,
        ),
      };
    }
    case 'conflict':
      return {
        kind: 'failed',
        error: new IdempotencyConflictError(
          a.streamName,
          a.idList.split(','),
          'some of these event ids were stored before, but not as this same append',
        ),
      };
    case 'retry':
      return {
        kind: 'retry',
        error: Object.assign(
          new Error(
            `ledger_append_group: stream ${a.streamName} changed under this append; retry it`,
          ),
          { code: '40001' },
        ),
      };
    default:
      return {
        kind: 'failed',
        error: new Error(`ledger_append_group: unknown outcome ${outcome}`),
      };
  }
}

function errorCode(error: unknown): string {
  return (error as { code?: string } | undefined)?.code ?? '';
}

/** Input the server refuses (bad JSON text, a value too large) is the caller's error. */
function mapAppendError(error: unknown, appends: readonly PreparedAppend[]): unknown {
  const code = errorCode(error);
  if (code === '22P02' || code === '22P05' || code === '54000') {
    const names = appends.map((a) => a.streamName).join(', ');
    return new InvalidAppendError(`stream ${names}: ${(error as Error).message}`);
  }
  return error;
}
