/**
 * bench/peer (`npm run bench:peer`): the research command over HTTP, this service's API next to
 * an Emmett 0.42.0 application doing the same work (peer-app.ts: Express, Emmett's
 * CommandHandler, its PostgreSQL event store; idempotent on the research id, appended with the
 * version read as the expected version).
 *
 * One PostgreSQL server, a database for each side. Both run as processes of their own, started
 * as `npm start` starts the API (its environment, MALLOC_ARENA_MAX=2 and node flags), each with
 * a pg pool of 20. The API runs as it does beside a worker (LEDGER_RUN_PROJECTIONS=false,
 * LEDGER_RUN_BOARD_PROCESS=false), and no worker is started: the peer updates no read model,
 * so neither side does, and both do only the command (with projections in process, as
 * bench/commands runs it, each command also costs the API a projection batch of about 9
 * statements, against the command's 2). The same autocannon load drives each: research
 * commands with a new research id each, over 2,000 learners, at 16 and then 64 connections.
 * Both are warmed up, then each case runs in slices A B B A (BENCH_DURATION_S, 12 by default,
 * per side, split in two) so that noise from other work on the machine falls on both sides; a
 * side's rate is its 2xx answers over its time, its p99 the larger of its two slices'. The
 * target: ours ≥ 2× the peer's commands/s at an equal or better p99.
 */
import autocannon from 'autocannon';
import { Pool } from 'pg';
import { createDatabase, freePort } from '@ledger/database';
import { npmStartCommand, startApp, waitForHealth, type StartedApp } from '../support/apps';
import { formatNumber, textTable, type BenchFigure } from '../support/figures';
import { benchDatabase } from '../support/postgres';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 12);
const LEARNERS = 2000;
const POOL_SIZE = 20;

interface Side {
  name: 'ours' | 'Emmett';
  url: string;
  sequence: number;
}

interface Slice {
  ok: number;
  seconds: number;
  p99: number;
  failed: number;
}

function researchLoad(side: Side, connections: number, seconds: number) {
  const now = new Date(Date.now() - 60_000).toISOString();
  return autocannon({
    url: side.url,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer dev-service-key' },
        setupRequest: (req) => {
          side.sequence += 1;
          req.path = `/v1/learners/peer-${side.sequence % LEARNERS}/questions-researched`;
          req.body = JSON.stringify({ researchId: `r-${side.sequence}`, occurredAt: now });
          return req;
        },
      },
    ],
  });
}

async function slice(side: Side, connections: number, seconds: number): Promise<Slice> {
  const r = await researchLoad(side, connections, seconds);
  return {
    ok: r.requests.total - r.non2xx,
    seconds: r.duration,
    p99: r.latency.p99,
    failed: r.non2xx + r.errors + r.timeouts,
  };
}

export async function runPeerBench(): Promise<BenchFigure[]> {
  const db = await benchDatabase('peer');
  const emmettUrl = await createDatabase(db.url, `${new URL(db.url).pathname.slice(1)}_emmett`);
  const start = npmStartCommand('start');
  const [ourPort, peerPort] = [await freePort(), await freePort()];
  const apps: StartedApp[] = [];
  const figures: BenchFigure[] = [];
  try {
    const api = startApp('the API', start, {
      DATABASE_URL: db.url,
      PORT: String(ourPort),
      LEDGER_OPERATIONS_PORT: String(await freePort()),
      LEDGER_RATE_LIMIT_PER_MINUTE: '100000000',
      LEDGER_RUN_PROJECTIONS: 'false',
      LEDGER_RUN_BOARD_PROCESS: 'false',
    });
    apps.push(api);
    const peer = startApp(
      'the Emmett peer',
      { ...start, main: 'dist/bench/peer/peer-app.js' },
      { DATABASE_URL: emmettUrl, PORT: String(peerPort), DATABASE_POOL_SIZE: String(POOL_SIZE) },
    );
    apps.push(peer);
    const ours: Side = { name: 'ours', url: `http://127.0.0.1:${ourPort}`, sequence: 0 };
    const emmett: Side = { name: 'Emmett', url: `http://127.0.0.1:${peerPort}`, sequence: 0 };
    await Promise.all([waitForHealth(api, ours.url), waitForHealth(peer, emmett.url)]);

    // Warm-up: JIT, caches, both pools open.
    for (const side of [ours, emmett]) await researchLoad(side, 16, 3);

    const rows: string[][] = [
      ['connections', 'ours/s', 'ours p99 ms', 'Emmett/s', 'Emmett p99 ms', 'ratio', 'target'],
    ];
    let failed = 0;
    for (const connections of [16, 64]) {
      const half = Math.max(1, Math.round(DURATION_S / 2));
      const slices: Record<Side['name'], Slice[]> = { ours: [], Emmett: [] };
      for (const side of [ours, emmett, emmett, ours])
        slices[side.name].push(await slice(side, connections, half));
      const rate = (s: Slice[]) =>
        s.reduce((n, x) => n + x.ok, 0) / s.reduce((n, x) => n + x.seconds, 0);
      const p99 = (s: Slice[]) => Math.max(...s.map((x) => x.p99));
      failed += [...slices.ours, ...slices.Emmett].reduce((n, x) => n + x.failed, 0);
      const [a, b] = [rate(slices.ours), rate(slices.Emmett)];
      const [pa, pb] = [p99(slices.ours), p99(slices.Emmett)];
      const ratio = a / b;
      const met = ratio >= 2 && pa <= pb;
      rows.push([
        String(connections),
        a.toFixed(0),
        pa.toFixed(1),
        b.toFixed(0),
        pb.toFixed(1),
        `${formatNumber(ratio, 2)}×`,
        met ? 'met' : 'NOT met',
      ]);
      const label = `research over HTTP, ${connections} connections`;
      figures.push(
        { figure: `${label}, ours`, value: Math.round(a), unit: 'commands/s' },
        { figure: `${label}, ours p99`, value: pa, unit: 'ms' },
        { figure: `${label}, Emmett peer`, value: Math.round(b), unit: 'commands/s' },
        { figure: `${label}, Emmett peer p99`, value: pb, unit: 'ms' },
        { figure: `${label}, ours / Emmett (target ≥ 2 at ≤ p99)`, value: ratio, unit: '×' },
      );
    }

    // Each side recorded what it acknowledged (a 2xx here is a new event: every id is new).
    const count = async (url: string, sql: string): Promise<number> => {
      const pool = new Pool({ connectionString: url, max: 1 });
      try {
        return Number((await pool.query<{ n: string }>(sql)).rows[0]?.n ?? 0);
      } finally {
        await pool.end();
      }
    };
    const recorded = {
      ours: await count(
        db.url,
        `SELECT count(*) AS n FROM events WHERE event_type = 'QuestionResearched'`,
      ),
      emmett: await count(
        emmettUrl,
        `SELECT count(*) AS n FROM emt_messages WHERE message_type = 'QuestionResearched'`,
      ),
    };
    process.stdout.write(
      `\nbench/peer: research commands over HTTP, ${DURATION_S} s per side and case (slices A B B A), ` +
        `${LEARNERS} learners, pools of ${POOL_SIZE}, no projections on either side, ${db.server} PostgreSQL\n` +
        `${textTable(rows, [0, 1, 2, 3, 4, 5])}\n` +
        `non-2xx, errors and timeouts: ${failed}; research events recorded (warm-up included) for requests started (those cut off at the end of a slice may be unanswered): ` +
        `ours ${recorded.ours} of ${ours.sequence}, ` +
        `Emmett ${recorded.emmett} of ${emmett.sequence}\n`,
    );
  } finally {
    for (const app of apps.reverse()) await app.stop();
    await db.dispose();
  }
  return figures;
}

if (require.main === module) {
  runPeerBench().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
