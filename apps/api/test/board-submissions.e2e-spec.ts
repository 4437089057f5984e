import { randomUUID } from 'node:crypto';
import pdfParse from 'pdf-parse';
import request from 'supertest';
import {
  startParsSimulator,
  type RunningParsSimulator,
} from '../../pars-simulator/src/pars-simulator';
import { eventually } from '../../../test/support/eventually';
import { profileWithConsent } from '../../../test/support/learner-setup';
import { bearer, startTestApp, type TestApp } from '../../../test/support/test-app';
import { profileFields } from '@ledger/domain/testing';

/**
 * Each learner its own board id: PARS refuses the same completion (board id, name, activity,
 * date) reported under a second record id as a duplicate.
 */
let boardIds = 400000;
const nextBoardId = (): string => String((boardIds += 1));

const PROFILE = (learnerBoardId: string) =>
  profileFields({ boards: [{ boardId: 'ABIM', learnerBoardId }], npi: undefined });

interface ClaimWithTag {
  claimId: string;
  tag: string;
  submissions: {
    submissionId: string;
    board: string;
    status: string;
    reason: string | null;
    retryable: boolean | null;
    attempt: number;
  }[];
}

describe('board submissions through the PARS simulator over HTTP (R8, R9, R16)', () => {
  let sim: RunningParsSimulator;
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());

  /** While errorRate is on, the simulator fails this many calls more, then none. */
  let failingCalls = 0;
  beforeAll(async () => {
    sim = await startParsSimulator({
      port: 0,
      decideAfterMs: 1500,
      random: () => {
        if (failingCalls === 0) return 0.99;
        failingCalls -= 1;
        return 0;
      },
    });
    t = await startTestApp('board_submissions', {
      boardGatewayUrl: sim.serviceUrl,
      boardSweepIntervalMs: 200,
      boardGatewayMaxAttempts: 3,
    });
  });
  afterAll(async () => {
    await t.close();
    await sim.close();
  });
  afterEach(async () => {
    await fetch(`${sim.url}/admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ outage: false, latencyMs: 0, errorRate: 0, hold: false }),
    });
  });

  const faults = (body: Record<string, unknown>) =>
    fetch(`${sim.url}/admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  async function claimFor(
    profile: Record<string, unknown>,
  ): Promise<{ learnerId: string; claimId: string; position: string }> {
    const learnerId = `b-${randomUUID().slice(0, 8)}`;
    await profileWithConsent(t.app, learnerId, profile);
    await http()
      .post(`/v1/learners/${learnerId}/questions-researched`)
      .set(bearer('service'))
      .send({ researchId: 'r1', occurredAt: '2026-11-01T10:00:00Z' })
      .expect(201);
    const res = await http()
      .post(`/v1/learners/${learnerId}/claims`)
      .set(bearer('service'))
      .send({ activity: 'ipoc', occurredAt: '2026-11-02T10:00:00Z' })
      .expect(201);
    return { learnerId, claimId: res.body.claim.claimId, position: res.body.position };
  }

  async function claimOf(learnerId: string, claimId: string): Promise<ClaimWithTag> {
    const res = await http()
      .get(`/v1/learners/${learnerId}/claims`)
      .set(bearer('service'))
      .expect(200);
    const claim = (res.body.claims as ClaimWithTag[]).find((c) => c.claimId === claimId);
    if (!claim) throw new Error('claim not projected yet');
    return claim;
  }

  const tagBecomes = (learnerId: string, claimId: string, tag: string, timeoutMs = 15000) =>
    eventually(
      async () => {
        const claim = await claimOf(learnerId, claimId);
        if (claim.tag !== tag) throw new Error(`tag is ${claim.tag}, waiting for ${tag}`);
        return claim;
      },
      { timeoutMs },
    );

  async function records(): Promise<
    { board: string; submissionId: string; receivedCount: number; confirmedAt: string | null }[]
  > {
    const res = await fetch(`${sim.url}/admin/records`);
    return (
      (await res.json()) as {
        records: {
          board: string;
          submissionId: string;
          receivedCount: number;
          confirmedAt: string | null;
        }[];
      }
    ).records;
  }

  it('Not submitted: no board selected in the profile at claim time', async () => {
    const { learnerId, claimId } = await claimFor({ ...PROFILE(nextBoardId()), boards: [] });
    const claim = await tagBecomes(learnerId, claimId, 'Not submitted');
    expect(claim.submissions).toEqual([]);
  });

  it('Pending while the board is answering, then Submitted, then confirmed by the board a while later', async () => {
    // The board keeps its answer until the test has seen the claim pending (a latency raced
    // the test's reads: on a slow machine the answer came first).
    await faults({ hold: true });
    const { learnerId, claimId } = await claimFor(PROFILE(nextBoardId()));
    const pending = await eventually(async () => {
      const claim = await claimOf(learnerId, claimId);
      if (claim.submissions.length === 0) throw new Error('not requested yet');
      return claim;
    });
    expect(pending.tag).toBe('Pending');
    expect(pending.submissions).toEqual([
      expect.objectContaining({ board: 'ABIM', status: 'requested', attempt: 1 }),
    ]);
    await faults({ hold: false });
    const submitted = await tagBecomes(learnerId, claimId, 'Submitted');
    const submissionId = submitted.submissions[0]!.submissionId;
    expect((await records()).filter((r) => r.submissionId === submissionId)).toHaveLength(1);
    await eventually(
      async () => {
        const claim = await claimOf(learnerId, claimId);
        if (claim.submissions[0]?.status !== 'confirmed') throw new Error('not confirmed yet');
      },
      { timeoutMs: 15000 },
    );
  });

  it("Rejected with the board's reason for an unknown learner; corrected and retried, Submitted", async () => {
    const { learnerId, claimId } = await claimFor(PROFILE('000123'));
    const rejected = await tagBecomes(learnerId, claimId, 'Rejected');
    const failed = rejected.submissions[0]!;
    expect(failed).toEqual(
      expect.objectContaining({
        status: 'failed',
        retryable: false,
        reason: expect.stringMatching(/ABIM/),
      }),
    );
    // The board refused this data: retrying it unchanged is refused by the rules (R16).
    const unchanged = await http()
      .post(`/v1/board-submissions/${failed.submissionId}/retry`)
      .set(bearer('service'))
      .expect(422);
    expect(unchanged.body).toEqual(
      expect.objectContaining({ code: 'failure-not-retryable', rule: 'R16' }),
    );
    await http()
      .put(`/v1/learners/${learnerId}/profile`)
      .set(bearer('service'))
      .send(PROFILE('654321'))
      .expect(200);
    await http()
      .post(`/v1/board-submissions/${failed.submissionId}/retry`)
      .set(bearer('service'))
      .expect(202);
    const submitted = await tagBecomes(learnerId, claimId, 'Submitted');
    expect(submitted.submissions[0]!.attempt).toBe(2);
  });

  it('Rejected at once when the profile lacks the board id (R16); after the correction the retry is Submitted', async () => {
    const { learnerId, claimId } = await claimFor({
      ...PROFILE(nextBoardId()),
      boards: [{ boardId: 'ABIM' }],
    });
    const rejected = await tagBecomes(learnerId, claimId, 'Rejected');
    const failed = rejected.submissions[0]!;
    expect(failed.reason).toMatch(/ABIM/);
    expect(failed.retryable).toBe(true);
    await http()
      .put(`/v1/learners/${learnerId}/profile`)
      .set(bearer('service'))
      .send(PROFILE(nextBoardId()))
      .expect(200);
    await http()
      .post(`/v1/board-submissions/${failed.submissionId}/retry`)
      .set(bearer('service'))
      .expect(202);
    const submitted = await tagBecomes(learnerId, claimId, 'Submitted');
    expect(submitted.submissions[0]).toEqual(
      expect.objectContaining({ status: expect.stringMatching(/accepted|confirmed/), attempt: 2 }),
    );
  });

  it('R12: credit accepted by two MOC boards counts once in the MOC total, and for each board', async () => {
    const { learnerId, claimId } = await claimFor({
      ...PROFILE(nextBoardId()),
      boards: [
        { boardId: 'ABIM', learnerBoardId: nextBoardId() },
        { boardId: 'ABP', learnerBoardId: '234567' },
      ],
    });
    await tagBecomes(learnerId, claimId, 'Submitted');
    const credits = await http()
      .get(`/v1/learners/${learnerId}/credits`)
      .set(bearer('service'))
      .expect(200);
    expect(credits.body.mocPoints).toEqual({
      total: { credits: '0.50', twelfths: 6 },
      byBoard: {
        ABIM: { credits: '0.50', twelfths: 6 },
        ABP: { credits: '0.50', twelfths: 6 },
      },
    });
  });

  it('an outage that ends inside the retry budget ends Submitted', async () => {
    // The board fails the next two calls with a 500; the budget is three attempts. (Counted in
    // calls, not in time: a timer racing the retries decided the outcome by the machine's speed.)
    failingCalls = 2;
    await faults({ errorRate: 0.5 });
    const { learnerId, claimId } = await claimFor(PROFILE(nextBoardId()));
    await tagBecomes(learnerId, claimId, 'Submitted');
    expect(failingCalls).toBe(0);
  });

  it('an outage beyond the retry budget ends Rejected and retryable; a retry after it ends Submitted, one record at the board', async () => {
    await faults({ outage: true });
    const { learnerId, claimId } = await claimFor(PROFILE(nextBoardId()));
    const rejected = await tagBecomes(learnerId, claimId, 'Rejected');
    const failed = rejected.submissions[0]!;
    expect(failed).toEqual(expect.objectContaining({ retryable: true, status: 'failed' }));
    await faults({ outage: false });
    await http()
      .post(`/v1/board-submissions/${failed.submissionId}/retry`)
      .set(bearer('admin'))
      .expect(202);
    await tagBecomes(learnerId, claimId, 'Submitted');
    expect((await records()).filter((r) => r.submissionId === failed.submissionId)).toHaveLength(1);
  });
});

describe('GET the PDF certificate of a claim (R11)', () => {
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());
  const provider = {
    name: 'Northwind Medical Education',
    accreditationStatement:
      'Northwind Medical Education is accredited by the ACCME to provide continuing medical education for physicians.',
    activityTitles: {
      ipoc: 'Northwind Point-of-Care Learning',
      'nejm-board-review': 'Northwind Board Review with NEJM Knowledge+',
    },
  };
  beforeAll(async () => {
    t = await startTestApp('certificates', {
      runBoardProcess: false,
      certificateProvider: provider,
    });
  });
  afterAll(async () => {
    await t.close();
  });

  const pdfBuffer = (
    res: request.Response,
    callback: (error: Error | null, body: Buffer) => void,
  ) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => callback(null, Buffer.concat(chunks)));
  };

  async function certificateText(
    role: string,
    names: [string, string],
  ): Promise<{ text: string; learnerId: string; claimId: string }> {
    const learnerId = `c-${randomUUID().slice(0, 8)}`;
    await http()
      .put(`/v1/learners/${learnerId}/profile`)
      .set(bearer('service'))
      .send({
        ...PROFILE(nextBoardId()),
        clinicalRole: role,
        firstName: names[0],
        lastName: names[1],
        // R10: ABIM's MOC is for physicians only.
        ...(role === 'physician' ? {} : { boards: [] }),
      })
      .expect(200);
    for (const q of ['q1', 'q2', 'q3', 'q4', 'q5']) {
      await http()
        .post(`/v1/learners/${learnerId}/answers`)
        .set(bearer('service'))
        .send({ questionId: q, correct: true, occurredAt: '2026-10-01T10:00:00Z' })
        .expect(201);
    }
    const claim = await http()
      .post(`/v1/learners/${learnerId}/claims`)
      .set(bearer('service'))
      .send({ activity: 'nejm-board-review', occurredAt: '2026-11-02T10:00:00Z' })
      .expect(201);
    const claimId = claim.body.claim.claimId as string;
    return { text: await pdfText(learnerId, claimId), learnerId, claimId };
  }

  /** The certificate of a claim, as a PDF reader extracts its text, on one line. */
  async function pdfText(learnerId: string, claimId: string): Promise<string> {
    const res = await http()
      .get(`/v1/learners/${learnerId}/claims/${claimId}/certificate.pdf`)
      .set(bearer('service'))
      .buffer(true)
      .parse(pdfBuffer)
      .expect(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    return (await pdfParse(res.body as Buffer)).text.replace(/\s+/g, ' ');
  }

  it('a physician gets a certificate of AMA PRA Category 1 Credit™ with the name and the rounded credits', async () => {
    const { text } = await certificateText('physician', ['Ada', 'Quinn']);
    expect(text).toContain('Ada Quinn');
    expect(text).toMatch(/AMA PRA Category 1 Credit/);
    expect(text).not.toMatch(/Certificate of Participation/i);
    expect(text).toContain('0.75');
    expect(text).toContain('ABIM');
  });

  it('a nurse practitioner gets a certificate of participation', async () => {
    const { text } = await certificateText('nurse_practitioner', ['Bea', 'Ortiz']);
    expect(text).toContain('Bea Ortiz');
    expect(text).toMatch(/Participation/i);
    expect(text).toContain('0.75');
  });

  it('R11: the provider, its accreditation statement and the activity titles come from the configuration', async () => {
    const { text } = await certificateText('physician', ['Ada', 'Quinn']);
    expect(text).toContain('Northwind Medical Education designates this enduring material');
    expect(text).toContain(provider.accreditationStatement);
    expect(text).toContain('Northwind Board Review with NEJM Knowledge+');
    expect(text).not.toMatch(/CME Credit Ledger \(ACCME/);
  });

  it("R11: a second claim's certificate shows only its own learning, and the name as it stood when it was claimed", async () => {
    const learnerId = `c-${randomUUID().slice(0, 8)}`;
    const claimAt = async (researchId: string, researchedAt: string, claimedAt: string) => {
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
    };
    await http()
      .put(`/v1/learners/${learnerId}/profile`)
      .set(bearer('service'))
      .send(PROFILE(nextBoardId()))
      .expect(200);
    const first = await claimAt('r-oct', '2026-10-01T10:00:00Z', '2026-10-02T10:00:00Z');
    const second = await claimAt('r-nov', '2026-11-01T10:00:00Z', '2026-11-02T10:00:00Z');
    // The learner's name changes after both claims.
    await http()
      .put(`/v1/learners/${learnerId}/profile`)
      .set(bearer('service'))
      .send({ ...PROFILE(nextBoardId()), lastName: 'Quinn-Hart' })
      .expect(200);

    const secondText = await pdfText(learnerId, second);
    expect(secondText).toContain('completed 1 November 2026');
    expect(secondText).not.toContain('October');
    expect(secondText).toContain('Ada Quinn');
    expect(secondText).not.toContain('Quinn-Hart');
    expect(await pdfText(learnerId, first)).toContain('completed 1 October 2026');
  });

  it('answers 404 for a claim the learner does not have', async () => {
    const res = await http()
      .get(`/v1/learners/nobody/claims/${randomUUID()}/certificate.pdf`)
      .set(bearer('compliance'))
      .expect(404);
    expect(res.body.code).toBe('not-found');
  });
});
