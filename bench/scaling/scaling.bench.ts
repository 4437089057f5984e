/**
 * bench/scaling (`npm run bench:scaling`): past one process. Two API processes and one worker
 * on one PostgreSQL, driven together.
 *
 * Starts both APIs as `npm start` starts one (its environment and node flags) with
 * LEDGER_RUN_PROJECTIONS=false and LEDGER_RUN_BOARD_PROCESS=false, and the worker as
 * `npm run worker` does (it runs the projections; no board gateway is set, so no board
 * process), on a fresh PostgreSQL, all on 127.0.0.1. Then SCALING_CLIENTS (16) clients per API
 * run for 5 s of warm-up and then SCALING_DURATION_S (20) seconds, measured: each sets up 3 learners of its own (a profile
 * without boards), then loops over them recording researched questions and answers with new
 * ids, and every tenth command a claim; each command is retried with its Idempotency-Key after
 * an error or timeout, as the fault test's services do (bench/support/ledger-count.ts, shared
 * with it). Afterwards it counts: every acknowledged command's events are in the log exactly
 * once, nothing is recorded that was not acknowledged, every hash chain verifies, and, once the
 * worker has caught up, both APIs answer each learner's credits as the fold of the log (no
 * credit counted twice). It prints the commands acknowledged per second by each API and in
 * total, the p99 of a command, how long the worker took to catch up, and any discrepancy; a
 * discrepancy fails the benchmark. It stops every process it started.
 */
import { randomUUID } from 'node:crypto';
import { ACTIVITIES } from '@ledger/domain';
import { PostgresEventStore } from '@ledger/event-store';
import { freePort } from '@ledger/database';
import { npmStartCommand, startApp, waitForHealth, type StartedApp } from '../support/apps';
import { formatNumber, textTable, type BenchFigure } from '../support/figures';
import {
  creditDiscrepancies,
  learnerLogs,
  learnerProfile,
  logDiscrepancies,
  sendCommand,
  type SentCommand,
} from '../support/ledger-count';
import { benchDatabase } from '../support/postgres';
import { percentile } from '../support/stats';

const DURATION_S = Number(process.env.SCALING_DURATION_S ?? 20);
const WARMUP_S = 5;
const CLIENTS = Number(process.env.SCALING_CLIENTS ?? 16);
const LEARNERS_PER_CLIENT = 3;
const SERVICE_KEY = 'dev-service-key';
const CATCH_UP_TIMEOUT_MS = 120_000;

interface Api {
  name: string;
  url: string;
  app: StartedApp;
  sent: SentCommand[];
  /** Commands acknowledged within the measured time (after the warm-up), and their latencies. */
  measured: number;
  latencies: number[];
}

export async function runScalingBench(): Promise<BenchFigure[]> {
  const db = await benchDatabase('scaling');
  const started: StartedApp[] = [];
  const figures: BenchFigure[] = [];
  try {
    const common = {
      DATABASE_URL: db.url,
      LEDGER_RATE_LIMIT_PER_MINUTE: '100000000',
    };
    const apiCommand = npmStartCommand('start');
    const apis: Api[] = [];
    // One after the other: the first applies the migrations.
    for (const name of ['API 1', 'API 2']) {
      const port = await freePort();
      const app = startApp(name, apiCommand, {
        ...common,
        PORT: String(port),
        LEDGER_OPERATIONS_PORT: String(await freePort()),
        LEDGER_RUN_PROJECTIONS: 'false',
        LEDGER_RUN_BOARD_PROCESS: 'false',
      });
      started.push(app);
      const url = `http://127.0.0.1:${port}`;
      await waitForHealth(app, url);
      apis.push({ name, url, app, sent: [], measured: 0, latencies: [] });
    }
    started.push(
      startApp('the worker', npmStartCommand('worker'), {
        ...common,
        LEDGER_OPERATIONS_PORT: String(await freePort()),
      }),
    );

    let retries = 0;
    const warmEnds = Date.now() + WARMUP_S * 1000;
    const loadEnds = warmEnds + DURATION_S * 1000;
    const deadline = loadEnds + 30_000;
    const send = async (api: Api, command: SentCommand): Promise<void> => {
      api.sent.push(command);
      const t0 = performance.now();
      const measured = Date.now() >= warmEnds;
      await sendCommand(api.url, SERVICE_KEY, command, deadline, () => (retries += 1));
      if (command.acknowledged && measured && Date.now() <= loadEnds) {
        api.measured += 1;
        api.latencies.push(performance.now() - t0);
      }
    };
    const client = async (api: Api, c: number): Promise<void> => {
      const tag = randomUUID().slice(0, 8);
      const learners = Array.from({ length: LEARNERS_PER_CLIENT }, (_, i) => `scale-${tag}-${i}`);
      for (const [i, learnerId] of learners.entries())
        await send(api, {
          learnerId,
          kind: 'profile',
          key: randomUUID(),
          body: learnerProfile(c * 10 + i, false),
          attempts: 0,
        });
      for (let n = 0; Date.now() < loadEnds; n++) {
        const learnerId = learners[n % learners.length] as string;
        const occurredAt = new Date(Date.now() - 60_000).toISOString();
        const key = randomUUID();
        if (n % 10 === 9)
          await send(api, {
            learnerId,
            kind: 'claim',
            key,
            body: { activity: ACTIVITIES[Math.floor(n / 10) % ACTIVITIES.length], occurredAt },
            attempts: 0,
          });
        else if (n % 2 === 0)
          await send(api, {
            learnerId,
            kind: 'research',
            key,
            body: { researchId: `r-${tag}-${n}`, occurredAt },
            attempts: 0,
          });
        else
          await send(api, {
            learnerId,
            kind: 'answer',
            key,
            body: { questionId: `q-${tag}-${n}`, correct: n % 5 !== 0, occurredAt },
            attempts: 0,
          });
      }
    };
    await Promise.all(
      apis.flatMap((api) => Array.from({ length: CLIENTS }, (_, c) => client(api, c))),
    );
    const loadSeconds = DURATION_S;

    // Counting.
    const sent = apis.flatMap((a) => a.sent);
    const acknowledged = sent.filter((c) => c.acknowledged);
    const problems: string[] = [];
    const unacknowledged = sent.length - acknowledged.length;
    if (unacknowledged > 0) problems.push(`${unacknowledged} commands never acknowledged`);
    for (const c of acknowledged)
      if (c.acknowledged!.status >= 400 && c.kind !== 'claim')
        problems.push(`${c.kind} ${c.learnerId} refused: ${c.acknowledged!.status}`);
    const store = await PostgresEventStore.create({ connectionString: db.url });
    let catchUpSeconds = Number.NaN;
    try {
      const eventsOf = await learnerLogs(store, new Set(sent.map((c) => c.learnerId)));
      problems.push(...logDiscrepancies(acknowledged, eventsOf));
      const breaks = (await store.verifyAll()).breaks;
      if (breaks.length > 0) problems.push(`${breaks.length} hash chain breaks`);
      // The worker catches up: both APIs answer every learner's credits as the log folds.
      const now = new Date();
      const waitFrom = Date.now();
      let left: string[] = [];
      do {
        left = [];
        for (const [i, [learnerId, events]] of [...eventsOf].entries()) {
          const api = apis[i % apis.length] as Api;
          left.push(...(await creditDiscrepancies(api.url, SERVICE_KEY, learnerId, events, now)));
        }
        if (left.length === 0) break;
        await new Promise((r) => setTimeout(r, 250));
      } while (Date.now() - waitFrom < CATCH_UP_TIMEOUT_MS);
      if (left.length === 0) catchUpSeconds = (Date.now() - waitFrom) / 1000;
      // ... and each API answers as the other does.
      for (const [learnerId, events] of eventsOf)
        for (const api of apis)
          left.push(...(await creditDiscrepancies(api.url, SERVICE_KEY, learnerId, events, now)));
      problems.push(...left);
    } finally {
      await store.close();
    }

    const rows: string[][] = [['API', 'acknowledged (measured)', 'commands/s', 'p50 ms', 'p99 ms']];
    let total = 0;
    for (const api of apis) {
      const ok = api.measured;
      total += ok;
      const rate = ok / loadSeconds;
      rows.push([
        api.name,
        String(ok),
        rate.toFixed(0),
        percentile(api.latencies, 50).toFixed(1),
        percentile(api.latencies, 99).toFixed(1),
      ]);
      figures.push({
        figure: `two APIs and a worker, ${api.name}`,
        value: Math.round(rate),
        unit: 'commands/s',
      });
    }
    const all = apis.flatMap((a) => a.latencies);
    rows.push([
      'total',
      String(total),
      (total / loadSeconds).toFixed(0),
      percentile(all, 50).toFixed(1),
      percentile(all, 99).toFixed(1),
    ]);
    figures.push(
      {
        figure: 'two APIs and a worker, total',
        value: Math.round(total / loadSeconds),
        unit: 'commands/s',
      },
      { figure: 'two APIs and a worker, command p99', value: percentile(all, 99), unit: 'ms' },
      {
        figure: 'two APIs and a worker, worker caught up after the load',
        value: catchUpSeconds,
        unit: 's',
      },
      {
        figure: 'two APIs and a worker, commands lost or counted twice',
        value: problems.length,
        unit: 'discrepancies',
      },
    );
    process.stdout.write(
      `\nbench/scaling: 2 APIs (LEDGER_RUN_PROJECTIONS=false) and 1 worker on one ${db.server} ` +
        `PostgreSQL, ${CLIENTS} clients per API for ${formatNumber(loadSeconds, 1)} s ` +
        `after ${WARMUP_S} s of warm-up (research, answers, every tenth a claim; the counting covers all)\n${textTable(rows, [1, 2, 3, 4])}\n` +
        `${sent.length} commands sent, ${acknowledged.length} acknowledged, ${retries} retries; ` +
        `read models agreed with the log ${formatNumber(catchUpSeconds, 1)} s after the load\n` +
        `discrepancies: ${problems.length}\n${problems
          .slice(0, 20)
          .map((p) => `  ${p}\n`)
          .join('')}`,
    );
    if (problems.length > 0)
      throw new Error(`${problems.length} discrepancies between acknowledged and recorded`);
  } finally {
    for (const app of started.reverse()) await app.stop();
    await db.dispose();
  }
  return figures;
}

if (require.main === module) {
  runScalingBench().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
