import { randomUUID } from 'node:crypto';
import { CommandBus } from '@nestjs/cqrs';
import { boardSubmissionId } from '@ledger/domain';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import { boardSubmissionStep } from '@ledger/ledger';
import { Client } from 'pg';
import request from 'supertest';
import { ledgerClient } from '../../../test/support/ledger-client';
import { PROFILE_EXAMPLE } from '../../../test/support/request-examples';
import { bearer, startTestApp, type TestApp } from '../../../test/support/test-app';
import { foundInClear } from './audit.fixtures';
import { IdempotencySweeper } from '../src/http/idempotency.interceptor';

const PROFILE = PROFILE_EXAMPLE;

describe('learner commands over HTTP', () => {
  let t: TestApp;
  let db: Client;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    t = await startTestApp('learner_commands');
    db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  const learner = () => `learner-${randomUUID().slice(0, 8)}`;
  const withProfile = async (): Promise<string> => {
    const id = learner();
    await http().put(`/v1/learners/${id}/profile`).set(bearer('service')).send(PROFILE).expect(200);
    return id;
  };
  async function streamOf(
    learnerId: string,
  ): Promise<{ type: string; data: Record<string, unknown>; metadata: Record<string, unknown> }[]> {
    const { rows } = await db.query(
      'SELECT event_type AS type, data, metadata FROM events WHERE stream_name = $1 ORDER BY stream_revision',
      [`learner-${learnerId}`],
    );
    return rows;
  }
  const research = (id: string, researchId: string, at = '2026-11-01T10:00:00Z') =>
    http()
      .post(`/v1/learners/${id}/questions-researched`)
      .set(bearer('service'))
      .send({ researchId, occurredAt: at });
  const answer = (id: string, questionId: string, correct = true, at = '2026-11-01T10:00:00Z') =>
    http()
      .post(`/v1/learners/${id}/answers`)
      .set(bearer('service'))
      .send({ questionId, correct, occurredAt: at });
  const claim = (id: string, activity: string, at = '2026-11-02T10:00:00Z') =>
    http()
      .post(`/v1/learners/${id}/claims`)
      .set(bearer('service'))
      .send({ activity, occurredAt: at });

  describe('the README walk-through', () => {
    it('three researched questions and five correct answers claim as 1.50 and 0.75 credits', async () => {
      // As the learning platform does it: through the typed client.
      const ledger = await ledgerClient(t, 'service');
      const path = { learnerId: learner() };
      const occurredAt = '2026-11-01T10:00:00Z';
      const profile = await ledger.PUT('/v1/learners/{learnerId}/profile', {
        params: { path },
        body: { ...PROFILE, clinicalRole: 'physician' },
      });
      expect(profile.response.status).toBe(200);
      for (const researchId of ['r1', 'r2', 'r3']) {
        const { response } = await ledger.POST('/v1/learners/{learnerId}/questions-researched', {
          params: { path },
          body: { researchId, occurredAt },
        });
        expect(response.status).toBe(201);
      }
      for (const questionId of ['q1', 'q2', 'q3', 'q4', 'q5']) {
        const { response } = await ledger.POST('/v1/learners/{learnerId}/answers', {
          params: { path },
          body: { questionId, correct: true, occurredAt },
        });
        expect(response.status).toBe(201);
      }
      const claimAt = '2026-11-02T10:00:00Z';
      const ipoc = await ledger.POST('/v1/learners/{learnerId}/claims', {
        params: { path },
        body: { activity: 'ipoc', occurredAt: claimAt },
      });
      expect(ipoc.response.status).toBe(201);
      expect(ipoc.data?.claim).toEqual(
        expect.objectContaining({
          activity: 'ipoc',
          claimed: { credits: '1.50', twelfths: 18 },
          boards: ['ABIM'],
          tag: 'Pending',
        }),
      );
      const review = await ledger.POST('/v1/learners/{learnerId}/claims', {
        params: { path },
        body: { activity: 'nejm-board-review', occurredAt: claimAt },
      });
      expect(review.response.status).toBe(201);
      expect(review.data?.claim.claimed).toEqual({ credits: '0.75', twelfths: 9 });
      // R6: the twelfth that does not make a quarter stays unclaimed for the next claim.
      expect(review.data?.credits?.['nejm-board-review'].unclaimed.twelfths).toBe(1);
      expect(review.data?.credits?.ipoc).toEqual({
        earned: { credits: '1.50', twelfths: 18 },
        claimed: { credits: '1.50', twelfths: 18 },
        unclaimed: { credits: '0.00', twelfths: 0 },
        expired: { credits: '0.00', twelfths: 0 },
      });
    });
  });

  describe('answers carry where the events went', () => {
    it('a command answers the stream revision and global position, and an ETag of the revision', async () => {
      const id = learner();
      const first = await research(id, 'r1').expect(201);
      const second = await research(id, 'r2').expect(201);
      expect(first.body).toEqual(
        expect.objectContaining({
          learnerId: id,
          revision: '0',
          recorded: ['QuestionResearched'],
          repeated: false,
        }),
      );
      expect(second.body.revision).toBe('1');
      expect(BigInt(second.body.position)).toBeGreaterThan(BigInt(first.body.position));
      expect(second.headers.etag).toBe('"1"');
      const { rows } = await db.query(
        'SELECT position::text FROM events WHERE stream_name = $1 ORDER BY stream_revision',
        [`learner-${id}`],
      );
      expect(rows.map((r) => r.position)).toEqual([first.body.position, second.body.position]);
    });

    it("records the caller's identity and the correlation id in every event, and echoes the correlation id", async () => {
      const id = learner();
      const res = await research(id, 'r1').set('X-Correlation-Id', 'trace-abc-123').expect(201);
      expect(res.headers['x-correlation-id']).toBe('trace-abc-123');
      const [event] = await streamOf(id);
      expect(event?.metadata).toEqual(
        expect.objectContaining({
          actor: expect.stringMatching(/^service:[0-9a-f]{12}$/),
          correlationId: 'trace-abc-123',
          causationId: expect.any(String),
        }),
      );
      expect(JSON.stringify(event?.metadata)).not.toContain('dev-service-key');
      const generated = await research(id, 'r2').expect(201);
      expect(generated.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('R1 research', () => {
    it('the same research recorded twice earns once and records nothing the second time', async () => {
      const id = learner();
      await research(id, 'same').expect(201);
      const again = await research(id, 'same').expect(200);
      expect(again.body.recorded).toEqual([]);
      expect(again.body.credits.ipoc.earned).toEqual({ credits: '0.50', twelfths: 6 });
      expect((await streamOf(id)).length).toBe(1);
    });
  });

  describe('R2/R14 answers', () => {
    it('an incorrect answer and a repeat earn nothing but are recorded for auditors', async () => {
      const id = learner();
      await answer(id, 'q1', false).expect(201);
      await answer(id, 'q1', true).expect(201);
      const repeat = await answer(id, 'q1', true).expect(201);
      expect(repeat.body.recorded).toEqual(['CorrectAnswerRepeated']);
      expect(repeat.body.credits['nejm-board-review'].earned.twelfths).toBe(2);
      expect((await streamOf(id)).map((e) => e.type)).toEqual([
        'AnswerIncorrect',
        'AnswerCorrect',
        'CorrectAnswerRepeated',
      ]);
    });
  });

  describe('refusals by rule record nothing', () => {
    it('R5: credit earned in 2023 cannot be claimed in 2026 (claim-window-closed)', async () => {
      const id = await withProfile();
      await research(id, 'old', '2023-09-15T10:00:00Z').expect(201);
      const before = await streamOf(id);
      const res = await claim(id, 'ipoc', '2026-11-02T10:00:00Z').expect(422);
      expect(res.body).toEqual(
        expect.objectContaining({ statusCode: 422, code: 'claim-window-closed', rule: 'R5' }),
      );
      expect(await streamOf(id)).toEqual(before);
    });

    it('R5: a claim dated before the deadline but sent after it is judged at the server clock: refused', async () => {
      const id = await withProfile();
      await research(id, 'old', '2023-09-15T10:00:00Z').expect(201);
      const before = await streamOf(id);
      // 2023's window closed at the end of 2025; the claim says 30 December 2025.
      const res = await claim(id, 'ipoc', '2025-12-30T10:00:00Z').expect(422);
      expect(res.body).toEqual(
        expect.objectContaining({ code: 'claim-window-closed', rule: 'R5' }),
      );
      expect(await streamOf(id)).toEqual(before);
    });

    it('R6: nothing to claim', async () => {
      const id = await withProfile();
      const res = await claim(id, 'nejm-board-review').expect(422);
      expect(res.body).toEqual(expect.objectContaining({ code: 'nothing-to-claim', rule: 'R6' }));
      expect((await streamOf(id)).map((e) => e.type)).toEqual(['LearnerProfileUpdated']);
    });

    it('R7: a claim before the CME profile is filled in', async () => {
      const id = learner();
      await research(id, 'r1').expect(201);
      const res = await claim(id, 'ipoc').expect(422);
      expect(res.body).toEqual(expect.objectContaining({ code: 'profile-required', rule: 'R7' }));
      expect((await streamOf(id)).map((e) => e.type)).toEqual(['QuestionResearched']);
    });

    it('R15: an occurredAt in the future beyond the clock skew', async () => {
      const id = learner();
      const res = await research(id, 'future', '2027-01-01T00:00:00Z').expect(422);
      expect(res.body).toEqual(
        expect.objectContaining({
          code: 'occurred-at-in-future',
          rule: 'R15',
          errors: [expect.objectContaining({ field: 'occurredAt' })],
        }),
      );
      expect(await streamOf(id)).toEqual([]);
    });

    it('R10: a board that does not take direct credit reporting', async () => {
      const id = learner();
      const res = await http()
        .put(`/v1/learners/${id}/profile`)
        .set(bearer('service'))
        .send({
          ...PROFILE,
          boards: [{ boardId: 'ABIM', learnerBoardId: '123456' }, { boardId: 'NOPE' }],
        })
        .expect(422);
      expect(res.body).toEqual(
        expect.objectContaining({ code: 'board-not-in-catalogue', rule: 'R10' }),
      );
      expect(res.body.errors[0].field).toBe('boards[1].boardId');
      expect(await streamOf(id)).toEqual([]);
    });

    it("R10: a nurse practitioner selecting ABIM (a physicians' MOC programme) is told why at the profile", async () => {
      const id = learner();
      const res = await http()
        .put(`/v1/learners/${id}/profile`)
        .set(bearer('service'))
        .send({ ...PROFILE, clinicalRole: 'nurse_practitioner' })
        .expect(422);
      expect(res.body).toEqual(
        expect.objectContaining({
          code: 'board-not-for-role',
          rule: 'R10',
          errors: [expect.objectContaining({ field: 'boards[0].boardId' })],
        }),
      );
      expect(await streamOf(id)).toEqual([]);
    });

    it('R7: an impossible birth date', async () => {
      const id = learner();
      const res = await http()
        .put(`/v1/learners/${id}/profile`)
        .set(bearer('service'))
        .send({ ...PROFILE, birthMonth: 2, birthDay: 30 })
        .expect(422);
      expect(res.body.code).toBe('impossible-birth-date');
      expect(await streamOf(id)).toEqual([]);
    });
  });

  describe('validation: 400 naming each field, nothing recorded', () => {
    const cases: Array<[string, string, string, Record<string, unknown>, string[]]> = [
      [
        'research without researchId',
        'post',
        'questions-researched',
        { occurredAt: '2026-11-01T10:00:00Z' },
        ['researchId'],
      ],
      [
        'research with a date without zone',
        'post',
        'questions-researched',
        { researchId: 'r', occurredAt: '2026-11-01T10:00:00' },
        ['occurredAt'],
      ],
      [
        'research with an impossible date',
        'post',
        'questions-researched',
        { researchId: 'r', occurredAt: '2026-02-30T10:00:00Z' },
        ['occurredAt'],
      ],
      [
        'research with a path trick in its id',
        'post',
        'questions-researched',
        { researchId: '../../etc', occurredAt: '2026-11-01T10:00:00Z' },
        ['researchId'],
      ],
      [
        'answer with correct as a string',
        'post',
        'answers',
        { questionId: 'q', correct: 'true', occurredAt: '2026-11-01T10:00:00Z' },
        ['correct'],
      ],
      [
        'answer with an unknown field',
        'post',
        'answers',
        { questionId: 'q', correct: true, occurredAt: '2026-11-01T10:00:00Z', credits: 99 },
        ['credits'],
      ],
      [
        'claim of an unknown activity',
        'post',
        'claims',
        { activity: 'cme', occurredAt: '2026-11-01T10:00:00Z' },
        ['activity'],
      ],
      [
        'R6: claim with a claim id of its own (the ledger assigns claim ids)',
        'post',
        'claims',
        {
          activity: 'ipoc',
          occurredAt: '2026-11-01T10:00:00Z',
          claimId: '0f8e2d4c-1b3a-4c5d-8e9f-a0b1c2d3e4f5',
        },
        ['claimId'],
      ],
      [
        'profile with a role not in the list',
        'put',
        'profile',
        { ...PROFILE, clinicalRole: 'surgeon' },
        ['clinicalRole'],
      ],
      [
        'profile with a month 13 and a country code no country has (XX)',
        'put',
        'profile',
        { ...PROFILE, birthMonth: 13, country: 'XX' },
        ['birthMonth', 'country'],
      ],
      ...(
        [
          ['zero-width spaces', '\u200b\u200b'],
          ['a soft hyphen', '\u00ad'],
          ['combining marks', '\u0301\u0308'],
          ['a bidi override', '\u202e'],
        ] as const
      ).map(([what, name]): [string, string, string, Record<string, unknown>, string[]] => [
        `R7: profile with a first name of ${what} only (nothing visible)`,
        'put',
        'profile',
        { ...PROFILE, firstName: name },
        ['firstName'],
      ]),
      [
        'R7/R11: profile with a last name of 51 emoji (counted as 51 characters, none printable)',
        'put',
        'profile',
        { ...PROFILE, lastName: '😀'.repeat(51) },
        ['lastName'],
      ],
      [
        'R7/R11: profile with a bidi override inside a name',
        'put',
        'profile',
        { ...PROFILE, lastName: 'Qu\u202einn' },
        ['lastName'],
      ],
      [
        'profile with a nested board missing its id',
        'put',
        'profile',
        { ...PROFILE, boards: [{ learnerBoardId: '1' }] },
        ['boards[0].boardId'],
      ],
      [
        'profile with a control character in a name',
        'put',
        'profile',
        { ...PROFILE, firstName: 'A\u0000da' },
        ['firstName'],
      ],
      [
        'profile with an NPI of 9 digits',
        'put',
        'profile',
        { ...PROFILE, npi: '123456789' },
        ['npi'],
      ],
    ];
    it.each(cases)('%s', async (_title, method, path, body, fields) => {
      const id = learner();
      const res = await (
        method === 'put'
          ? http().put(`/v1/learners/${id}/${path}`)
          : http().post(`/v1/learners/${id}/${path}`)
      )
        .set(bearer('service'))
        .send(body)
        .expect(400);
      expect(res.body.code).toBe('validation-failed');
      const named = (res.body.errors as { field: string }[]).map((e) => e.field);
      for (const field of fields) expect(named).toContain(field);
      expect(await streamOf(id)).toEqual([]);
    });

    it('a learner id with a path trick', async () => {
      const res = await http()
        .post('/v1/learners/a..b%2F/questions-researched')
        .set(bearer('service'))
        .send({ researchId: 'r', occurredAt: '2026-11-01T10:00:00Z' });
      expect(res.status).toBe(400);
      expect(res.body.errors[0].field).toBe('learnerId');
    });

    it('malformed JSON, a body over the limit and a wrong content type', async () => {
      const id = learner();
      const malformed = await http()
        .post(`/v1/learners/${id}/answers`)
        .set(bearer('service'))
        .set('Content-Type', 'application/json')
        .send('{"questionId":');
      expect(malformed.status).toBe(400);
      expect(malformed.body.code).toBeDefined();
      const huge = await http()
        .post(`/v1/learners/${id}/answers`)
        .set(bearer('service'))
        .send({
          questionId: 'q',
          correct: true,
          occurredAt: '2026-11-01T10:00:00Z',
          pad: 'x'.repeat(100_000),
        });
      expect(huge.status).toBe(413);
      expect(huge.body.code).toBe('payload-too-large');
      const text = await http()
        .post(`/v1/learners/${id}/answers`)
        .set(bearer('service'))
        .set('Content-Type', 'text/plain')
        .send('questionId=q');
      expect(text.status).toBe(415);
      expect(text.body.code).toBe('unsupported-media-type');
      expect(await streamOf(id)).toEqual([]);
    });
  });

  describe('authentication and roles', () => {
    const endpoints: Array<[string, string]> = [
      ['put', '/v1/learners/x/profile'],
      ['post', '/v1/learners/x/questions-researched'],
      ['post', '/v1/learners/x/answers'],
      ['post', '/v1/learners/x/claims'],
      ['post', `/v1/board-submissions/${randomUUID()}/retry`],
    ];
    it.each(endpoints)(
      '%s %s: 401 without a key or with an unknown key, 403 for compliance and auditor keys',
      async (method, path) => {
        const call = () => (method === 'put' ? http().put(path) : http().post(path));
        expect((await call().send({})).status).toBe(401);
        expect((await call().set('Authorization', 'Bearer not-a-key-at-all').send({})).status).toBe(
          401,
        );
        expect((await call().set('Authorization', 'Basic dev-service-key').send({})).status).toBe(
          401,
        );
        for (const role of ['compliance', 'auditor'] as const) {
          const res = await call().set(bearer(role)).send({});
          expect(res.status).toBe(403);
          expect(res.body.code).toBe('forbidden');
        }
      },
    );
  });

  describe('Idempotency-Key', () => {
    it('a retry returns the first status and body and records nothing new', async () => {
      const id = await withProfile();
      await research(id, 'r1').expect(201);
      const first = await claim(id, 'ipoc').set('Idempotency-Key', 'claim-once').expect(201);
      const retry = await claim(id, 'ipoc').set('Idempotency-Key', 'claim-once').expect(201);
      expect(retry.body).toEqual(first.body);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect((await streamOf(id)).filter((e) => e.type === 'CreditClaimed').length).toBe(1);
    });

    it('a refusal is replayed as it was', async () => {
      const id = await withProfile();
      const first = await claim(id, 'ipoc').set('Idempotency-Key', 'refused-once').expect(422);
      await research(id, 'r1').expect(201);
      const retry = await claim(id, 'ipoc').set('Idempotency-Key', 'refused-once').expect(422);
      expect(retry.body.code).toBe(first.body.code);
    });

    it('the same key with a different body is refused with 422', async () => {
      const id = learner();
      await research(id, 'r1').set('Idempotency-Key', 'k-1').expect(201);
      const res = await research(id, 'r2').set('Idempotency-Key', 'k-1').expect(422);
      expect(res.body).toEqual(
        expect.objectContaining({
          code: 'idempotency-key-reused',
          errors: [expect.objectContaining({ field: 'Idempotency-Key' })],
        }),
      );
      expect((await streamOf(id)).length).toBe(1);
    });

    describe('expiry after the retention (LEDGER_IDEMPOTENCY_TTL_HOURS, 7 days by default)', () => {
      const RETENTION_HOURS = 7 * 24;
      /** Ages a key's record as if it had been written this many hours ago. */
      const age = (key: string, hours: number) =>
        db.query(
          `UPDATE idempotency_records SET created_at = now() - make_interval(hours => $2),
                  updated_at = now() - make_interval(hours => $2) WHERE key = $1`,
          [key, hours],
        );
      const researchIds = async (id: string) =>
        (await streamOf(id)).map((e) => e.data.researchId as string);

      it('a key is held for the whole retention, then runs a new request as new', async () => {
        const id = learner();
        await research(id, 'r1').set('Idempotency-Key', 'k-expiring').expect(201);
        await age('k-expiring', RETENTION_HOURS - 1);
        await research(id, 'r2').set('Idempotency-Key', 'k-expiring').expect(422);
        const replay = await research(id, 'r1').set('Idempotency-Key', 'k-expiring').expect(201);
        expect(replay.headers['idempotent-replayed']).toBe('true');
        await age('k-expiring', RETENTION_HOURS + 1);
        const fresh = await research(id, 'r2').set('Idempotency-Key', 'k-expiring').expect(201);
        expect(fresh.headers['idempotent-replayed']).toBeUndefined();
        expect(await researchIds(id)).toEqual(['r1', 'r2']);
      });

      it('a retry of the same request after the retention still records nothing twice', async () => {
        const id = learner();
        const first = await research(id, 'r1').set('Idempotency-Key', 'k-late').expect(201);
        await age('k-late', RETENTION_HOURS + 1);
        const late = await research(id, 'r1').set('Idempotency-Key', 'k-late').expect(201);
        expect(late.body.position).toBe(first.body.position);
        expect(await researchIds(id)).toEqual(['r1']);
      });

      it('the sweep deletes the records past the retention and keeps the others', async () => {
        const id = learner();
        await research(id, 'r1').set('Idempotency-Key', 'k-old').expect(201);
        await research(id, 'r2').set('Idempotency-Key', 'k-young').expect(201);
        await age('k-old', RETENTION_HOURS + 1);
        await age('k-young', RETENTION_HOURS - 1);
        expect(await t.app.get(IdempotencySweeper).sweep()).toBeGreaterThanOrEqual(1);
        const { rows } = await db.query<{ key: string }>(
          `SELECT key FROM idempotency_records WHERE key IN ('k-old', 'k-young')`,
        );
        expect(rows.map((r) => r.key)).toEqual(['k-young']);
      });
    });

    it('a refusal naming a field with a NUL in its name is kept and replayed (it was a 500)', async () => {
      const id = learner();
      const body = '{"researchId":"r1","occurredAt":"2026-11-01T10:00:00Z","\\u0000x":1}';
      const send = () =>
        http()
          .post(`/v1/learners/${id}/questions-researched`)
          .set(bearer('service'))
          .set('Idempotency-Key', 'k-nul')
          .set('Content-Type', 'application/json')
          .send(body);
      const first = await send().expect(400);
      expect(first.body.errors.map((e: { field: string }) => e.field)).toEqual(['\u0000x']);
      const replay = await send().set('X-Correlation-Id', 'nul-replay').expect(400);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toEqual({ ...first.body, correlationId: 'nul-replay' });
    });

    it('concurrent retries of one keyed command record it once', async () => {
      const id = learner();
      const results = await Promise.all(
        Array.from({ length: 6 }, () =>
          research(id, 'r-concurrent').set('Idempotency-Key', 'k-conc'),
        ),
      );
      expect(results.every((r) => [200, 201, 409].includes(r.status))).toBe(true);
      expect((await streamOf(id)).length).toBe(1);
    });
  });

  describe('personal data', () => {
    it('never reaches an event in clear: names, birth day, board ids and license numbers are encrypted', async () => {
      const id = learner();
      await http()
        .put(`/v1/learners/${id}/profile`)
        .set(bearer('service'))
        .send({
          ...PROFILE,
          firstName: 'Zebulon',
          lastName: 'Quintavalle',
          licenses: [{ state: 'CA', licenseNumber: 'LIC98765' }],
          boards: [{ boardId: 'ABIM', learnerBoardId: '987654' }],
        })
        .expect(200);
      const [event] = await streamOf(id);
      const stored = JSON.stringify(event);
      // Ciphertext, hashes and ids aside: a board id of digits can stand in them by chance.
      expect(
        foundInClear(stored, ['Zebulon', 'Quintavalle', 'LIC98765', '987654', '1234567893']),
      ).toEqual([]);
      expect(event?.data).toEqual(
        expect.objectContaining({
          clinicalRole: 'physician',
          boards: ['ABIM'],
          personalEncrypted: expect.stringMatching(/^pd1\./),
        }),
      );
    });

    it("R7/R8: a claim's identity snapshot is encrypted like the profile's", async () => {
      const id = learner();
      await http()
        .put(`/v1/learners/${id}/profile`)
        .set(bearer('service'))
        .send({ ...PROFILE, firstName: 'Zebulon', lastName: 'Quintavalle' })
        .expect(200);
      await research(id, 'r1').expect(201);
      await claim(id, 'ipoc').expect(201);
      const claimed = (await streamOf(id)).find((e) => e.type === 'CreditClaimed');
      const stored = JSON.stringify(claimed);
      expect(
        foundInClear(stored, ['Zebulon', 'Quintavalle', 'A12345', '123456', '1234567893']),
      ).toEqual([]);
      expect(claimed?.data).toEqual(
        expect.objectContaining({ personalEncrypted: expect.stringMatching(/^pd1\./) }),
      );
      expect(claimed?.data).not.toHaveProperty('personal');
    });
  });

  describe('concurrency', () => {
    it('50 concurrent commands for one learner all land exactly once', async () => {
      const id = await withProfile();
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => research(id, `r-${i}`)),
      );
      expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
      const events = (await streamOf(id)).filter((e) => e.type === 'QuestionResearched');
      expect(events.length).toBe(50);
      expect(new Set(events.map((e) => e.data.researchId)).size).toBe(50);
      const last = await claim(id, 'ipoc').expect(201);
      expect(last.body.claim.claimed).toEqual({ credits: '25.00', twelfths: 300 });
    });
  });

  describe('board-submission retry', () => {
    it('answers 404 for a submission that does not exist', async () => {
      const res = await http()
        .post(`/v1/board-submissions/${randomUUID()}/retry`)
        .set(bearer('service'))
        .expect(404);
      expect(res.body.code).toBe('not-found');
    });

    it('refuses a submission id that is not a UUID', async () => {
      const res = await http()
        .post('/v1/board-submissions/not-a-uuid/retry')
        .set(bearer('admin'))
        .expect(400);
      expect(res.body.errors[0].field).toBe('submissionId');
    });
  });
});

describe('rate limit per API key', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('rate_limit', { rateLimitPerMinute: 5 });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 429 past the limit for that key, while another key still passes', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await request(t.app.getHttpServer())
        .post('/v1/learners/rl/questions-researched')
        .set(bearer('service'))
        .send({ researchId: `r${i}`, occurredAt: '2026-11-01T10:00:00Z' });
      statuses.push(res.status);
      if (res.status === 429) expect(res.body.code).toBe('rate-limited');
    }
    expect(statuses.slice(0, 5)).toEqual([201, 201, 201, 201, 201]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    const other = await request(t.app.getHttpServer())
      .post(`/v1/board-submissions/${randomUUID()}/retry`)
      .set(bearer('admin'));
    expect(other.status).toBe(404);
  });
});

describe('board-submission retry after a failure (R16)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('submission_retry');
  });
  afterAll(async () => {
    await t.close();
  });

  it('fails again at once while the profile lacks the board id, and starts a new attempt once it is corrected', async () => {
    const http = () => request(t.app.getHttpServer());
    const learnerId = `learner-${randomUUID().slice(0, 8)}`;
    // A profile that selects ABIM without the learner's ABIM id.
    await http()
      .put(`/v1/learners/${learnerId}/profile`)
      .set(bearer('service'))
      .send({ ...PROFILE, boards: [{ boardId: 'ABIM' }] })
      .expect(200);
    await http()
      .post(`/v1/learners/${learnerId}/questions-researched`)
      .set(bearer('service'))
      .send({ researchId: 'r1', occurredAt: '2026-11-01T10:00:00Z' })
      .expect(201);
    const claimed = await http()
      .post(`/v1/learners/${learnerId}/claims`)
      .set(bearer('service'))
      .send({ activity: 'ipoc', occurredAt: '2026-11-02T10:00:00Z' })
      .expect(201);
    expect(claimed.body.claim.boards).toEqual(['ABIM']);
    // What the submission process does on CreditClaimed (R8, R16): request, and fail at once.
    const submissionId = boardSubmissionId(claimed.body.claim.claimId, 'ABIM');
    const bus = t.app.get(CommandBus);
    const meta = (n: string) => ({
      actor: 'test:process',
      correlationId: 'c',
      commandId: randomUUID() + n,
    });
    await bus.execute(
      boardSubmissionStep(
        submissionId,
        {
          type: 'RequestBoardSubmission',
          data: {
            submissionId,
            learnerId,
            claimId: claimed.body.claim.claimId,
            board: 'ABIM',
            activity: 'ipoc',
            twelfths: 6n,
            claimedAt: new Date('2026-11-02T10:00:00Z'),
            occurredAt: new Date('2026-11-02T10:00:01Z'),
            profileGaps: ['ABIM needs your ABIM id'],
          },
        },
        meta('a'),
      ),
    );
    const stillMissing = await http()
      .post(`/v1/board-submissions/${submissionId}/retry`)
      .set(bearer('service'))
      .expect(202);
    expect(stillMissing.body).toEqual(
      expect.objectContaining({
        submissionId,
        attempt: 2,
        status: 'failed',
        reason: expect.stringContaining('ABIM'),
      }),
    );
    await http()
      .put(`/v1/learners/${learnerId}/profile`)
      .set(bearer('service'))
      .send(PROFILE)
      .expect(200);
    const retried = await http()
      .post(`/v1/board-submissions/${submissionId}/retry`)
      .set(bearer('admin'))
      .expect(202);
    expect(retried.body).toEqual(
      expect.objectContaining({ attempt: 3, status: 'requested', reason: null }),
    );
    const store = t.app.get<EventStore>(EVENT_STORE);
    const history = await store.readStream(`board-submission-${submissionId}`);
    expect(history.map((e) => e.type)).toEqual([
      'BoardSubmissionRequested',
      'BoardSubmissionFailed',
      'BoardSubmissionRetryRequested',
      'BoardSubmissionFailed',
      'BoardSubmissionRetryRequested',
    ]);
  });
});
