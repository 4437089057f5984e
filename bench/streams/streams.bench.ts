/**
 * bench/streams (`npm run bench:streams`): long learner streams. For each size in
 * STREAMS_SIZES (100, 10000, 100000 events), STREAMS_LEARNERS (3) learners are seeded straight
 * into the log (a profile, half correct and half incorrect board-review answers, one claim at
 * the end), then the compiled API runs on them as `npm start` runs it (projections inside) and
 * the benchmark times, per size (p50 over the learners, or over repeats for warm figures):
 *
 * - cold command, no snapshot: the first command on a learner after start, nothing cached;
 * - warm command: 20 more commands on the same learner;
 * - `GET /credits` (read models), the as-of replay (`GET /v1/audit/learners/:id/credits`,
 *   which never reads a snapshot) and the claim's certificate;
 * - after a restart (cache empty), cold command from a snapshot, and the certificate cold;
 * - the snapshot's size (its state and command ids, KB of text).
 *
 * And, in this process, where a cold fold's time goes: read, decode, fold (per event).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  decideLearner,
  foldLearner,
  learnerStreamName,
  type LearnerEvent,
  type LearnerState,
} from '@ledger/domain';
import { freePort } from '@ledger/database';
import { PostgresEventStore, type RecordedEvent } from '@ledger/event-store';
import { learnerEventCodec, PersonalDataCipher } from '@ledger/ledger';
import { openLedgerDataSource } from '@ledger/runtime';
import { startCommandOf } from '../soak/start-command';
import { textTable } from '../support/figures';
import { benchDatabase } from '../support/postgres';
import { nowMs } from '../support/stats';

/** The repository (this file runs from dist/bench/streams). */
const ROOT = join(__dirname, '..', '..', '..');
const SIZES = (process.env.STREAMS_SIZES ?? '100,10000,100000').split(',').map(Number);
const LEARNERS = Number(process.env.STREAMS_LEARNERS ?? 3);
/** Commands on other learners before anything is timed (STREAMS_WARM_UP). */
const WARM_UP = Number(process.env.STREAMS_WARM_UP ?? 50);
const MASTER_KEY = Buffer.alloc(32, 9);
const KEYS = {
  service: 'Bearer dev-service-key',
  auditor: 'Bearer dev-auditor-key',
};

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? Number.NaN;
};

interface Seeded {
  learnerId: string;
  claimId: string;
  lastPosition: bigint;
}

async function seed(
  store: PostgresEventStore,
  cipher: PersonalDataCipher,
  size: number,
): Promise<Seeded> {
  const learnerId = `long-${size}-${randomUUID().slice(0, 8)}`;
  const streamName = learnerStreamName(learnerId);
  const codec = learnerEventCodec(cipher);
  const at = new Date(Date.now() - 10 * 24 * 3600 * 1000);
  const iso = at.toISOString();
  const events: LearnerEvent[] = [
    {
      type: 'LearnerProfileUpdated',
      data: {
        occurredAt: iso,
        profileVersion: 1,
        clinicalRole: 'physician',
        country: 'US',
        boards: ['ABIM'],
        licenseStates: ['CA'],
        personal: {
          firstName: 'Ada',
          lastName: 'Quinn',
          birthMonth: 3,
          birthDay: 14,
          boardIds: { ABIM: '123456' },
          licenses: [{ state: 'CA', licenseNumber: 'A12345' }],
        },
      },
    },
  ];
  const year = at.getUTCFullYear();
  for (let i = 0; events.length < size - 1; i++) {
    events.push(
      i % 2 === 0
        ? {
            type: 'AnswerCorrect',
            data: { questionId: `q${i}`, occurredAt: iso, earnedYear: year, twelfths: '2' },
          }
        : { type: 'AnswerIncorrect', data: { questionId: `q${i}`, occurredAt: iso } },
    );
  }
  const state: LearnerState = foldLearner(events);
  const claimId = randomUUID();
  events.push(
    ...decideLearner(
      { type: 'ClaimCredits', data: { claimId, activity: 'nejm-board-review', occurredAt: at } },
      state,
      { now: new Date(), timeZone: 'UTC', maxClockSkewMs: 300_000, maxBackdateMs: 30 * 86400_000 },
    ),
  );
  let lastPosition = 0n;
  for (let i = 0; i < events.length; i += 1000) {
    const batch = events.slice(i, i + 1000);
    const causationId = randomUUID();
    const result = await store.append(
      streamName,
      await Promise.all(
        batch.map(async (e) => ({
          id: randomUUID(),
          ...(await codec.encode(e, streamName)),
          metadata: { actor: 'bench', correlationId: causationId, causationId },
        })),
      ),
    );
    lastPosition = result.position;
  }
  return { learnerId, claimId, lastPosition };
}

/** Where a cold fold's time goes, in this process: read, decode (with decryption), fold. */
async function foldBreakdown(
  store: PostgresEventStore,
  cipher: PersonalDataCipher,
  learnerId: string,
): Promise<{ readMs: number; decodeMs: number; foldMs: number; events: number }> {
  const streamName = learnerStreamName(learnerId);
  const codec = learnerEventCodec(cipher);
  let t = nowMs();
  const recorded: RecordedEvent[] = [];
  for (let from = 0n; ;) {
    const page = await store.readStream(streamName, { fromRevision: from, maxCount: 1000 });
    recorded.push(...page);
    if (page.length < 1000) break;
    from = (page[page.length - 1]?.revision ?? 0n) + 1n;
  }
  const readMs = nowMs() - t;
  t = nowMs();
  const decoded: LearnerEvent[] = [];
  for (const r of recorded) {
    const e = await codec.decode(r);
    if (e) decoded.push(e);
  }
  const decodeMs = nowMs() - t;
  t = nowMs();
  foldLearner(decoded);
  const foldMs = nowMs() - t;
  return { readMs, decodeMs, foldMs, events: recorded.length };
}

class Api {
  private child: ChildProcess | undefined;
  constructor(
    readonly url: string,
    private readonly env: Record<string, string>,
  ) {}

  /**
   * Starts the API, then WARM_UP commands on learners of its own (a new one every ten, so that
   * loading a stream is warmed too): the JIT and the pools warm, the measured streams not. One
   * command was too few: the first hundred-event stream's "cold" load then cost four warm ones.
   */
  async start(): Promise<void> {
    await this.launch();
    let learner = '';
    for (let i = 0; i < WARM_UP; i++) {
      if (i % 10 === 0) learner = `warm-up-${randomUUID().slice(0, 8)}`;
      await this.time('POST', `/v1/learners/${learner}/answers`, KEYS.service, {
        questionId: `w${i}`,
        correct: i % 2 === 0,
        occurredAt: new Date(Date.now() - 1000).toISOString(),
      });
    }
  }

  private async launch(): Promise<void> {
    // As `npm start` runs it (its node flags: the heap bound), so that what is measured is
    // what is deployed.
    const start = startCommandOf(
      (
        JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
          scripts: Record<string, string>;
        }
      ).scripts.start ?? '',
    );
    this.child = spawn(process.execPath, [...start.nodeFlags, join(ROOT, start.main)], {
      env: { ...process.env, ...start.env, ...this.env },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      try {
        if ((await fetch(`${this.url}/health`)).ok) return;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('the API did not start');
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }

  async waitForRead(path: string): Promise<void> {
    const deadline = Date.now() + 600_000;
    while (Date.now() < deadline) {
      const res = await fetch(`${this.url}${path}`, { headers: { authorization: KEYS.service } });
      await res.arrayBuffer();
      if (res.ok) return;
      if (res.status !== 503) throw new Error(`GET ${path}: ${res.status}`);
    }
    throw new Error(`GET ${path}: the read models did not catch up`);
  }

  /** Milliseconds the request took; throws on an unexpected status. */
  async time(method: string, path: string, key: string, body?: unknown): Promise<number> {
    const t = nowMs();
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: key, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    await res.arrayBuffer();
    const ms = nowMs() - t;
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status}`);
    return ms;
  }
}

async function main(): Promise<void> {
  const db = await benchDatabase('streams');
  const store = await PostgresEventStore.create({ connectionString: db.url });
  const dataSource = await openLedgerDataSource(db.url, { poolSize: 4 });
  const cipher = new PersonalDataCipher(dataSource, MASTER_KEY);
  const port = await freePort();
  const api = new Api(`http://127.0.0.1:${port}`, {
    DATABASE_URL: db.url,
    PORT: String(port),
    LEDGER_OPERATIONS_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
    LEDGER_MASTER_KEY: MASTER_KEY.toString('base64'),
    LEDGER_RATE_LIMIT_PER_MINUTE: '100000000',
    LEDGER_RUN_BOARD_PROCESS: 'false',
    LEDGER_SNAPSHOT_EVERY: process.env.LEDGER_SNAPSHOT_EVERY ?? '500',
  });
  const rows: string[][] = [
    [
      'events',
      'cold, no snapshot',
      'cold, snapshot',
      'warm',
      'GET /credits',
      'as-of',
      'certificate',
      'certificate cold, snapshot',
      'snapshot KB',
      'read / decode / fold µs per event',
    ],
  ];
  let answer = 0;
  const command = (learnerId: string) =>
    api.time('POST', `/v1/learners/${learnerId}/answers`, KEYS.service, {
      questionId: `new-${(answer += 1)}`,
      correct: true,
      occurredAt: new Date(Date.now() - 1000).toISOString(),
    });
  try {
    for (const size of SIZES) {
      const seeded: Seeded[] = [];
      for (let i = 0; i < LEARNERS; i++) seeded.push(await seed(store, cipher, size));
      const breakdown = await foldBreakdown(store, cipher, seeded[0]!.learnerId);
      await api.start();
      const coldNoSnapshot: number[] = [];
      for (const s of seeded) coldNoSnapshot.push(await command(s.learnerId));
      const warm: number[] = [];
      for (let i = 0; i < 20; i++) warm.push(await command(seeded[0]!.learnerId));
      const credits: number[] = [];
      const asOf: number[] = [];
      const certificate: number[] = [];
      for (const s of seeded) {
        const last = s.lastPosition.toString();
        // The projections first catch up with the seeded stream (503 until they have).
        await api.waitForRead(`/v1/learners/${s.learnerId}/credits?minPosition=${last}`);
        credits.push(await api.time('GET', `/v1/learners/${s.learnerId}/credits`, KEYS.service));
        asOf.push(await api.time('GET', `/v1/audit/learners/${s.learnerId}/credits`, KEYS.auditor));
        certificate.push(
          await api.time(
            'GET',
            `/v1/learners/${s.learnerId}/claims/${s.claimId}/certificate.pdf`,
            KEYS.service,
          ),
        );
      }
      // Snapshots are written in the background: give them a moment, then restart (cache empty).
      await new Promise((r) => setTimeout(r, 2000));
      await api.stop();
      await api.start();
      const coldSnapshot: number[] = [];
      const certificateCold: number[] = [];
      for (const s of seeded) {
        certificateCold.push(
          await api.time(
            'GET',
            `/v1/learners/${s.learnerId}/claims/${s.claimId}/certificate.pdf`,
            KEYS.service,
          ),
        );
      }
      await api.stop();
      await api.start();
      for (const s of seeded) coldSnapshot.push(await command(s.learnerId));
      await api.stop();
      // The size of what a cold load from a snapshot reads, parses and authenticates.
      const [kept] = (await dataSource.query(
        'SELECT length(state) + length(commands) AS chars FROM stream_snapshots WHERE stream_name = $1',
        [learnerStreamName(seeded[0]!.learnerId)],
      )) as { chars: number }[];
      const per = (ms: number) => ((ms * 1000) / breakdown.events).toFixed(1);
      const f = (xs: number[]) => median(xs).toFixed(1);
      rows.push([
        String(size),
        f(coldNoSnapshot),
        f(coldSnapshot),
        f(warm),
        f(credits),
        f(asOf),
        f(certificate),
        f(certificateCold),
        kept === undefined ? 'none' : (Number(kept.chars) / 1024).toFixed(0),
        `${per(breakdown.readMs)} / ${per(breakdown.decodeMs)} / ${per(breakdown.foldMs)}`,
      ]);
      process.stdout.write(`${rows[rows.length - 1]?.join(' | ')}\n`);
    }
    process.stdout.write(
      `\nbench/streams: p50 ms, ${LEARNERS} learners per size (warm: 20 commands), API on ${db.server} PostgreSQL, ` +
        `snapshots every ${process.env.LEDGER_SNAPSHOT_EVERY ?? '500'} events\n`,
    );
    process.stdout.write(`${textTable(rows, [0, 1, 2, 3, 4, 5, 6, 7, 8])}\n`);
  } finally {
    await api.stop();
    await store.close();
    await dataSource.destroy();
    await db.dispose();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
