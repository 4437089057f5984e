import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { getHeapStatistics } from 'node:v8';
// Direct module paths, not the @ledger/* barrels: the benchmark builds from only what it measures.
import {
  AUDIT_TABLES,
  AuditProofs,
  CheckpointSigner,
  Checkpointer,
  checkExport,
  checkInclusionProof,
  digestLog,
  exportLog,
  FolderWitness,
  LogTree,
  verifyAgainstCheckpoint,
  type SignedCheckpoint,
} from '@ledger/audit';
import { boardSubmissionStreamName, learnerStreamName } from '@ledger/domain';
import { type EventToAppend, type JsonObject, PostgresEventStore } from '@ledger/event-store';
import { openReadModels } from '@ledger/read-models';
import { formatNumber, textTable, type BenchFigure } from '../support/figures';
import { describeMachine, machineInfo, type MachineInfo } from '../support/machine';
import { benchDatabase } from '../support/postgres';
import { nowMs } from '../support/stats';

/**
 * bench/audit: how fast an auditor's tools go over a large log, and in how much memory.
 *
 *   verify   every stream's hash chain (EventStore.verifyAll: keyset pages, one stream at a time)
 *   digest   the running SHA-256 of the whole log (pages of 2,000 in position order, the next
 *            read while this one is hashed)
 *   export   the whole log as NDJSON to a file (the same pages, with backpressure)
 *   check    the export checked on its own: every chain recomputed, its digest compared
 *   tree     the Merkle tree built from the log (leaves and perfect subtrees stored) and signed
 *   proof    one inclusion proof of a random event against the checkpoint (p50/p99 of 200)
 *   verify against checkpoint  the tree of the whole log recomputed and compared with it
 *   appends at 16 writers with and without the checkpointer running beside them
 *
 * The log: learners' streams of realistic events (a profile with its encrypted personal data,
 * research, answers, two claims) appended in interleaved rounds, and the board-submission
 * streams of their claims; at least 200,000 events. Memory is sampled every 10 ms during each
 * phase (RSS and V8 heap); a bounded phase keeps them flat however long the log is. Each phase
 * also shows the process's CPU time (user + system) and that per event: on a machine shared
 * with other work the wall time says more about the others than about the phase.
 */
export interface AuditBenchOptions {
  /** Learner streams; each holds 50 events and has 2 board-submission streams of 3. */
  learners: number;
  /** Concurrent appends while the log is generated. */
  writers: number;
  log: (line: string) => void;
}

export const DEFAULT_AUDIT_BENCH_OPTIONS: AuditBenchOptions = {
  learners: 3600,
  writers: 16,
  log: () => undefined,
};

const EVENTS_PER_LEARNER = 50;
const ROUNDS = 5;

export interface PhaseResult {
  name: string;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  /** Resident set size: before the phase, and the peak sampled during it (MiB). */
  rssBeforeMiB: number;
  rssPeakMiB: number;
  /** V8 heap used: before, and the peak during the phase (MiB). */
  heapBeforeMiB: number;
  heapPeakMiB: number;
  /**
   * CPU time of this process during the phase (user + system): what the phase costs the
   * process itself, less sensitive than the wall time to other work sharing the machine.
   */
  cpuSeconds: number;
  note: string;
}

export interface AuditBenchReport {
  machine: MachineInfo;
  events: number;
  streams: number;
  generateSeconds: number;
  phases: PhaseResult[];
  maxRssMiB: number;
  /** The V8 heap limit the run had (npm run bench:audit sets 128 MiB: the log cannot fit). */
  heapLimitMiB: number;
  figures: BenchFigure[];
  totalSeconds: number;
  proof: { p50Ms: number; p99Ms: number; count: number };
  appendCost: { withoutEventsPerSecond: number; withEventsPerSecond: number; checkpoints: number };
}

const MiB = 1024 * 1024;

/** Runs `work` while sampling memory every 10 ms. */
async function measure(
  name: string,
  work: () => Promise<{ events: number; note: string }>,
): Promise<PhaseResult> {
  const before = process.memoryUsage();
  let rssPeak = before.rss;
  let heapPeak = before.heapUsed;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    if (m.rss > rssPeak) rssPeak = m.rss;
    if (m.heapUsed > heapPeak) heapPeak = m.heapUsed;
  }, 10);
  const t0 = nowMs();
  const cpu0 = process.cpuUsage();
  try {
    const { events, note } = await work();
    const cpu = process.cpuUsage(cpu0);
    const seconds = (nowMs() - t0) / 1000;
    const m = process.memoryUsage();
    rssPeak = Math.max(rssPeak, m.rss);
    heapPeak = Math.max(heapPeak, m.heapUsed);
    return {
      name,
      events,
      seconds,
      eventsPerSecond: events / seconds,
      rssBeforeMiB: before.rss / MiB,
      rssPeakMiB: rssPeak / MiB,
      heapBeforeMiB: before.heapUsed / MiB,
      heapPeakMiB: heapPeak / MiB,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      note,
    };
  } finally {
    clearInterval(sampler);
  }
}

const meta = (actor: string): EventToAppend['metadata'] => ({
  actor,
  correlationId: randomUUID(),
  causationId: randomUUID(),
});

const event = (type: string, data: JsonObject, actor = 'service:3f9a0c1b2d4e'): EventToAppend => ({
  id: randomUUID(),
  type,
  schemaVersion: 1,
  data,
  metadata: meta(actor),
});

/** A stable claim id per learner and claim (events are generated afresh each round). */
function claimIdOf(learner: number, k: number): string {
  const hex = createHash('sha256').update(`bench-claim/${learner}/${k}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A learner's 50 events: profile, earning facts, an IPoC claim and a board-review claim. */
function learnerEvents(learner: number): { events: EventToAppend[]; claims: string[] } {
  const at = (day: number): string => new Date(Date.UTC(2026, 0, 1 + day, 10)).toISOString();
  const ciphertext = [
    'pd1',
    randomUUID(),
    randomBytes(12).toString('base64url'),
    randomBytes(16).toString('base64url'),
    randomBytes(220).toString('base64url'),
  ].join('.');
  const events: EventToAppend[] = [
    event('LearnerProfileUpdated', {
      occurredAt: at(0),
      profileVersion: 1,
      clinicalRole: 'physician',
      country: 'US',
      boards: ['ABIM'],
      licenseStates: ['CA'],
      personalEncrypted: ciphertext,
    }),
  ];
  const claims = [claimIdOf(learner, 0), claimIdOf(learner, 1)];
  let researched = 0;
  let correct = 0;
  let ipoc = 0n;
  let review = 0n;
  for (let i = 1; i < EVENTS_PER_LEARNER; i++) {
    if (i === 24 || i === EVENTS_PER_LEARNER - 1) {
      const activity = i === 24 ? 'ipoc' : 'nejm-board-review';
      const twelfths = activity === 'ipoc' ? ipoc : review - (review % 3n);
      if (activity === 'ipoc') ipoc = 0n;
      else review -= twelfths;
      events.push(
        event('CreditClaimed', {
          claimId: claims[i === 24 ? 0 : 1]!,
          activity,
          occurredAt: at(i),
          twelfths: twelfths.toString(),
          breakdown: [
            { earnedYear: 2026, twelfths: twelfths.toString(), claimDeadline: '2028-12-31' },
          ],
          boards: ['ABIM'],
          clinicalRole: 'physician',
          certificate: 'ama-pra-category-1',
          profileVersion: 1,
        }),
      );
    } else if ((i + learner) % 3 === 0) {
      researched += 1;
      ipoc += 6n;
      events.push(
        event('QuestionResearched', {
          researchId: `research-${learner}-${researched}`,
          occurredAt: at(i),
          earnedYear: 2026,
          twelfths: '6',
        }),
      );
    } else if ((i + learner) % 5 === 0) {
      events.push(event('AnswerIncorrect', { questionId: `q-${i}`, occurredAt: at(i) }));
    } else {
      correct += 1;
      review += 2n;
      events.push(
        event('AnswerCorrect', {
          questionId: `q-${learner}-${correct}`,
          occurredAt: at(i),
          earnedYear: 2026,
          twelfths: '2',
        }),
      );
    }
  }
  return { events, claims };
}

function submissionEvents(learnerId: string, claimId: string): EventToAppend[] {
  const submissionId = createHash('sha256').update(`${claimId}/ABIM`).digest('hex').slice(0, 32);
  const ref = { submissionId, learnerId, claimId, board: 'ABIM' };
  const actor = 'process:board-submission';
  return [
    event(
      'BoardSubmissionRequested',
      {
        ...ref,
        activity: 'ipoc',
        twelfths: '6',
        claimedAt: '2026-02-01T10:00:00.000Z',
        occurredAt: '2026-02-01T10:00:01.000Z',
        attempt: 1,
      },
      actor,
    ),
    event(
      'BoardSubmissionSucceeded',
      { ...ref, occurredAt: '2026-02-01T10:00:02.000Z', attempt: 1 },
      actor,
    ),
    event('BoardRecordConfirmed', { ...ref, occurredAt: '2026-02-02T10:00:00.000Z' }, actor),
  ];
}

/** Runs `tasks` with `concurrency` of them in flight. */
async function pool<T>(tasks: readonly T[], concurrency: number, run: (task: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < tasks.length) {
        const task = tasks[next++]!;
        await run(task);
      }
    }),
  );
}

/**
 * Appends the log in rounds: each round, a slice of every learner's stream (the learner's
 * events are generated afresh, so memory holds one round's appends in flight, not the log).
 */
async function generate(
  store: PostgresEventStore,
  options: AuditBenchOptions,
): Promise<{ events: number; streams: number }> {
  const learners = Array.from({ length: options.learners }, (_, i) => i);
  const perRound = EVENTS_PER_LEARNER / ROUNDS;
  let events = 0;
  for (let round = 0; round < ROUNDS; round++) {
    await pool(learners, options.writers, async (i) => {
      const batch = learnerEvents(i).events.slice(round * perRound, (round + 1) * perRound);
      await store.append(learnerStreamName(`bench-${i}`), batch);
      events += batch.length;
    });
    options.log(`  round ${round + 1}/${ROUNDS}: ${events} events`);
  }
  const submissions = learners.flatMap((i) => [0, 1].map((k) => ({ i, claimId: claimIdOf(i, k) })));
  await pool(submissions, options.writers, async ({ i, claimId }) => {
    const batch = submissionEvents(`bench-${i}`, claimId);
    await store.append(boardSubmissionStreamName(claimId), batch);
    events += batch.length;
  });
  return { events, streams: learners.length + submissions.length };
}

async function drain(stream: Writable): Promise<void> {
  await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
}

export async function runAuditBenchReport(
  overrides: Partial<AuditBenchOptions> = {},
): Promise<AuditBenchReport> {
  const options = { ...DEFAULT_AUDIT_BENCH_OPTIONS, ...overrides };
  const started = nowMs();
  const db = await benchDatabase('audit');
  const dir = mkdtempSync(join(tmpdir(), 'ledger-audit-bench-'));
  const store = await PostgresEventStore.create({
    connectionString: db.url,
    maxConnections: options.writers + 2,
  });
  try {
    const machine = await machineInfo(store.pool, db.server);
    options.log(`generating ${options.learners * (EVENTS_PER_LEARNER + 6)} events …`);
    const g0 = nowMs();
    const { events, streams } = await generate(store, options);
    const generateSeconds = (nowMs() - g0) / 1000;
    options.log(
      `generated ${events} events in ${streams} streams in ${formatNumber(generateSeconds, 1)} s`,
    );

    const phases: PhaseResult[] = [];
    const verify = await measure('verify (all hash chains)', async () => {
      const report = await store.verifyAll();
      if (!report.ok) throw new Error(`verification failed: ${JSON.stringify(report.breaks[0])}`);
      return { events: report.eventsChecked, note: `${report.streamsChecked} streams, ok` };
    });
    phases.push(verify);
    options.log(`verify: ${formatNumber(verify.eventsPerSecond)} events/s`);

    let digest = '';
    const digestPhase = await measure('digest (whole log)', async () => {
      const report = await digestLog(store);
      digest = report.digest;
      return { events: report.events, note: `digest ${report.digest.slice(0, 16)}…` };
    });
    phases.push(digestPhase);
    options.log(`digest: ${formatNumber(digestPhase.eventsPerSecond)} events/s`);

    const file = join(dir, 'export.ndjson');
    const exportPhase = await measure('export (NDJSON to a file)', async () => {
      const out = exportLog(store);
      const target = createWriteStream(file);
      for await (const chunk of out.chunks) {
        if (!target.write(chunk)) await drain(target);
      }
      await new Promise<void>((resolve, reject) => {
        target.once('error', reject);
        target.end(() => resolve());
      });
      const report = out.digest();
      if (report.digest !== digest)
        throw new Error('the export digest differs from the log digest');
      const mib = statSync(file).size / MiB;
      return { events: report.events, note: `${formatNumber(mib, 1)} MiB written` };
    });
    phases.push(exportPhase);
    options.log(`export: ${formatNumber(exportPhase.eventsPerSecond)} events/s`);

    const checkPhase = await measure('check-export (chains + digest)', async () => {
      const lines = createInterface({
        input: createReadStream(file, { encoding: 'utf8' }),
        crlfDelay: Infinity,
      });
      const report = await checkExport(lines, { expectedDigest: digest });
      if (!report.ok)
        throw new Error(`the export does not check: ${JSON.stringify(report.problems[0])}`);
      return { events: report.events, note: `${report.streams} chains, digest matches` };
    });
    phases.push(checkPhase);
    options.log(`check-export: ${formatNumber(checkPhase.eventsPerSecond)} events/s`);

    const transparency = await transparencyPhases(store, db.url, dir, options, phases);

    const maxRssMiB = process.resourceUsage().maxRSS / 1024;
    const figures: BenchFigure[] = phases.flatMap((p) => [
      { figure: `audit ${p.name}`, value: p.eventsPerSecond, unit: 'events/s' },
      { figure: `audit ${p.name}, peak RSS`, value: p.rssPeakMiB, unit: 'MiB' },
    ]);
    figures.push(
      { figure: 'audit inclusion proof p50', value: transparency.proof.p50Ms, unit: 'ms' },
      { figure: 'audit inclusion proof p99', value: transparency.proof.p99Ms, unit: 'ms' },
      {
        figure: 'appends at 16 writers, checkpointer off',
        value: transparency.appendCost.withoutEventsPerSecond,
        unit: 'events/s',
      },
      {
        figure: 'appends at 16 writers, checkpointer on',
        value: transparency.appendCost.withEventsPerSecond,
        unit: 'events/s',
      },
    );
    return {
      ...transparency,
      machine,
      events,
      streams,
      generateSeconds,
      phases,
      maxRssMiB,
      heapLimitMiB: getHeapStatistics().heap_size_limit / MiB,
      figures,
      totalSeconds: (nowMs() - started) / 1000,
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    await db.dispose();
  }
}

const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;

/**
 * The tree, one proof, verification against the checkpoint, and what the checkpointer costs
 * appends at 16 writers: alternating runs of the same appends with it stopped and running
 * (signing every 1,000 events, polling every second: the defaults), three of each, medians compared.
 */
async function transparencyPhases(
  store: PostgresEventStore,
  url: string,
  dir: string,
  options: AuditBenchOptions,
  phases: PhaseResult[],
): Promise<Pick<AuditBenchReport, 'proof' | 'appendCost'>> {
  const { Pool } = await import('pg');
  const pg = new Pool({ connectionString: url, max: 4 });
  try {
    // The audit tables, as a process's data source makes them on opening.
    await (await openReadModels(url, { poolSize: 2, tables: [AUDIT_TABLES] })).destroy();
    const tree = new LogTree(pg, store, { pageSize: 5000 });
    const { signer } = CheckpointSigner.generate();
    const witness = new FolderWitness(join(dir, 'witness'));
    const policy = { everyEvents: 1000, intervalMs: 60_000, pollMs: 1000 };
    let checkpoint: SignedCheckpoint | undefined;
    const treePhase = await measure('tree (built from the log, signed)', async () => {
      checkpoint = await new Checkpointer(tree, signer, witness, policy).checkpointNow();
      return { events: checkpoint.treeSize, note: `root ${checkpoint.rootHash.slice(0, 16)}…` };
    });
    phases.push(treePhase);
    options.log(`tree: ${formatNumber(treePhase.eventsPerSecond)} events/s`);
    const signed = checkpoint!;

    const proofs = new AuditProofs(tree, store);
    const times: number[] = [];
    const publicKey = signer.publicKeyPem();
    for (let i = 0; i < 200; i++) {
      const index = Math.floor(Math.random() * signed.treeSize);
      const [leaf] = await tree.leaves(index, index + 1);
      const t0 = nowMs();
      const proof = await proofs.inclusion(leaf!.eventId);
      times.push(nowMs() - t0);
      if (!checkInclusionProof(proof, publicKey).ok) throw new Error('a proof did not verify');
    }
    times.sort((a, b) => a - b);
    const proof = { p50Ms: percentile(times, 50), p99Ms: percentile(times, 99), count: 200 };
    options.log(`proof: p50 ${formatNumber(proof.p50Ms, 2)} ms at ${signed.treeSize} events`);

    const verifyPhase = await measure('verify against checkpoint (tree)', async () => {
      const report = await verifyAgainstCheckpoint(store, tree, signed, publicKey);
      if (!report.ok) throw new Error(`verification failed: ${report.detail}`);
      return { events: report.eventsRead, note: 'root matches the signed checkpoint' };
    });
    phases.push(verifyPhase);
    options.log(`verify against checkpoint: ${formatNumber(verifyPhase.eventsPerSecond)} events/s`);

    // Append cost: the same appends (20-event batches, 16 writers) with the checkpointer off and on.
    const runAppends = async (label: string): Promise<number> => {
      const streams = Array.from({ length: 400 }, (_, i) => `append-cost-${label}-${i}`);
      const t0 = nowMs();
      let appended = 0;
      await pool(streams, options.writers, async (name) => {
        const batch = learnerEvents(appended).events.slice(0, 20);
        await store.append(name, batch);
        appended += batch.length;
      });
      return appended / ((nowMs() - t0) / 1000);
    };
    const without: number[] = [];
    const withIt: number[] = [];
    let checkpoints = 0;
    for (let round = 0; round < 3; round++) {
      without.push(await runAppends(`off-${round}`));
      const checkpointer = new Checkpointer(tree, signer, witness, {
        ...policy,
        log: (msg) => {
          if (msg === 'checkpoint signed') checkpoints += 1;
        },
      });
      checkpointer.start();
      withIt.push(await runAppends(`on-${round}`));
      await checkpointer.stop();
      // Let the tree catch up before the next run without it.
      await checkpointer.checkpointNow();
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[1] ?? NaN;
    const appendCost = {
      withoutEventsPerSecond: median(without),
      withEventsPerSecond: median(withIt),
      checkpoints,
    };
    options.log(
      `appends at ${options.writers} writers: ${formatNumber(appendCost.withoutEventsPerSecond)} events/s without, ` +
        `${formatNumber(appendCost.withEventsPerSecond)} with the checkpointer (${checkpoints} checkpoints signed meanwhile)`,
    );
    return { proof, appendCost };
  } finally {
    await pg.end();
  }
}

/** The figures of one run, for bench/all. */
export async function runAuditBench(
  overrides: Partial<AuditBenchOptions> = {},
): Promise<BenchFigure[]> {
  return (await runAuditBenchReport(overrides)).figures;
}

export function formatAuditReport(report: AuditBenchReport): string {
  const rows: string[][] = [
    [
      'phase',
      'events',
      'seconds',
      'events/s',
      'RSS before',
      'RSS peak',
      'heap before',
      'heap peak',
      'CPU',
      'CPU/event',
      'note',
    ],
    ...report.phases.map((p) => [
      p.name,
      formatNumber(p.events, 0),
      formatNumber(p.seconds, 2),
      formatNumber(p.eventsPerSecond),
      `${formatNumber(p.rssBeforeMiB, 0)} MiB`,
      `${formatNumber(p.rssPeakMiB, 0)} MiB`,
      `${formatNumber(p.heapBeforeMiB, 0)} MiB`,
      `${formatNumber(p.heapPeakMiB, 0)} MiB`,
      `${formatNumber(p.cpuSeconds, 2)} s`,
      `${formatNumber((p.cpuSeconds / p.events) * 1e6, 1)} µs`,
      p.note,
    ]),
  ];
  return [
    describeMachine(report.machine),
    `log:        ${formatNumber(report.events, 0)} events in ${formatNumber(report.streams, 0)} streams, ` +
      `generated in ${formatNumber(report.generateSeconds, 1)} s`,
    '',
    textTable(rows, [1, 2, 3, 4, 5, 6, 7, 8, 9]),
    '',
    `one inclusion proof at ${formatNumber(report.events, 0)} events: p50 ${formatNumber(report.proof.p50Ms, 2)} ms, ` +
      `p99 ${formatNumber(report.proof.p99Ms, 2)} ms (${report.proof.count} proofs of random events, the event read and the path)`,
    `appends at 16 writers (20-event batches, median of 3 runs each): ` +
      `${formatNumber(report.appendCost.withoutEventsPerSecond)} events/s without the checkpointer, ` +
      `${formatNumber(report.appendCost.withEventsPerSecond)} with it running ` +
      `(${formatNumber((1 - report.appendCost.withEventsPerSecond / report.appendCost.withoutEventsPerSecond) * 100, 1)}% cost; ` +
      `${report.appendCost.checkpoints} checkpoints signed meanwhile)`,
    `V8 heap limit ${formatNumber(report.heapLimitMiB, 0)} MiB (the whole log as objects would not fit); ` +
      `max RSS of the process, generation included: ${formatNumber(report.maxRssMiB, 0)} MiB; ` +
      `total ${formatNumber(report.totalSeconds, 1)} s`,
  ].join('\n');
}
