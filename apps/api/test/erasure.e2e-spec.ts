import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import {
  learnerDecider,
  learnerStreamName,
  type LearnerEvent,
  type LearnerState,
} from '@ledger/domain';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import {
  LEARNER_EVENT_CODEC,
  learnerEventCodec,
  PersonalDataCipher,
  StreamCommandExecutor,
  type EventCodec,
} from '@ledger/ledger';
import { Client } from 'pg';
import type request from 'supertest';
import type { Response as HttpResponse } from 'supertest';
import { eventually } from '../../../test/support/eventually';
import { bearer, startLoggedTestApp, type LoggedTestApp } from '../../../test/support/test-app';
import { loadConfig, openLedgerDataSource } from '@ledger/runtime';
import { balancesOf, learnerApi, personalDataIn, submitToBoard } from './audit.fixtures';

// pdf-parse's index runs a self-test when it is not required by another module; its library
// file is the parser alone.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pdfParse = require('pdf-parse/lib/pdf-parse.js') as typeof import('pdf-parse');

describe('erasure of personal data (crypto-shredding)', () => {
  let t: LoggedTestApp;
  let api: ReturnType<typeof learnerApi>;
  let db: Client;
  const http = () => api.http();

  const logs = () => t.logs;

  beforeAll(async () => {
    t = await startLoggedTestApp('erasure', { runBoardProcess: false });
    api = learnerApi(t.app);
    db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  /** A learner with a profile, credit, a claim accepted by ABIM (MOC points) and one more credit. */
  async function learnerWithHistory(): Promise<{ id: string; claimId: string; position: string }> {
    const id = `learner-${randomUUID().slice(0, 8)}`;
    await api.profile(id).expect(200);
    for (const r of ['r1', 'r2', 'r3']) await api.research(id, r).expect(201);
    for (const q of ['q1', 'q2', 'q3', 'q4', 'q5', 'q6']) await api.answer(id, q).expect(201);
    const claim = await api.claim(id, 'nejm-board-review').expect(201);
    await submitToBoard(
      t.app,
      {
        learnerId: id,
        claimId: claim.body.claim.claimId,
        board: 'ABIM',
        activity: 'nejm-board-review',
        twelfths: BigInt(claim.body.claim.claimed.twelfths),
        claimedAt: new Date('2026-11-02T10:00:00Z'),
      },
      'confirmed',
    );
    const last = await api.research(id, 'r4').expect(201);
    return { id, claimId: claim.body.claim.claimId, position: last.body.position };
  }

  const erase = (id: string, role: Parameters<typeof bearer>[0] = 'admin') =>
    http()
      .delete(`/v1/learners/${id}/personal-data`)
      .set(bearer(role))
      .send({ ticket: 'DSR-4711' });

  const streamTypes = async (id: string): Promise<string[]> =>
    (
      await db.query<{ type: string }>(
        'SELECT event_type AS type FROM events WHERE stream_name = $1 ORDER BY stream_revision',
        [`learner-${id}`],
      )
    ).rows.map((r) => r.type);

  const certificateText = async (id: string, claimId: string): Promise<string> => {
    const res = await http()
      .get(`/v1/learners/${id}/claims/${claimId}/certificate.pdf`)
      .set(bearer('service'))
      .buffer(true)
      .parse((response, done) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    return (await pdfParse(res.body as Buffer)).text;
  };

  it('only admin may erase: 401 without a key, 403 for service, compliance and auditor, and nothing is recorded', async () => {
    const { id } = await learnerWithHistory();
    const before = await streamTypes(id);
    expect((await http().delete(`/v1/learners/${id}/personal-data`)).status).toBe(401);
    for (const role of ['service', 'compliance', 'auditor'] as const) {
      const res = await erase(id, role);
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('forbidden');
    }
    expect(await streamTypes(id)).toEqual(before);
    const { rows } = await db.query('SELECT 1 FROM learner_keys WHERE learner_id = $1', [id]);
    expect(rows).toHaveLength(1);
  });

  it('404 for a learner with no history, 400 for a malformed id', async () => {
    expect((await erase('nobody-here')).status).toBe(404);
    const bad = await erase('a..b%2F');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('learnerId');
  });

  it('takes its reason as a ticket id in the body only: a name-shaped ticket or anything in the URL is refused, recorded nowhere and logged nowhere', async () => {
    const { id } = await learnerWithHistory();
    const before = await streamTypes(id);
    const logged = logs().lines().length;
    const refusals: [string, request.Test][] = [
      ...[
        'Ottoline Brackenbury',
        'BRACKENBURY',
        'Brackenbury-1',
        'ottoline.brackenbury@example.org',
        'GDPR request of Ottoline Brackenbury',
        'DSR-4711 Brackenbury',
      ].map((ticket): [string, request.Test] => [
        `ticket ${ticket}`,
        http().delete(`/v1/learners/${id}/personal-data`).set(bearer('admin')).send({ ticket }),
      ]),
      [
        'reason in the query',
        http()
          .delete(`/v1/learners/${id}/personal-data?reason=Ottoline%20Brackenbury`)
          .set(bearer('admin')),
      ],
      [
        'ticket in the query',
        http()
          .delete(`/v1/learners/${id}/personal-data?ticket=DSR-4711`)
          .set(bearer('admin'))
          .send({ ticket: 'DSR-4711' }),
      ],
      [
        'free text beside the ticket',
        http()
          .delete(`/v1/learners/${id}/personal-data`)
          .set(bearer('admin'))
          .send({ ticket: 'DSR-4711', reason: 'Ottoline Brackenbury' }),
      ],
    ];
    for (const [what, req] of refusals) {
      const res = await req;
      expect({ what, status: res.status, code: res.body.code }).toEqual({
        what,
        status: 400,
        code: 'validation-failed',
      });
      expect(JSON.stringify(res.body)).not.toMatch(/Ottoline|Brackenbury/i);
    }
    expect(await streamTypes(id)).toEqual(before);
    const lines = logs().lines().slice(logged);
    expect(lines.filter((l) => l.includes('personal-data')).length).toBeGreaterThanOrEqual(9);
    expect(lines.filter((l) => /Ottoline|Brackenbury/i.test(l))).toEqual([]);
  });

  it('afterwards nothing reveals the person, while the totals, the history and its hash chain stay as they were', async () => {
    const { id, claimId, position } = await learnerWithHistory();
    const live = async () =>
      http()
        .get(`/v1/learners/${id}/credits?minPosition=${position}`)
        .set(bearer('compliance'))
        .expect(200);
    const liveBefore = await live();
    const asOfBefore = await http()
      .get(`/v1/audit/learners/${id}/credits`)
      .set(bearer('auditor'))
      .expect(200);
    const integrityBefore = await http()
      .get('/v1/audit/integrity')
      .set(bearer('auditor'))
      .expect(200);
    expect(integrityBefore.body.ok).toBe(true);
    expect(await certificateText(id, claimId)).toContain('Zelphine Quarrington');
    expect(balancesOf(liveBefore.body)).toEqual(balancesOf(asOfBefore.body));
    expect(liveBefore.body.mocPoints.total.twelfths).toBeGreaterThan(0);
    const typesBefore = await streamTypes(id);

    const log = jest.spyOn(Logger.prototype, 'log');
    let res: HttpResponse;
    try {
      res = await erase(id).set('X-Correlation-Id', 'erase-trace-1').expect(200);
      await eventually(() =>
        expect(log.mock.calls.map((c) => c[0])).toContainEqual(
          expect.objectContaining({
            msg: 'audit request',
            actor: expect.stringMatching(/^admin:[0-9a-f]{12}$/),
            role: 'admin',
            method: 'DELETE',
            path: `/v1/learners/${id}/personal-data`,
            correlationId: 'erase-trace-1',
            status: 200,
          }),
        ),
      );
    } finally {
      log.mockRestore();
    }
    expect(res.body).toEqual(
      expect.objectContaining({
        learnerId: id,
        recorded: ['PersonalDataErased'],
        alreadyErased: false,
        keyDestroyed: true,
      }),
    );

    // The erasure is an event of the learner's history, naming who erased it and its ticket.
    expect(await streamTypes(id)).toEqual([...typesBefore, 'PersonalDataErased']);
    const stream = await http()
      .get(`/v1/audit/streams/learner-${id}`)
      .set(bearer('auditor'))
      .expect(200);
    const erased = stream.body.events[stream.body.events.length - 1];
    expect(erased).toEqual(
      expect.objectContaining({
        type: 'PersonalDataErased',
        data: { occurredAt: expect.any(String), ticket: 'DSR-4711' },
        metadata: expect.objectContaining({
          actor: expect.stringMatching(/^admin:/),
          correlationId: 'erase-trace-1',
        }),
      }),
    );

    // The key is gone: the ciphertext of earlier events cannot be read, by this process
    // (whose cache was cleared) or by a fresh one.
    expect(
      (await db.query('SELECT 1 FROM learner_keys WHERE learner_id = $1', [id])).rows,
    ).toHaveLength(0);
    const ciphertext = stream.body.events.find(
      (e: { type: string }) => e.type === 'LearnerProfileUpdated',
    ).data.personalEncrypted as string;
    expect(await t.app.get(PersonalDataCipher).decrypt(id, ciphertext)).toBeUndefined();
    const freshProcess = await openLedgerDataSource(t.databaseUrl, { poolSize: 2 });
    try {
      const freshCipher = new PersonalDataCipher(
        freshProcess,
        loadConfig({ NODE_ENV: 'test' }).masterKey,
      );
      expect(await freshCipher.decrypt(id, ciphertext)).toBeUndefined();
      const store = t.app.get<EventStore>(EVENT_STORE);
      const fresh = await new StreamCommandExecutor(store).state<LearnerState, LearnerEvent>(
        learnerStreamName(id),
        learnerDecider,
        learnerEventCodec(freshCipher),
      );
      expect(fresh.state.profile).toEqual(expect.objectContaining({ personal: undefined }));
      expect(fresh.state.personalDataErased).toBe(true);
    } finally {
      await freshProcess.destroy();
    }
    const inApp = await t.app
      .get(StreamCommandExecutor)
      .state<LearnerState, LearnerEvent>(
        learnerStreamName(id),
        learnerDecider,
        t.app.get<EventCodec<LearnerEvent>>(LEARNER_EVENT_CODEC),
      );
    expect(inApp.state.profile?.personal).toBeUndefined();

    // No endpoint, read model, export or certificate reveals the person.
    const answers = await Promise.all(
      [
        `/v1/audit/streams/learner-${id}`,
        '/v1/audit/events?limit=1000',
        `/v1/audit/learners/${id}/credits`,
        `/v1/learners/${id}/credits`,
        `/v1/learners/${id}/claims`,
        `/v1/learners/${id}/deadlines`,
        '/v1/audit/export',
      ].map((path) => http().get(path).set(bearer('admin')).buffer(true).expect(200)),
    );
    for (const answer of answers) expect(personalDataIn(answer.text)).toEqual([]);
    const readModels = await db.query<{ row: string }>(
      `SELECT row_to_json(t)::text AS row FROM (
         SELECT table_schema, table_name FROM information_schema.tables
          WHERE table_schema LIKE 'rm\\_%') t`,
    );
    expect(readModels.rows.length).toBeGreaterThan(0);
    for (const { row } of readModels.rows) {
      const { table_schema: schema, table_name: table } = JSON.parse(row) as Record<string, string>;
      const dump = await db.query<{ text: string }>(
        `SELECT coalesce(json_agg(x)::text, '') AS text FROM "${schema}"."${table}" x`,
      );
      expect(personalDataIn(dump.rows[0]!.text)).toEqual([]);
    }
    const certificate = await certificateText(id, claimId);
    expect(personalDataIn(certificate)).toEqual([]);

    // The totals, the history's shape and the hash chain are as they were.
    expect(balancesOf((await live()).body)).toEqual(balancesOf(liveBefore.body));
    const asOfAfter = await http()
      .get(`/v1/audit/learners/${id}/credits`)
      .set(bearer('auditor'))
      .expect(200);
    expect(balancesOf(asOfAfter.body)).toEqual(balancesOf(asOfBefore.body));
    const { upToPosition, digest } = integrityBefore.body.log;
    const integrityAfter = await http()
      .get(`/v1/audit/integrity?upTo=${upToPosition}&expectedDigest=${digest}`)
      .set(bearer('auditor'))
      .expect(200);
    expect(integrityAfter.body).toEqual(
      expect.objectContaining({
        ok: true,
        verification: expect.objectContaining({ ok: true, breaks: [] }),
        comparison: expect.objectContaining({ matches: true }),
      }),
    );
  });

  it('erasing again records nothing new and answers that it was already erased', async () => {
    const { id } = await learnerWithHistory();
    await erase(id).expect(200);
    const again = await erase(id).expect(200);
    expect(again.body).toEqual(
      expect.objectContaining({ recorded: [], alreadyErased: true, keyDestroyed: true }),
    );
    expect((await streamTypes(id)).filter((t) => t === 'PersonalDataErased')).toHaveLength(1);
  });
});
