import { PostgresEventStore } from '@ledger/event-store';
import { Client } from 'pg';
import { beginHeldTransaction } from '../../../libs/event-store/src/postgres/postgres-contract-harness';
import { eventually } from '../../../test/support/eventually';
import { bearer, startTestApp, type TestApp } from '../../../test/support/test-app';
import { freshDatabase } from '../../../test/support/test-database';
import { learnerApi } from './audit.fixtures';

/**
 * The read side does not stall on someone else's open transaction, and says who holds it when
 * an append of the ledger does.
 */
describe("the read side and open transactions (the log's readable horizon)", () => {
  const HOLD_MS = 500;
  let t: TestApp;
  let other: Awaited<ReturnType<typeof freshDatabase>>;
  const api = () => learnerApi(t.app);

  beforeAll(async () => {
    t = await startTestApp('horizon_api', { runBoardProcess: false, horizonMaxHoldMs: HOLD_MS });
    other = await freshDatabase('otherapp');
  });
  afterAll(async () => {
    await t.close();
    await other.drop();
  });

  const credits = (learnerId: string, position: string) =>
    api()
      .http()
      .get(`/v1/learners/${learnerId}/credits?minPosition=${position}`)
      .set(bearer('service'));

  it('answers commands and reads with minPosition while a transaction stays open in another database of the server', async () => {
    const learner = 'horizon-ada';
    await api().profile(learner).expect(200);
    const foreign = new Client({ connectionString: other.url, application_name: 'otherapp' });
    await foreign.connect();
    try {
      await foreign.query('BEGIN');
      const { rows } = await foreign.query<{ xid: string }>(
        'SELECT pg_current_xact_id()::text AS xid',
      );
      const xid = BigInt(rows[0]!.xid);
      for (const [i, researchId] of ['r1', 'r2', 'r3', 'r4', 'r5'].entries()) {
        const command = await api().research(learner, researchId).expect(201);
        const read = await credits(learner, command.body.position as string);
        expect({
          status: read.status,
          earned: read.body.activities?.ipoc?.earned?.twelfths,
        }).toEqual({
          status: 200,
          earned: 6 * (i + 1),
        });
      }
      // It was open all along, and it is the oldest transaction of the server: where readers
      // used to stop.
      const still = await foreign.query<{ xid: string }>(
        'SELECT pg_current_xact_id_if_assigned()::text AS xid',
      );
      expect(still.rows[0]?.xid).toBe(xid.toString());
      const probe = new Client({ connectionString: t.databaseUrl });
      await probe.connect();
      const xmin = await probe
        .query<{ xmin: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin')
        .finally(() => probe.end());
      expect(BigInt(xmin.rows[0]!.xmin)).toBeLessThanOrEqual(xid);
      const health = await api().http().get('/health').set(bearer('admin')).expect(200);
      expect(health.body.status).toBe('ok');
      expect(health.body.eventStore.horizon.passedOver).toBeGreaterThanOrEqual(1);
    } finally {
      await foreign.query('ROLLBACK').catch(() => undefined);
      await foreign.end();
    }
  });

  it("names an append held open in /health within the configured age, says why in the 503, and gives the horizon's age as a metric", async () => {
    const learner = 'horizon-bo';
    await api().profile(learner).expect(200);
    const stuck = await PostgresEventStore.create({ connectionString: t.databaseUrl });
    const client = await stuck.pool.connect();
    try {
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const pid = rows[0]!.pid;
      const who = new RegExp(
        `backend pid ${pid}, application cme-ledger-event-store, database ${t.databaseName}`,
      );
      await beginHeldTransaction(client);
      await stuck.appendWith(client, 'stuck-client-stream', [
        {
          id: '5b1f6e0e-6a4c-4b8e-9a7e-2f7e7f0a9c11',
          type: 'SomethingHappened',
          schemaVersion: 1,
          data: {},
          metadata: { actor: 'test', correlationId: 'c', causationId: 'c' },
        },
      ]);
      const command = await api().research(learner, 'b1').expect(201);
      const position = command.body.position as string;

      const degraded = await eventually(
        async () => {
          const res = await api().http().get('/health').set(bearer('admin')).expect(200);
          expect(res.body.status).toBe('degraded');
          return res.body;
        },
        { timeoutMs: HOLD_MS + 3000 },
      );
      expect(degraded.degraded).toEqual([expect.stringMatching(who)]);
      expect(degraded.eventStore.horizon.appendsInProgress).toEqual([
        expect.objectContaining({
          pid,
          applicationName: 'cme-ledger-event-store',
          database: t.databaseName,
          holdsReaders: true,
          ageSeconds: expect.any(Number),
        }),
      ]);
      expect(degraded.eventStore.horizon.appendsInProgress[0].ageSeconds).toBeGreaterThanOrEqual(
        HOLD_MS / 1000,
      );

      const behind = await credits(learner, position).expect(503);
      expect(behind.body).toEqual(
        expect.objectContaining({
          code: 'read-model-behind',
          reason: expect.stringMatching(/an append in progress holds it/),
        }),
      );
      expect(behind.body.reason).toMatch(who);

      const metrics = await api().http().get('/metrics').set(bearer('admin')).expect(200);
      const age = /^ledger_event_store_horizon_age_seconds (\S+)$/m.exec(metrics.text);
      expect(Number(age?.[1])).toBeGreaterThanOrEqual(HOLD_MS / 1000);

      await client.query('COMMIT');
      await credits(learner, position).expect(200);
      const healthy = await api().http().get('/health').set(bearer('admin')).expect(200);
      expect(healthy.body).toEqual(expect.objectContaining({ status: 'ok', degraded: [] }));
    } finally {
      client.release();
      await stuck.close();
    }
  });
});
