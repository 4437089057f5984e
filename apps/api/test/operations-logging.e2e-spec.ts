import { Client } from 'pg';
import request from 'supertest';
import { bearer, startLoggedTestApp, type LoggedTestApp } from '../../../test/support/test-app';

/** pino's numeric levels. */
const WARN = 40;
const ERROR = 50;

interface LogLine {
  level: number;
  msg?: string;
  correlationId?: string;
  err?: unknown;
  stack?: unknown;
}

describe('logging of an expected 503 (read model behind)', () => {
  let t: LoggedTestApp;
  const logs = () => t.logs;

  beforeAll(async () => {
    t = await startLoggedTestApp('ops_logging');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is a warning without a stack, in the request log and the error log alike', async () => {
    const res = await request(t.app.getHttpServer())
      .get('/v1/learners/ops-learner/credits?minPosition=9000000000000000000')
      .set(bearer('service'))
      .set('X-Correlation-Id', 'expected-503')
      .expect(503);
    expect(res.body.code).toBe('read-model-behind');
    const lines = logs()
      .lines()
      .filter((l) => l.includes('expected-503'))
      .map((l) => JSON.parse(l) as LogLine);
    expect(lines.length).toBeGreaterThanOrEqual(2); // the filter's line and the request log's
    for (const line of lines) {
      expect({ msg: line.msg, level: line.level }).toEqual({ msg: line.msg, level: WARN });
      expect(JSON.stringify(line)).not.toMatch(/"stack"|at .*\.js:\d+/);
    }
  });

  it('an unexpected failure is still an error, with its stack', async () => {
    // The projections' status table out of the way for a moment: its query fails (500).
    const db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
    try {
      await db.query('ALTER TABLE projection_state RENAME TO projection_state_away');
      const res = await request(t.app.getHttpServer())
        .get('/v1/admin/projections')
        .set(bearer('admin'))
        .set('X-Correlation-Id', 'unexpected-500');
      expect(res.status).toBe(500);
    } finally {
      await db.query('ALTER TABLE projection_state_away RENAME TO projection_state');
      await db.end();
    }
    const errors = logs()
      .lines()
      .filter((l) => l.includes('unexpected-500'))
      .map((l) => JSON.parse(l) as LogLine)
      .filter((l) => l.level === ERROR);
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors.some((l) => JSON.stringify(l).includes('"stack"'))).toBe(true);
  });
});
