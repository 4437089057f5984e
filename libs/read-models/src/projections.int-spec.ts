import { randomUUID } from 'node:crypto';
import { boardSubmissionId, claimIdFor, type LearnerCommand } from '@ledger/domain';
import fc from 'fast-check';
import type { DataSource } from 'typeorm';
import { eventually } from '../../../test/support/eventually';
import { FIXTURE_NOW, FIXTURE_ZONE, LedgerFixture } from '../../../test/support/ledger-fixture';
import { openReadModels } from './data-source';
import type { Projection } from './projection';
import { ClaimsProjection } from './projections/claims.projection';
import { CreditBalancesProjection } from './projections/credit-balances.projection';
import { learnerClaims, learnerCredits } from './queries/learner-queries';
import { LearnerReadModelIncompleteError, liveProjections } from './queries/projection-positions';
import { requestRebuild } from './runner/projection-runner';
import { ProjectionRunner } from './runner/projection-runner';
import { ProjectionWorker } from './runner/projection-worker';
import { updateProfile } from '@ledger/domain/testing';

const PROFILE = (boards: string[]): LearnerCommand =>
  updateProfile({
    boards: boards.map((boardId) => ({
      boardId,
      learnerBoardId: boardId === 'ABIM' ? '123456' : '1234567',
    })),
    npi: undefined,
    occurredAt: new Date('2022-01-01T00:00:00Z'),
  });

/** Read models of one learner, as the query API shows them. */
async function readModelView(ds: DataSource, learnerId: string) {
  const credits = await learnerCredits(ds, learnerId, { now: FIXTURE_NOW, timeZone: FIXTURE_ZONE });
  const claims = await learnerClaims(ds, learnerId, { now: FIXTURE_NOW, timeZone: FIXTURE_ZONE });
  return {
    activities: credits.activities,
    mocTotal: credits.mocPoints.total,
    claims: claims.claims
      .map((c) => ({
        claimId: c.claimId,
        tag: c.tag,
        claimed: c.claimed,
        statuses: Object.fromEntries(c.submissions.map((s) => [s.board, s.status])),
      }))
      .sort((a, b) => a.claimId.localeCompare(b.claimId)),
  };
}

async function expectedView(f: LedgerFixture, learnerId: string) {
  const e = await f.expected(learnerId);
  return { ...e, claims: e.claims.sort((a, b) => a.claimId.localeCompare(b.claimId)) };
}

async function caughtUp(ds: DataSource, f: LedgerFixture): Promise<void> {
  const head = await f.headPosition();
  await eventually(
    async () => {
      const live = await liveProjections(ds, ['credit-balances', 'claims']);
      for (const name of ['credit-balances', 'claims']) {
        const p = live.get(name);
        if (!p || p.position < head) throw new Error(`${name} at ${p?.position} < ${head}`);
      }
    },
    { timeoutMs: 20000 },
  );
}

type Step =
  | { kind: 'research'; learner: number; id: number; year: number }
  | { kind: 'answer'; learner: number; question: number; correct: boolean; year: number }
  | { kind: 'profile'; learner: number; boards: string[] }
  | {
      kind: 'claim';
      learner: number;
      activity: 'ipoc' | 'nejm-board-review';
      year: number;
      /** A claim id from a small pool, so that learners reuse one another's (older claims did). */
      claimId: number;
      /** Ledger-assigned (unique per learner), or a raw id as callers once chose them. */
      assigned: boolean;
    }
  | {
      kind: 'submit';
      learner: number;
      outcome: 'accept' | 'fail' | 'gap' | 'none';
      confirm: boolean;
      retry: boolean;
    };

const at = (year: number, day = 15): Date => new Date(Date.UTC(year, 5, day, 12));

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('research' as const),
    learner: fc.nat(2),
    id: fc.nat(8),
    year: fc.integer({ min: 2022, max: 2026 }),
  }),
  fc.record({
    kind: fc.constant('answer' as const),
    learner: fc.nat(2),
    question: fc.nat(10),
    correct: fc.boolean(),
    year: fc.integer({ min: 2022, max: 2026 }),
  }),
  fc.record({
    kind: fc.constant('profile' as const),
    learner: fc.nat(2),
    boards: fc.subarray(['ABIM', 'ABP', 'ABS']),
  }),
  fc.record({
    kind: fc.constant('claim' as const),
    learner: fc.nat(2),
    activity: fc.constantFrom('ipoc' as const, 'nejm-board-review' as const),
    year: fc.integer({ min: 2023, max: 2026 }),
    claimId: fc.nat(3),
    assigned: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('submit' as const),
    learner: fc.nat(2),
    outcome: fc.constantFrom('accept' as const, 'fail' as const, 'gap' as const, 'none' as const),
    confirm: fc.boolean(),
    retry: fc.boolean(),
  }),
);

/** Plays a step; claims' submissions go through the board-submission decider as the process would. */
async function play(f: LedgerFixture, learners: string[], step: Step): Promise<void> {
  const learnerId = learners[step.learner]!;
  switch (step.kind) {
    case 'research':
      await f.learner(learnerId, {
        type: 'RecordResearch',
        data: { researchId: `r${step.id}`, occurredAt: at(step.year) },
      });
      return;
    case 'answer':
      await f.learner(learnerId, {
        type: 'RecordAnswer',
        data: {
          questionId: `q${step.question}`,
          correct: step.correct,
          occurredAt: at(step.year, 16),
        },
      });
      return;
    case 'profile':
      await f.learner(learnerId, PROFILE(step.boards));
      return;
    case 'claim': {
      const reused = `00000000-0000-4000-8000-00000000000${step.claimId}`;
      await f.learner(learnerId, {
        type: 'ClaimCredits',
        data: {
          claimId: step.assigned ? claimIdFor(learnerId, reused) : reused,
          activity: step.activity,
          occurredAt: new Date(Date.UTC(step.year, 11, 1)),
        },
      });
      return;
    }
    case 'submit': {
      const state = await f.learnerState(learnerId);
      for (const claim of state.claims.values()) {
        for (const board of claim.boards) {
          const submissionId = boardSubmissionId(claim.claimId, board);
          const existing = await f.submissionState(submissionId);
          if (existing.status === 'not-requested') {
            await f.submission(submissionId, {
              type: 'RequestBoardSubmission',
              data: {
                submissionId,
                learnerId,
                claimId: claim.claimId,
                board,
                activity: claim.activity,
                twelfths: claim.twelfths,
                claimedAt: claim.occurredAt,
                occurredAt: claim.occurredAt,
                profileGaps: step.outcome === 'gap' ? [`${board} needs your board id`] : [],
              },
            });
            continue;
          }
          const now = FIXTURE_NOW;
          if (step.outcome === 'accept')
            await f.submission(submissionId, {
              type: 'RecordSubmissionAccepted',
              data: { occurredAt: now },
            });
          if (step.outcome === 'fail')
            await f.submission(submissionId, {
              type: 'RecordSubmissionFailed',
              data: { reason: 'board down', retryable: true, occurredAt: now },
            });
          if (step.confirm)
            await f.submission(submissionId, {
              type: 'ConfirmBoardRecord',
              data: { occurredAt: now },
            });
          if (step.retry)
            await f.submission(submissionId, {
              type: 'RetryBoardSubmission',
              data: { occurredAt: now, profileGaps: [] },
            });
        }
      }
    }
  }
}

describe('projections', () => {
  let f: LedgerFixture;
  let ds: DataSource;
  let worker: ProjectionWorker;
  beforeAll(async () => {
    f = await LedgerFixture.create('projections');
    ds = await openReadModels(f.url);
    worker = new ProjectionWorker(ds, f.store, { retryMs: 50, batchSize: 37 });
    worker.start();
  });
  afterAll(async () => {
    await worker.stop();
    await ds.destroy();
    await f.close();
  });

  it('equal the pure domain fold of the same events, for random sequences of several learners that reuse ids', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 5, maxLength: 40 }), async (steps) => {
        // Learner ids a caller may send: quotes, Unicode, dots, a learner id inside another.
        const run = randomUUID().slice(0, 8);
        const learners = [`p-${run}`, `p-${run}-p-${run}`, `O'Brien.é_${run}`];
        for (const l of learners) await f.learner(l, PROFILE(['ABIM']));
        for (const step of steps) await play(f, learners, step);
        await caughtUp(ds, f);
        for (const l of learners)
          expect(await readModelView(ds, l)).toEqual(await expectedView(f, l));
      }),
      { numRuns: 25 },
    );
  }, 240_000);

  it('pass over event types they do not know, and keep going', async () => {
    const learnerId = `u-${randomUUID().slice(0, 8)}`;
    await f.learner(learnerId, {
      type: 'RecordResearch',
      data: { researchId: 'r1', occurredAt: at(2026) },
    });
    await f.store.append(`learner-${learnerId}`, [
      {
        id: randomUUID(),
        type: 'SomethingFromTheFuture',
        schemaVersion: 1,
        data: { x: 1 },
        metadata: { actor: 't', correlationId: 'c', causationId: 'c' },
      },
    ]);
    await f.learner(learnerId, {
      type: 'RecordResearch',
      data: { researchId: 'r2', occurredAt: at(2026) },
    });
    await caughtUp(ds, f);
    expect((await readModelView(ds, learnerId)).activities.ipoc.earned).toEqual({
      credits: '1.00',
      twelfths: 12,
    });
  });

  it('rebuild from position zero while commands keep arriving gives the same read models as the live ones', async () => {
    const learners = [0, 1, 2, 3].map(() => `rb-${randomUUID().slice(0, 8)}`);
    for (const l of learners) await f.learner(l, PROFILE(['ABIM']));
    const before = (await liveProjections(ds, ['credit-balances'])).get('credit-balances')!;
    let writing = true;
    const writer = (async () => {
      let i = 0;
      while (writing) {
        const l = learners[i % learners.length]!;
        await f.learner(l, {
          type: 'RecordResearch',
          data: { researchId: `w${i}`, occurredAt: at(2026) },
        });
        if (i % 7 === 0)
          await f.learner(l, {
            type: 'ClaimCredits',
            data: { claimId: randomUUID(), activity: 'ipoc', occurredAt: at(2026, 20) },
          });
        i += 1;
      }
    })();
    for (const name of ['credit-balances', 'claims'])
      expect(await requestRebuild(ds, name)).toBe(true);
    expect(await requestRebuild(ds, 'no-such-projection')).toBe(false);
    // The old generation keeps answering meanwhile.
    await eventually(async () => {
      const credits = await learnerCredits(ds, learners[0]!, {
        now: FIXTURE_NOW,
        timeZone: FIXTURE_ZONE,
      });
      expect(credits.activities.ipoc.earned.twelfths).toBeGreaterThan(0);
    });
    await eventually(
      async () => {
        const rows = (await ds.query(
          `SELECT name, live_generation, rebuild_requested_at FROM projection_state`,
        )) as {
          name: string;
          live_generation: number;
          rebuild_requested_at: Date | null;
        }[];
        for (const r of rows) {
          expect(r.rebuild_requested_at).toBeNull();
          expect(r.live_generation).toBeGreaterThan(1);
        }
      },
      { timeoutMs: 60000 },
    );
    writing = false;
    await writer;
    await caughtUp(ds, f);
    const after = (await liveProjections(ds, ['credit-balances'])).get('credit-balances')!;
    expect(after.schema).not.toBe(before.schema);
    for (const l of learners) expect(await readModelView(ds, l)).toEqual(await expectedView(f, l));
    const applied = (await ds.query(
      `SELECT events_applied::text AS n FROM projection_state WHERE name = 'credit-balances'`,
    )) as { n: string }[];
    expect(BigInt(applied[0]!.n)).toBeGreaterThan(0n);
  }, 120_000);

  it('two workers at once never both apply a projection: each event is applied once', async () => {
    const ds2 = await openReadModels(f.url);
    const second = new ProjectionWorker(ds2, f.store, { retryMs: 50 });
    second.start();
    try {
      const learnerId = `two-${randomUUID().slice(0, 8)}`;
      for (let i = 0; i < 40; i++)
        await f.learner(learnerId, {
          type: 'RecordResearch',
          data: { researchId: `r${i}`, occurredAt: at(2026) },
        });
      await caughtUp(ds, f);
      expect((await readModelView(ds, learnerId)).activities.ipoc.earned.twelfths).toBe(240);
      const states = [...worker.runners, ...second.runners]
        .map((r) => `${r.projection.name}:${r.state}`)
        .sort();
      expect(states.filter((s) => s.endsWith(':running')).length).toBe(2);
      expect(states.filter((s) => s.endsWith(':standby')).length).toBe(2);
    } finally {
      await second.stop();
      await ds2.destroy();
    }
  });
});

describe('claims of two learners that share a claim id (recorded before the ledger assigned ids)', () => {
  it('R6: both show, each with its own learner, and the projection goes on for everyone', async () => {
    const f = await LedgerFixture.create('shared_claim_id');
    const ds = await openReadModels(f.url);
    const worker = new ProjectionWorker(ds, f.store, { retryMs: 50 });
    worker.start();
    try {
      const shared = randomUUID();
      const [ada, bo] = ['ada', 'bo'].map((n) => `${n}-${randomUUID().slice(0, 8)}`);
      for (const learnerId of [ada!, bo!]) {
        await f.learner(learnerId, PROFILE([]));
        await f.learner(learnerId, {
          type: 'RecordResearch',
          data: { researchId: 'r1', occurredAt: at(2026) },
        });
        await f.learner(learnerId, {
          type: 'ClaimCredits',
          data: { claimId: shared, activity: 'ipoc', occurredAt: at(2026, 20) },
        });
      }
      const later = `later-${randomUUID().slice(0, 8)}`;
      await f.learner(later, {
        type: 'RecordResearch',
        data: { researchId: 'r1', occurredAt: at(2026) },
      });
      await caughtUp(ds, f);
      for (const learnerId of [ada!, bo!]) {
        const claims = await learnerClaims(ds, learnerId, {
          now: FIXTURE_NOW,
          timeZone: FIXTURE_ZONE,
        });
        expect(claims.claims.map((c) => [c.claimId, c.claimed.twelfths])).toEqual([[shared, 6]]);
      }
      expect((await readModelView(ds, later)).activities.ipoc.earned.twelfths).toBe(6);
    } finally {
      await worker.stop();
      await ds.destroy();
      await f.close();
    }
  });
});

describe('an event a projection cannot apply', () => {
  it("is quarantined with an alert: everyone else's reads go on, that learner's refuse naming it, and a rebuild after the fix brings them back", async () => {
    const f = await LedgerFixture.create('poison');
    const ds = await openReadModels(f.url);
    const inner = new CreditBalancesProjection();
    let fixed = false;
    const poisoned: Projection = {
      name: 'credit-balances',
      createTables: (m, s) => inner.createTables(m, s),
      apply: async (m, s, events) => {
        if (
          !fixed &&
          events.some(
            (e) => e.event?.type === 'QuestionResearched' && e.event.data.researchId === 'poison',
          )
        )
          throw new Error('cannot apply this one');
        await inner.apply(m, s, events);
      },
    };
    const runner = new ProjectionRunner(ds, f.store, poisoned, { retryMs: 50 });
    const claims = new ProjectionRunner(ds, f.store, new ClaimsProjection(), { retryMs: 50 });
    runner.start();
    claims.start();
    const read = (learnerId: string) =>
      learnerCredits(ds, learnerId, { now: FIXTURE_NOW, timeZone: FIXTURE_ZONE });
    try {
      const victim = `poison-${randomUUID().slice(0, 8)}`;
      const other = `other-${randomUUID().slice(0, 8)}`;
      for (const researchId of ['fine', 'poison', 'after']) {
        await f.learner(victim, {
          type: 'RecordResearch',
          data: { researchId, occurredAt: at(2026) },
        });
      }
      await f.learner(other, {
        type: 'RecordResearch',
        data: { researchId: 'r1', occurredAt: at(2026) },
      });
      const poisonEvent = (await f.store.readStream(`learner-${victim}`))[1]!;
      await caughtUp(ds, f);

      // Everyone else's reads go on, up to date.
      expect((await read(other)).activities.ipoc.earned.twelfths).toBe(6);
      // The learner whose event is quarantined gets no wrong figures: a refusal naming it.
      const refusal = await read(victim).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refusal).toBeInstanceOf(LearnerReadModelIncompleteError);
      expect((refusal as Error).message).toContain(poisonEvent.id);
      // The alert: the projection's state names the event, and counts it.
      const [state] = (await ds.query(
        `SELECT failed_event, failure, quarantined_events FROM projection_state WHERE name = 'credit-balances'`,
      )) as { failed_event: string | null; failure: string | null; quarantined_events: number }[];
      expect(state?.failed_event).toContain(poisonEvent.id);
      expect(state?.failure).toContain('cannot apply this one');
      expect(state?.quarantined_events).toBe(1);
      expect(runner.state).toBe('running');

      // The operator deploys a fix and rebuilds: the event is applied, the alert cleared.
      fixed = true;
      expect(await requestRebuild(ds, 'credit-balances')).toBe(true);
      const credits = await eventually(() => read(victim), { timeoutMs: 30000 });
      expect(credits.activities.ipoc.earned.twelfths).toBe(18);
      const [after] = (await ds.query(
        `SELECT failed_event, quarantined_events FROM projection_state WHERE name = 'credit-balances'`,
      )) as { failed_event: string | null; quarantined_events: number }[];
      expect(after).toEqual({ failed_event: null, quarantined_events: 0 });
    } finally {
      await runner.stop();
      await claims.stop();
      await ds.destroy();
      await f.close();
    }
  }, 60_000);
});
