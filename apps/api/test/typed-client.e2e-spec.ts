import { randomUUID } from 'node:crypto';
import type { LedgerClient } from '@ledger/client';
import { ledgerClient } from '../../../test/support/ledger-client';
import { PROFILE_EXAMPLE } from '../../../test/support/request-examples';
import { startTestApp, type TestApp } from '../../../test/support/test-app';

/**
 * The API as another service uses it: through the typed client generated from the OpenAPI
 * document (libs/client), one or more operations of every controller. Every answer is also
 * checked against the document by the test app (test/support/contract-validator.ts).
 */
describe('the typed client (libs/client) against the real API', () => {
  let t: TestApp;
  let service: LedgerClient;
  let compliance: LedgerClient;
  let auditor: LedgerClient;
  let admin: LedgerClient;
  const learnerId = `client-${randomUUID().slice(0, 8)}`;
  const path = { learnerId };
  let lastPosition = '0';
  let claimId = '';

  beforeAll(async () => {
    t = await startTestApp('typed_client');
    [service, compliance, auditor, admin] = await Promise.all([
      ledgerClient(t, 'service'),
      ledgerClient(t, 'compliance'),
      ledgerClient(t, 'auditor'),
      ledgerClient(t, 'admin'),
    ]);
  });
  afterAll(async () => {
    await t.close();
  });

  it('GET /health answers ok without a key', async () => {
    const { data, response } = await service.GET('/health');
    expect(response.status).toBe(200);
    expect(data?.status).toBe('ok');
  });

  it('commands: profile (R7), research (R1), answers (R2) and a claim (R6) as in the README', async () => {
    const profile = await service.PUT('/v1/learners/{learnerId}/profile', {
      params: { path },
      body: { ...PROFILE_EXAMPLE, clinicalRole: 'physician' },
    });
    expect(profile.response.status).toBe(200);
    for (const researchId of ['r1', 'r2', 'r3']) {
      const { data } = await service.POST('/v1/learners/{learnerId}/questions-researched', {
        params: { path },
        body: { researchId, occurredAt: '2026-11-01T10:00:00Z' },
      });
      expect(data?.recorded).toEqual(['QuestionResearched']);
    }
    const answer = await service.POST('/v1/learners/{learnerId}/answers', {
      params: { path },
      body: { questionId: 'q1', correct: true, occurredAt: '2026-11-01T10:00:00Z' },
    });
    expect(answer.data?.credits?.['nejm-board-review'].earned).toEqual({
      credits: '0.00',
      twelfths: 2,
    });
    const claim = await service.POST('/v1/learners/{learnerId}/claims', {
      params: { path },
      body: { activity: 'ipoc', occurredAt: '2026-11-02T10:00:00Z' },
    });
    expect(claim.response.status).toBe(201);
    expect(claim.data?.claim).toEqual(
      expect.objectContaining({ claimed: { credits: '1.50', twelfths: 18 }, boards: ['ABIM'] }),
    );
    claimId = claim.data?.claim.claimId ?? '';
    lastPosition = claim.data?.position ?? '0';
  });

  it('a command sent again with its Idempotency-Key is answered as the first time and recorded once', async () => {
    const other = { learnerId: `client-${randomUUID().slice(0, 8)}` };
    const body = { researchId: 'r-idem', occurredAt: '2026-11-01T10:00:00Z' };
    const headers = { 'Idempotency-Key': `research-${randomUUID()}` };
    const first = await service.POST('/v1/learners/{learnerId}/questions-researched', {
      params: { path: other },
      headers,
      body,
    });
    const again = await service.POST('/v1/learners/{learnerId}/questions-researched', {
      params: { path: other },
      headers,
      body,
    });
    expect(first.response.status).toBe(201);
    expect(again.response.status).toBe(201);
    expect(again.data).toEqual(first.data);
    expect(again.response.headers.get('Idempotent-Replayed')).toBe('true');
    const stream = await auditor.GET('/v1/audit/streams/{streamName}', {
      params: { path: { streamName: `learner-${other.learnerId}` } },
    });
    expect(stream.data?.events.map((e) => e.type)).toEqual(['QuestionResearched']);
  });

  it('a refusal comes back as the typed error shape naming its rule or field', async () => {
    const { error, response } = await service.POST('/v1/learners/{learnerId}/answers', {
      params: { path },
      body: { questionId: 'q2', correct: true, occurredAt: 'yesterday' },
    });
    expect(response.status).toBe(400);
    expect(error?.code).toBe('validation-failed');
    expect(error?.errors?.map((e) => e.field)).toContain('occurredAt');
  });

  it('learner reads wait for the position the command answered: credits, claims, deadlines', async () => {
    const query = { minPosition: lastPosition };
    const credits = await service.GET('/v1/learners/{learnerId}/credits', {
      params: { path, query },
    });
    expect(credits.data?.activities.ipoc.claimed).toEqual({ credits: '1.50', twelfths: 18 });
    const claims = await service.GET('/v1/learners/{learnerId}/claims', {
      params: { path, query },
    });
    expect(claims.data?.claims.map((c) => c.claimId)).toEqual([claimId]);
    const deadlines = await service.GET('/v1/learners/{learnerId}/deadlines', {
      params: { path, query },
    });
    expect(deadlines.data?.deadlines.map((d) => d.activity)).toEqual(['nejm-board-review']);
  });

  it('the certificate of the claim is a PDF (R11)', async () => {
    const { data, response } = await service.GET(
      '/v1/learners/{learnerId}/claims/{claimId}/certificate.pdf',
      { params: { path: { learnerId, claimId } }, parseAs: 'arrayBuffer' },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/pdf');
    expect(
      Buffer.from(data as ArrayBuffer)
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
  });

  it('compliance reports: expiring credit and submissions', async () => {
    const expiring = await compliance.GET('/v1/reports/expiring', {
      params: { query: { through: '2030-12-31', minPosition: lastPosition } },
    });
    expect(expiring.data?.items.filter((i) => i.learnerId === learnerId)).toEqual([
      expect.objectContaining({ activity: 'nejm-board-review', earnedYear: 2026 }),
    ]);
    const submissions = await compliance.GET('/v1/reports/submissions', {
      params: { query: { board: 'ABIM', minPosition: lastPosition } },
    });
    expect(submissions.data?.items.map((i) => i.claimId)).toContain(claimId);
  });

  it('the service key may not read reports: 403 in the error shape', async () => {
    const { error, response } = await service.GET('/v1/reports/expiring', {
      params: { query: { through: '2030-12-31' } },
    });
    expect(response.status).toBe(403);
    expect(error?.statusCode).toBe(403);
  });

  it('a board submission that does not exist cannot be retried (404)', async () => {
    const { error, response } = await service.POST('/v1/board-submissions/{submissionId}/retry', {
      params: { path: { submissionId: randomUUID() } },
    });
    expect(response.status).toBe(404);
    expect(error?.code).toBe('not-found');
  });

  it('an administrator imports old history with a ticket reference (R15), and is refused free text', async () => {
    const fact = {
      kind: 'research' as const,
      researchId: 'r-2020',
      occurredAt: '2020-06-01T10:00:00Z',
    };
    const refused = await admin.POST('/v1/learners/{learnerId}/history-imports', {
      params: { path },
      body: { reference: 'because Ada asked', facts: [fact] },
    });
    expect(refused.error?.errors?.map((e) => e.field)).toEqual(['reference']);
    const imported = await admin.POST('/v1/learners/{learnerId}/history-imports', {
      params: { path },
      body: { reference: 'OPS-1234', facts: [fact] },
    });
    expect(imported.data?.recorded).toEqual(['HistoryImported', 'QuestionResearched']);
  });

  it('operations: projections listed, an unknown one refused a rebuild, metrics as text', async () => {
    const projections = await admin.GET('/v1/admin/projections');
    expect(projections.data?.projections.map((p) => p.name)).toEqual(
      expect.arrayContaining(['claims', 'credit-balances']),
    );
    const rebuild = await admin.POST('/v1/admin/projections/{name}/rebuild', {
      params: { path: { name: 'no-such-projection' } },
    });
    expect(rebuild.response.status).toBe(404);
    const metrics = await admin.GET('/metrics', { parseAs: 'text' });
    expect(metrics.data).toContain('ledger_http_requests_total');
  });

  it('audit: the stream, the log, the integrity, the export and the credits as of a position', async () => {
    const stream = await auditor.GET('/v1/audit/streams/{streamName}', {
      params: { path: { streamName: `learner-${learnerId}` } },
    });
    expect(stream.data?.events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['LearnerProfileUpdated', 'QuestionResearched', 'CreditClaimed']),
    );
    const log = await auditor.GET('/v1/audit/events', { params: { query: { after: '0' } } });
    expect(log.data?.events.length).toBeGreaterThan(0);
    const integrity = await auditor.GET('/v1/audit/integrity');
    expect(integrity.data?.ok).toBe(true);
    const exported = await auditor.GET('/v1/audit/export', {
      params: { query: { upTo: integrity.data?.log.upToPosition } },
      parseAs: 'text',
    });
    const lines = (exported.data ?? '').trim().split('\n');
    expect(lines.length).toBe(integrity.data?.log.events);
    const asOf = await auditor.GET('/v1/audit/learners/{learnerId}/credits', {
      params: { path, query: { asOf: lastPosition } },
    });
    expect(asOf.data?.activities.ipoc.claimed).toEqual({ credits: '1.50', twelfths: 18 });
  });

  it('an administrator erases the personal data, and erasing again erases once', async () => {
    const first = await admin.DELETE('/v1/learners/{learnerId}/personal-data', {
      params: { path },
      body: { ticket: 'DSR-4711' },
    });
    expect(first.data?.alreadyErased).toBe(false);
    const again = await admin.DELETE('/v1/learners/{learnerId}/personal-data', {
      params: { path },
      body: { ticket: 'DSR-4711' },
    });
    expect(again.data?.alreadyErased).toBe(true);
  });
});
