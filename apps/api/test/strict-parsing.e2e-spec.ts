import { Client } from 'pg';
import request from 'supertest';
import { RawHttpClient } from '../../../test/support/raw-http';
import { PROFILE_EXAMPLE } from '../../../test/support/request-examples';
import { bearer, startTestApp, type TestApp } from '../../../test/support/test-app';

/**
 * How the API reads what it is sent: JSON bodies only (415 otherwise), each key once, one
 * reading of an instant for commands and audit queries alike, ranges that end after they start,
 * and every unknown query parameter refused, whatever its name.
 */
describe('strict parsing of requests', () => {
  let t: TestApp;
  let raw: RawHttpClient;
  let db: Client;
  const http = () => request(t.app.getHttpServer());
  const LEARNER = 'parsing-learner';
  const ANSWER = { questionId: 'q1', correct: true, occurredAt: '2026-11-01T10:00:00Z' };
  const answers = `/v1/learners/${LEARNER}/answers`;
  const events = async (): Promise<number> =>
    Number((await db.query<{ n: string }>('SELECT count(*)::text AS n FROM events')).rows[0]?.n);
  const fields = (body: unknown): string[] =>
    ((body as { errors?: { field: string }[] }).errors ?? []).map((e) => e.field);

  beforeAll(async () => {
    t = await startTestApp('parsing');
    raw = await RawHttpClient.listen(t.app);
    db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
    await http().post(answers).set(bearer('service')).send(ANSWER).expect(201);
  });
  afterAll(async () => {
    raw?.close();
    await db?.end();
    await t?.close();
  });

  it('answers 415, naming Content-Type, to a body that is not declared as JSON, and records nothing', async () => {
    const before = await events();
    const json = JSON.stringify({ ...ANSWER, questionId: 'q2' });
    const variants: [string, Record<string, string>][] = [
      ['no Content-Type', {}],
      ['text/plain', { 'Content-Type': 'text/plain' }],
      ['a form', { 'Content-Type': 'application/x-www-form-urlencoded' }],
      ['XML', { 'Content-Type': 'application/xml' }],
      ['JSON-like', { 'Content-Type': 'application/jsonx' }],
    ];
    for (const [what, headers] of variants) {
      const res = await raw.send({
        method: 'POST',
        path: answers,
        headers: { ...headers, ...bearer('service') },
        body: json,
      });
      const body = JSON.parse(res.text) as { code: string };
      expect({ what, status: res.status, code: body.code, fields: fields(body) }).toEqual({
        what,
        status: 415,
        code: 'unsupported-media-type',
        fields: ['Content-Type'],
      });
    }
    // JSON with parameters is JSON.
    await http()
      .post(answers)
      .set(bearer('service'))
      .set('Content-Type', 'Application/JSON; charset=utf-8')
      .send(json)
      .expect(201);
    expect(await events()).toBe(before + 1);
  });

  it('refuses a key given twice in one object, naming it, however the second is spelt', async () => {
    const before = await events();
    const bodies: [string, string][] = [
      [
        'questionId',
        '{"questionId":"q3","questionId":"q4","correct":true,"occurredAt":"2026-11-01T10:00:00Z"}',
      ],
      [
        'correct',
        '{"questionId":"q3","correct":false,"occurredAt":"2026-11-01T10:00:00Z","\\u0063orrect":true}',
      ],
    ];
    for (const [field, body] of bodies) {
      const res = await http()
        .post(answers)
        .set(bearer('service'))
        .set('Content-Type', 'application/json')
        .send(body);
      expect(res.status).toBe(400);
      expect(fields(res.body)).toEqual([field]);
    }
    const profile = PROFILE_EXAMPLE;
    const nested = JSON.stringify(profile).replace(
      '"boardId":"ABIM"',
      '"boardId":"ABIM","boardId":"ABP"',
    );
    const res = await http()
      .put(`/v1/learners/${LEARNER}/profile`)
      .set(bearer('service'))
      .set('Content-Type', 'application/json')
      .send(nested);
    expect(res.status).toBe(400);
    expect(fields(res.body)).toEqual(['boards[0].boardId']);
    // The same keys in different objects are no duplicate.
    await http()
      .put(`/v1/learners/${LEARNER}/profile`)
      .set(bearer('service'))
      .send({
        ...profile,
        boards: [...profile.boards, { boardId: 'ABP', learnerBoardId: '654321' }],
      })
      .expect(200);
    expect(await events()).toBe(before + 1);
  });

  it('refuses a field that does not apply to the kind of fact imported, like any unknown field', async () => {
    const before = await events();
    const fact = { occurredAt: '2023-02-01T10:00:00Z' };
    for (const [field, facts] of [
      ['facts[0].questionId', [{ ...fact, kind: 'research', researchId: 'r1', questionId: 'q1' }]],
      ['facts[0].correct', [{ ...fact, kind: 'research', researchId: 'r1', correct: true }]],
      [
        'facts[0].researchId',
        [{ ...fact, kind: 'answer', questionId: 'q1', correct: true, researchId: 'r1' }],
      ],
    ] as const) {
      const res = await http()
        .post(`/v1/learners/${LEARNER}/history-imports`)
        .set(bearer('admin'))
        .send({ reference: 'OPS-1234', facts });
      expect({ field, status: res.status, fields: fields(res.body) }).toEqual({
        field,
        status: 400,
        fields: [field],
      });
    }
    expect(await events()).toBe(before);
  });

  it('reads an instant one way: a day that does not exist is refused by commands and audit queries alike', async () => {
    const before = await events();
    for (const day of ['2026-02-30T00:00:00Z', '2026-04-31T10:00:00Z', '2026-11-01T24:00:00Z']) {
      const command = await http()
        .post(answers)
        .set(bearer('service'))
        .send({ ...ANSWER, questionId: 'q9', occurredAt: day });
      expect({ day, status: command.status, fields: fields(command.body) }).toEqual({
        day,
        status: 400,
        fields: ['occurredAt'],
      });
      const audit = await http()
        .get(`/v1/audit/learners/${LEARNER}/credits?asOf=${encodeURIComponent(day)}`)
        .set(bearer('auditor'));
      expect({ day, status: audit.status, fields: fields(audit.body) }).toEqual({
        day,
        status: 400,
        fields: ['asOf'],
      });
      const report = await http()
        .get(`/v1/reports/submissions?from=${encodeURIComponent(day)}`)
        .set(bearer('compliance'));
      expect({ day, status: report.status, fields: fields(report.body) }).toEqual({
        day,
        status: 400,
        fields: ['from'],
      });
    }
    await http()
      .get(`/v1/audit/learners/${LEARNER}/credits?asOf=2026-02-28T23:59:59%2B01:00`)
      .set(bearer('auditor'))
      .expect(200);
    expect(await events()).toBe(before);
  });

  it('refuses a log range that ends before it starts (integrity and export), and takes an empty one', async () => {
    for (const path of ['/v1/audit/integrity', '/v1/audit/export']) {
      const res = await http().get(`${path}?after=5&upTo=1`).set(bearer('auditor'));
      expect({ path, status: res.status, fields: fields(res.body) }).toEqual({
        path,
        status: 400,
        fields: ['upTo'],
      });
    }
    const empty = await http().get('/v1/audit/integrity?after=5&upTo=5').set(bearer('auditor'));
    expect(empty.status).toBe(200);
    expect(empty.body.log.events).toBe(0);
  });

  it('refuses unknown query parameters named after Object.prototype members like any other', async () => {
    const credits = `/v1/learners/${LEARNER}/credits`;
    for (const name of ['__proto__', 'toString', 'constructor', 'hasOwnProperty', 'nope']) {
      const res = await http().get(`${credits}?${name}=1`).set(bearer('service'));
      expect({ name, status: res.status, fields: fields(res.body) }).toEqual({
        name,
        status: 400,
        fields: [name],
      });
    }
    await http().get(credits).set(bearer('service')).expect(200);
  });
});
