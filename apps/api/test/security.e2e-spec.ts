import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Response } from 'supertest';
import {
  discoverEndpoints,
  fillPath,
  pathParameters,
  type Endpoint,
} from '../../../test/support/endpoints';
import { errorShapeProblems } from '../../../test/support/error-shape';
import { captureStdout } from '../../../test/support/log-capture';
import { bearer, KEYS, startTestApp, type TestApp } from '../../../test/support/test-app';
import { profileFields } from '@ledger/domain/testing';

/**
 * Security checks over every endpoint the app serves (found from its own route metadata, so a
 * new endpoint is checked without being listed here): API keys and roles, no key or personal
 * data in any answer or log line, security headers on every answer.
 */

type Role = keyof typeof KEYS;
const ROLES = Object.keys(KEYS) as Role[];
const LEARNER = 'security-learner';

/** A profile whose personal data is distinctive enough to be found anywhere it leaks. */
const PERSON = profileFields({
  firstName: 'Zebulon',
  lastName: 'Quintavalle',
  birthMonth: 7,
  birthDay: 29,
  boards: [{ boardId: 'ABIM', learnerBoardId: '987654' }],
  licenses: [{ state: 'CA', licenseNumber: 'LIC98765' }],
  npi: '1928374655',
});

/** Digits count only as a whole number: `987654` inside a hash or a position is no leak. */
const whole = (digits: string) => new RegExp(`(?<![0-9A-Za-z])${digits}(?![0-9A-Za-z])`);
const PERSONAL: [string, RegExp][] = [
  ['first name', /Zebulon/],
  ['last name', /Quintavalle/],
  ['ABIM id', whole('987654')],
  ['license number', /LIC98765/],
  ['NPI', whole('1928374655')],
];
const API_KEYS = Object.values(KEYS);

interface Answer {
  what: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

describe('security: keys, roles, leaks and headers on every endpoint', () => {
  let t: TestApp;
  let endpoints: Endpoint[];
  let undocumented: string[];
  let unserved: string[];
  let claimIds: string[];
  let logs: ReturnType<typeof captureStdout>;
  const answers: Answer[] = [];
  const http = () => request(t.app.getHttpServer());

  /** Keeps every answer, for the checks over all of them at the end. */
  function keep(what: string, res: Response): Response {
    const body = res.body as unknown;
    answers.push({
      what,
      status: res.status,
      headers: res.headers as Answer['headers'],
      text: Buffer.isBuffer(body) ? body.toString('latin1') : (res.text ?? JSON.stringify(body)),
    });
    return res;
  }

  beforeAll(async () => {
    // Installed before the app exists, so that its pino logger writes through it.
    logs = captureStdout();
    const level = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'debug';
    try {
      // Hundreds of refused keys below: the failed-authentication budget is not what is tested here.
      t = await startTestApp('security', { authFailuresPerMinute: 1_000_000 });
    } finally {
      if (level === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = level;
    }
    ({ endpoints, undocumented, unserved } = await discoverEndpoints(t.app));

    // A learner with personal data, credit, and two claims to read back.
    const send = (what: string, req: request.Test) => req.then((res) => keep(what, res));
    const ok = (res: Response, status: number) => expect(res.status).toBe(status);
    ok(
      await send(
        'PUT profile',
        http().put(`/v1/learners/${LEARNER}/profile`).set(bearer('service')).send(PERSON),
      ),
      200,
    );
    for (const r of ['r1', 'r2']) {
      const body = { researchId: r, occurredAt: '2026-11-01T10:00:00Z' };
      const path = `/v1/learners/${LEARNER}/questions-researched`;
      ok(await send('POST research', http().post(path).set(bearer('service')).send(body)), 201);
    }
    for (const q of ['q1', 'q2', 'q3', 'q4', 'q5', 'q6']) {
      const body = { questionId: q, correct: true, occurredAt: '2026-11-01T10:00:00Z' };
      const path = `/v1/learners/${LEARNER}/answers`;
      ok(await send('POST answer', http().post(path).set(bearer('service')).send(body)), 201);
    }
    claimIds = [];
    let position = '0';
    for (const activity of ['ipoc', 'nejm-board-review']) {
      const res = await send(
        'POST claim',
        http()
          .post(`/v1/learners/${LEARNER}/claims`)
          .set(bearer('service'))
          .send({ activity, occurredAt: '2026-11-02T10:00:00Z' }),
      );
      ok(res, 201);
      claimIds.push((res.body as { claim: { claimId: string } }).claim.claimId);
      position = (res.body as { position: string }).position;
    }
    // Refusals of a profile carrying the personal data: the answers must not repeat it.
    const refused = [
      { ...PERSON, boards: [{ boardId: 'ABIM', learnerBoardId: 'Zebulon-987654' }] },
      { ...PERSON, npi: '1928374656' },
      { ...PERSON, licenses: [{ state: 'ZZ', licenseNumber: 'LIC98765' }] },
      { ...PERSON, extra: 'Quintavalle' },
    ];
    for (const body of refused) {
      const res = await send(
        'PUT refused profile',
        http().put(`/v1/learners/${LEARNER}/profile`).set(bearer('service')).send(body),
      );
      expect([400, 422]).toContain(res.status);
    }
    const malformed = await send(
      'PUT malformed profile',
      http()
        .put(`/v1/learners/${LEARNER}/profile`)
        .set(bearer('service'))
        .set('Content-Type', 'application/json')
        .send(JSON.stringify(PERSON).slice(0, -12)),
    );
    expect(malformed.status).toBe(400);
    // The read models hold the claims before the reads below.
    ok(
      await send(
        'GET credits (fresh)',
        http()
          .get(`/v1/learners/${LEARNER}/credits?minPosition=${position}`)
          .set(bearer('compliance')),
      ),
      200,
    );
  });

  afterAll(async () => {
    logs?.restore();
    await t?.close();
  });

  /** A path parameter: the seeded learner and claim for reads; ids that exist nowhere otherwise. */
  function segment(name: string, read: boolean): string {
    switch (name) {
      case 'learnerId':
        return read ? LEARNER : `security-none-${randomUUID().slice(0, 8)}`;
      case 'claimId':
        return read ? (claimIds[0] ?? randomUUID()) : randomUUID();
      case 'streamName':
        return `learner-${LEARNER}`;
      case 'name':
        return 'no-such-projection';
      default:
        return randomUUID();
    }
  }

  /** A concrete path, with the documented examples of its query parameters (minPosition aside). */
  function pathFor(e: Endpoint): string {
    const read = e.method === 'GET';
    const values = Object.fromEntries(pathParameters(e).map((name) => [name, segment(name, read)]));
    const query = (e.operation.parameters ?? [])
      .filter(
        (p) => p.in === 'query' && p.name !== 'minPosition' && p.schema?.example !== undefined,
      )
      .map((p) => `${p.name}=${encodeURIComponent(String(p.schema?.example))}`)
      .join('&');
    return fillPath(e, values) + (query ? `?${query}` : '');
  }

  /** The endpoint called with the given headers; commands get an empty (invalid) body. */
  function call(e: Endpoint, headers: Record<string, string>): request.Test {
    const method = e.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
    const req = http()[method](pathFor(e)).set(headers);
    return e.method === 'GET' || e.method === 'DELETE' ? req : req.send({});
  }

  const protectedEndpoints = () => endpoints.filter((e) => !e.public);

  /** What is wrong with an answer that should be a refusal with this status and code. */
  function refusalProblems(res: Response, status: number, code: string): string[] {
    const given = (res.body as { code?: unknown } | undefined)?.code;
    if (res.status !== status || given !== code) {
      return [`answered ${res.status} ${String(given)}, not ${status} ${code}`];
    }
    return errorShapeProblems(res.status, res.headers['content-type'], res.text);
  }

  it('checks every route the app serves: each is in the OpenAPI document and vice versa', () => {
    expect({ undocumented, unserved }).toEqual({ undocumented: [], unserved: [] });
    expect(protectedEndpoints().length).toBeGreaterThan(10);
  });

  it('roles follow the design: public only /health; reads for auditor and admin; no writes for auditor, none for compliance but a board record correction; service only on learner and submission routes; no audit or admin route for compliance', () => {
    const violations: string[] = [];
    for (const e of endpoints) {
      const has = (role: Role) => e.roles.includes(role);
      if (e.public) {
        if (e.key !== 'GET /health') violations.push(`${e.key} is public`);
        continue;
      }
      if (e.roles.length === 0) violations.push(`${e.key} allows no role`);
      if (e.method === 'GET' && !(has('auditor') && has('admin')))
        violations.push(`${e.key}: a read closed to auditor or admin`);
      // Compliance's one write: asking for a board record's correction (R8).
      const complianceWrite = e.key === 'POST /v1/board-submissions/{submissionId}/corrections';
      if (e.method !== 'GET' && (has('auditor') || (has('compliance') && !complianceWrite)))
        violations.push(`${e.key}: a change open to a read-only role`);
      if (has('service') && !/^\/v1\/(learners|board-submissions)\//.test(e.path))
        violations.push(`${e.key}: open to service`);
      if (has('compliance') && /^\/v1\/(audit|admin)\//.test(e.path))
        violations.push(`${e.key}: open to compliance`);
    }
    expect(violations).toEqual([]);
  });

  it('every protected endpoint answers 401 to a missing key, an unknown key and malformed schemes', async () => {
    const failures: string[] = [];
    for (const e of protectedEndpoints()) {
      const key = KEYS[e.roles[0] ?? 'admin'];
      const variants: [string, Record<string, string>][] = [
        ['no Authorization', {}],
        ['an unknown key', { Authorization: 'Bearer not-a-known-key-0123456789' }],
        ['Bearer and no key', { Authorization: 'Bearer' }],
        ['Bearer and a space', { Authorization: 'Bearer ' }],
        [
          'Basic with role:key',
          { Authorization: `Basic ${Buffer.from(`x:${key}`).toString('base64')}` },
        ],
        ['Basic with the key', { Authorization: `Basic ${key}` }],
        ['the key and no scheme', { Authorization: key }],
        ['another scheme', { Authorization: `Token ${key}` }],
        ['the key and trailing junk', { Authorization: `Bearer ${key} junk` }],
        ['the key with a character more', { Authorization: `Bearer ${key}x` }],
        ['the key in quotes', { Authorization: `Bearer "${key}"` }],
        ['the key in upper case', { Authorization: `Bearer ${key.toUpperCase()}` }],
        ['two keys', { Authorization: `Bearer ${key}, Bearer ${KEYS.admin}` }],
      ];
      for (const [what, headers] of variants) {
        const res = keep(`${e.key} with ${what}`, await call(e, headers));
        const problems = refusalProblems(res, 401, 'unauthenticated');
        if (problems.length > 0) failures.push(`${e.key} with ${what}: ${problems.join('; ')}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('every protected endpoint answers 403, in the error shape, to a key of a role it does not allow', async () => {
    const failures: string[] = [];
    let refusals = 0;
    for (const e of protectedEndpoints()) {
      for (const role of ROLES.filter((r) => !e.roles.includes(r))) {
        const res = keep(`${e.key} as ${role}`, await call(e, bearer(role)));
        refusals += 1;
        const problems = refusalProblems(res, 403, 'forbidden');
        if (problems.length > 0) failures.push(`${e.key} as ${role}: ${problems.join('; ')}`);
      }
    }
    expect(failures).toEqual([]);
    expect(refusals).toBeGreaterThan(10);
  });

  it('every role an endpoint allows gets past authentication', async () => {
    const failures: string[] = [];
    for (const e of protectedEndpoints()) {
      for (const role of e.roles) {
        const res = keep(`${e.key} as ${role}`, await call(e, bearer(role)));
        if (res.status === 401 || res.status === 403 || res.status >= 500) {
          failures.push(`${e.key} as ${role}: ${res.status} ${res.text.slice(0, 200)}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('the public endpoints answer without a key; the docs need one, of any role', async () => {
    for (const e of endpoints.filter((x) => x.public)) {
      expect(keep(e.key, await call(e, {})).status).toBe(200);
    }
    for (const path of ['/docs/openapi.json', '/docs']) {
      const anonymous = keep(`GET ${path} without a key`, await http().get(path).redirects(1));
      expect(refusalProblems(anonymous, 401, 'unauthenticated')).toEqual([]);
      for (const role of ROLES) {
        const res = keep(
          `GET ${path} as ${role}`,
          await http().get(path).set(bearer(role)).redirects(1),
        );
        expect(res.status).toBe(200);
      }
    }
  });

  it('the learner reads show the claims, and the certificate is the one answer with the name', async () => {
    const read = async (path: string, role: Role) =>
      keep(`GET ${path} as ${role}`, await http().get(path).set(bearer(role)));
    for (const role of ['service', 'compliance', 'auditor', 'admin'] as const) {
      const claims = await read(`/v1/learners/${LEARNER}/claims`, role);
      expect(claims.status).toBe(200);
      expect((claims.body as { claims: unknown[] }).claims).toHaveLength(2);
      expect((await read(`/v1/learners/${LEARNER}/credits`, role)).status).toBe(200);
      expect((await read(`/v1/learners/${LEARNER}/deadlines`, role)).status).toBe(200);
    }
    for (const claimId of claimIds) {
      const pdf = await http()
        .get(`/v1/learners/${LEARNER}/claims/${claimId}/certificate.pdf`)
        .set(bearer('service'))
        .buffer(true)
        .parse((res, done) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => done(null, Buffer.concat(chunks)));
        });
      expect(pdf.status).toBe(200);
      expect(pdf.headers['content-type']).toBe('application/pdf');
      expect(pdf.headers['cache-control']).toContain('no-store');
      keep('certificate', pdf);
    }
  });

  describe('over every answer collected above', () => {
    it('no answer carries an API key, in its headers or its body', () => {
      const leaks = answers.flatMap((a) => {
        const text = `${JSON.stringify(a.headers)}\n${a.text}`;
        return API_KEYS.filter((key) => text.includes(key)).map((key) => `${a.what}: ${key}`);
      });
      expect(answers.length).toBeGreaterThan(200);
      expect(leaks).toEqual([]);
    });

    it('no answer but the certificate carries the personal data in clear', () => {
      const leaks = answers
        .filter((a) => a.headers['content-type'] !== 'application/pdf')
        .flatMap((a) => {
          const text = `${JSON.stringify(a.headers)}\n${a.text}`;
          return PERSONAL.filter(([, pattern]) => pattern.test(text)).map(
            ([what]) => `${a.what}: ${what}`,
          );
        });
      expect(leaks).toEqual([]);
    });

    it('every answer has the security headers and does not name the framework', () => {
      const missing = answers.flatMap((a) => {
        const h = a.headers;
        const problems: string[] = [];
        if (h['x-content-type-options'] !== 'nosniff') problems.push('X-Content-Type-Options');
        if (!/^(DENY|SAMEORIGIN)$/.test(String(h['x-frame-options'])))
          problems.push('X-Frame-Options');
        if (!/frame-ancestors|default-src/.test(String(h['content-security-policy'])))
          problems.push('Content-Security-Policy');
        const maxAge = /max-age=(\d+)/.exec(String(h['strict-transport-security']))?.[1];
        if (Number(maxAge ?? 0) < 15_552_000) problems.push('Strict-Transport-Security');
        if (!h['referrer-policy']) problems.push('Referrer-Policy');
        if (h['x-powered-by'] !== undefined) problems.push('X-Powered-By present');
        return problems.length > 0 ? [`${a.what} (${a.status}): ${problems.join(', ')}`] : [];
      });
      expect(missing).toEqual([]);
    });

    it('error answers too: unknown route, body over the limit, malformed JSON', async () => {
      const errors = [
        keep('unknown route', await http().get('/v1/nothing-here').set(bearer('admin'))),
        keep(
          'body over the limit',
          await http()
            .post(`/v1/learners/${LEARNER}/answers`)
            .set(bearer('service'))
            .send({ questionId: 'x'.repeat(70_000) }),
        ),
        keep(
          'malformed JSON',
          await http()
            .post(`/v1/learners/${LEARNER}/answers`)
            .set(bearer('service'))
            .set('Content-Type', 'application/json')
            .send('{"questionId": "Zebulon'),
        ),
      ];
      expect(errors.map((r) => r.status)).toEqual([404, 413, 400]);
      for (const res of errors) {
        expect(errorShapeProblems(res.status, res.headers['content-type'], res.text)).toEqual([]);
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['strict-transport-security']).toBeDefined();
        expect(res.headers['x-powered-by']).toBeUndefined();
        expect(res.text).not.toContain('Zebulon');
      }
    });
  });

  describe('over every log line the app wrote', () => {
    const lines = () => logs.lines();

    it('logged the requests, with the Authorization header redacted', () => {
      const requests = lines().filter((l) => l.includes('"request completed"'));
      expect(requests.length).toBeGreaterThan(100);
      const authorization = requests
        .map((l) => (JSON.parse(l) as { req?: { headers?: { authorization?: string } } }).req)
        .map((req) => req?.headers?.authorization)
        .filter((a) => a !== undefined);
      expect(authorization.length).toBeGreaterThan(100);
      expect(new Set(authorization)).toEqual(new Set(['[redacted]']));
    });

    it('no log line carries an API key', () => {
      const leaks = lines().flatMap((line) =>
        API_KEYS.filter((key) => line.includes(key)).map(
          (key) => `${key} in ${line.slice(0, 300)}`,
        ),
      );
      expect(leaks).toEqual([]);
    });

    it('no log line carries the personal data', () => {
      const leaks = lines().flatMap((line) =>
        PERSONAL.filter(([, pattern]) => pattern.test(line)).map(
          ([what]) => `${what} in ${line.slice(0, 300)}`,
        ),
      );
      expect(leaks).toEqual([]);
    });
  });
});
