/**
 * bench/commands: HTTP commands per second and latency (p50/p99) for research and answer
 * commands at 16 and 64 concurrent connections, against the real API process (compiled, with
 * its projections running as `npm start` runs them) on a real PostgreSQL, and the API
 * process's peak memory. Run: npm run bench:commands
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { freePort } from '@ledger/database';
import type { BenchFigure } from '../support/figures';
import { textTable } from '../support/figures';
import { benchDatabase } from '../support/postgres';
import { npmStartCommand, ROOT } from '../support/apps';

const API_START = npmStartCommand('start');

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 12);
const LEARNERS = 2000;

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

async function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the API did not answer /health in time');
}

export async function runCommandsBench(): Promise<BenchFigure[]> {
  const db = await benchDatabase('commands');
  const port = await freePort();
  const api = spawn(
    process.execPath,
    // As `npm start` runs it: its node flags (the V8 heap's generations) and environment.
    [...API_START.nodeFlags, join(ROOT, API_START.main)],
    {
      env: {
        ...process.env,
        ...API_START.env,
        DATABASE_URL: db.url,
        PORT: String(port),
        LOG_LEVEL: 'warn',
        LEDGER_RATE_LIMIT_PER_MINUTE: '100000000',
        LEDGER_RUN_BOARD_PROCESS: 'false',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  const figures: BenchFigure[] = [];
  const rows: string[][] = [
    ['command', 'connections', 'commands/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors'],
  ];
  try {
    await waitForHealth(url, 60_000);
    let sequence = 0;
    const now = new Date(Date.now() - 60_000).toISOString();
    const make = (kind: 'research' | 'answer') => ({
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer dev-service-key' },
      setupRequest: (req: { path?: string; body?: string }) => {
        sequence += 1;
        const learner = `bench-${sequence % LEARNERS}`;
        if (kind === 'research') {
          req.path = `/v1/learners/${learner}/questions-researched`;
          req.body = JSON.stringify({ researchId: `r-${sequence}`, occurredAt: now });
        } else {
          req.path = `/v1/learners/${learner}/answers`;
          req.body = JSON.stringify({
            questionId: `q-${sequence}`,
            correct: sequence % 3 !== 0,
            occurredAt: now,
          });
        }
        return req;
      },
    });
    // Warm-up: caches, JIT, connection pools.
    await autocannon({ url, connections: 16, duration: 3, requests: [make('research')] });
    for (const kind of ['research', 'answer'] as const) {
      for (const connections of [16, 64]) {
        const result = await autocannon({
          url,
          connections,
          duration: DURATION_S,
          requests: [make(kind)],
        });
        const perSecond = result.requests.average;
        rows.push([
          kind,
          String(connections),
          perSecond.toFixed(0),
          result.latency.p50.toFixed(1),
          result.latency.p99.toFixed(1),
          String(result.non2xx),
          String(result.errors + result.timeouts),
        ]);
        figures.push({
          figure: `${kind} commands, ${connections} connections`,
          value: Math.round(perSecond),
          unit: 'commands/s',
        });
        figures.push({
          figure: `${kind} commands, ${connections} connections, p50`,
          value: result.latency.p50,
          unit: 'ms',
        });
        figures.push({
          figure: `${kind} commands, ${connections} connections, p99`,
          value: result.latency.p99,
          unit: 'ms',
        });
      }
    }
    const peak = peakRssMb(api.pid ?? 0);
    figures.push({
      figure: 'API peak memory (RSS) under load',
      value: Math.round(peak),
      unit: 'MB',
    });
    process.stdout.write(
      `\nbench/commands: ${DURATION_S} s per case, ${LEARNERS} learners, API on ${db.server} PostgreSQL\n`,
    );
    process.stdout.write(`${textTable(rows, [1, 2, 3, 4, 5, 6])}\n`);
    process.stdout.write(`API peak RSS: ${peak.toFixed(0)} MB (target: < 300 MB)\n`);
  } finally {
    api.kill('SIGTERM');
    await new Promise((r) => api.once('exit', r));
    await db.dispose();
  }
  return figures;
}

if (require.main === module) {
  runCommandsBench().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
