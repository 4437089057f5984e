/**
 * bench/growth: what one command costs as the log grows. One database is grown to each size in
 * turn (default 10,000, 100,000 and 1,000,000 events; 10 events per learner, so 100,000
 * learners at 1,000,000), and at each size the benchmark measures:
 *
 * - the projections' catch-up over the events added (all projections, from their checkpoints);
 * - the API's start-up: from spawning the compiled API (as `npm start` runs it, projections
 *   in-process) to its first 200 on /health, and its RSS then;
 * - one command's latency over HTTP, one request at a time (p50/p99): research and answer
 *   commands on fresh learners and on learners already in the log; the API's RSS after them;
 * - a rebuild of all projections (new generations from position zero, swapped in).
 *
 * The log is NOT written through HTTP: the events are appended straight through the event
 * store, many learners' streams at once (64 appends in flight, which the store group-commits,
 * 10 events per append), research and correct answers alternating; so generating 1,000,000
 * events takes a minute or so, not hours.
 *
 * Run: npm run bench:growth (BENCH_GROWTH_SIZES=10000,100000 for other sizes, comma-separated;
 * BENCH_GROWTH_COMMANDS for the number of commands per size, 400 by default).
 * `npm run bench:all` runs it at 10,000 and 100,000 events, to stay bounded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@ledger/database';
import { learnerStreamName } from '@ledger/domain';
import { PostgresEventStore, type EventToAppend } from '@ledger/event-store';
import { openReadModels, ProjectionWorker, requestRebuild } from '@ledger/read-models';
import type { DataSource } from 'typeorm';
import type { BenchFigure } from '../support/figures';
import { formatNumber, textTable } from '../support/figures';
import { benchDatabase } from '../support/postgres';
import { percentile } from '../support/stats';
import { npmStartCommand, ROOT } from '../support/apps';

const API_START = npmStartCommand('start');

export const DEFAULT_SIZES = [10_000, 100_000, 1_000_000];
const EVENTS_PER_LEARNER = 10;
const IN_FLIGHT = 64;

const meta = () => ({ actor: 'bench', correlationId: randomUUID(), causationId: randomUUID() });

function learnerEvents(n: number): EventToAppend[] {
  return Array.from({ length: n }, (_, i): EventToAppend => {
    const occurredAt = new Date(Date.UTC(2025, i % 12, 1 + (i % 28))).toISOString();
    return i % 2 === 0
      ? {
          id: randomUUID(),
          type: 'QuestionResearched',
          schemaVersion: 1,
          data: { researchId: randomUUID(), occurredAt, earnedYear: 2025, twelfths: '6' },
          metadata: meta(),
        }
      : {
          id: randomUUID(),
          type: 'AnswerCorrect',
          schemaVersion: 1,
          data: { questionId: randomUUID(), occurredAt, earnedYear: 2025, twelfths: '2' },
          metadata: meta(),
        };
  });
}

/** Appends the streams of learners [from, to), IN_FLIGHT appends at a time. */
async function fill(store: PostgresEventStore, from: number, to: number): Promise<void> {
  let next = from;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < to) {
        const learner = next++;
        await store.append(
          learnerStreamName(`growth-${learner}`),
          learnerEvents(EVENTS_PER_LEARNER),
        );
      }
    }),
  );
}

async function head(store: PostgresEventStore): Promise<bigint> {
  const { rows } = await store.pool.query<{ p: string | null }>(
    'SELECT max(position)::text AS p FROM events',
  );
  return BigInt(rows[0]?.p ?? '0');
}

async function states(
  ds: DataSource,
): Promise<{ name: string; position: bigint; generation: number; rebuilding: boolean }[]> {
  const rows = (await ds.query(
    `SELECT name, live_position::text AS p, live_generation AS g, rebuild_requested_at IS NOT NULL AS r FROM projection_state`,
  )) as { name: string; p: string; g: number; r: boolean }[];
  return rows.map((r) => ({
    name: r.name,
    position: BigInt(r.p),
    generation: r.g,
    rebuilding: r.r,
  }));
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the projections in this process until every one is at `to`; answers the seconds. */
async function catchUp(
  ds: DataSource,
  store: PostgresEventStore,
  to: bigint,
  projections: number,
): Promise<number> {
  const worker = new ProjectionWorker(ds, store, { retryMs: 100, batchSize: 1000 });
  const started = performance.now();
  worker.start();
  try {
    for (;;) {
      const s = await states(ds);
      if (s.length === projections && s.every((x) => x.position >= to && !x.rebuilding)) break;
      await pause(50);
    }
    return (performance.now() - started) / 1000;
  } finally {
    await worker.stop();
  }
}

/** Rebuilds every projection from position zero; answers the seconds until all are swapped in. */
async function rebuild(ds: DataSource, store: PostgresEventStore): Promise<number> {
  const worker = new ProjectionWorker(ds, store, { retryMs: 100, batchSize: 1000 });
  worker.start();
  try {
    const before = new Map((await states(ds)).map((s) => [s.name, s.generation]));
    const started = performance.now();
    for (const runner of worker.runners) await requestRebuild(ds, runner.projection.name);
    for (;;) {
      const s = await states(ds);
      if (s.every((x) => !x.rebuilding && x.generation > (before.get(x.name) ?? 0))) break;
      await pause(50);
    }
    return (performance.now() - started) / 1000;
  } finally {
    await worker.stop();
  }
}

function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

interface Api {
  process: ChildProcess;
  url: string;
  startSeconds: number;
}

async function startApi(databaseUrl: string): Promise<Api> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(
    process.execPath,
    // As `npm start` runs it: its node flags (the V8 heap's generations) and environment.
    [...API_START.nodeFlags, join(ROOT, API_START.main)],
    {
      env: {
        ...process.env,
        ...API_START.env,
        DATABASE_URL: databaseUrl,
        PORT: String(port),
        LOG_LEVEL: 'warn',
        LEDGER_RATE_LIMIT_PER_MINUTE: '100000000',
        LEDGER_RUN_BOARD_PROCESS: 'false',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  let exited = false;
  child.once('exit', () => (exited = true));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && !exited) {
    try {
      if ((await fetch(`${url}/health`)).ok)
        return { process: child, url, startSeconds: (performance.now() - started) / 1000 };
    } catch {
      // not listening yet
    }
    await pause(20);
  }
  child.kill('SIGKILL');
  throw new Error(
    exited ? 'the API exited before it was ready' : 'the API did not answer /health in 120 s',
  );
}

async function stopApi(api: Api): Promise<void> {
  if (api.process.exitCode !== null) return;
  const exited = new Promise((r) => api.process.once('exit', r));
  api.process.kill('SIGTERM');
  await exited;
}

/** One command at a time; answers each one's milliseconds (a non-2xx answer fails the run). */
async function commands(url: string, learners: string[], tag: string): Promise<number[]> {
  const occurredAt = new Date(Date.now() - 60_000).toISOString();
  const times: number[] = [];
  for (const [i, learner] of learners.entries()) {
    const research = i % 2 === 0;
    const path = research
      ? `/v1/learners/${learner}/questions-researched`
      : `/v1/learners/${learner}/answers`;
    const body = research
      ? { researchId: `r-${tag}-${i}`, occurredAt }
      : { questionId: `q-${tag}-${i}`, correct: true, occurredAt };
    const started = performance.now();
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer dev-service-key' },
      body: JSON.stringify(body),
    });
    await res.arrayBuffer();
    times.push(performance.now() - started);
    if (!res.ok) throw new Error(`${path} answered ${res.status}`);
  }
  return times;
}

interface Point {
  events: number;
  learners: number;
  fillSeconds: number;
  catchUpSeconds: number;
  startSeconds: number;
  rssStartMb: number;
  rssAfterMb: number;
  fresh: number[];
  existing: number[];
  rebuildSeconds: number;
}

export async function runGrowthBench(
  options: { sizes?: number[]; commands?: number; log?: (line: string) => void } = {},
): Promise<BenchFigure[]> {
  const sizes = options.sizes ?? DEFAULT_SIZES;
  const perSize = options.commands ?? 400;
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const db = await benchDatabase('growth');
  const store = await PostgresEventStore.create({ connectionString: db.url, maxConnections: 8 });
  const ds = await openReadModels(db.url);
  const projections = new ProjectionWorker(ds, store).runners.length;
  const points: Point[] = [];
  try {
    let learners = 0;
    for (const size of sizes) {
      const target = Math.ceil(size / EVENTS_PER_LEARNER);
      const fillStart = performance.now();
      await fill(store, learners, target);
      const fillSeconds = (performance.now() - fillStart) / 1000;
      learners = Math.max(learners, target);
      const to = await head(store);
      log(`growth: ${size} events written in ${fillSeconds.toFixed(1)} s`);
      const catchUpSeconds = await catchUp(ds, store, to, projections);
      log(`growth: projections caught up in ${catchUpSeconds.toFixed(1)} s`);

      const api = await startApi(db.url);
      let point: Point;
      try {
        const rssStartMb = rssMb(api.process.pid ?? 0);
        const half = Math.floor(perSize / 2);
        const fresh = await commands(
          api.url,
          Array.from({ length: half }, (_, i) => `growth-new-${size}-${i}`),
          `${size}-new`,
        );
        // Learners already in the log, spread over it (each with its 10 events).
        const step = Math.max(1, Math.floor(learners / half));
        const existing = await commands(
          api.url,
          Array.from({ length: half }, (_, i) => `growth-${(i * step) % learners}`),
          `${size}-old`,
        );
        const rssAfterMb = rssMb(api.process.pid ?? 0);
        point = {
          events: size,
          learners,
          fillSeconds,
          catchUpSeconds,
          startSeconds: api.startSeconds,
          rssStartMb,
          rssAfterMb,
          fresh,
          existing,
          rebuildSeconds: 0,
        };
      } finally {
        await stopApi(api);
      }
      point.rebuildSeconds = await rebuild(ds, store);
      log(`growth: ${size} events: rebuilt in ${point.rebuildSeconds.toFixed(1)} s`);
      points.push(point);
    }

    const ms = (v: number) => formatNumber(v, 1);
    process.stdout.write(
      `\nbench/growth: one database grown to each size (${EVENTS_PER_LEARNER} events per learner, written straight to the store), ${db.server} PostgreSQL, ${perSize} commands per size, one at a time\n`,
    );
    process.stdout.write(
      `${textTable(
        [
          [
            'events',
            'learners',
            'write s',
            'catch-up ev/s',
            'start s',
            'RSS start MB',
            'RSS after MB',
            'new p50 ms',
            'new p99 ms',
            'old p50 ms',
            'old p99 ms',
            'rebuild s',
          ],
          ...points.map((p, i) => {
            const added = p.events - (points[i - 1]?.events ?? 0);
            return [
              p.events.toLocaleString('en-US'),
              p.learners.toLocaleString('en-US'),
              formatNumber(p.fillSeconds, 1),
              Math.round(added / p.catchUpSeconds).toLocaleString('en-US'),
              formatNumber(p.startSeconds, 2),
              formatNumber(p.rssStartMb, 0),
              formatNumber(p.rssAfterMb, 0),
              ms(percentile(p.fresh, 50)),
              ms(percentile(p.fresh, 99)),
              ms(percentile(p.existing, 50)),
              ms(percentile(p.existing, 99)),
              formatNumber(p.rebuildSeconds, 1),
            ];
          }),
        ],
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
      )}\n`,
    );
    return points.flatMap((p) => {
      const at = `at ${p.events.toLocaleString('en-US')} events`;
      const both = [...p.fresh, ...p.existing];
      return [
        { figure: `growth: command p50 ${at}`, value: round1(percentile(both, 50)), unit: 'ms' },
        { figure: `growth: command p99 ${at}`, value: round1(percentile(both, 99)), unit: 'ms' },
        {
          figure: `growth: command on an existing learner p50 ${at}`,
          value: round1(percentile(p.existing, 50)),
          unit: 'ms',
        },
        { figure: `growth: API start-up to ready ${at}`, value: round2(p.startSeconds), unit: 's' },
        {
          figure: `growth: API RSS after start ${at}`,
          value: Math.round(p.rssStartMb),
          unit: 'MB',
        },
        {
          figure: `growth: API RSS after the commands ${at}`,
          value: Math.round(p.rssAfterMb),
          unit: 'MB',
        },
        {
          figure: `growth: rebuild all projections ${at}`,
          value: round1(p.rebuildSeconds),
          unit: 's',
        },
      ];
    });
  } finally {
    await ds.destroy();
    await store.close();
    await db.dispose();
  }
}

const round1 = (v: number) => Number(v.toFixed(1));
const round2 = (v: number) => Number(v.toFixed(2));

export function sizesFrom(text: string | undefined): number[] {
  if (!text) return DEFAULT_SIZES;
  const sizes = text.split(',').map((s) => Number(s.trim()));
  if (sizes.some((s) => !Number.isInteger(s) || s < EVENTS_PER_LEARNER))
    throw new Error(
      `BENCH_GROWTH_SIZES must be whole numbers of events of at least ${EVENTS_PER_LEARNER}, comma-separated (got "${text}")`,
    );
  return [...sizes].sort((a, b) => a - b);
}

if (require.main === module) {
  runGrowthBench({
    sizes: sizesFrom(process.env.BENCH_GROWTH_SIZES),
    commands: Number(process.env.BENCH_GROWTH_COMMANDS ?? 400),
  }).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
