import { randomUUID } from 'node:crypto';
import request from 'supertest';
import {
  startParsSimulator,
  type RunningParsSimulator,
} from '../../pars-simulator/src/pars-simulator';
import { eventually } from '../../../test/support/eventually';
import { bearer, startTestApp, type TestApp } from '../../../test/support/test-app';
import { profileFields } from '@ledger/domain/testing';

/**
 * Corrections of board records through the PARS simulator over HTTP (R8: a PARS record cannot be
 * edited, so a correction deletes it and sends it again, both in the submission's history), and
 * two claims of one activity on one day (A-12: PARS keeps one record per learner, activity,
 * board and completion date; A-22: the day's record is corrected to carry both).
 */

let boardIds = 700000;
const nextBoardId = (): string => String((boardIds += 1));

const PROFILE = (learnerBoardId: string, lastName = 'Quinn') =>
  profileFields({ boards: [{ boardId: 'ABIM', learnerBoardId }], npi: undefined, lastName });

interface Submission {
  submissionId: string;
  board: string;
  status: string;
  attempt: number;
  reason: string | null;
}
interface ClaimView {
  claimId: string;
  tag: string;
  submissions: Submission[];
}
interface SimRecord {
  board: string;
  submissionId: string;
  credits: string;
  lastName: string;
  completionDate: string;
  status: string;
  receivedCount: number;
}

describe('corrections of board records through the PARS simulator over HTTP (R8, A-17, A-22)', () => {
  let sim: RunningParsSimulator;
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    sim = await startParsSimulator({ port: 0, decideAfterMs: 1000 });
    t = await startTestApp('board_corrections', {
      boardGatewayUrl: sim.serviceUrl,
      boardSweepIntervalMs: 200,
      boardGatewayMaxAttempts: 2,
    });
  });
  afterAll(async () => {
    await t.close();
    await sim.close();
  });
  afterEach(async () => {
    await faults({ outage: false, latencyMs: 0, errorRate: 0, failOperations: [] });
  });

  const faults = (body: Record<string, unknown>) =>
    fetch(`${sim.url}/admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  async function refusedCalls(): Promise<number> {
    const res = await fetch(`${sim.url}/admin/faults`);
    return ((await res.json()) as { refusedCalls: number }).refusedCalls;
  }

  async function records(submissionId: string): Promise<SimRecord[]> {
    const res = await fetch(`${sim.url}/admin/records`);
    const all = ((await res.json()) as { records: SimRecord[] }).records;
    return all.filter((r) => r.submissionId === submissionId);
  }

  async function learnerWith(profile: Record<string, unknown>): Promise<string> {
    const learnerId = `k-${randomUUID().slice(0, 8)}`;
    await http()
      .put(`/v1/learners/${learnerId}/profile`)
      .set(bearer('service'))
      .send(profile)
      .expect(200);
    await consent(learnerId, 'granted');
    return learnerId;
  }

  /** R7: the learner's consent to share completion data with the boards, given or withdrawn. */
  const consent = (learnerId: string, decision: 'granted' | 'withdrawn') =>
    http()
      .put(`/v1/learners/${learnerId}/consent`)
      .set(bearer('service'))
      .send({ consent: decision })
      .expect(200);

  async function researchAndClaim(
    learnerId: string,
    researchId: string,
    researchedAt: string,
    claimedAt: string,
  ): Promise<string> {
    await http()
      .post(`/v1/learners/${learnerId}/questions-researched`)
      .set(bearer('service'))
      .send({ researchId, occurredAt: researchedAt })
      .expect(201);
    const res = await http()
      .post(`/v1/learners/${learnerId}/claims`)
      .set(bearer('service'))
      .send({ activity: 'ipoc', occurredAt: claimedAt })
      .expect(201);
    return res.body.claim.claimId as string;
  }

  async function claimOf(learnerId: string, claimId: string): Promise<ClaimView> {
    const res = await http()
      .get(`/v1/learners/${learnerId}/claims`)
      .set(bearer('compliance'))
      .expect(200);
    const claim = (res.body.claims as ClaimView[]).find((c) => c.claimId === claimId);
    if (!claim) throw new Error('claim not projected yet');
    return claim;
  }

  const statusBecomes = (learnerId: string, claimId: string, status: string, attempt: number) =>
    eventually(
      async () => {
        const claim = await claimOf(learnerId, claimId);
        const s = claim.submissions[0];
        if (s?.status !== status || s.attempt !== attempt)
          throw new Error(
            `submission is ${s?.status} (attempt ${s?.attempt}), waiting for ${status}`,
          );
        return claim;
      },
      { timeoutMs: 20000 },
    );

  async function historyOf(submissionId: string): Promise<string[]> {
    const res = await http()
      .get(`/v1/audit/streams/board-submission-${submissionId}`)
      .set(bearer('auditor'))
      .expect(200);
    return (res.body.events as { type: string }[]).map((e) => e.type);
  }

  const correct = (
    submissionId: string,
    body: unknown,
    role: Parameters<typeof bearer>[0] = 'compliance',
  ) =>
    http()
      .post(`/v1/board-submissions/${submissionId}/corrections`)
      .set(bearer(role))
      .send(body as object);

  it("R8: after the learner corrected the name, compliance's correction deletes the confirmed record and sends it again; the tag follows, both halves in the history", async () => {
    const boardId = nextBoardId();
    const learnerId = await learnerWith(PROFILE(boardId, 'Quin'));
    const claimId = await researchAndClaim(
      learnerId,
      'r1',
      '2026-11-01T10:00:00Z',
      '2026-11-02T10:00:00Z',
    );
    const confirmed = await statusBecomes(learnerId, claimId, 'confirmed', 1);
    const submissionId = confirmed.submissions[0]!.submissionId;
    await http()
      .put(`/v1/learners/${learnerId}/profile`)
      .set(bearer('service'))
      .send(PROFILE(boardId, 'Quinn'))
      .expect(200);

    const answer = await correct(submissionId, {
      reason: 'learner-identity-corrected',
      reference: 'CMP-2041',
    }).expect(202);
    expect(answer.body).toEqual(
      expect.objectContaining({ submissionId, attempt: 2, status: 'correcting' }),
    );

    const corrected = await statusBecomes(learnerId, claimId, 'confirmed', 2);
    expect(corrected.tag).toBe('Submitted');
    // The old record is gone; the new one, under the same id, carries the corrected name.
    expect((await records(submissionId)).map((r) => [r.status, r.lastName, r.credits])).toEqual([
      ['Deleted', 'Quin', '0.50'],
      ['Accepted', 'Quinn', '0.50'],
    ]);
    expect(await historyOf(submissionId)).toEqual([
      'BoardSubmissionRequested',
      'BoardSubmissionSucceeded',
      'BoardRecordConfirmed',
      'BoardSubmissionCorrectionRequested',
      'BoardRecordDeleted',
      'BoardSubmissionSucceeded',
      'BoardRecordConfirmed',
    ]);
  });

  it('R8: a board outage between the deletion and the resubmission loses nothing: the claim reads Pending, then the process resumes and sends the record once', async () => {
    const learnerId = await learnerWith(PROFILE(nextBoardId()));
    const claimId = await researchAndClaim(
      learnerId,
      'r1',
      '2026-11-01T10:00:00Z',
      '2026-11-02T10:00:00Z',
    );
    const accepted = await eventually(
      async () => {
        const claim = await claimOf(learnerId, claimId);
        if (claim.tag !== 'Submitted') throw new Error(`tag is ${claim.tag}`);
        return claim;
      },
      { timeoutMs: 20000 },
    );
    const submissionId = accepted.submissions[0]!.submissionId;
    const refusedBefore = await refusedCalls();
    await faults({ failOperations: ['SaveLearnerActivity'] });

    await correct(submissionId, { reason: 'record-details-wrong', reference: 'CMP-7' }).expect(202);

    // Deleted at the board, the resubmission refused by the outage (more than once: the sweep
    // sends it again): still correcting, Pending, nothing failed.
    await eventually(
      async () => {
        const held = await records(submissionId);
        if (held[0]?.status !== 'Deleted') throw new Error('not deleted yet');
        const refused = (await refusedCalls()) - refusedBefore;
        if (refused < 4) throw new Error(`${refused} resubmissions refused so far`);
      },
      { timeoutMs: 20000 },
    );
    expect((await records(submissionId)).map((r) => r.status)).toEqual(['Deleted']);
    const during = await claimOf(learnerId, claimId);
    expect(during.tag).toBe('Pending');
    expect(during.submissions[0]).toEqual(
      expect.objectContaining({ status: 'correcting', attempt: 2, reason: null }),
    );

    await faults({ failOperations: [] });
    const done = await statusBecomes(learnerId, claimId, 'confirmed', 2);
    expect(done.tag).toBe('Submitted');
    const held = await records(submissionId);
    expect(held.map((r) => [r.status, r.credits])).toEqual([
      ['Deleted', '0.50'],
      ['Accepted', '0.50'],
    ]);
    const history = await historyOf(submissionId);
    expect(history.filter((type) => type === 'BoardRecordDeleted')).toHaveLength(1);
    expect(history).not.toContain('BoardSubmissionFailed');
  });

  it('R7/R8 (A-21): consent withdrawn, a correction waits before its deletion and PARS keeps the record; consent given again, it is deleted and sent again', async () => {
    const boardId = nextBoardId();
    const learnerId = await learnerWith(PROFILE(boardId, 'Quin'));
    const claimId = await researchAndClaim(
      learnerId,
      'r1',
      '2026-11-01T10:00:00Z',
      '2026-11-02T10:00:00Z',
    );
    const accepted = await eventually(
      async () => {
        const claim = await claimOf(learnerId, claimId);
        if (claim.tag !== 'Submitted') throw new Error(`tag is ${claim.tag}`);
        return claim;
      },
      { timeoutMs: 20000 },
    );
    const submissionId = accepted.submissions[0]!.submissionId;
    await http()
      .put(`/v1/learners/${learnerId}/profile`)
      .set(bearer('service'))
      .send(PROFILE(boardId, 'Quinn'))
      .expect(200);
    await consent(learnerId, 'withdrawn');

    await correct(submissionId, {
      reason: 'learner-identity-corrected',
      reference: 'CMP-3003',
    }).expect(202);
    const waiting = await statusBecomes(learnerId, claimId, 'awaiting-consent', 2);
    expect(waiting.tag).toBe('Awaiting consent');
    expect(waiting.submissions[0]!.reason).toMatch(/consent to share completion data/);
    // Nothing was deleted: PARS still holds the record it accepted, with the old name.
    expect((await records(submissionId)).map((r) => [r.status, r.lastName])).toEqual([
      [expect.stringMatching(/^(Pending|Accepted)$/), 'Quin'],
    ]);

    await consent(learnerId, 'granted');
    const corrected = await statusBecomes(learnerId, claimId, 'confirmed', 2);
    expect(corrected.tag).toBe('Submitted');
    expect((await records(submissionId)).map((r) => [r.status, r.lastName])).toEqual([
      ['Deleted', 'Quin'],
      ['Accepted', 'Quinn'],
    ]);
    const history = await historyOf(submissionId);
    expect(history.slice(0, 2)).toEqual(['BoardSubmissionRequested', 'BoardSubmissionSucceeded']);
    const tail = history.slice(history.indexOf('BoardSubmissionCorrectionRequested'));
    expect(tail).toEqual([
      'BoardSubmissionCorrectionRequested',
      'BoardSubmissionAwaitingConsent',
      'BoardSubmissionResumed',
      'BoardRecordDeleted',
      'BoardSubmissionSucceeded',
      'BoardRecordConfirmed',
    ]);
  });

  it("two claims of one activity on one day: the second is not lost as a duplicate; the day's record is corrected to carry both, each credit once (A-12, A-22)", async () => {
    const learnerId = await learnerWith(PROFILE(nextBoardId()));
    const first = await researchAndClaim(
      learnerId,
      'r1',
      '2026-11-01T10:00:00Z',
      '2026-11-02T10:00:00Z',
    );
    const firstAccepted = await eventually(
      async () => {
        const claim = await claimOf(learnerId, first);
        if (claim.tag !== 'Submitted') throw new Error(`tag is ${claim.tag}`);
        return claim;
      },
      { timeoutMs: 20000 },
    );
    const firstSubmission = firstAccepted.submissions[0]!.submissionId;
    // More research the same day (Chicago), claimed separately.
    const second = await researchAndClaim(
      learnerId,
      'r2',
      '2026-11-01T15:00:00Z',
      '2026-11-02T11:00:00Z',
    );

    const secondDone = await eventually(
      async () => {
        const claim = await claimOf(learnerId, second);
        if (claim.submissions[0]?.status !== 'confirmed') throw new Error(`${claim.tag}`);
        return claim;
      },
      { timeoutMs: 20000 },
    );
    expect(secondDone.tag).toBe('Submitted');
    await statusBecomes(learnerId, first, 'confirmed', 2);
    const secondSubmission = secondDone.submissions[0]!.submissionId;

    // One live record for the day, with both claims' credit; none under the second id.
    expect(
      (await records(firstSubmission)).map((r) => [r.status, r.credits, r.completionDate]),
    ).toEqual([
      ['Deleted', '0.50', '2026-11-01'],
      ['Accepted', '1.00', '2026-11-01'],
    ]);
    expect(await records(secondSubmission)).toEqual([]);
    // The first claim's record may have been confirmed before the second claim came.
    const firstHistory = (await historyOf(firstSubmission)).filter(
      (type, i, all) =>
        !(type === 'BoardRecordConfirmed' && all[i - 1] === 'BoardSubmissionSucceeded' && i === 2),
    );
    expect(firstHistory).toEqual([
      'BoardSubmissionRequested',
      'BoardSubmissionSucceeded',
      'BoardSubmissionCorrectionRequested',
      'BoardRecordDeleted',
      'BoardSubmissionSucceeded',
      'BoardRecordConfirmed',
    ]);
    expect(await historyOf(secondSubmission)).toEqual([
      'BoardSubmissionRequested',
      'BoardSubmissionSucceeded',
      'BoardRecordConfirmed',
    ]);
    // R12: MOC points count each claim's credit once: 0.50 + 0.50.
    const credits = await http()
      .get(`/v1/learners/${learnerId}/credits`)
      .set(bearer('service'))
      .expect(200);
    expect(credits.body.mocPoints.total).toEqual({ credits: '1.00', twelfths: 12 });
    // The second submission cannot be corrected on its own: its credit is in the day's record.
    const refused = await correct(secondSubmission, {
      reason: 'record-details-wrong',
      reference: 'CMP-9',
    }).expect(422);
    expect(refused.body).toEqual(
      expect.objectContaining({ code: 'reported-with-another-record', rule: 'R8' }),
    );
  });

  it('bad input names the field and records nothing; only compliance and admin may ask; an unknown submission is 404', async () => {
    const learnerId = await learnerWith(PROFILE(nextBoardId()));
    const claimId = await researchAndClaim(
      learnerId,
      'r1',
      '2026-11-01T10:00:00Z',
      '2026-11-02T10:00:00Z',
    );
    // Confirmed first: the history then holds still, whatever the requests below do not record.
    const confirmed = await statusBecomes(learnerId, claimId, 'confirmed', 1);
    const submissionId = confirmed.submissions[0]!.submissionId;
    const before = await historyOf(submissionId);

    const bad = await correct(submissionId, {
      reason: 'typo',
      reference: 'Ada Quinn asked',
    }).expect(400);
    expect((bad.body.errors as { field: string }[]).map((e) => e.field).sort()).toEqual([
      'reason',
      'reference',
    ]);
    await correct(submissionId, { reason: 'record-details-wrong' }).expect(400);
    await correct(
      submissionId,
      { reason: 'record-details-wrong', reference: 'CMP-1' },
      'service',
    ).expect(403);
    await correct(
      submissionId,
      { reason: 'record-details-wrong', reference: 'CMP-1' },
      'auditor',
    ).expect(403);
    await correct(randomUUID(), { reason: 'record-details-wrong', reference: 'CMP-1' }).expect(404);
    expect(await historyOf(submissionId)).toEqual(before);
  });
});
