import { randomUUID } from 'node:crypto';
import { jsonEvent } from '@eventstore/db-client';
import { IdempotencyConflictError, WrongExpectedRevisionError } from '../errors';
import type { RecordedEvent } from '../event-store.port';
import {
  eventStoreContract,
  newEvent,
  type ContractHarness,
} from '../testing/event-store.contract';
import { CLAIM_EVENT_TYPE, EventStoreDbEventStore } from './eventstoredb-event-store';
import { FakeEventStoreDbClient } from './fake-eventstoredb-client';

/**
 * The adapter's own logic (claims, races, hash chain, paging over system events, catch-up and
 * live subscriptions) against an in-memory stand-in of the client. This is not EventStoreDB:
 * the same contract against a real server is eventstoredb-event-store.int-spec.ts.
 */
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function fakeHarness(): Promise<ContractHarness & { fake: FakeEventStoreDbClient }> {
  const fake = new FakeEventStoreDbClient();
  const store = EventStoreDbEventStore.fromClient(fake, {
    serverVersion: async () => 'in-memory stand-in',
  });
  return {
    fake,
    store,
    async appendThenAbandon(streamName, events) {
      await store.append(streamName, events, { expectedRevision: 2n ** 62n }).then(
        () => {
          throw new Error('an append at an impossible revision was accepted');
        },
        (error: unknown) => {
          if (!(error instanceof WrongExpectedRevisionError)) throw error;
        },
      );
    },
    async appendHeldOpen(streamName, events, holdMs) {
      await sleep(holdMs);
      return store.append(streamName, events);
    },
    ownEvent: () => true,
    streamName: (label) => `${label}-${randomUUID().slice(0, 8)}`,
    dispose: () => store.close(),
  };
}

describe('EventStoreDB adapter logic over an in-memory stand-in of the client (no server)', () => {
  eventStoreContract('eventstoredb', fakeHarness);

  describe('specifics', () => {
    let h: Awaited<ReturnType<typeof fakeHarness>>;
    beforeAll(async () => {
      h = await fakeHarness();
    });
    afterAll(() => h.dispose());

    it('stores the ledger fields in the metadata and binds every id to its stream in a claim', async () => {
      const s = h.streamName('stored');
      const e = newEvent();
      await h.store.append(s, [e]);
      const record = h.fake.log.find((r) => r.id === e.id)!;
      expect(record.type).toBe(e.type);
      expect(record.data).toEqual(e.data);
      expect(record.metadata).toMatchObject({
        ...e.metadata,
        $correlationId: e.metadata.correlationId,
        $ledger: { schemaVersion: 1, batch: { index: 0, size: 1 } },
      });
      const claim = h.fake.log.find((r) => r.streamId === `$ledger-id-${e.id}`)!;
      expect(claim.type).toBe(CLAIM_EVENT_TYPE);
      expect(claim.data).toEqual({ streamName: s });
      expect(claim.position.commit < record.position.commit).toBe(true);
    });

    it('refuses an append that repeats stored ids in another order', async () => {
      const s = h.streamName('order');
      const [a, b] = [newEvent(), newEvent()];
      await h.store.append(s, [a!, b!]);
      await expect(h.store.append(s, [b!, a!])).rejects.toBeInstanceOf(IdempotencyConflictError);
      await expect(h.store.append(s, [a!])).rejects.toBeInstanceOf(IdempotencyConflictError);
    });

    it('converges concurrent identical retries also when the server refuses them instead of answering idempotently', async () => {
      const fake = new FakeEventStoreDbClient({ idempotentReplies: false });
      const store = EventStoreDbEventStore.fromClient(fake);
      let refused = 0;
      const append = fake.appendToStream.bind(fake);
      fake.appendToStream = (...args) =>
        append(...args).catch((error: unknown) => {
          if (!args[0].startsWith('$')) refused += 1;
          throw error;
        });
      for (let k = 0; k < 20; k++) {
        const s = `converge-${k}`;
        const events = [newEvent(), newEvent()];
        const results = await Promise.all(
          Array.from({ length: 8 }, () => store.append(s, events, { expectedRevision: 'any' })),
        );
        for (const r of results) expect(r).toEqual(results[0]);
        expect((await store.readStream(s)).map((e) => e.id)).toEqual(events.map((e) => e.id));
      }
      expect(refused).toBeGreaterThan(0);
      await store.close();
    });

    it('finds a retried append many events back, and a refused append leaves nothing that blocks its ids', async () => {
      const s = h.streamName('far');
      const events = [newEvent(), newEvent()];
      const first = await h.store.append(s, events);
      for (let i = 0; i < 450; i++) await h.store.append(s, [newEvent()]);
      expect(await h.store.append(s, events, { expectedRevision: 0n })).toEqual(first);

      const later = newEvent();
      await expect(h.store.append(s, [later], { expectedRevision: 0n })).rejects.toBeInstanceOf(
        WrongExpectedRevisionError,
      );
      const r = await h.store.append(s, [later]);
      expect(r.nextRevision).toBe(452n);
    });

    it('names an altered event, and an event written around the adapter', async () => {
      const s = h.streamName('tamper');
      const events = [newEvent(), newEvent(), newEvent()];
      await h.store.append(s, events);
      h.fake.tamper(s, 1n, (r) => {
        (r.data as { n: number }).n = 2;
      });
      const report = await h.store.verifyStream(s);
      expect(report.breaks).toEqual([
        expect.objectContaining({ kind: 'altered', revision: 1n, eventId: events[1]!.id }),
      ]);
      const all = await h.store.verifyAll();
      expect(all.ok).toBe(false);
      expect(all.breaks).toContainEqual(
        expect.objectContaining({ streamName: s, kind: 'altered' }),
      );

      const s2 = h.streamName('around');
      await h.store.append(s2, [newEvent()]);
      await h.fake.appendToStream(s2, jsonEvent({ type: 'Sneaky', data: { credits: 100 } }));
      expect((await h.store.verifyStream(s2)).breaks[0]).toMatchObject({
        kind: 'altered',
        revision: 1n,
      });
      await expect(h.store.append(s2, [newEvent()])).rejects.toThrow(
        /not written through the ledger/,
      );
    });

    it('survives a dropped live subscription: resumes from its checkpoint, nothing repeated or missed', async () => {
      const fake = new FakeEventStoreDbClient();
      const store = EventStoreDbEventStore.fromClient(fake);
      const subscribe = fake.subscribeToAll.bind(fake);
      let opened = 0;
      fake.subscribeToAll = (options) => {
        const feed = subscribe(options);
        opened += 1;
        if (opened <= 2) setTimeout(() => feed.destroy(new Error('connection reset')), 30);
        return feed;
      };
      const s = 'drop-1';
      const seen: RecordedEvent[] = [];
      let batches = 0;
      const sub = store.subscribeToAll(
        async (events) => {
          batches += 1;
          seen.push(...events.filter((e) => e.streamName === s));
          await sleep(1);
        },
        { batchSize: 4 },
      );
      for (let i = 0; i < 60; i++) {
        await store.append(s, [newEvent()]);
        await sleep(2);
      }
      const deadline = Date.now() + 10000;
      while (seen.length < 60 && Date.now() < deadline) await sleep(10);
      await sub.stop();
      expect(opened).toBeGreaterThanOrEqual(3);
      expect(sub.live).toBe(true);
      expect(seen.map((e) => e.revision)).toEqual(Array.from({ length: 60 }, (_, i) => BigInt(i)));
      expect(sub.position).toBe(seen[59]?.position);
      expect(batches).toBeGreaterThan(0);
      await store.close();
    });

    it('close() stops the subscriptions still running', async () => {
      const store = EventStoreDbEventStore.fromClient(new FakeEventStoreDbClient());
      const sub = store.subscribeToAll(async () => undefined);
      while (!sub.live) await sleep(5);
      await store.close();
      await expect(sub.done).resolves.toBeUndefined();
    });

    it('stop() waits for the batch in flight', async () => {
      const s = h.streamName('stop');
      await h.store.append(s, [newEvent()]);
      let finished = false;
      let started = false;
      const sub = h.store.subscribeToAll(async (events) => {
        if (!events.some((e) => e.streamName === s)) return;
        started = true;
        await sleep(200);
        finished = true;
      });
      while (!started) await sleep(5);
      await sub.stop();
      expect(finished).toBe(true);
      await expect(sub.done).resolves.toBeUndefined();
    });

    it('leaves system events, claims and foreign events out of readAll', async () => {
      const all: RecordedEvent[] = [];
      let after = 0n;
      for (;;) {
        const page = await h.store.readAll({ after, maxCount: 3 });
        if (page.length === 0) break;
        all.push(...page);
        after = page[page.length - 1]!.position;
      }
      expect(all.length).toBeGreaterThan(0);
      expect(
        all.filter((e) => e.streamName.startsWith('$') || e.streamName === 'foreign-orders'),
      ).toEqual([]);
      expect(h.fake.log.some((r) => r.streamId.startsWith('$stats'))).toBe(true);
    });
  });
});
