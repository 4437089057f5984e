/**
 * One side of bench/compare, in a process of its own: the parent (run-compare-bench.ts) forks
 * one of these for this service's event store and one for Emmett, and asks each in turn to run
 * a slice of load or a whole-log read.
 *
 * Why separate processes: Emmett's SQL layer (@event-driven-io/dumbo) replaces the `pg` driver's
 * process-wide type parsers when its first pool is made (int8 → BigInt, json/jsonb → a JSON
 * parser with a BigInt reviver). In one process that would change how our store's rows are
 * parsed too. Apart, each library runs as it would in its own service, and neither's garbage
 * or timers fall into the other's slices.
 *
 * Protocol: the parent sends a SideRequest with an id; the side answers with a SideReply of the
 * same id. One request at a time.
 */
import { Pool } from 'pg';
import { dumbo } from '@event-driven-io/dumbo';
import { isExpectedVersionConflictError, type Event } from '@event-driven-io/emmett';
import {
  getPostgreSQLEventStore,
  readMessagesBatch,
  type PostgresEventStore as EmmettEventStore,
} from '@event-driven-io/emmett-postgresql';
import { randomUUID } from 'node:crypto';
import { PostgresEventStore } from '@ledger/event-store';
import { creditEvent } from '../append/run-append-bench';
import { closedLoop, type LoadResult, type Operation } from '../support/load';
import { nowMs } from '../support/stats';

export type SideName = 'ours' | 'emmett';

export type SideRequest =
  | {
      kind: 'open';
      side: SideName;
      url: string;
      poolSize: number;
      streams: number;
      batchSize: number;
    }
  | {
      kind: 'load';
      op: 'single' | 'batch';
      workers: number;
      durationMs: number;
      latencies: boolean;
    }
  /** Untimed batch appends until at least `events` more events are stored. */
  | { kind: 'fill'; events: number; workers: number }
  | { kind: 'read'; pageSize: number; capMs: number }
  | { kind: 'close' };

export interface SideLoadResult extends LoadResult {
  /** Appends tried again after a version conflict between two writers of one stream. */
  retries: number;
}

export interface SideReadResult {
  events: number;
  /** Distinct event ids among them (fewer than `events` when a page repeated some). */
  distinct: number;
  pages: number;
  elapsedMs: number;
  /** False when the pass stopped at `capMs` before the end of the log. */
  complete: boolean;
}

export type SideReply =
  { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

/** What both sides do, each through its own library. */
interface Side {
  appendSingle: Operation;
  appendBatch: Operation;
  /** One page of the whole log after `after`: its event ids and the position to go on from. */
  readPage(after: bigint, pageSize: number): Promise<{ ids: string[]; next: bigint }>;
  retries(): number;
  close(): Promise<void>;
}

const MAX_ATTEMPTS = 5;

async function openOurs(o: Extract<SideRequest, { kind: 'open' }>): Promise<Side> {
  const store = await PostgresEventStore.create({
    connectionString: o.url,
    maxConnections: o.poolSize,
  });
  const learners = Array.from({ length: o.streams }, () => randomUUID());
  const pick = (): string => learners[Math.floor(Math.random() * learners.length)] ?? '';
  return {
    // The store itself tries again (up to 5 times) when two writers of one stream collide.
    appendSingle: async () => {
      const learner = pick();
      await store.append(`learner-${learner}`, [creditEvent(learner)], { expectedRevision: 'any' });
      return 1;
    },
    appendBatch: async () => {
      const learner = pick();
      const events = Array.from({ length: o.batchSize }, () => creditEvent(learner));
      await store.append(`learner-${learner}`, events, { expectedRevision: 'any' });
      return events.length;
    },
    readPage: async (after, pageSize) => {
      const page = await store.readAll({ after, maxCount: pageSize });
      const last = page[page.length - 1];
      return { ids: page.map((e) => e.id), next: last ? last.position : after };
    },
    retries: () => 0,
    close: () => store.close(),
  };
}

type CreditEarned = Event<'CreditEarned', Record<string, unknown>, Record<string, unknown>>;

/** The same event as `creditEvent`, as Emmett takes it: the id goes in as metadata.messageId. */
function emmettCreditEvent(learner: string): CreditEarned {
  const e = creditEvent(learner);
  return {
    type: 'CreditEarned',
    data: e.data,
    metadata: { messageId: e.id, ...e.metadata },
  };
}

async function openEmmett(o: Extract<SideRequest, { kind: 'open' }>): Promise<Side> {
  // One pg pool of the same size as ours, shared by appends (through the store) and reads
  // (through the same dumbo pool's executor).
  const pool = new Pool({ connectionString: o.url, max: o.poolSize, application_name: 'emmett' });
  pool.on('error', () => undefined);
  const db = dumbo({ connectionString: o.url, pool });
  const store: EmmettEventStore = getPostgreSQLEventStore(o.url, {
    connectionOptions: { dumbo: db },
  });
  await store.schema.migrate();
  const learners = Array.from({ length: o.streams }, () => randomUUID());
  const pick = (): string => learners[Math.floor(Math.random() * learners.length)] ?? '';
  let retries = 0;
  // Without expectedStreamVersion Emmett does no concurrency check of its own, but two appends
  // to one stream at once still collide in its SQL (the stream row's position moved, or both
  // created the stream) and it throws ExpectedVersionConflictError. An application would try
  // again, as our store does inside append(): up to the same 5 attempts.
  const append = async (stream: string, events: CreditEarned[]): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await store.appendToStream(stream, events);
        return;
      } catch (error) {
        if (isExpectedVersionConflictError(error) && attempt < MAX_ATTEMPTS) {
          retries += 1;
          continue;
        }
        throw error;
      }
    }
  };
  return {
    appendSingle: async () => {
      const learner = pick();
      await append(`learner-${learner}`, [emmettCreditEvent(learner)]);
      return 1;
    },
    appendBatch: async () => {
      const learner = pick();
      const events = Array.from({ length: o.batchSize }, () => emmettCreditEvent(learner));
      await append(`learner-${learner}`, events);
      return events.length;
    },
    // Emmett's own whole-log read: the function its consumers' message puller calls in a loop
    // (there with a sleep between pages; here without).
    readPage: async (after, pageSize) => {
      const batch = await readMessagesBatch(db.execute, { after, batchSize: pageSize });
      return {
        ids: batch.messages.map((m) => m.metadata.messageId),
        next: batch.currentGlobalPosition,
      };
    },
    retries: () => retries,
    close: async () => {
      await store.close();
      await pool.end();
    },
  };
}

async function readWholeLog(side: Side, pageSize: number, capMs: number): Promise<SideReadResult> {
  const t0 = nowMs();
  let after = 0n;
  let events = 0;
  let pages = 0;
  // Both sides pay for this check alike; it costs little next to a page's query.
  const seen = new Set<string>();
  const done = (complete: boolean): SideReadResult => ({
    events,
    distinct: seen.size,
    pages,
    elapsedMs: nowMs() - t0,
    complete,
  });
  for (;;) {
    const { ids, next } = await side.readPage(after, pageSize);
    for (const id of ids) seen.add(id);
    events += ids.length;
    pages += 1;
    after = next;
    if (ids.length < pageSize) return done(true);
    if (nowMs() - t0 >= capMs) return done(false);
  }
}

async function fill(side: Side, events: number, workers: number): Promise<number> {
  let written = 0;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (written < events) {
        const n = await side.appendBatch(w);
        written += n;
      }
    }),
  );
  return written;
}

function serve(): void {
  let side: Side | undefined;
  const send = (reply: SideReply): void => void process.send?.(reply);
  const handle = async (request: SideRequest): Promise<unknown> => {
    if (request.kind === 'open') {
      side = request.side === 'ours' ? await openOurs(request) : await openEmmett(request);
      return null;
    }
    if (!side) throw new Error('the side is not open');
    switch (request.kind) {
      case 'load': {
        const before = side.retries();
        const op = request.op === 'single' ? side.appendSingle : side.appendBatch;
        const result = await closedLoop(op, request);
        return { ...result, retries: side.retries() - before } satisfies SideLoadResult;
      }
      case 'fill':
        return fill(side, request.events, request.workers);
      case 'read':
        return readWholeLog(side, request.pageSize, request.capMs);
      case 'close':
        await side.close();
        side = undefined;
        return null;
    }
  };
  process.on('message', (message: { id: number; request: SideRequest }) => {
    handle(message.request).then(
      (value) => send({ id: message.id, ok: true, value }),
      (error: unknown) =>
        send({
          id: message.id,
          ok: false,
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        }),
    );
  });
}

if (require.main === module) serve();
