import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
// Direct module paths, not the @ledger/* barrels: the benchmark builds from only what it measures.
import { type EventToAppend, PostgresEventStore } from '@ledger/event-store';
import { formatNumber, textTable, type BenchFigure } from '../support/figures';
import {
  comparePair,
  eventsPerSecond,
  loadFigures,
  type LoadResult,
  type Operation,
} from '../support/load';
import { describeMachine, machineInfo, type MachineInfo } from '../support/machine';
import { benchDatabase } from '../support/postgres';
import { nowMs } from '../support/stats';

/**
 * bench/append: the PostgreSQL event store's append and whole-log read throughput, each next to
 * the same work done as plain SQL on a plain table of the same server, so that the store's
 * distance from the database's own limit is visible.
 *
 *   single-event appends, 1 writer and 16 writers   vs  single-row INSERTs (autocommit each)
 *   100-event appends to one stream                  vs  100-row INSERTs (one statement each)
 *   readAll in pages of 1000 over the whole log      vs  keyset SELECT pages of 1000 by id
 *
 * Both sides use a pg Pool of the same size, the same number of concurrent callers and the same
 * JSON payloads. Durability is the server's own (synchronous_commit stays on).
 */
export interface AppendBenchOptions {
  /** Measured seconds per side of each append case (split over `rounds`). */
  caseSeconds: number;
  /** Untimed seconds per side before each append case. */
  warmupSeconds: number;
  /** Interleaved slices of the two sides (A B, B A, ...) per case. */
  rounds: number;
  concurrentWriters: number;
  batchWriters: number;
  batchSize: number;
  /** Learner streams that appends pick from at random. */
  streams: number;
  readPage: number;
  log: (line: string) => void;
}

export const DEFAULT_APPEND_BENCH_OPTIONS: AppendBenchOptions = {
  caseSeconds: 10,
  warmupSeconds: 1.5,
  rounds: 4,
  concurrentWriters: 16,
  batchWriters: 4,
  batchSize: 100,
  streams: 1000,
  readPage: 1000,
  log: () => undefined,
};

/** Targets of the issue, on the 2-core machine with the embedded server. */
export const APPEND_TARGETS = {
  singleAt16VsRawPercent: 60,
  batchVsRawPercent: 50,
  readAllEventsPerSecond: 50_000,
};

export interface AppendBenchCase {
  name: string;
  store: { eventsPerSecond: number; events: number; p50Ms?: number; p99Ms?: number };
  raw: { label: string; eventsPerSecond: number; events: number; p50Ms?: number; p99Ms?: number };
  ratioPercent: number;
  target?: { text: string; met: boolean };
}

export interface AppendBenchReport {
  machine: MachineInfo;
  cases: AppendBenchCase[];
  figures: BenchFigure[];
  totalSeconds: number;
}

const ACTIVITIES = [
  'Heart Failure Update 2025: Guideline-Directed Medical Therapy in Practice',
  'Antimicrobial Stewardship in the Emergency Department',
  'Opioid Prescribing: Safe Practices and Risk Mitigation (REMS)',
  'Diabetes Technology for Primary Care: CGM and Insulin Pumps',
  'Grand Rounds: Sepsis Recognition and Early Management',
];

/** A CME credit event of realistic shape and size (about 450 bytes of JSON). */
export function creditEvent(learnerId: string): EventToAppend {
  const activity = Math.floor(Math.random() * ACTIVITIES.length);
  const correlationId = randomUUID();
  return {
    id: randomUUID(),
    type: 'CreditEarned',
    schemaVersion: 1,
    data: {
      learnerId,
      activityId: `ACT-2025-${String(100000 + Math.floor(Math.random() * 900000))}`,
      activityTitle: ACTIVITIES[activity] ?? '',
      providerId: 'ACCME-0012345',
      creditType: 'AMA_PRA_CATEGORY_1',
      twelfths: 3 * (1 + Math.floor(Math.random() * 12)),
      occurredAt: new Date(Date.now() - Math.floor(Math.random() * 86_400_000)).toISOString(),
      completion: { method: 'post-test', score: 70 + Math.floor(Math.random() * 31), attempts: 1 },
    },
    metadata: {
      actor: 'api-key:registrar/lms-sync',
      correlationId,
      causationId: correlationId,
      source: 'lms-sync',
    },
  };
}

const RAW_TABLE = /* sql */ `
CREATE TABLE raw_events (
  id          bigserial   PRIMARY KEY,
  stream_name text        NOT NULL,
  event_id    uuid        NOT NULL,
  event_type  text        NOT NULL,
  data        jsonb       NOT NULL,
  metadata    jsonb       NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
)`;

export async function runAppendBenchReport(
  overrides: Partial<AppendBenchOptions> = {},
): Promise<AppendBenchReport> {
  const o = { ...DEFAULT_APPEND_BENCH_OPTIONS, ...overrides };
  const started = nowMs();
  const db = await benchDatabase('append');
  let store: PostgresEventStore | undefined;
  let raw: Pool | undefined;
  try {
    const poolSize = Math.max(o.concurrentWriters, o.batchWriters);
    store = await PostgresEventStore.create({ connectionString: db.url, maxConnections: poolSize });
    raw = new Pool({ connectionString: db.url, max: poolSize, application_name: 'bench-raw' });
    raw.on('error', () => undefined);
    await raw.query(RAW_TABLE);
    const machine = await machineInfo(raw, db.server);
    o.log(describeMachine(machine));

    const learners = Array.from({ length: o.streams }, () => randomUUID());
    const pick = (): string => learners[Math.floor(Math.random() * learners.length)] ?? '';
    const s = store;
    const r = raw;

    const storeSingle: Operation = async () => {
      const learner = pick();
      await s.append(`learner-${learner}`, [creditEvent(learner)], { expectedRevision: 'any' });
      return 1;
    };
    const rawSingle: Operation = async () => {
      const learner = pick();
      const e = creditEvent(learner);
      await r.query(
        'INSERT INTO raw_events (stream_name, event_id, event_type, data, metadata) VALUES ($1, $2, $3, $4, $5)',
        [`learner-${learner}`, e.id, e.type, e.data, e.metadata],
      );
      return 1;
    };
    const storeBatch: Operation = async () => {
      const learner = pick();
      const events = Array.from({ length: o.batchSize }, () => creditEvent(learner));
      await s.append(`learner-${learner}`, events, { expectedRevision: 'any' });
      return events.length;
    };
    const rawBatch: Operation = async () => {
      const learner = pick();
      const events = Array.from({ length: o.batchSize }, () => creditEvent(learner));
      await r.query(
        `INSERT INTO raw_events (stream_name, event_id, event_type, data, metadata)
         SELECT $1, u.id, u.type, u.data, u.metadata
           FROM unnest($2::uuid[], $3::text[], $4::jsonb[], $5::jsonb[]) AS u(id, type, data, metadata)`,
        [
          `learner-${learner}`,
          events.map((e) => e.id),
          events.map((e) => e.type),
          events.map((e) => e.data),
          events.map((e) => e.metadata),
        ],
      );
      return events.length;
    };

    const checkpoint = async (): Promise<void> => {
      // Start every case with no dirty pages pending from the last one (needs superuser or
      // pg_checkpoint; skipped where not allowed).
      await r.query('CHECKPOINT').catch(() => undefined);
    };
    const pair = async (a: Operation, b: Operation, workers: number, latencies: boolean) => {
      await checkpoint();
      return comparePair(a, b, {
        workers,
        durationMs: o.caseSeconds * 1000,
        rounds: o.rounds,
        warmupMs: o.warmupSeconds * 1000,
        latencies,
      });
    };
    const cases: AppendBenchCase[] = [];
    const appendCase = (
      name: string,
      rawLabel: string,
      [a, b]: [LoadResult, LoadResult],
      latencies: boolean,
      targetPercent?: number,
    ): AppendBenchCase => {
      const ratioPercent = (100 * eventsPerSecond(a)) / eventsPerSecond(b);
      const c: AppendBenchCase = {
        name,
        store: loadFigures(a, latencies),
        raw: { label: rawLabel, ...loadFigures(b, latencies) },
        ratioPercent,
        ...(targetPercent === undefined
          ? {}
          : {
              target: { text: `>= ${targetPercent}% of raw`, met: ratioPercent >= targetPercent },
            }),
      };
      o.log(
        `  ${name}: ${formatNumber(c.store.eventsPerSecond)} events/s vs ${rawLabel} ` +
          `${formatNumber(c.raw.eventsPerSecond)}/s (${formatNumber(ratioPercent)}%)`,
      );
      cases.push(c);
      return c;
    };

    o.log('single-event appends, 1 writer ...');
    appendCase(
      'append 1 event, 1 writer',
      'INSERT 1 row, 1 client',
      await pair(storeSingle, rawSingle, 1, true),
      true,
    );
    const w = o.concurrentWriters;
    o.log(`single-event appends, ${w} writers ...`);
    appendCase(
      `append 1 event, ${w} writers`,
      `INSERT 1 row, ${w} clients`,
      await pair(storeSingle, rawSingle, w, true),
      true,
      APPEND_TARGETS.singleAt16VsRawPercent,
    );
    o.log(`${o.batchSize}-event appends, ${o.batchWriters} writers ...`);
    appendCase(
      `append ${o.batchSize} events, ${o.batchWriters} writers`,
      `INSERT ${o.batchSize} rows, ${o.batchWriters} clients`,
      await pair(storeBatch, rawBatch, o.batchWriters, false),
      false,
      APPEND_TARGETS.batchVsRawPercent,
    );

    o.log('whole-log read ...');
    await checkpoint();
    await r.query('VACUUM ANALYZE events, streams, raw_events');
    const readStore = async (): Promise<[number, number]> => {
      const t0 = nowMs();
      let after = 0n;
      let n = 0;
      for (;;) {
        const page = await s.readAll({ after, maxCount: o.readPage });
        n += page.length;
        const last = page[page.length - 1];
        if (!last || page.length < o.readPage) break;
        after = last.position;
      }
      return [n, nowMs() - t0];
    };
    const readRaw = async (): Promise<[number, number]> => {
      const t0 = nowMs();
      let after = '0';
      let n = 0;
      for (;;) {
        const { rows } = await r.query<{ id: string }>(
          `SELECT id, stream_name, event_id, event_type, data, metadata, recorded_at
             FROM raw_events WHERE id > $1 ORDER BY id LIMIT $2`,
          [after, o.readPage],
        );
        n += rows.length;
        const last = rows[rows.length - 1];
        if (!last || rows.length < o.readPage) break;
        after = last.id;
      }
      return [n, nowMs() - t0];
    };
    // Two passes each, interleaved (store, raw, raw, store): the first pass of each also warms
    // the cache for the other's second.
    const storeReads: [number, number][] = [];
    const rawReads: [number, number][] = [];
    storeReads.push(await readStore());
    rawReads.push(await readRaw());
    rawReads.push(await readRaw());
    storeReads.push(await readStore());
    const total = (xs: [number, number][]): LoadResult => ({
      events: xs.reduce((t, x) => t + x[0], 0),
      elapsedMs: xs.reduce((t, x) => t + x[1], 0),
      operations: xs.length,
      latenciesMs: [],
    });
    const read = appendCase(
      `readAll, pages of ${o.readPage}`,
      `SELECT pages of ${o.readPage}`,
      [total(storeReads), total(rawReads)],
      false,
    );
    read.target = {
      text: `>= ${formatNumber(APPEND_TARGETS.readAllEventsPerSecond)} events/s`,
      met: read.store.eventsPerSecond >= APPEND_TARGETS.readAllEventsPerSecond,
    };
    read.store.events = storeReads[0]?.[0] ?? 0;
    read.raw.events = rawReads[0]?.[0] ?? 0;
    const { rows: counted } = await r.query<{ events: string; raw: string }>(
      'SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM raw_events) AS raw',
    );
    if (
      Number(counted[0]?.events) !== read.store.events ||
      Number(counted[0]?.raw) !== read.raw.events
    ) {
      o.log(
        `  warning: a whole-log pass missed rows (tables hold ${counted[0]?.events} / ${counted[0]?.raw})`,
      );
    }

    return { machine, cases, figures: toFigures(cases), totalSeconds: (nowMs() - started) / 1000 };
  } finally {
    await store?.close().catch(() => undefined);
    await raw?.end().catch(() => undefined);
    await db.dispose();
  }
}

/** The figures of one run, for bench/all. */
export async function runAppendBench(
  overrides: Partial<AppendBenchOptions> = {},
): Promise<BenchFigure[]> {
  return (await runAppendBenchReport(overrides)).figures;
}

function toFigures(cases: readonly AppendBenchCase[]): BenchFigure[] {
  const figures: BenchFigure[] = [];
  for (const c of cases) {
    figures.push({ figure: c.name, value: c.store.eventsPerSecond, unit: 'events/s' });
    figures.push({ figure: `raw: ${c.raw.label}`, value: c.raw.eventsPerSecond, unit: 'events/s' });
    figures.push({ figure: `${c.name}, share of raw`, value: c.ratioPercent, unit: '%' });
    if (c.store.p50Ms !== undefined)
      figures.push({ figure: `${c.name}, p50`, value: c.store.p50Ms, unit: 'ms' });
    if (c.store.p99Ms !== undefined)
      figures.push({ figure: `${c.name}, p99`, value: c.store.p99Ms, unit: 'ms' });
  }
  return figures;
}

export function formatAppendReport(report: AppendBenchReport): string {
  const rows: string[][] = [
    ['case', 'events/s', 'raw baseline', 'raw events/s', 'ratio', 'target', 'result'],
    ...report.cases.map((c) => [
      c.name,
      formatNumber(c.store.eventsPerSecond),
      c.raw.label,
      formatNumber(c.raw.eventsPerSecond),
      `${formatNumber(c.ratioPercent, 1)}%`,
      c.target?.text ?? '-',
      c.target ? (c.target.met ? 'pass' : 'MISS') : '-',
    ]),
  ];
  const latency: string[][] = [
    ['latency per call (ms)', 'store p50', 'store p99', 'raw p50', 'raw p99'],
    ...report.cases
      .filter((c) => c.store.p50Ms !== undefined)
      .map((c) => [
        c.name,
        formatNumber(c.store.p50Ms ?? NaN, 2),
        formatNumber(c.store.p99Ms ?? NaN, 2),
        formatNumber(c.raw.p50Ms ?? NaN, 2),
        formatNumber(c.raw.p99Ms ?? NaN, 2),
      ]),
  ];
  const missed = report.cases.filter((c) => c.target && !c.target.met);
  const read = report.cases[report.cases.length - 1];
  return [
    describeMachine(report.machine),
    '',
    textTable(rows, [1, 3, 4]),
    '',
    textTable(latency, [1, 2, 3, 4]),
    '',
    read
      ? `whole log read: ${read.store.events} events (store), ${read.raw.events} rows (raw), two passes each`
      : '',
    `total ${formatNumber(report.totalSeconds, 1)} s; ` +
      (missed.length === 0 ? 'all targets met' : `MISS: ${missed.map((c) => c.name).join('; ')}`),
  ].join('\n');
}
