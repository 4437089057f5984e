import { Client } from 'pg';
import { API_POOL_SIZE } from '../src/core.module';
import { bearer, startTestApp, type TestApp } from '../../../test/support/test-app';
import { learnerApi } from './audit.fixtures';

/**
 * One pg pool per API process: the event store, the read models (TypeORM) and the operational
 * tables share it. What a database administrator sees: every session of the service is the
 * API's, under one application name, and never more of them than the pool holds, even while
 * commands, reads and the projections all run at once.
 */
describe('API process: one database pool', () => {
  let t: TestApp;
  let admin: Client;
  const api = () => learnerApi(t.app);

  beforeAll(async () => {
    t = await startTestApp('one-pool');
    admin = new Client({ connectionString: t.databaseUrl });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.end();
    await t.close();
  });

  /** The service role's sessions on the test database, by application name. */
  const sessions = async (): Promise<Map<string, number>> => {
    const { rows } = await admin.query<{ application_name: string; count: string }>(
      `SELECT application_name, count(*)::text AS count FROM pg_stat_activity
        WHERE datname = $1 AND usename = $2 GROUP BY application_name`,
      [t.databaseName, decodeURIComponent(new URL(t.serviceUrl).username)],
    );
    return new Map(rows.map((r) => [r.application_name, Number(r.count)]));
  };

  it('commands, reads and projections at once open sessions of one pool only, never more than its size', async () => {
    const learners = Array.from({ length: 6 }, (_, i) => `pool-${i}`);
    await Promise.all(learners.map((id) => api().profile(id).expect(200)));

    const seen = new Map<string, number>();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        for (const [name, count] of await sessions()) {
          seen.set(name, Math.max(seen.get(name) ?? 0, count));
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    try {
      const load = learners.flatMap((id) =>
        Array.from({ length: 8 }, (_, n) => [
          api()
            .research(id, `r${n}`)
            .expect(201)
            .then((res) =>
              api()
                .http()
                .get(`/v1/learners/${id}/credits?minPosition=${res.body.position as string}`)
                .set(bearer('service'))
                .expect(200),
            ),
          api().http().get(`/v1/learners/${id}/claims`).set(bearer('service')).expect(200),
        ]).flat(),
      );
      await Promise.all(load);
    } finally {
      sampling = false;
      await sampler;
    }

    expect([...seen.keys()]).toEqual(['cme-ledger-api']);
    expect(seen.get('cme-ledger-api')).toBeGreaterThan(1);
    expect(seen.get('cme-ledger-api')).toBeLessThanOrEqual(API_POOL_SIZE);
  });
});
