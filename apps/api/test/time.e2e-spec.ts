import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import { loadConfig } from '@ledger/runtime';
import { bearer, startTestApp, type TestApp } from '../../../test/support/test-app';

const DAY_MS = 24 * 60 * 60 * 1000;

/** R5/R15 on the production defaults: the server's clock and LEDGER_MAX_BACKDATE (P30D). */
describe('business time over HTTP (R5, R15), with the default backdate bound', () => {
  let t: TestApp;
  let db: Client;
  const http = () => request(t.app.getHttpServer());
  beforeAll(async () => {
    t = await startTestApp('business_time', {
      maxBackdateMs: loadConfig({ NODE_ENV: 'test' }).maxBackdateMs,
    });
    db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  const learner = () => `time-${randomUUID().slice(0, 8)}`;
  const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();
  const typesOf = async (id: string): Promise<string[]> =>
    (
      await db.query(
        'SELECT event_type FROM events WHERE stream_name = $1 ORDER BY stream_revision',
        [`learner-${id}`],
      )
    ).rows.map((r: { event_type: string }) => r.event_type);

  it('R15: a research dated 40 days back is refused and records nothing; an administrator imports it with a ticket reference', async () => {
    const id = learner();
    const refused = await http()
      .post(`/v1/learners/${id}/questions-researched`)
      .set(bearer('service'))
      .send({ researchId: 'r-old', occurredAt: daysAgo(40) })
      .expect(422);
    expect(refused.body).toEqual(
      expect.objectContaining({
        rule: 'R15',
        code: 'occurred-at-too-old',
        errors: [expect.objectContaining({ field: 'occurredAt' })],
      }),
    );
    expect(await typesOf(id)).toEqual([]);

    const importBody = {
      reference: 'OPS-1234',
      facts: [{ kind: 'research', researchId: 'r-old', occurredAt: daysAgo(40) }],
    };
    // Role-restricted: the learning platform's service key may not import history.
    await http()
      .post(`/v1/learners/${id}/history-imports`)
      .set(bearer('service'))
      .send(importBody)
      .expect(403);
    await http()
      .post(`/v1/learners/${id}/history-imports`)
      .set(bearer('admin'))
      .send({ ...importBody, reference: 'because Ada asked' })
      .expect(400);
    const imported = await http()
      .post(`/v1/learners/${id}/history-imports`)
      .set(bearer('admin'))
      .send(importBody)
      .expect(201);
    expect(imported.body.recorded).toEqual(['HistoryImported', 'QuestionResearched']);
    expect(imported.body.credits.ipoc.earned).toEqual({ credits: '0.50', twelfths: 6 });
    const { rows } = await db.query(
      `SELECT data, metadata FROM events WHERE stream_name = $1 AND event_type = 'HistoryImported'`,
      [`learner-${id}`],
    );
    expect(rows[0].data).toEqual(expect.objectContaining({ reference: 'OPS-1234', facts: 1 }));
    expect(rows[0].data.importedBy).toMatch(/^admin:/);
    expect(rows[0].metadata.actor).toBe(rows[0].data.importedBy);
    // The same import again finds nothing new (R1).
    const again = await http()
      .post(`/v1/learners/${id}/history-imports`)
      .set(bearer('admin'))
      .send(importBody)
      .expect(200);
    expect(again.body.recorded).toEqual([]);
  });

  it('R12/R15: credit dated inside the future clock skew shows the same in the command answer and in GET /credits', async () => {
    const id = learner();
    const ahead = new Date(Date.now() + 2 * 60 * 1000).toISOString();
    const res = await http()
      .post(`/v1/learners/${id}/questions-researched`)
      .set(bearer('service'))
      .send({ researchId: 'r-ahead', occurredAt: ahead })
      .expect(201);
    const read = await http()
      .get(`/v1/learners/${id}/credits?minPosition=${res.body.position}`)
      .set(bearer('service'))
      .expect(200);
    expect(res.body.credits.ipoc.earned).toEqual({ credits: '0.50', twelfths: 6 });
    expect(res.body.credits.ipoc).toEqual(read.body.activities.ipoc);
  });
});
