/**
 * bench/soak (`npm run bench:soak`): does memory level off under a steady day of traffic?
 *
 * Starts the PARS simulator, the API and the worker as three processes (the API with the
 * simulator as its external board endpoint, BOARD_GATEWAY_URL; the worker runs the projections
 * and the board submission process) on a fresh PostgreSQL, then runs a bounded mixed load for
 * SOAK_DURATION_S (600 by default): SOAK_CLIENTS (8) clients in a loop, each creating a learner
 * with ABIM selected (one loop in three takes a learner seen before instead), recording 6
 * correct answers, claiming and reading the credits. The API and the worker run with the
 * environment and node flags of `npm start` and `npm run worker` (package.json), as deployed.
 * A probe in each process (memory-probe.ts) samples RSS, the V8 heap (used and committed),
 * external and ArrayBuffers every SOAK_SAMPLE_S (15) seconds; the runner samples the machine's
 * load average. It prints each process's curve, with the native rest (RSS less the committed
 * heap and external), whether it levelled off (its RSS grew by less than 5% over the last half
 * of the run), and the API's caches as /metrics shows them at the end. SOAK_HEAP_SNAPSHOTS=1
 * writes a heap snapshot of the API after the warm-up and at the end (in the temporary folder
 * printed), to compare; a snapshot costs the process RSS of its own, so judge RSS without them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@ledger/database';
import { textTable } from '../support/figures';
import { benchDatabase } from '../support/postgres';
import { startCommandOf, type StartCommand } from './start-command';

const DURATION_S = Number(process.env.SOAK_DURATION_S ?? 600);
const SAMPLE_S = Number(process.env.SOAK_SAMPLE_S ?? 15);
const CLIENTS = Number(process.env.SOAK_CLIENTS ?? 8);
const HEAP_SNAPSHOTS = process.env.SOAK_HEAP_SNAPSHOTS === '1';
const DIST = join(__dirname, '..', '..');
const ROOT = join(DIST, '..');
const SERVICE = { authorization: 'Bearer dev-service-key', 'content-type': 'application/json' };

interface Sample {
  t: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

/** How `npm run <script>` starts an app (package.json), or plain node for one without flags. */
function npmScript(name: string): StartCommand {
  const scripts = (
    JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    }
  ).scripts;
  const script = scripts[name];
  if (!script) throw new Error(`package.json has no "${name}" script`);
  return startCommandOf(script);
}

interface Started {
  name: string;
  child: ChildProcess;
  probe: string;
}

function start(
  name: string,
  command: StartCommand,
  env: Record<string, string>,
  folder: string,
): Started {
  const probe = join(folder, `${name}.jsonl`);
  const args = [
    ...command.nodeFlags,
    '--require',
    join(__dirname, 'memory-probe.js'),
    join(ROOT, command.main),
  ];
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      ...command.env,
      ...env,
      SOAK_PROBE_FILE: probe,
      SOAK_PROBE_MS: String(SAMPLE_S * 1000),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return { name, child, probe };
}

async function waitFor(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer in time`);
}

const samplesOf = (s: Started): Sample[] =>
  readFileSync(s.probe, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Sample);

const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(0);

async function main(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'cme-soak-'));
  const db = await benchDatabase('soak');
  const [apiPort, opsPort, boardPort] = [await freePort(), await freePort(), await freePort()];
  const boardUrl = `http://127.0.0.1:${boardPort}`;
  const common = {
    DATABASE_URL: db.url,
    BOARD_GATEWAY_URL: boardUrl,
    LEDGER_RATE_LIMIT_PER_MINUTE: '100000000',
  };
  const processes = [
    start(
      'pars-simulator',
      { env: {}, nodeFlags: [], main: 'dist/apps/pars-simulator/src/main.js' },
      { PARS_SIMULATOR_PORT: String(boardPort), PARS_DECIDE_AFTER_MS: '60000' },
      folder,
    ),
  ];
  const url = `http://127.0.0.1:${apiPort}`;
  let requests = 0;
  let failures = 0;
  let refusals = 0;
  let learnersTouched = 0;
  try {
    await waitFor(boardUrl, 30_000);
    processes.push(
      start(
        'api',
        npmScript('start'),
        {
          ...common,
          PORT: String(apiPort),
          LEDGER_OPERATIONS_PORT: String(opsPort),
          LEDGER_RUN_PROJECTIONS: 'false',
          LEDGER_RUN_BOARD_PROCESS: 'false',
        },
        folder,
      ),
    );
    await waitFor(`${url}/health`, 60_000);
    processes.push(
      start('worker', npmScript('worker'), { ...common, BOARD_SWEEP_INTERVAL_MS: '30000' }, folder),
    );
    // The load starts once the worker's projections answer reads.
    const ready = Date.now() + 120_000;
    while (Date.now() < ready) {
      const res = await fetch(`${url}/v1/learners/soak-0/credits`, { headers: SERVICE });
      await res.arrayBuffer();
      if (res.status !== 503) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const call = async (method: string, path: string, body?: unknown): Promise<void> => {
      requests += 1;
      const t = Date.now();
      try {
        const res = await fetch(`${url}${path}`, {
          method,
          headers: SERVICE,
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await res.text();
        if (process.env.SOAK_DEBUG)
          process.stderr.write(`${method} ${path} ${res.status} ${Date.now() - t}ms\n`);
        // 422: a rule refused (two clients claimed one learner's credit at once): not a failure.
        if (res.status === 422) refusals += 1;
        else if (res.status >= 300) {
          failures += 1;
          if (process.env.SOAK_DEBUG)
            process.stderr.write(`${method} ${path} ${res.status} ${text}\n`);
        }
      } catch {
        failures += 1;
      }
    };
    let next = 0;
    const deadline = Date.now() + DURATION_S * 1000;
    const snapshot = (): void => {
      const api = processes.find((p) => p.name === 'api');
      if (HEAP_SNAPSHOTS && api) api.child.kill('SIGUSR2');
    };
    const warmedUp = setTimeout(snapshot, Math.min(60_000, (DURATION_S * 1000) / 4));
    const client = async (): Promise<void> => {
      while (Date.now() < deadline) {
        next += 1;
        // One loop in three comes back to a learner seen before (the same and new learners).
        const id = next % 3 === 0 && next > 3 ? Math.floor(Math.random() * next) : next;
        learnersTouched = Math.max(learnersTouched, id);
        const learner = `/v1/learners/soak-${id}`;
        const now = new Date(Date.now() - 1000).toISOString();
        await call('PUT', `${learner}/profile`, {
          clinicalRole: 'physician',
          firstName: 'Ada',
          lastName: 'Quinn',
          birthMonth: 3,
          birthDay: 14,
          country: 'US',
          boards: [{ boardId: 'ABIM', learnerBoardId: `1${String(id).padStart(5, '0')}` }],
          licenses: [{ state: 'CA', licenseNumber: 'A12345' }],
        });
        // R7: consent to share with ABIM, so that the claims go on to the board as before.
        await call('PUT', `${learner}/consent`, { consent: 'granted' });
        for (let q = 0; q < 6; q++)
          await call('POST', `${learner}/answers`, {
            questionId: `q-${next}-${q}`,
            correct: true,
            occurredAt: now,
          });
        await call('POST', `${learner}/claims`, { activity: 'nejm-board-review', occurredAt: now });
        await call('GET', `${learner}/credits`);
      }
    };
    const started = Date.now();
    const load: number[] = [loadavg()[0] ?? 0];
    const loadTimer = setInterval(() => load.push(loadavg()[0] ?? 0), SAMPLE_S * 1000);
    await Promise.all(Array.from({ length: CLIENTS }, () => client()));
    clearInterval(loadTimer);
    clearTimeout(warmedUp);
    snapshot();
    // The caches as the API's /metrics shows them after the load.
    const metrics = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
    const cacheLines = metrics
      .split('\n')
      .filter((l) => /^ledger_(cache_\w+|process_memory_bytes)\{/.test(l));
    // One more sample after the load.
    await new Promise((r) => setTimeout(r, SAMPLE_S * 1000 + 500));
    const seconds = (Date.now() - started) / 1000;

    process.stdout.write(
      `\nbench/soak: ${DURATION_S} s, ${CLIENTS} clients, ${requests} requests (${(requests / seconds).toFixed(0)}/s), ` +
        `${failures} failed (neither 2xx nor 422), ${refusals} refused by a rule (422), ~${learnersTouched} learners, PostgreSQL ${db.server}; probes in ${folder}\n` +
        `load average (1 min) during the load: ${Math.min(...load).toFixed(1)}–${Math.max(...load).toFixed(1)} ` +
        `(mean ${(load.reduce((a, b) => a + b, 0) / load.length).toFixed(1)}) on ${availableParallelism()} cores\n` +
        processes
          .filter((p) => p.name !== 'pars-simulator')
          .map((p) => `${p.name}: node ${p.child.spawnargs.slice(1).join(' ')}`)
          .join('\n') +
        `\nthe API's /metrics at the end:\n${cacheLines.join('\n')}\n`,
    );
    const curves = processes.map((p) => ({ name: p.name, samples: samplesOf(p) }));
    const t0 = Math.min(...curves.map((c) => c.samples[0]?.t ?? Date.now()));
    // Native: what RSS holds besides the committed V8 heap and external (malloc's heap, code).
    const header = [
      'after s',
      'RSS',
      'heap committed',
      'heap used',
      'external',
      'ArrayBuffers',
      'native rest',
    ];
    for (const c of curves) {
      const rows: string[][] = [header];
      for (const s of c.samples)
        rows.push([
          ((s.t - t0) / 1000).toFixed(0),
          mb(s.rss),
          mb(s.heapTotal),
          mb(s.heapUsed),
          mb(s.external),
          mb(s.arrayBuffers),
          mb(s.rss - s.heapTotal - s.external),
        ]);
      process.stdout.write(`\n${c.name}, MB:\n${textTable(rows, [0, 1, 2, 3, 4, 5, 6])}\n`);
    }
    process.stdout.write('\n');
    for (const c of curves) {
      const s = c.samples;
      const last = s[s.length - 1];
      const middle = s[Math.floor(s.length / 2)];
      if (!last || !middle) continue;
      const growth = ((last.rss - middle.rss) / middle.rss) * 100;
      process.stdout.write(
        `${c.name}: RSS ${mb(middle.rss)} MB at half-time → ${mb(last.rss)} MB at the end ` +
          `(${growth >= 0 ? '+' : ''}${growth.toFixed(1)}%), peak ${mb(Math.max(...s.map((x) => x.rss)))} MB: ` +
          `${growth < 5 ? 'levelled off' : 'still growing'}\n`,
      );
    }
  } finally {
    for (const p of [...processes].reverse()) {
      p.child.kill('SIGTERM');
      await new Promise((r) => {
        if (p.child.exitCode !== null) return r(undefined);
        const timer = setTimeout(() => {
          p.child.kill('SIGKILL');
          r(undefined);
        }, 15_000);
        p.child.once('exit', () => {
          clearTimeout(timer);
          r(undefined);
        });
      });
    }
    await db.dispose();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
