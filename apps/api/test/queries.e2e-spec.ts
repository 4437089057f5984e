import { randomUUID } from 'node:crypto';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import request from 'supertest';
import { ledgerClient } from '../../../test/support/ledger-client';
import { bearer, startTestApp, type TestApp } from '../../../test/support/test-app';
import { profileFields } from '@ledger/domain/testing';

const PROFILE = profileFields({ npi: undefined });

describe('compliance queries over HTTP (projections running in the API process)', () => {
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());
  beforeAll(async () => {
    t = await startTestApp('queries');
  });
  afterAll(async () => {
    await t.close();
  });

  async function walkThrough(): Promise<{ id: string; position: string }> {
    const id = `learner-${randomUUID().slice(0, 8)}`;
    await http().put(`/v1/learners/${id}/profile`).set(bearer('service')).send(PROFILE).expect(200);
    for (const r of ['r1', 'r2', 'r3']) {
      await http()
        .post(`/v1/learners/${id}/questions-researched`)
        .set(bearer('service'))
        .send({ researchId: r, occurredAt: '2026-11-01T10:00:00Z' })
        .expect(201);
    }
    for (const q of ['q1', 'q2', 'q3', 'q4', 'q5']) {
      await http()
        .post(`/v1/learners/${id}/answers`)
        .set(bearer('service'))
        .send({ questionId: q, correct: true, occurredAt: '2026-11-01T10:00:00Z' })
        .expect(201);
    }
    // Credit from 2024 (claimable through 31 Dec 2026) and from 2023 (expired at the end of 2025).
    await http()
      .post(`/v1/learners/${id}/questions-researched`)
      .set(bearer('service'))
      .send({ researchId: 'old-2024', occurredAt: '2024-09-15T10:00:00Z' })
      .expect(201);
    await http()
      .post(`/v1/learners/${id}/questions-researched`)
      .set(bearer('service'))
      .send({ researchId: 'old-2023', occurredAt: '2023-05-15T10:00:00Z' })
      .expect(201);
    await http()
      .post(`/v1/learners/${id}/claims`)
      .set(bearer('service'))
      .send({ activity: 'nejm-board-review', occurredAt: '2026-11-02T10:00:00Z' })
      .expect(201);
    const last = await http()
      .post(`/v1/learners/${id}/questions-researched`)
      .set(bearer('service'))
      .send({ researchId: 'r4', occurredAt: '2026-11-03T10:00:00Z' })
      .expect(201);
    return { id, position: last.body.position };
  }

  it('GET credits: earned, claimed, unclaimed and expired per activity, at least as fresh as minPosition', async () => {
    const { id, position } = await walkThrough();
    const ledger = await ledgerClient(t, 'service');
    const { data, response } = await ledger.GET('/v1/learners/{learnerId}/credits', {
      params: { path: { learnerId: id }, query: { minPosition: position } },
    });
    expect(response.status).toBe(200);
    const res = { body: data! };
    expect(BigInt(res.body.position)).toBeGreaterThanOrEqual(BigInt(position));
    expect(res.body.activities.ipoc).toEqual({
      earned: { credits: '3.00', twelfths: 36 },
      claimed: { credits: '0.00', twelfths: 0 },
      unclaimed: { credits: '2.50', twelfths: 30 },
      expired: { credits: '0.50', twelfths: 6 },
    });
    expect(res.body.activities['nejm-board-review']).toEqual({
      earned: { credits: '0.75', twelfths: 10 },
      claimed: { credits: '0.75', twelfths: 9 },
      unclaimed: { credits: '0.00', twelfths: 1 },
      expired: { credits: '0.00', twelfths: 0 },
    });
    expect(res.body.mocPoints).toEqual({ total: { credits: '0.00', twelfths: 0 }, byBoard: {} });
    expect(res.body.nonUsEquivalents.ecmec).toEqual({ credits: '0.75', twelfths: 9 });
  });

  it('GET claims: each claim with its tag and boards; GET deadlines: unclaimed by earned year', async () => {
    const { id, position } = await walkThrough();
    const claims = await http()
      .get(`/v1/learners/${id}/claims?minPosition=${position}`)
      .set(bearer('compliance'))
      .expect(200);
    expect(claims.body.claims).toHaveLength(1);
    expect(claims.body.claims[0]).toEqual(
      expect.objectContaining({
        activity: 'nejm-board-review',
        claimed: { credits: '0.75', twelfths: 9 },
        tag: 'Pending',
        boards: ['ABIM'],
        certificate: 'ama-pra-category-1',
        certificateUrl: expect.stringContaining('/certificate.pdf'),
      }),
    );
    const deadlines = await http()
      .get(`/v1/learners/${id}/deadlines?minPosition=${position}`)
      .set(bearer('service'))
      .expect(200);
    expect(deadlines.body.deadlines).toEqual([
      {
        activity: 'ipoc',
        earnedYear: 2023,
        claimDeadline: '2025-12-31',
        unclaimed: { credits: '0.50', twelfths: 6 },
        expired: true,
      },
      {
        activity: 'ipoc',
        earnedYear: 2024,
        claimDeadline: '2026-12-31',
        unclaimed: { credits: '0.50', twelfths: 6 },
        expired: false,
      },
      {
        activity: 'ipoc',
        earnedYear: 2026,
        claimDeadline: '2028-12-31',
        unclaimed: { credits: '2.00', twelfths: 24 },
        expired: false,
      },
      {
        activity: 'nejm-board-review',
        earnedYear: 2026,
        claimDeadline: '2028-12-31',
        unclaimed: { credits: '0.00', twelfths: 1 },
        expired: false,
      },
    ]);
  });

  it('reports: what expires before a date, and claims by tag and board, paginated with a cursor', async () => {
    const a = await walkThrough();
    const b = await walkThrough();
    const expiring = await http()
      .get(`/v1/reports/expiring?before=2027-01-01&minPosition=${b.position}`)
      .set(bearer('compliance'))
      .expect(200);
    const mine = expiring.body.items.filter(
      (i: { learnerId: string }) => i.learnerId === a.id || i.learnerId === b.id,
    );
    expect(mine).toEqual([
      expect.objectContaining({
        activity: 'ipoc',
        earnedYear: 2024,
        claimDeadline: '2026-12-31',
        unclaimed: { credits: '0.50', twelfths: 6 },
      }),
      expect.objectContaining({ activity: 'ipoc', earnedYear: 2024, claimDeadline: '2026-12-31' }),
    ]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: request.Response = await http()
        .get(
          `/v1/reports/submissions?tag=Pending&board=ABIM&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        )
        .set(bearer('auditor'))
        .expect(200);
      expect(page.body.items.length).toBeLessThanOrEqual(1);
      seen.push(...page.body.items.map((i: { claimId: string }) => i.claimId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    const none = await http()
      .get('/v1/reports/submissions?tag=Submitted')
      .set(bearer('compliance'))
      .expect(200);
    expect(none.body.items).toEqual([]);
  });

  it('R5: expiring?through= includes a deadline on that very day; before= is strictly before it', async () => {
    const { id, position } = await walkThrough();
    const report = async (query: string) =>
      (
        await http()
          .get(`/v1/reports/expiring?${query}&minPosition=${position}`)
          .set(bearer('compliance'))
          .expect(200)
      ).body as {
        bound: Record<string, string>;
        items: { learnerId: string; claimDeadline: string }[];
      };
    const through = await report('through=2026-12-31');
    expect(through.bound).toEqual({ deadlineOnOrBefore: '2026-12-31' });
    expect(through.items.filter((i) => i.learnerId === id).map((i) => i.claimDeadline)).toEqual([
      '2026-12-31',
    ]);
    const before = await report('before=2026-12-31');
    expect(before.bound).toEqual({ deadlineBefore: '2026-12-31' });
    expect(before.items.filter((i) => i.learnerId === id)).toEqual([]);
    await http()
      .get('/v1/reports/expiring?before=2026-12-31&through=2026-12-31')
      .set(bearer('compliance'))
      .expect(400);
    await http().get('/v1/reports/expiring').set(bearer('compliance')).expect(400);
  });

  it("R6/R3: a board-review claim's breakdown shows exact parts adding up to the claim; only what the board gets is rounded", async () => {
    const id = `learner-${randomUUID().slice(0, 8)}`;
    await http().put(`/v1/learners/${id}/profile`).set(bearer('service')).send(PROFILE).expect(200);
    const answer = (q: string, at: string) =>
      http()
        .post(`/v1/learners/${id}/answers`)
        .set(bearer('service'))
        .send({ questionId: q, correct: true, occurredAt: at })
        .expect(201);
    for (const q of ['a1', 'a2']) await answer(q, '2025-11-20T10:00:00Z');
    for (const q of ['b1', 'b2', 'b3', 'b4', 'b5']) await answer(q, '2026-11-01T10:00:00Z');
    const claim = await http()
      .post(`/v1/learners/${id}/claims`)
      .set(bearer('service'))
      .send({ activity: 'nejm-board-review', occurredAt: '2026-11-02T10:00:00Z' })
      .expect(201);
    // 14/12 earned, 12/12 claimed (R3): 4/12 of 2025 and 8/12 of 2026.
    const parts = [
      { earnedYear: 2025, claimed: { credits: '4/12', twelfths: 4 }, claimDeadline: '2027-12-31' },
      { earnedYear: 2026, claimed: { credits: '8/12', twelfths: 8 }, claimDeadline: '2028-12-31' },
    ];
    expect(claim.body.claim.claimed).toEqual({ credits: '1.00', twelfths: 12 });
    expect(claim.body.claim.breakdown).toEqual(parts);
    const read = await http()
      .get(`/v1/learners/${id}/claims?minPosition=${claim.body.position}`)
      .set(bearer('service'))
      .expect(200);
    expect(read.body.claims[0].breakdown).toEqual(parts);
  });

  it("an event the projections cannot apply is quarantined with an alert: other learners' reads go on, that learner's answer 503 naming it", async () => {
    const victim = `poisoned-${randomUUID().slice(0, 8)}`;
    const other = await walkThrough();
    const store = t.app.get<EventStore>(EVENT_STORE);
    const poison = await store.append(`learner-${victim}`, [
      {
        id: randomUUID(),
        type: 'QuestionResearched',
        schemaVersion: 1,
        // Written by a faulty client of the store: an amount that is not a number.
        data: {
          researchId: 'r1',
          occurredAt: '2026-11-01T10:00:00.000Z',
          earnedYear: 2026,
          twelfths: 'six',
        },
        metadata: { actor: 'test', correlationId: 'c', causationId: 'c' },
      },
    ]);
    const after = await http()
      .post(`/v1/learners/${other.id}/questions-researched`)
      .set(bearer('service'))
      .send({ researchId: 'after-poison', occurredAt: '2026-11-04T10:00:00Z' })
      .expect(201);
    const fresh = await http()
      .get(`/v1/learners/${other.id}/credits?minPosition=${after.body.position}`)
      .set(bearer('service'))
      .expect(200);
    expect(fresh.body.activities.ipoc.earned.twelfths).toBe(42);
    const refused = await http()
      .get(`/v1/learners/${victim}/credits`)
      .set(bearer('service'))
      .expect(503);
    expect(refused.body.code).toBe('read-model-incomplete');
    expect(refused.body.message).toContain(`position ${poison.position}`);
    const status = await http().get('/v1/admin/projections').set(bearer('admin')).expect(200);
    const balances = (
      status.body.projections as { name: string; failedEvent: string; quarantinedEvents: number }[]
    ).find((p) => p.name === 'credit-balances');
    expect(balances?.quarantinedEvents).toBeGreaterThanOrEqual(1);
    expect(balances?.failedEvent).toContain('quarantined');
  });

  it('answers 503 with the current position when the read models cannot reach minPosition in time', async () => {
    // Through the typed client, retries off: the 503 comes back in the error shape.
    const ledger = await ledgerClient(t, 'service');
    const { error, response } = await ledger.GET('/v1/learners/{learnerId}/credits', {
      params: { path: { learnerId: 'x' }, query: { minPosition: (2n ** 62n).toString() } },
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('Retry-After')).toBe('1');
    expect(error).toEqual(
      expect.objectContaining({
        code: 'read-model-behind',
        position: expect.stringMatching(/^\d+$/),
      }),
    );
  });

  it('validates query parameters and roles', async () => {
    const bad = await http()
      .get('/v1/reports/expiring?before=2026-13-01&limit=0')
      .set(bearer('compliance'))
      .expect(400);
    const fields = bad.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['before', 'limit']));
    expect(
      (await http().get('/v1/reports/submissions?tag=Lost').set(bearer('compliance'))).status,
    ).toBe(400);
    expect(
      (
        await http()
          .get('/v1/reports/submissions?cursor=bm90LWEtY3Vyc29y')
          .set(bearer('compliance'))
      ).body.errors[0].field,
    ).toBe('cursor');
    expect(
      (await http().get('/v1/reports/expiring?before=2027-01-01').set(bearer('service'))).status,
    ).toBe(403);
    expect((await http().get('/v1/learners/x/credits')).status).toBe(401);
    expect(
      (await http().get('/v1/learners/x/credits?minPosition=abc').set(bearer('service'))).status,
    ).toBe(400);
  });

  it('exposes projection and HTTP figures at /metrics and projection status to admins', async () => {
    await walkThrough();
    const metrics = await http().get('/metrics').set(bearer('admin')).expect(200);
    expect(metrics.text).toMatch(/ledger_projection_position\{projection="credit-balances"\} \d+/);
    expect(metrics.text).toMatch(/ledger_projection_lag_events\{projection="claims"\} \d+/);
    expect(metrics.text).toMatch(
      /ledger_http_requests_total\{method="POST",route="\/v1\/learners\/:learnerId\/claims",status="201"\} \d+/,
    );
    const status = await http().get('/v1/admin/projections').set(bearer('admin')).expect(200);
    expect(status.body.projections.map((p: { name: string }) => p.name)).toEqual([
      'claims',
      'credit-balances',
    ]);
    expect((await http().get('/v1/admin/projections').set(bearer('compliance'))).status).toBe(403);
  });
});
