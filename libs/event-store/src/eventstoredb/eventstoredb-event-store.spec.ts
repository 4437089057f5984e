import { randomUUID } from 'node:crypto';
import { AccessDeniedError, jsonEvent } from '@eventstore/db-client';
import {
  EventStoreError,
  IdempotencyConflictError,
  InvalidAppendError,
  WrongExpectedRevisionError,
} from '../errors';
import type { EventStore, RecordedEvent } from '../event-store.port';
import {
  eventStoreContract,
  newEvent,
  type ContractHarness,
} from '../testing/event-store.contract';
import {
  CLAIM_EVENT_TYPE,
  EventStoreDbEventStore,
  type EventStoreLog,
} from './eventstoredb-event-store';
import { FakeEventStoreDbClient, type FakeServerOptions } from './fake-eventstoredb-client';

/**
 * The adapter's own logic (claims, races, hash chain, paging over system events, catch-up and
 * live subscriptions, retries) against an in-memory stand-in of the client that behaves as the
 * server is documented to, in each of the ways a real server is less kind than memory. This is
 * not EventStoreDB: the same contract against real servers is eventstoredb-event-store.int-spec.ts,
 * run by .github/workflows/eventstoredb.yml.
 */
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

interface LogLine {
  level: string;
  message: string;
  fields: Record<string, unknown>;
}

function capture(): { log: EventStoreLog; lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    log: (level, message, fields = {}) => lines.push({ level, message, fields }),
  };
}

async function openOver(
  fake: FakeEventStoreDbClient,
  options: { retryForMs?: number; log?: EventStoreLog; maxAppendSize?: number } = {},
): Promise<EventStoreDbEventStore> {
  return EventStoreDbEventStore.open(fake, {
    serverVersion: async () => fake.serverVersion,
    log: options.log ?? capture().log,
    ...options,
  });
}

type Harness = ContractHarness & { fake: FakeEventStoreDbClient; store: EventStoreDbEventStore };

async function fakeHarness(
  options: FakeServerOptions = {},
  prepare?: (fake: FakeEventStoreDbClient) => Promise<void>,
): Promise<Harness> {
  const fake = new FakeEventStoreDbClient(options);
  await prepare?.(fake);
  const store = await openOver(fake);
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
    // An election while the writers write: calls fail for 300 ms, subscriptions are dropped.
    disrupt: async () => fake.loseLeader(300),
    dispose: () => store.close(),
  };
}

/** Each way a real server is less kind than memory, alone; then all at once. */
const MODES: [string, FakeServerOptions, ((fake: FakeEventStoreDbClient) => Promise<void>)?][] = [
  ['as documented (1 MiB append limit, idempotent replies to any/stream_exists)', {}],
  ['reads lag 10 ms behind writes', { readLagMs: 10 }],
  ['followers 50 ms behind the leader', { followerLagMs: 50 }],
  ["EventStoreDB's own idempotency off (its id cache emptied)", { idempotentReplies: false }],
  ['NotLeader on every 11th call that needs the leader', { faults: { notLeaderEvery: 11 } }],
  ['Unavailable on every 13th call', { faults: { unavailableEvery: 13 } }],
  ['a timeout after the server wrote, every 4th append', { faults: { timeoutAfterWriteEvery: 4 } }],
  ['slow consumers dropped past 16 unread events', { slowConsumerLimit: 16 }],
  [
    'soft-deleted streams in the log',
    {},
    async (fake) => {
      // A stream deleted and written again, and one deleted for good: both still in $all.
      fake.softDelete('foreign-orders');
      await fake.appendToStream('foreign-orders', jsonEvent({ type: 'OrderPlaced', data: {} }));
      await fake.appendToStream('gone', jsonEvent({ type: 'Gone', data: {} }));
      fake.softDelete('gone');
    },
  ],
  [
    'all of these at once',
    {
      readLagMs: 10,
      followerLagMs: 50,
      idempotentReplies: false,
      faults: { notLeaderEvery: 23, unavailableEvery: 29, timeoutAfterWriteEvery: 7 },
      slowConsumerLimit: 16,
    },
  ],
];

describe('EventStoreDB adapter over a stand-in of the client (no server)', () => {
  describe.each(MODES)('stand-in: %s', (_name, options, prepare) => {
    eventStoreContract('eventstoredb', () => fakeHarness(options, prepare));
  });

  describe('read-after-write lag in the id claims', () => {
    it('answers 8 concurrent identical retries on each of 30 streams with one result, and no client error leaves the port', async () => {
      const h = await fakeHarness({ readLagMs: 10 });
      const outcomes = await Promise.all(
        Array.from({ length: 30 }, async (_, k) => {
          const events = [newEvent(), newEvent()];
          return Promise.allSettled(
            Array.from({ length: 8 }, () => h.store.append(`lag-${k}`, events)),
          );
        }),
      );
      const failed = outcomes.flat().filter((o) => o.status === 'rejected');
      expect(failed.map((o) => String((o as PromiseRejectedResult).reason))).toEqual([]);
      for (const streamOutcomes of outcomes) {
        const results = streamOutcomes.map((o) => (o as PromiseFulfilledResult<unknown>).value);
        for (const r of results) expect(r).toEqual(results[0]);
      }
      await h.dispose();
    });
  });

  describe('errors in the port’s terms', () => {
    it('fails with a retryable EventStoreError, the client’s error as its cause, when the server stays unavailable', async () => {
      const fake = new FakeEventStoreDbClient();
      const store = await openOver(fake, { retryForMs: 300 });
      fake.loseLeader(60_000);
      for (const call of [
        () => store.append('down', [newEvent()]),
        () => store.readStream('down'),
        () => store.readAll(),
        () => store.streamRevision('down'),
      ]) {
        const error = await call().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(EventStoreError);
        expect(error).toMatchObject({ retryable: true });
        expect((error as EventStoreError).cause).toBeDefined();
      }
      expect(await store.health()).toMatchObject({ ok: false, adapter: 'eventstoredb' });
      await store.close();
    });

    it('names what the user lacks when access is denied, without retrying', async () => {
      const fake = new FakeEventStoreDbClient();
      const store = await openOver(fake);
      fake.appendToStream = async () => {
        throw new AccessDeniedError(undefined, 'Access denied');
      };
      const error = await store.append('denied', [newEvent()]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EventStoreError);
      expect(error).toMatchObject({ retryable: false });
      expect((error as Error).message).toMatch(/needs read on \$all and read and write/);
      await store.close();
    });
  });

  describe('positions', () => {
    it.each(['21.10.9', '22.6.0', 'unknown'])(
      'refuses to open on a server that reports version %p, naming the version needed',
      async (serverVersion) => {
        const fake = new FakeEventStoreDbClient({ serverVersion });
        await expect(openOver(fake)).rejects.toThrow(/too old for the ledger: it needs 22\.10/);
      },
    );

    it.each<['max' | 'zero']>([['max'], ['zero']])(
      'never answers or checkpoints a missing position (stream reads giving %s): appends, reads and subscriptions fail loudly',
      async (kind) => {
        const fake = new FakeEventStoreDbClient({ streamReadPositions: kind });
        const { log, lines } = capture();
        const store = EventStoreDbEventStore.fromClient(fake, { log });
        const append = await store.append('old', [newEvent()]).catch((e: unknown) => e);
        expect(append).toBeInstanceOf(EventStoreError);
        expect((append as Error).message).toMatch(/without its \$all position/);
        await expect(store.readStream('old')).rejects.toThrow(/without its \$all position/);
        await store.close();
        expect(lines.filter((l) => l.level === 'error')).toEqual([]);
      },
    );
  });

  describe('reads that decide go to the leader', () => {
    it('appends at the revision the previous append answered, at once, while followers lag', async () => {
      const h = await fakeHarness({ followerLagMs: 200 });
      let revision = (await h.store.append('lead', [newEvent()])).nextRevision;
      for (let i = 0; i < 5; i++) {
        revision = (await h.store.append('lead', [newEvent()], { expectedRevision: revision }))
          .nextRevision;
      }
      expect(revision).toBe(5n);
      expect((await h.store.readStream('lead')).length).toBe(6);
      const reads = h.fake.calls.filter((c) => c.method !== 'appendToStream');
      expect(reads.filter((c) => c.method !== 'subscribeToAll' && !c.requiresLeader)).toEqual([]);
      await h.dispose();
    });
  });

  describe('the subscription', () => {
    it('stops on an error retrying cannot cure: done rejects, it is logged, and health shows it until a later subscription catches up', async () => {
      const fake = new FakeEventStoreDbClient({ denySubscriptions: true });
      const { log, lines } = capture();
      const store = await openOver(fake, { log });
      await store.append('denied-sub', [newEvent()]);
      const sub = store.subscribeToAll(async () => undefined);
      const stopped = await sub.done.then(
        () => 'resolved',
        (e: unknown) => e,
      );
      expect(stopped).toBeInstanceOf(EventStoreError);
      expect(stopped).toMatchObject({ retryable: false });
      expect(lines).toContainEqual(
        expect.objectContaining({ level: 'error', message: expect.stringMatching(/stopped/) }),
      );
      const health = await store.health();
      expect(health.subscriptions).toMatchObject({
        running: [],
        stopped: 1,
        lastError: { message: expect.stringMatching(/refused access/) },
      });

      // The operator fixes the ACL: a new subscription catches up, and health clears.
      (fake as unknown as { options: FakeServerOptions }).options.denySubscriptions = false;
      const again = store.subscribeToAll(async () => undefined);
      await until(() => again.live);
      await until(() => store.subscriptionHealth().running[0]?.state === 'live');
      expect(store.subscriptionHealth().lastError).toBeUndefined();
      expect(store.subscriptionHealth().stopped).toBe(1);
      await store.close();
    });

    it('retries what may pass, shows it as retrying with the last error, logs it, and recovers without losing or repeating an event', async () => {
      const fake = new FakeEventStoreDbClient();
      const { log, lines } = capture();
      const store = await openOver(fake, { log });
      const seen: RecordedEvent[] = [];
      const sub = store.subscribeToAll(async (events) => {
        seen.push(...events.filter((e) => e.streamName === 'flaky'));
      });
      await until(() => sub.live);
      // The election lasts until the test has seen the subscription retrying (one of a fixed
      // length could end before a slow test looked).
      fake.loseLeader(60_000);
      await until(() => store.subscriptionHealth().running[0]?.state === 'retrying');
      expect(store.subscriptionHealth().running[0]).toMatchObject({
        retries: expect.any(Number),
        lastError: expect.stringMatching(/leader|election/),
      });
      fake.electLeader();
      for (let i = 0; i < 10; i++) await store.append('flaky', [newEvent()]);
      await until(() => seen.length === 10);
      expect(seen.map((e) => e.revision)).toEqual(Array.from({ length: 10 }, (_, i) => BigInt(i)));
      expect(store.subscriptionHealth().running[0]).toMatchObject({ retries: 0 });
      expect(lines.some((l) => l.level === 'warn' && /retrying/.test(l.message))).toBe(true);
      expect(lines.some((l) => l.level === 'info' && /recovered/.test(l.message))).toBe(true);
      await store.close();
    });

    it('stops when the server delivers positions that do not increase', async () => {
      const fake = new FakeEventStoreDbClient();
      const store = await openOver(fake);
      await store.append('order', [newEvent(), newEvent()]);
      const [a, b] = fake.log.filter((r) => r.streamId === 'order');
      const subscribe = fake.subscribeToAll.bind(fake);
      fake.subscribeToAll = (options) => {
        const feed = subscribe(options);
        // After going live: a later event, then an earlier one again.
        setTimeout(() => {
          feed.push({ event: { ...b!, position: { ...b!.position } } });
          feed.push({ event: { ...a!, position: { ...a!.position } } });
        }, 50);
        return feed;
      };
      const sub = store.subscribeToAll(async () => undefined, {
        after: a!.position.commit - 1n,
        batchSize: 1,
      });
      await expect(sub.done).rejects.toThrow(/do not increase/);
      await store.close();
    });
  });

  describe('deleted streams', () => {
    it('refuses to append to a soft-deleted stream, which EventStoreDB would continue at its old revisions', async () => {
      const h = await fakeHarness();
      await h.store.append('deleted', [newEvent(), newEvent()]);
      h.fake.softDelete('deleted');
      const error = await h.store.append('deleted', [newEvent()]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EventStoreError);
      expect((error as Error).message).toMatch(/was deleted .* continue its revision numbers/s);
      expect(h.fake.log.filter((r) => r.streamId === 'deleted').length).toBe(2);
      await h.dispose();
    });

    it('fails loudly when the server stores an append at other revisions than the ledger hashed', async () => {
      const h = await fakeHarness();
      await h.store.append('continued', [newEvent(), newEvent()]);
      h.fake.softDelete('continued');
      // The metadata check is passed by (a deletion racing the append): the read-back decides.
      h.fake.getStreamMetadata = async (streamName) => ({ streamName });
      const error = await h.store.append('continued', [newEvent()]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EventStoreError);
      expect((error as Error).message).toMatch(
        /stored these events at revisions 2\.\.2, but the ledger hashed them as revisions 0\.\.0/,
      );
      expect((await h.store.verifyAll()).breaks).toContainEqual(
        expect.objectContaining({ streamName: 'continued', kind: 'removed' }),
      );
      await h.dispose();
    });
  });

  describe('the append size limit', () => {
    it('refuses an append over the server’s limit before writing anything, naming the size', async () => {
      const h = await fakeHarness();
      const big = newEvent({ data: { text: 'x'.repeat(1024 * 1024) } });
      const error = await h.store.append('big', [big]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidAppendError);
      expect((error as Error).message).toMatch(/over its limit of 1048576/);
      expect(h.fake.streamNames().filter((s) => s === 'big' || s.includes(big.id))).toEqual([]);
      // Its id is free: the same id with smaller data goes in.
      await h.store.append('big', [{ ...big, data: { text: 'small' } }]);
      await h.dispose();
    });

    it('maps the server’s own refusal (a limit lower than configured) to InvalidAppendError', async () => {
      const fake = new FakeEventStoreDbClient({ maxAppendSize: 2048 });
      const store = await openOver(fake);
      const error = await store
        .append('big-server', [newEvent({ data: { text: 'x'.repeat(4096) } })])
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidAppendError);
      await store.close();
    });
  });

  describe('claims', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await fakeHarness();
    });
    afterAll(() => h.dispose());

    it('stores the ledger fields in the metadata and binds every id to its stream and revision in a claim', async () => {
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
      expect(claim.data).toEqual({ streamName: s, first: '0', revision: '0' });
      expect(claim.position.commit < record.position.commit).toBe(true);
    });

    it('refuses an append that repeats stored ids in another order or in part', async () => {
      const s = h.streamName('order');
      const [a, b] = [newEvent(), newEvent()];
      await h.store.append(s, [a!, b!]);
      await expect(h.store.append(s, [b!, a!])).rejects.toBeInstanceOf(IdempotencyConflictError);
      await expect(h.store.append(s, [a!])).rejects.toBeInstanceOf(IdempotencyConflictError);
    });

    it('refuses an id claimed by an append to another stream that has not finished', async () => {
      const s = h.streamName('pending');
      const e = newEvent();
      // A writer that claimed e for s at revision 0 and was cut off before it appended.
      await h.fake.appendToStream(
        `$ledger-id-${e.id}`,
        jsonEvent({
          type: CLAIM_EVENT_TYPE,
          data: { streamName: s, first: '0', revision: '0' },
        }),
        { expectedRevision: 'no_stream' },
      );
      await expect(h.store.append(h.streamName('elsewhere'), [e])).rejects.toThrow(
        /claimed by an append not finished/,
      );
      // Retried where it was meant to go, it completes.
      expect((await h.store.append(s, [e])).nextRevision).toBe(0n);
    });

    it('finds a retried append many events back with one read, whatever the expected revision', async () => {
      const s = h.streamName('far');
      const events = [newEvent(), newEvent()];
      const first = await h.store.append(s, events);
      for (let i = 0; i < 450; i++) await h.store.append(s, [newEvent()]);
      const before = h.fake.calls.length;
      expect(await h.store.append(s, events, { expectedRevision: 0n })).toEqual(first);
      const reads = h.fake.calls.slice(before).filter((c) => c.stream === s);
      expect(reads.length).toBeLessThanOrEqual(2);
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

  describe('configuration', () => {
    it('keeps claims under another prefix, and refuses appends to streams under it', async () => {
      const fake = new FakeEventStoreDbClient();
      const store: EventStore = await EventStoreDbEventStore.open(fake, {
        serverVersion: async () => fake.serverVersion,
        idClaimStreamPrefix: 'ledger-claims-',
        log: capture().log,
      });
      const e = newEvent();
      await store.append('configured', [e]);
      expect(fake.streamNames()).toContain(`ledger-claims-${e.id}`);
      await expect(store.append('ledger-claims-x', [newEvent()])).rejects.toBeInstanceOf(
        InvalidAppendError,
      );
      expect((await store.readAll()).map((r) => r.streamName)).toEqual(['configured']);
      await store.close();
    });

    it('refuses an empty claim prefix and a connection string the client cannot read, without echoing a password', async () => {
      await expect(
        EventStoreDbEventStore.open(new FakeEventStoreDbClient(), {
          serverVersion: async () => '24.10.0',
          idClaimStreamPrefix: '',
        }),
      ).rejects.toThrow(/EVENTSTORE_CLAIM_STREAM_PREFIX/);
      const error = await EventStoreDbEventStore.create({
        connectionString: 'esdb://admin:s3cret-pw@host:2113?tls=maybe',
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EventStoreError);
      expect((error as Error).message).toMatch(/not a valid EventStoreDB connection string/);
      expect((error as Error).message).not.toMatch(/s3cret/);
    });
  });

  describe('subscriptions and close', () => {
    it('survives a dropped live subscription: resumes from its checkpoint, nothing repeated or missed', async () => {
      const fake = new FakeEventStoreDbClient();
      const store = await openOver(fake);
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
      const sub = store.subscribeToAll(
        async (events) => {
          seen.push(...events.filter((e) => e.streamName === s));
          await sleep(1);
        },
        { batchSize: 4 },
      );
      for (let i = 0; i < 60; i++) {
        await store.append(s, [newEvent()]);
        await sleep(2);
      }
      await until(() => seen.length >= 60);
      await sub.stop();
      expect(opened).toBeGreaterThanOrEqual(3);
      expect(sub.live).toBe(true);
      expect(seen.map((e) => e.revision)).toEqual(Array.from({ length: 60 }, (_, i) => BigInt(i)));
      expect(sub.position).toBe(seen[59]?.position);
      await store.close();
    });

    it('close() stops the subscriptions still running', async () => {
      const fake = new FakeEventStoreDbClient();
      const store = await openOver(fake);
      const sub = store.subscribeToAll(async () => undefined);
      await until(() => sub.live);
      await store.close();
      await expect(sub.done).resolves.toBeUndefined();
    });

    it('stop() waits for the batch in flight', async () => {
      const h = await fakeHarness();
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
      await until(() => started);
      await sub.stop();
      expect(finished).toBe(true);
      await expect(sub.done).resolves.toBeUndefined();
      await h.dispose();
    });
  });
});
