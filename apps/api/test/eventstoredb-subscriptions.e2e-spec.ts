import request from 'supertest';
import { EventStoreDbEventStore } from '../../../libs/event-store/src/eventstoredb/eventstoredb-event-store';
import { FakeEventStoreDbClient } from '../../../libs/event-store/src/eventstoredb/fake-eventstoredb-client';
import { eventually } from '../../../test/support/eventually';
import { bearer, startTestApp, type TestApp } from '../../../test/support/test-app';

/**
 * The API over the EventStoreDB adapter, the adapter over a stand-in of the client whose
 * server refuses subscriptions to $all (an ACL an operator got wrong): the projections'
 * subscriptions stop, and an operator sees it in /health and /metrics. (No EventStoreDB server
 * runs here; the stand-in is described in fake-eventstoredb-client.ts.)
 */
describe('EventStoreDB subscriptions in /health and /metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    const fake = new FakeEventStoreDbClient({ denySubscriptions: true });
    t = await startTestApp(
      'esdb_subscriptions',
      { runBoardProcess: false },
      {
        eventStore: () =>
          EventStoreDbEventStore.open(fake, {
            serverVersion: async () => fake.serverVersion,
            log: () => undefined,
          }),
      },
    );
  });
  afterAll(async () => {
    await t.close();
  });

  it('says degraded, naming the stopped subscription and its error, while commands still work', async () => {
    const body = await eventually(async () => {
      // The details of /health, like /metrics, are an admin's to see.
      const res = await request(t.app.getHttpServer())
        .get('/health')
        .set(bearer('admin'))
        .expect(200);
      expect(res.body.status).toBe('degraded');
      return res.body;
    });
    expect(body.eventStore).toMatchObject({
      ok: true,
      adapter: 'eventstoredb',
      version: 'EventStoreDB 24.10.0',
      subscriptions: {
        stopped: expect.any(Number),
        lastError: {
          message: expect.stringMatching(/refused access while following \$all/),
          at: expect.any(String),
        },
      },
    });
    expect(body.eventStore.subscriptions.stopped).toBeGreaterThanOrEqual(1);
  });

  it('counts the stops in /metrics and flags the failure', async () => {
    const text = await eventually(async () => {
      const res = await request(t.app.getHttpServer())
        .get('/metrics')
        .set(bearer('admin'))
        .expect(200);
      expect(res.text).toMatch(/^ledger_event_store_subscription_failed 1$/m);
      return res.text;
    });
    const stopped = /^ledger_event_store_subscriptions_stopped (\d+)$/m.exec(text);
    expect(Number.parseInt(stopped?.[1] ?? '0', 10)).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^ledger_event_store_subscriptions\{state="retrying"\} 0$/m);
  });
});
