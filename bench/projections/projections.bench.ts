/**
 * bench/projections: catch-up speed of every projection over a log of at least 200,000 events
 * (events per second from position zero), and the time to rebuild all projections while the
 * live ones keep answering. Run: npm run bench:projections
 */
import { randomUUID } from 'node:crypto';
import { boardSubmissionId, boardSubmissionStreamName, learnerStreamName } from '@ledger/domain';
import { PostgresEventStore, type EventToAppend } from '@ledger/event-store';
import { openReadModels, ProjectionWorker, requestRebuild } from '@ledger/read-models';
import type { DataSource } from 'typeorm';
import type { BenchFigure } from '../support/figures';
import { textTable } from '../support/figures';
import { benchDatabase } from '../support/postgres';

const EVENTS = Number(process.env.BENCH_PROJECTION_EVENTS ?? 200_000);
const LEARNERS = 5_000;
const meta = () => ({ actor: 'bench', correlationId: randomUUID(), causationId: randomUUID() });

/** A realistic mix: research, answers, claims, and the board submissions claims start. */
function learnerBatch(
  learnerId: string,
  n: number,
): { learner: EventToAppend[]; submissions: Map<string, EventToAppend[]> } {
  const learner: EventToAppend[] = [];
  const submissions = new Map<string, EventToAppend[]>();
  for (let i = 0; i < n; i++) {
    const occurredAt = new Date(Date.UTC(2025 + (i % 2), i % 12, 1 + (i % 28))).toISOString();
    if (i % 20 === 19) {
      const claimId = randomUUID();
      learner.push({
        id: randomUUID(),
        type: 'CreditClaimed',
        schemaVersion: 1,
        data: {
          claimId,
          activity: 'ipoc',
          occurredAt,
          twelfths: '6',
          breakdown: [{ earnedYear: 2025, twelfths: '6', claimDeadline: '2027-12-31' }],
          boards: ['ABIM'],
          clinicalRole: 'physician',
          certificate: 'ama-pra-category-1',
          profileVersion: 1,
        },
        metadata: meta(),
      });
      const submissionId = boardSubmissionId(claimId, 'ABIM');
      const ref = { submissionId, learnerId, claimId, board: 'ABIM' };
      submissions.set(submissionId, [
        {
          id: randomUUID(),
          type: 'BoardSubmissionRequested',
          schemaVersion: 1,
          data: {
            ...ref,
            activity: 'ipoc',
            twelfths: '6',
            claimedAt: occurredAt,
            occurredAt,
            attempt: 1,
          },
          metadata: meta(),
        },
        {
          id: randomUUID(),
          type: 'BoardSubmissionSucceeded',
          schemaVersion: 1,
          data: { ...ref, occurredAt, attempt: 1 },
          metadata: meta(),
        },
      ]);
    } else if (i % 2 === 0) {
      learner.push({
        id: randomUUID(),
        type: 'QuestionResearched',
        schemaVersion: 1,
        data: { researchId: randomUUID(), occurredAt, earnedYear: 2025 + (i % 2), twelfths: '6' },
        metadata: meta(),
      });
    } else {
      learner.push({
        id: randomUUID(),
        type: 'AnswerCorrect',
        schemaVersion: 1,
        data: { questionId: randomUUID(), occurredAt, earnedYear: 2025 + (i % 2), twelfths: '2' },
        metadata: meta(),
      });
    }
  }
  return { learner, submissions };
}

async function fill(store: PostgresEventStore): Promise<number> {
  let written = 0;
  let learner = 0;
  const writers = Array.from({ length: 4 }, async () => {
    while (written < EVENTS) {
      const learnerId = `bench-${learner++ % LEARNERS}`;
      const { learner: events, submissions } = learnerBatch(learnerId, 40);
      await store.append(learnerStreamName(learnerId), events);
      written += events.length;
      for (const [id, list] of submissions) {
        await store.append(boardSubmissionStreamName(id), list);
        written += list.length;
      }
    }
  });
  await Promise.all(writers);
  return written;
}

async function positions(
  ds: DataSource,
): Promise<Map<string, { position: bigint; generation: number; rebuilding: boolean }>> {
  const rows = (await ds.query(
    `SELECT name, live_position::text AS p, live_generation AS g, rebuild_requested_at IS NOT NULL AS r FROM projection_state`,
  )) as { name: string; p: string; g: number; r: boolean }[];
  return new Map(
    rows.map((r) => [r.name, { position: BigInt(r.p), generation: r.g, rebuilding: r.r }]),
  );
}

export async function runProjectionsBench(): Promise<BenchFigure[]> {
  const db = await benchDatabase('projections');
  const store = await PostgresEventStore.create({ connectionString: db.url, maxConnections: 8 });
  const ds = await openReadModels(db.url);
  try {
    const fillStart = performance.now();
    const total = await fill(store);
    const fillSeconds = (performance.now() - fillStart) / 1000;
    const { rows } = await store.pool.query<{ p: string }>(
      'SELECT max(position)::text AS p FROM events',
    );
    const head = BigInt(rows[0]?.p ?? '0');

    const worker = new ProjectionWorker(ds, store, { retryMs: 100, batchSize: 1000 });
    const catchUpStart = performance.now();
    worker.start();
    const caughtUp = async (): Promise<void> => {
      for (;;) {
        const p = await positions(ds);
        if (
          p.size === worker.runners.length &&
          [...p.values()].every((x) => x.position >= head && !x.rebuilding)
        )
          return;
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await caughtUp();
    const catchUpSeconds = (performance.now() - catchUpStart) / 1000;

    const before = await positions(ds);
    const rebuildStart = performance.now();
    for (const runner of worker.runners) await requestRebuild(ds, runner.projection.name);
    for (;;) {
      const p = await positions(ds);
      if (
        [...p.entries()].every(
          ([name, x]) => !x.rebuilding && x.generation > (before.get(name)?.generation ?? 0),
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const rebuildSeconds = (performance.now() - rebuildStart) / 1000;
    await worker.stop();

    const perSecond = total / catchUpSeconds;
    process.stdout.write(
      `\nbench/projections: ${total} events (${LEARNERS} learners, claims with board submissions), ${db.server} PostgreSQL\n`,
    );
    process.stdout.write(
      `${textTable(
        [
          ['figure', 'value'],
          ['log written (4 writers, 40-event appends)', `${fillSeconds.toFixed(1)} s`],
          ['catch-up of all projections from position 0', `${catchUpSeconds.toFixed(1)} s`],
          ['catch-up speed', `${Math.round(perSecond)} events/s (target >= 10,000)`],
          [
            'rebuild of all projections (new generations, swapped in)',
            `${rebuildSeconds.toFixed(1)} s`,
          ],
        ],
        [1],
      )}\n`,
    );
    return [
      {
        figure: `projection catch-up over ${total} events`,
        value: Math.round(perSecond),
        unit: 'events/s',
      },
      {
        figure: `rebuild all projections over ${total} events`,
        value: Number(rebuildSeconds.toFixed(1)),
        unit: 's',
      },
    ];
  } finally {
    await ds.destroy();
    await store.close();
    await db.dispose();
  }
}

if (require.main === module) {
  runProjectionsBench().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
