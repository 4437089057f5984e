import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Pool } from 'pg';
import { createDatabase, dropDatabase } from '@ledger/database';
import { formatNumber, textTable, type BenchFigure } from '../support/figures';
import type { AppendBenchOptions } from '../append/run-append-bench';
import { addLoad, emptyLoad, loadFigures } from '../support/load';
import { describeMachine, machineInfo, type MachineInfo } from '../support/machine';
import { benchDatabase } from '../support/postgres';
import { nowMs } from '../support/stats';
import type {
  SideLoadResult,
  SideName,
  SideReadResult,
  SideReply,
  SideRequest,
} from './compare-side';

/**
 * bench/compare: this service's event store next to Emmett's PostgreSQL event store
 * (@event-driven-io/emmett-postgresql), doing the same work on the same PostgreSQL server:
 *
 *   single-event appends, 1 writer and 16 writers    ours: append()   Emmett: appendToStream()
 *   100-event appends, 4 writers                      (no expected version on either side)
 *   the whole log in pages of 1000                    ours: readAll()  Emmett: readMessagesBatch()
 *
 * Each side runs in its own process (see compare-side.ts for why) on its own database of the
 * one server, with a pg pool of the same size, the same number of concurrent writers, the same
 * ~500-byte CME credit events and 1,000 random learner streams. Every append case warms both
 * sides up, then measures them in alternating slices (A B, B A, ...) so that noise from other
 * work on the machine falls on both. Before the read, the smaller log is topped up (untimed) to
 * the size of the larger, since a read's cost may depend on the size of the log.
 */
export interface CompareBenchOptions extends AppendBenchOptions {
  /** A whole-log pass that takes longer stops here and counts what it read. */
  readCapSeconds: number;
}

export const DEFAULT_COMPARE_BENCH_OPTIONS: CompareBenchOptions = {
  caseSeconds: 8,
  warmupSeconds: 1,
  rounds: 4,
  concurrentWriters: 16,
  batchWriters: 4,
  batchSize: 100,
  streams: 1000,
  readPage: 1000,
  readCapSeconds: 20,
  log: () => undefined,
};

interface SideFigures {
  eventsPerSecond: number;
  events: number;
  p50Ms?: number;
  p99Ms?: number;
  /** Whole-log read, first complete pass: events returned more than once. */
  repeated?: number;
  /** Whole-log read, first complete pass: stored events it did not return. */
  missed?: number;
}

export interface CompareCase {
  name: string;
  ours: SideFigures;
  emmett: SideFigures;
  /** ours / Emmett, events per second. */
  ratio: number;
  /** The target: ours >= Emmett. */
  met: boolean;
  notes: string[];
}

export interface CompareBenchReport {
  machine: MachineInfo;
  emmettVersion: string;
  options: CompareBenchOptions;
  cases: CompareCase[];
  figures: BenchFigure[];
  totalSeconds: number;
}

/** One side's process. */
interface SideProcess {
  request<T>(request: SideRequest): Promise<T>;
  stop(): Promise<void>;
}

function startSide(name: SideName): SideProcess {
  const child: ChildProcess = fork(join(__dirname, 'compare-side.js'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let exited = false;
  child.on('message', (reply: SideReply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (reply.ok) p.resolve(reply.value);
    else p.reject(new Error(`${name} side: ${reply.error}`));
  });
  child.on('exit', (code, signal) => {
    exited = true;
    for (const p of pending.values())
      p.reject(new Error(`the ${name} side exited (${signal ?? code}) during a request`));
    pending.clear();
  });
  return {
    request<T>(request: SideRequest): Promise<T> {
      if (exited) return Promise.reject(new Error(`the ${name} side has exited`));
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: (v) => resolve(v as T), reject });
        child.send({ id, request });
      });
    },
    async stop(): Promise<void> {
      if (exited) return;
      const gone = new Promise((r) => child.once('exit', r));
      try {
        await Promise.race([
          this.request({ kind: 'close' }),
          new Promise((r) => setTimeout(r, 5000)),
        ]);
      } catch {
        // closing what failed to open
      }
      if (!exited) child.kill('SIGTERM');
      await gone;
    },
  };
}

function emmettVersion(): string {
  // Its package.json is not in its "exports", so it is read from beside the resolved entry.
  const entry = require.resolve('@event-driven-io/emmett-postgresql');
  const manifest = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as {
    version?: string;
  };
  return manifest.version ?? 'unknown';
}

export async function runCompareBenchReport(
  overrides: Partial<CompareBenchOptions> = {},
): Promise<CompareBenchReport> {
  const o = { ...DEFAULT_COMPARE_BENCH_OPTIONS, ...overrides };
  const started = nowMs();
  const db = await benchDatabase('compare');
  const emmettDb = `${new URL(db.url).pathname.slice(1)}_emmett`;
  let ours: SideProcess | undefined;
  let emmett: SideProcess | undefined;
  let oursAdmin: Pool | undefined;
  let emmettAdmin: Pool | undefined;
  try {
    const emmettUrl = await createDatabase(db.url, emmettDb);
    oursAdmin = new Pool({ connectionString: db.url, max: 1, application_name: 'bench-admin' });
    emmettAdmin = new Pool({
      connectionString: emmettUrl,
      max: 1,
      application_name: 'bench-admin',
    });
    oursAdmin.on('error', () => undefined);
    emmettAdmin.on('error', () => undefined);
    const machine = await machineInfo(oursAdmin, db.server);
    const version = emmettVersion();
    o.log(describeMachine(machine));
    o.log(`emmett-postgresql ${version}`);

    const poolSize = Math.max(o.concurrentWriters, o.batchWriters);
    const open = { poolSize, streams: o.streams, batchSize: o.batchSize };
    ours = startSide('ours');
    emmett = startSide('emmett');
    await ours.request({ kind: 'open', side: 'ours', url: db.url, ...open });
    await emmett.request({ kind: 'open', side: 'emmett', url: emmettUrl, ...open });
    const sides = { ours, emmett };

    const checkpoint = async (): Promise<void> => {
      // No dirty pages left from the last case (needs superuser or pg_checkpoint).
      await oursAdmin?.query('CHECKPOINT').catch(() => undefined);
    };
    const load = (side: SideProcess, op: 'single' | 'batch', workers: number, ms: number) =>
      side.request<SideLoadResult>({ kind: 'load', op, workers, durationMs: ms, latencies: true });

    const cases: CompareCase[] = [];
    const addCase = (c: Omit<CompareCase, 'ratio' | 'met'>): void => {
      const ratio = c.ours.eventsPerSecond / c.emmett.eventsPerSecond;
      const full: CompareCase = { ...c, ratio, met: ratio >= 1 };
      cases.push(full);
      o.log(
        `  ${c.name}: ours ${formatNumber(c.ours.eventsPerSecond)} events/s, Emmett ` +
          `${formatNumber(c.emmett.eventsPerSecond)} events/s (${formatNumber(ratio, 2)}×)`,
      );
    };
    const appendCase = async (
      name: string,
      op: 'single' | 'batch',
      workers: number,
      latencies: boolean,
    ): Promise<void> => {
      o.log(`${name} ...`);
      await checkpoint();
      await load(sides.ours, op, workers, o.warmupSeconds * 1000);
      await load(sides.emmett, op, workers, o.warmupSeconds * 1000);
      let a = emptyLoad();
      let b = emptyLoad();
      let retries = 0;
      const slice = (o.caseSeconds * 1000) / o.rounds;
      for (let round = 0; round < o.rounds; round++) {
        const order: SideName[] = round % 2 === 0 ? ['ours', 'emmett'] : ['emmett', 'ours'];
        for (const name of order) {
          const r = await load(sides[name], op, workers, slice);
          if (name === 'ours') a = addLoad(a, r);
          else {
            b = addLoad(b, r);
            retries += r.retries;
          }
        }
      }
      addCase({
        name,
        ours: loadFigures(a, latencies),
        emmett: loadFigures(b, latencies),
        notes:
          retries > 0
            ? [`Emmett: ${retries} appends tried again after a conflict between two writers`]
            : [],
      });
    };

    await appendCase('append 1 event, 1 writer', 'single', 1, true);
    await appendCase(
      `append 1 event, ${o.concurrentWriters} writers`,
      'single',
      o.concurrentWriters,
      true,
    );
    await appendCase(
      `append ${o.batchSize} events, ${o.batchWriters} writers`,
      'batch',
      o.batchWriters,
      false,
    );

    // The whole-log read, over logs of the same size.
    const count = async (): Promise<{ ours: number; emmett: number }> => {
      const [x, y] = await Promise.all([
        oursAdmin?.query<{ n: string }>('SELECT count(*) AS n FROM events'),
        emmettAdmin?.query<{ n: string }>('SELECT count(*) AS n FROM emt_messages'),
      ]);
      return { ours: Number(x?.rows[0]?.n ?? 0), emmett: Number(y?.rows[0]?.n ?? 0) };
    };
    let sizes = await count();
    const smaller: SideName = sizes.ours < sizes.emmett ? 'ours' : 'emmett';
    const missing = Math.abs(sizes.ours - sizes.emmett);
    if (missing > 0) {
      o.log(`topping up the ${smaller} log by ${missing} events (untimed) ...`);
      await sides[smaller].request({ kind: 'fill', events: missing, workers: o.batchWriters });
      sizes = await count();
    }
    o.log(`whole-log read (${sizes.ours} / ${sizes.emmett} events) ...`);
    await checkpoint();
    await oursAdmin.query('VACUUM ANALYZE');
    await emmettAdmin.query('VACUUM ANALYZE');
    const read = (side: SideProcess) =>
      side.request<SideReadResult>({
        kind: 'read',
        pageSize: o.readPage,
        capMs: o.readCapSeconds * 1000,
      });
    // Two passes each, interleaved (ours, Emmett, Emmett, ours).
    const passes: Record<SideName, SideReadResult[]> = { ours: [], emmett: [] };
    for (const name of ['ours', 'emmett', 'emmett', 'ours'] as const) {
      passes[name].push(await read(sides[name]));
    }
    const readFigures = (name: SideName): SideFigures => {
      const events = passes[name].reduce((t, p) => t + p.events, 0);
      const ms = passes[name].reduce((t, p) => t + p.elapsedMs, 0);
      const whole = passes[name].find((p) => p.complete);
      return {
        eventsPerSecond: ms > 0 ? (events * 1000) / ms : 0,
        events,
        ...(whole
          ? { repeated: whole.events - whole.distinct, missed: sizes[name] - whole.distinct }
          : {}),
      };
    };
    const readNotes: string[] = [];
    for (const name of ['ours', 'emmett'] as const) {
      const label = name === 'ours' ? 'ours' : 'Emmett';
      const logSize = sizes[name];
      for (const p of passes[name]) {
        if (!p.complete)
          readNotes.push(
            `${label}: a pass stopped at the ${o.readCapSeconds} s cap after ${p.events} of ` +
              `${logSize} events (${p.pages} pages); the rate counts what it read`,
          );
        else if (p.events !== logSize || p.distinct !== logSize)
          readNotes.push(
            `${label}: a whole pass returned ${p.events} events, ${p.distinct} distinct, of the ` +
              `${logSize} stored (${p.events - p.distinct} repeated, ${logSize - p.distinct} missed)`,
          );
      }
    }
    // Emmett orders the log by (transaction_id, global_position) but pages by global_position
    // alone: wherever the two orders disagree a page boundary can skip or repeat events.
    const { rows: disorder } = await emmettAdmin.query<{ n: string }>(
      `SELECT count(*) FILTER (WHERE global_position < previous) AS n
         FROM (SELECT global_position,
                      lag(global_position) OVER (ORDER BY transaction_id, global_position) AS previous
                 FROM emt_messages) AS m`,
    );
    const outOfOrder = Number(disorder[0]?.n ?? 0);
    if (outOfOrder > 0)
      readNotes.push(
        `Emmett: in its read order (transaction_id, global_position), ${outOfOrder} events have ` +
          'a lower global_position than the one before them; it pages with global_position > ' +
          'the last one read, so a pass can skip or repeat events there',
      );
    addCase({
      name: `whole-log read, pages of ${o.readPage}`,
      ours: readFigures('ours'),
      emmett: readFigures('emmett'),
      notes: [`logs of ${sizes.ours} (ours) and ${sizes.emmett} (Emmett) events`, ...readNotes],
    });

    return {
      machine,
      emmettVersion: version,
      options: o,
      cases,
      figures: toFigures(cases),
      totalSeconds: (nowMs() - started) / 1000,
    };
  } finally {
    await Promise.all([ours?.stop(), emmett?.stop()]);
    await oursAdmin?.end().catch(() => undefined);
    await emmettAdmin?.end().catch(() => undefined);
    await dropDatabase(db.url, emmettDb).catch(() => undefined);
    await db.dispose();
  }
}

/** The figures of one run, for bench/all. */
// Each bench's entry for bench/all has this shape (append's, audit's): its own report's figures.
export async function runCompareBench(
  overrides: Partial<CompareBenchOptions> = {},
): Promise<BenchFigure[]> {
  return (await runCompareBenchReport(overrides)).figures;
}

function toFigures(cases: readonly CompareCase[]): BenchFigure[] {
  return cases.flatMap((c) => {
    const figures: BenchFigure[] = [
      { figure: `${c.name}, ours`, value: c.ours.eventsPerSecond, unit: 'events/s' },
      { figure: `${c.name}, Emmett`, value: c.emmett.eventsPerSecond, unit: 'events/s' },
      { figure: `${c.name}, ours / Emmett`, value: c.ratio, unit: '×' },
    ];
    for (const [label, side] of [
      ['ours', c.ours],
      ['Emmett', c.emmett],
    ] as const) {
      if (side.repeated !== undefined)
        figures.push({
          figure: `${c.name}, ${label}: events repeated in a whole pass`,
          value: side.repeated,
          unit: 'events',
        });
      if (side.missed !== undefined)
        figures.push({
          figure: `${c.name}, ${label}: stored events a whole pass did not return`,
          value: side.missed,
          unit: 'events',
        });
    }
    return figures;
  });
}

export function formatCompareReport(report: CompareBenchReport): string {
  const o = report.options;
  const rows: string[][] = [
    ['case', 'ours events/s', 'Emmett events/s', 'ratio (ours/Emmett)', 'target', 'result'],
    ...report.cases.map((c) => [
      c.name,
      formatNumber(c.ours.eventsPerSecond),
      formatNumber(c.emmett.eventsPerSecond),
      `${formatNumber(c.ratio, 2)}×`,
      'ours >= Emmett',
      c.met ? 'pass' : 'MISS',
    ]),
  ];
  const latency: string[][] = [
    ['latency per append (ms)', 'ours p50', 'ours p99', 'Emmett p50', 'Emmett p99'],
    ...report.cases
      .filter((c) => c.ours.p50Ms !== undefined)
      .map((c) => [
        c.name,
        formatNumber(c.ours.p50Ms ?? NaN, 2),
        formatNumber(c.ours.p99Ms ?? NaN, 2),
        formatNumber(c.emmett.p50Ms ?? NaN, 2),
        formatNumber(c.emmett.p99Ms ?? NaN, 2),
      ]),
  ];
  const notes = report.cases.flatMap((c) => c.notes.map((n) => `  ${c.name}: ${n}`));
  const missed = report.cases.filter((c) => !c.met);
  return [
    describeMachine(report.machine),
    `emmett:     @event-driven-io/emmett-postgresql ${report.emmettVersion}`,
    `setup:      ${o.caseSeconds} s measured per side per append case in ${o.rounds} ` +
      `alternating slices after ${o.warmupSeconds} s warm-up; pool ${Math.max(o.concurrentWriters, o.batchWriters)} ` +
      `connections each; ${o.streams} learner streams; separate databases, one server`,
    '',
    textTable(rows, [1, 2, 3]),
    '',
    textTable(latency, [1, 2, 3, 4]),
    ...(notes.length > 0 ? ['', 'notes:', ...notes] : []),
    '',
    `total ${formatNumber(report.totalSeconds, 1)} s; ` +
      (missed.length === 0
        ? 'ours >= Emmett in every case'
        : `MISS: ${missed.map((c) => c.name).join('; ')}`),
  ].join('\n');
}
