import request from 'supertest';
import { startTestApp, type TestApp } from '../../../test/support/test-app';

describe('GET /health', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('health');
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 200 with the database and the event store reachable, with their versions', async () => {
    const res = await request(t.app.getHttpServer()).get('/health').expect(200);
    expect(res.body).toEqual({
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
    });
  });

  it('sets security headers and does not announce the framework', async () => {
    const res = await request(t.app.getHttpServer()).get('/health');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBeDefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('serves the OpenAPI document', async () => {
    const res = await request(t.app.getHttpServer()).get('/docs/openapi.json').expect(200);
    expect(res.body.info.title).toBe('CME credit ledger');
    expect(Object.keys(res.body.paths)).toContain('/health');
  });
});
