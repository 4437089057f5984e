import { EventEmitter } from 'node:events';
import { Pool, type ClientBase, type PoolConfig, type QueryResult } from 'pg';
import {
  IdempotencyConflictError,
  InvalidAppendError,
  PositionEpochError,
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
import { LOG_WRITER_LOCK } from './log-writers.migration';
import { EVENT_STORE_MIGRATIONS, runMigrations } from './migrations';
import { PollingSubscription } from '../polling-subscription';
import { serializeAppend } from '../validate-append';

/**
 * The PostgreSQL adapter.
 *
 * Global order. A plain sequence column is not a safe order for readers: sequence values are
 * taken before commit, so a reader can see position 11 committed while 10 is still in flight,
 * move its checkpoint past 10, and never see it. Here every event's position is
 * ((writing transaction id + epoch offset) << 20) | ordinal, and every whole-log read only
 * returns positions below the readable horizon: the lowest id among the transactions still
 * open that may write to the log, or, when none is, the snapshot's xmax (ledger_read_horizon).
 * Nothing can commit below a position a reader has been given. Ordering and paging by that one
 * key means that small pages neither repeat nor skip, and that a checkpoint is a single 64-bit
 * number, like EventStoreDB's commit position.
 *
 * Who may hold readers back: only the log's writers. An append joins them (a shared advisory
 * lock) before its transaction takes an id; a transaction open in another database of the
 * server, or one in this database that never appended, is passed over once pg_locks shows
 * that it cannot append (log-writers.migration.ts has the argument). An append held open (a
 * stream's lock, a stuck client) does hold readers back: that is the point, and horizon()
 * names it; the pool's statement and idle-in-transaction timeouts bound it.
 *
 * Epochs: at start-up the store checks that the cluster's transaction ids (plus the epoch's
 * offset) are above the log's head; after a logical restore into a new cluster they are not,
 * and it raises the offset, so that new positions sort after every stored one.
 */
export interface PostgresEventStoreOptions {
  connectionString: string;
  /**
   * The process's one pool, shared with its other users (the read models' data source): the
   * store then opens none of its own and leaves closing it to its owner. Its sessions should
   * carry `eventStoreSessionSettings` (the timeouts below are then the pool's, not read here).
   */
  pool?: Pool;
  /** Pool size (of the store's own pool). */
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
  /**
   * statement_timeout of the store's sessions (default 30 s; 0: none). One-statement appends,
   * and so the longest any of them can hold readers back waiting for a stream's lock.
   */
  statementTimeoutMs?: number;
  /**
   * idle_in_transaction_session_timeout of the store's sessions (default 10 s; 0: none): a
   * transaction of appendWith left idle ends after this, and stops holding readers back.
   */
  idleInTransactionTimeoutMs?: number;
}

/** A transaction that joined the log's writers and has not ended (see horizon()). */
export interface LogWriter {
  /** Its transaction id (32 bits, as pg_stat_activity.backend_xid shows it). */
  xid: string;
  /** The backend holding it; null for a prepared transaction. */
  pid: number | null;
  database: string | null;
  applicationName: string | null;
  /** active, idle in transaction, … (null when this role may not see it). */
  state: string | null;
  /** What it waits for (e.g. Lock:transactionid), if anything. */
  waitEvent: string | null;
  /** How long its transaction has been open (or since this process first saw it). */
  ageMs: number;
  /** True when it is what readers wait for now. */
  holdsHorizon: boolean;
}

export interface LogHorizon {
  /** Positions below this are final and readable. */
  position: bigint;
  /** The appends in progress, oldest first. */
  writers: LogWriter[];
  /** Open transactions on the server that readers pass over (they cannot append here). */
  passedOver: number;
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
  /** Hex (EVENT_COLUMNS encodes it). */
  hash: string;
}

type Queryable = Pick<Pool, 'query'> | ClientBase;

interface HorizonRow {
  position: null;
  holder: string | null;
  oldest: string;
  held: boolean;
}

interface WriterRow {
  xid: string;
  pid: number | null;
  database: string | null;
  application_name: string | null;
  state: string | null;
  wait_event: string | null;
  xact_start: Date | null;
}

/** The transactions holding LOG_WRITER_LOCK in this database, with who runs them. */
const LOG_WRITERS_SQL = `SELECT t.transactionid::text AS xid, t.pid, a.datname AS database,
       a.application_name, a.state, a.wait_event_type || ':' || a.wait_event AS wait_event,
       a.xact_start
  FROM pg_locks t
  LEFT JOIN pg_stat_activity a ON a.pid = t.pid
 WHERE t.locktype = 'transactionid' AND t.mode = 'ExclusiveLock' AND t.granted
   AND t.virtualtransaction IN (
     SELECT r.virtualtransaction FROM pg_locks r
      WHERE r.locktype = 'advisory' AND r.granted AND r.objsubid = 2
        AND r.classid = ${LOG_WRITER_LOCK.classId} AND r.objid = ${LOG_WRITER_LOCK.objId}
        AND r.database = (SELECT oid FROM pg_database WHERE datname = current_database()))`;

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

/** The link comes as hex text: what RecordedEvent holds, without a Buffer made and read back. */
const EVENT_COLUMNS =
  "position, stream_name, stream_revision, event_id, event_type, schema_version, data, metadata, recorded_at, encode(hash, 'hex') AS hash";
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
/** Held back by an open transaction not known to be a writer this long: ask pg_locks about it. */
const CLASSIFY_AFTER_MS = 20;
const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;
const DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS = 10_000;

/**
 * The session settings the store's connections need (pg pool options): its statement and
 * idle-in-transaction timeouts bound how long an append can hold readers back. A pool shared
 * with the store is opened with them.
 */
export function eventStoreSessionSettings(
  options: Pick<PostgresEventStoreOptions, 'statementTimeoutMs' | 'idleInTransactionTimeoutMs'>,
): { statement_timeout: number; idle_in_transaction_session_timeout: number } {
  return {
    statement_timeout: options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
    idle_in_transaction_session_timeout:
      options.idleInTransactionTimeoutMs ?? DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  };
}
/**
 * One page of the log below the readable horizon, then one more row, with no event: the
 * transaction holding the horizon, the oldest open transaction, and whether committed events
 * wait above the horizon (a row of its own costs less than three more columns on every event).
 */
const READ_ALL_SQL = `WITH h AS MATERIALIZED (SELECT horizon, holder, oldest FROM ledger_read_horizon($3::bigint[]))
(SELECT ${EVENT_COLUMNS}, NULL::text AS holder, NULL::text AS oldest, NULL::boolean AS held
   FROM events WHERE position > $1 AND position < (SELECT horizon FROM h)
  ORDER BY position LIMIT $2)
UNION ALL
SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       h.holder::text, h.oldest::text,
       h.holder IS NOT NULL AND (SELECT x.position FROM events x WHERE x.position >= h.horizon
                                  ORDER BY x.position LIMIT 1) IS NOT NULL
  FROM h`;
/** The log in (stream, revision) order, each event with its stream's head (verifyAll). */
const VERIFY_ALL_SQL = `SELECT e.position, e.stream_name, e.stream_revision, e.event_id, e.event_type,
       e.schema_version, e.data, e.metadata, e.recorded_at, encode(e.hash, 'hex') AS hash,
       s.revision::text AS head_revision, encode(s.last_hash, 'hex') AS head_hash
  FROM events e LEFT JOIN streams s ON s.stream_name = e.stream_name`;

interface HeadColumns {
  head_revision: string | null;
  head_hash: string | null;
}
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
  /** The streams that have an append in a group in flight (one group at a time per stream). */
  private readonly streamsInFlight = new Set<string>();
  private closed = false;
  /** Open transactions that can never append here (see log-writers.migration.ts). */
  private readonly passedOver = new Set<bigint>();
  /** Open transactions that joined the log's writers. */
  private readonly knownWriters = new Set<bigint>();
  /** The open transaction not known to be a writer that last held readers back, and since when. */
  private holderSeen: { xid: bigint; since: number } | undefined;
  private classifying: Promise<void> | undefined;
  /** When this process first saw each writer (for roles that may not read xact_start). */
  private readonly writersSeen = new Map<string, number>();
  /** The position epoch as the start-up check left it (raised when the cluster was behind). */
  positionEpoch: PositionEpoch | undefined;

  private constructor(private readonly options: PostgresEventStoreOptions) {
    if (options.pool) {
      this.pool = options.pool;
    } else {
      const config: PoolConfig = {
        connectionString: options.connectionString,
        max: options.maxConnections ?? 20,
        application_name: 'cme-ledger-event-store',
        ...eventStoreSessionSettings(options),
      };
      this.pool = new Pool(config);
      // An idle client whose server went away must not crash the process; the next query
      // gets a fresh connection.
      this.pool.on('error', () => undefined);
    }
    this.clock = options.clock ?? (() => new Date());
    this.pollIntervalMs = options.pollIntervalMs ?? 50;
    this.appendConcurrency = options.appendConcurrency ?? DEFAULT_APPEND_CONCURRENCY;
    this.appended.setMaxListeners(0);
  }

  static async create(options: PostgresEventStoreOptions): Promise<PostgresEventStore> {
    const store = new PostgresEventStore(options);
    try {
      if (options.migrate ?? true) await runMigrations(store.pool, EVENT_STORE_MIGRATIONS);
      store.positionEpoch = await ensurePositionEpoch(store.pool);
    } catch (error) {
      if (!options.pool) await store.pool.end();
      throw error;
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
   * The first append must come before anything else that gives the transaction an id (a write,
   * a row lock): readers may already have passed over such a transaction, so that append is
   * refused with code 55000.
   */
  async appendWith(
    client: ClientBase,
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
      // Every waiting append is to a stream in flight: the group's end dispatches again.
      if (group.length === 0) return;
      for (const p of group) this.streamsInFlight.add(p.append.streamName);
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
        for (const p of group) this.streamsInFlight.delete(p.append.streamName);
        if (counted) this.inFlight -= 1;
        this.dispatch();
      });
    }
  }

  /**
   * The oldest waiting appends, at most one per stream, and none to a stream that has an append
   * in a group in flight. An append that cannot join keeps its stream out of this group
   * altogether, so appends to one stream run one after another in the order they came: two
   * groups in flight at once could otherwise take a stream's head lock in either order.
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
        !this.streamsInFlight.has(name) &&
        !skipped.has(name) &&
        (group.length === 0 ||
          (!p.solo &&
            !group[0]?.solo &&
            !taken.has(name) &&
            events + p.append.count <= MAX_GROUP_EVENTS));
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

  /**
   * A page of the log below the readable horizon. When the page comes back short while
   * committed events wait above the horizon, and an open transaction not known to be a writer
   * has held it for a while, pg_locks is asked which open transactions can never append (then
   * remembered), and the page is read again past them.
   */
  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const after = (options.after ?? 0n).toString();
    const maxCount = options.maxCount ?? DEFAULT_PAGE;
    for (let round = 0; ; round++) {
      // A named statement: parsed and planned once per connection.
      const { rows } = await this.pool.query<HorizonRow | EventRow>({
        name: 'ledger_read_all',
        text: READ_ALL_SQL,
        values: [after, maxCount, [...this.passedOver].map(String)],
      });
      const events: RecordedEvent[] = [];
      let meta: HorizonRow | undefined;
      for (const row of rows) {
        if (row.position === null) meta = row;
        else events.push(toRecorded(row));
      }
      // UNION ALL keeps its branches' order in practice; the page's order is checked anyway.
      if (events.some((e, i) => i > 0 && e.position <= (events[i - 1] as RecordedEvent).position)) {
        events.sort((a, b) => (a.position < b.position ? -1 : 1));
      }
      if (!meta) throw new Error('the log read returned no horizon');
      this.forgetEnded(BigInt(meta.oldest));
      const holder = meta.holder === null ? undefined : BigInt(meta.holder);
      if (
        round > 0 ||
        events.length >= maxCount ||
        holder === undefined ||
        !meta.held ||
        this.knownWriters.has(holder) ||
        !(await this.passesOver(holder))
      ) {
        return events;
      }
    }
  }

  /** Whether readers may pass over this open transaction (asking pg_locks once it has held a while). */
  private async passesOver(holder: bigint): Promise<boolean> {
    const now = Date.now();
    if (this.holderSeen?.xid !== holder) {
      this.holderSeen = { xid: holder, since: now };
      return false;
    }
    if (now - this.holderSeen.since < CLASSIFY_AFTER_MS) return false;
    this.classifying ??= this.classifyOpenTransactions().finally(() => {
      this.classifying = undefined;
    });
    await this.classifying;
    return this.passedOver.has(holder);
  }

  private async classifyOpenTransactions(): Promise<void> {
    const { rows } = await this.pool.query<{ xid: string; kind: string }>(
      'SELECT xid::text, kind FROM ledger_open_transactions()',
    );
    for (const r of rows) {
      if (r.kind === 'other') this.passedOver.add(BigInt(r.xid));
      else if (r.kind === 'writer') this.knownWriters.add(BigInt(r.xid));
    }
  }

  /** Transactions with ids below the oldest open one have ended. */
  private forgetEnded(oldest: bigint): void {
    for (const set of [this.passedOver, this.knownWriters]) {
      for (const xid of set) if (xid < oldest) set.delete(xid);
    }
  }

  /**
   * The readable horizon and the appends in progress, each named (backend, application,
   * database, age): what holds readers back, for health checks and metrics.
   */
  async horizon(): Promise<LogHorizon> {
    const [{ rows: horizon }, { rows: writers }] = await Promise.all([
      this.pool.query<{ horizon: string; holder: string | null }>(
        'SELECT horizon::text, holder::text FROM ledger_read_horizon($1::bigint[])',
        [[...this.passedOver].map(String)],
      ),
      this.pool.query<WriterRow>(LOG_WRITERS_SQL),
    ]);
    const h = horizon[0];
    if (!h) throw new Error('ledger_read_horizon returned no row');
    const holder32 = h.holder === null ? undefined : (BigInt(h.holder) & 0xffffffffn).toString();
    const now = Date.now();
    const seen = new Map<string, number>();
    const listed = writers.map((w): LogWriter => {
      const key = `${w.pid ?? '-'}/${w.xid}`;
      const since = w.xact_start?.getTime() ?? this.writersSeen.get(key) ?? now;
      seen.set(key, this.writersSeen.get(key) ?? now);
      return {
        xid: w.xid,
        pid: w.pid,
        database: w.database,
        applicationName: w.application_name,
        state: w.state,
        waitEvent: w.wait_event,
        ageMs: Math.max(0, now - since),
        holdsHorizon: w.xid === holder32,
      };
    });
    this.writersSeen.clear();
    for (const [k, v] of seen) this.writersSeen.set(k, v);
    listed.sort((a, b) => b.ageMs - a.ageMs);
    return { position: BigInt(h.horizon), writers: listed, passedOver: this.passedOver.size };
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
   * pages and one stream is checked at a time. Each row carries its stream's head, read by the
   * same statement (one snapshot: an append commits its events and its head together, so the
   * two agree), and the next page is read while this one is checked.
   */
  async verifyAll(): Promise<VerificationReport> {
    const breaks: ChainBreak[] = [];
    let streamsChecked = 0;
    let eventsChecked = 0;
    let current: RecordedEvent[] = [];
    let currentHead: StreamHead | undefined;
    // Small enough that a page dies young in V8's nursery (see readLogPages in @ledger/audit).
    const pageSize = 2000;
    const finish = async (): Promise<void> => {
      const first = current[0];
      if (!first) return;
      let broken = verifyChain(first.streamName, current, currentHead);
      // A break at the tail: check the stream again on its own, head first (as verifyStream).
      if (broken && (broken.kind === 'removed' || broken.kind === 'head-mismatch')) {
        broken = (await this.verifyOne(first.streamName)).broken;
      }
      if (broken) breaks.push(broken);
      streamsChecked += 1;
      eventsChecked += current.length;
      current = [];
    };
    const readPage = (
      after: [string, string] | undefined,
    ): Promise<QueryResult<EventRow & HeadColumns>> => {
      const page = this.pool.query<EventRow & HeadColumns>(
        after
          ? `${VERIFY_ALL_SQL} WHERE (e.stream_name, e.stream_revision) > ($1, $2)
             ORDER BY e.stream_name, e.stream_revision LIMIT $3`
          : `${VERIFY_ALL_SQL} ORDER BY e.stream_name, e.stream_revision LIMIT $1`,
        after ? [...after, pageSize] : [pageSize],
      );
      // Awaited below; if this verification fails first, it settles unobserved.
      page.catch(() => undefined);
      return page;
    };
    let next: Promise<QueryResult<EventRow & HeadColumns>> | undefined = readPage(undefined);
    while (next) {
      const { rows }: QueryResult<EventRow & HeadColumns> = await next;
      const last: (EventRow & HeadColumns) | undefined = rows[rows.length - 1];
      next =
        last && rows.length >= pageSize
          ? readPage([last.stream_name, last.stream_revision])
          : undefined;
      for (const row of rows) {
        const e = toRecorded(row);
        if (current[0] && current[0].streamName !== e.streamName) await finish();
        current.push(e);
        currentHead =
          row.head_revision === null || row.head_hash === null
            ? undefined
            : { revision: BigInt(row.head_revision), hash: row.head_hash };
      }
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
    // A shared pool is its owner's to close.
    if (!this.options.pool) await this.pool.end();
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

/** The latest position epoch, after the start-up check (see ensurePositionEpoch). */
export interface PositionEpoch {
  epoch: number;
  /** Added to every transaction id before it becomes a position. */
  xidOffset: bigint;
  /** The log's highest position when checked (undefined: an empty log). */
  logHead: bigint | undefined;
  /** True when this start-up raised it. */
  raised: boolean;
}

/**
 * Start-up: every position given from now on must sort after the log's head. After a logical
 * restore into a new cluster, whose transaction ids start low, they would not: then
 * ledger_ensure_position_epoch raises the position epoch (kept in event_store_epochs, with
 * why), and readers and writers use the new offset from then on. Where it cannot be raised,
 * the store refuses to start and says what to do.
 */
export async function ensurePositionEpoch(db: Queryable): Promise<PositionEpoch> {
  try {
    const { rows } = await db.query<{
      epoch: number;
      xid_offset: string;
      log_head: string | null;
      raised: boolean;
    }>(
      'SELECT epoch, xid_offset::text, log_head::text, raised FROM ledger_ensure_position_epoch()',
    );
    const row = rows[0];
    if (!row) throw new Error('ledger_ensure_position_epoch returned no row');
    return {
      epoch: row.epoch,
      xidOffset: BigInt(row.xid_offset),
      logHead: row.log_head === null ? undefined : BigInt(row.log_head),
      raised: row.raised,
    };
  } catch (error) {
    const code = errorCode(error);
    const cause = (error as Error).message;
    if (code === '42883' || code === '42P01') {
      throw new PositionEpochError(
        `the event store's tables are older than this version (${cause}): start a ledger ` +
          'process once with migrations on (the default) as the database owner',
      );
    }
    if (code === '42501') {
      throw new PositionEpochError(
        "this cluster's transaction ids are behind the log's head (a logical restore into a new " +
          'cluster?), so new events would sort before stored ones, and this database role may not ' +
          `raise the position epoch (${cause}): start a ledger process once as the database owner ` +
          '(it raises the epoch), or GRANT INSERT ON event_store_epochs to this role',
      );
    }
    if (code === '54000') {
      throw new PositionEpochError(
        `${cause}: restore this ledger physically (pg_basebackup, or \`npm run ledger -- restore\` ` +
          'for the embedded server), or replay its NDJSON export into an empty ledger ' +
          '(`npm run ledger -- import`)',
      );
    }
    throw error;
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
    hash: row.hash,
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
