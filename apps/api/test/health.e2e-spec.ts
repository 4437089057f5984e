import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import request from 'supertest';
import { listenOperations } from '../src/operations/operations-port';
import { bearer, startTestApp, type TestApp } from '../../../test/support/test-app';

/** The details of /health: what an admin (or the operations port) sees, and nobody else. */
const DETAILS = {
  status: 'ok',
  degraded: [],
  database: { ok: true, version: expect.stringMatching(/^PostgreSQL \d+/), kind: 'external' },
  eventStore: {
    ok: true,
    adapter: 'postgres',
    version: expect.stringMatching(/^PostgreSQL \d+/),
    horizon: {
      position: expect.stringMatching(/^\d+$/),
      passedOver: expect.any(Number),
      appendsInProgress: [],
    },
  },
  projections: expect.any(Array),
  // No stream failed verification; no checkpoint signed yet on an empty log.
  integrity: { failedStreams: [], latestCheckpoint: null },
};

describe('what answers without a key', () => {
  let t: TestApp;
  let operations: Server;
  const http = () => request(t.app.getHttpServer());
  const ops = () => request(`http://127.0.0.1:${(operations.address() as AddressInfo).port}`);

  beforeAll(async () => {
    t = await startTestApp('health');
    operations = await listenOperations(t.app.getHttpAdapter().getInstance(), 0, '127.0.0.1');
  });
  afterAll(async () => {
    operations?.close();
    await t?.close();
  });

  it('/health says only up or down without a key, or with a key of a role other than admin', async () => {
    expect((await http().get('/health').expect(200)).body).toEqual({ status: 'ok' });
    for (const role of ['service', 'compliance', 'auditor'] as const) {
      expect((await http().get('/health').set(bearer(role)).expect(200)).body).toEqual({
        status: 'ok',
      });
    }
  });

  it('/health shows an admin the database and event store versions and the projections', async () => {
    const res = await http().get('/health').set(bearer('admin')).expect(200);
    expect(res.body).toEqual(DETAILS);
  });

  it('/health checks a key that is sent: an unknown one is refused, not treated as none', async () => {
    const res = await http().get('/health').set('Authorization', 'Bearer not-a-key-000000');
    expect(res.status).toBe(401);
  });

  it('/metrics and the OpenAPI docs need a key on the API port', async () => {
    expect((await http().get('/metrics')).status).toBe(401);
    expect((await http().get('/metrics').set(bearer('service'))).status).toBe(403);
    expect((await http().get('/metrics').set(bearer('auditor'))).status).toBe(200);
    const metrics = await http().get('/metrics').set(bearer('admin')).expect(200);
    expect(metrics.text).toContain('ledger_http_requests_total');
    expect((await http().get('/docs/openapi.json')).status).toBe(401);
    expect((await http().get('/docs')).status).toBe(401);
    const docs = await http().get('/docs/openapi.json').set(bearer('service')).expect(200);
    expect(docs.body.info.title).toBe('CME credit ledger');
  });

  it('the metrics do not grow with the paths callers send: a request refused before routing counts as unmatched', async () => {
    const series = async () =>
      (await http().get('/metrics').set(bearer('admin')).expect(200)).text
        .split('\n')
        .filter((l) => l.startsWith('ledger_http_requests_total{'));
    const before = await series();
    for (let i = 0; i < 30; i++) {
      const path = `/v1/learners/probe-${i}/answers`;
      await http().post(path).set(bearer('service')).set('Content-Type', 'text/plain').send('x');
      await http().get(`/v1/learners/probe-${i}/credits?__proto__=1`).set(bearer('service'));
      await http().get(`/nowhere-${i}`);
    }
    const after = await series();
    expect(after.filter((l) => l.includes('probe-') || l.includes('nowhere-'))).toEqual([]);
    expect(after.length - before.length).toBeLessThanOrEqual(3);
  });

  it('the operations port serves health details, metrics and docs without a key, and nothing else', async () => {
    expect((await ops().get('/health').expect(200)).body).toEqual(DETAILS);
    expect((await ops().get('/metrics').expect(200)).text).toContain('ledger_http_requests_total');
    const docs = await ops().get('/docs/openapi.json').expect(200);
    expect(Object.keys(docs.body.paths)).toContain('/health');
    expect((await ops().get('/docs').redirects(1)).status).toBe(200);
    for (const path of ['/v1/learners/x/credits', '/v1/audit/events', '/healthz', '/']) {
      expect({ path, status: (await ops().get(path).set(bearer('admin'))).status }).toEqual({
        path,
        status: 404,
      });
    }
  });

  it("a scrape while the projections' states cannot be read answers with the process's own figures, and says so", async () => {
    const scrape = async () => (await http().get('/metrics').set(bearer('admin')).expect(200)).text;
    const line = (text: string, name: string) =>
      text.split('\n').filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
    expect(line(await scrape(), 'ledger_projection_position')).not.toEqual([]);
    const superuser = new Client({ connectionString: t.databaseUrl });
    await superuser.connect();
    try {
      // The table out of reach, as when the read models' database refuses: metrics go on.
      await superuser.query('ALTER TABLE projection_state RENAME TO projection_state_away');
      await new Promise((resolve) => setTimeout(resolve, 600)); // past the scrape's 500 ms cache
      const during = await scrape();
      expect(line(during, 'ledger_projection_states_unreadable')).toEqual([
        'ledger_projection_states_unreadable 1',
      ]);
      expect(line(during, 'ledger_projection_position')).toEqual([]);
      expect(line(during, 'ledger_process_memory_bytes')).not.toEqual([]);
    } finally {
      await superuser.query('ALTER TABLE projection_state_away RENAME TO projection_state');
      await superuser.end();
    }
    await new Promise((resolve) => setTimeout(resolve, 600));
    const after = await scrape();
    expect(line(after, 'ledger_projection_states_unreadable')).toEqual([
      'ledger_projection_states_unreadable 0',
    ]);
    expect(line(after, 'ledger_projection_position')).not.toEqual([]);
  });

  it('sets security headers and does not announce the framework', async () => {
    const res = await http().get('/health');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBeDefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});
