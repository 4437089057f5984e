import { randomUUID } from 'node:crypto';
import { IdempotencyConflictError, WrongExpectedRevisionError } from '../errors';
import type {
  AppendResult,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  RecordedEvent,
} from '../event-store.port';

/**
 * What a store adapter hands the contract. The differences between stores live here, not in
 * flags inside the tests: each adapter implements these with its nearest equivalent.
 */
export interface ContractHarness {
  store: EventStore;
  /**
   * Starts an append and abandons it (a rolled-back transaction; where a store has no
   * transactions, an append refused by the store). Nothing of it may ever be read.
   */
  appendThenAbandon(streamName: string, events: EventToAppend[]): Promise<void>;
  /**
   * Appends, keeping the write uncommitted for `holdMs` first (a transaction held open while
   * later writers commit), then commits it.
   */
  appendHeldOpen(
    streamName: string,
    events: EventToAppend[],
    holdMs: number,
  ): Promise<AppendResult>;
  /** Only the events of this test run; stores shared with other users see more in $all. */
  ownEvent(event: RecordedEvent): boolean;
  /** A stream name that no other test run uses. */
  streamName(label: string): string;
  /**
   * What operators of this store live with, done once while concurrent writers write (a
   * cluster losing its leader); absent where the store has nothing of the kind to do.
   */
  disrupt?(): Promise<void>;
  dispose(): Promise<void>;
}

export function newEvent(overrides: Partial<EventToAppend> = {}): EventToAppend {
  return {
    id: randomUUID(),
    type: 'SomethingHappened',
    schemaVersion: 1,
    data: { n: 1, text: 'häppened ✓', nested: { b: [1, 2, { c: null }], a: true } },
    metadata: { actor: 'contract-test', correlationId: randomUUID(), causationId: randomUUID() },
    ...overrides,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function readWholeLog(h: ContractHarness, pageSize = 100): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  let after = 0n;
  for (;;) {
    const page = await h.store.readAll({ after, maxCount: pageSize });
    const last = page[page.length - 1];
    if (!last) return all.filter((e) => h.ownEvent(e));
    all.push(...page);
    after = last.position;
  }
}

/**
 * The whole log's events that `pick` picks, once `count` of them show. A committed event shows
 * in the log once no transaction that could still commit below it is open; on a shared
 * PostgreSQL server a transaction of another database holds a new reader back for a moment, so a
 * read right after an append may not show it yet (docs/design-notes.md, the readable horizon).
 */
async function readWholeLogUntil(
  h: ContractHarness,
  pageSize: number,
  pick: (e: RecordedEvent) => boolean,
  count: number,
): Promise<RecordedEvent[]> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const picked = (await readWholeLog(h, pageSize)).filter(pick);
    if (picked.length >= count || Date.now() > deadline) return picked;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Checks that positions strictly increase and each stream's revisions come in order. */
function expectLogOrder(events: readonly RecordedEvent[]): void {
  const lastRevision = new Map<string, bigint>();
  let lastPosition = -1n;
  for (const e of events) {
    expect(e.position > lastPosition).toBe(true);
    lastPosition = e.position;
    const previous = lastRevision.get(e.streamName);
    expect(e.revision).toBe(previous === undefined ? 0n : previous + 1n);
    lastRevision.set(e.streamName, e.revision);
  }
}

export function eventStoreContract(
  adapter: string,
  makeHarness: () => Promise<ContractHarness>,
): void {
  describe(`event store contract: ${adapter}`, () => {
    let h: ContractHarness;
    let store: EventStore;
    beforeAll(async () => {
      h = await makeHarness();
      store = h.store;
    });
    afterAll(async () => {
      await h?.dispose();
    });

    describe('appending with an expected revision', () => {
      it('creates a stream with no_stream and refuses a second no_stream with the actual revision', async () => {
        const s = h.streamName('no-stream');
        const first = await store.append(s, [newEvent(), newEvent()], {
          expectedRevision: 'no_stream',
        });
        expect(first.nextRevision).toBe(1n);
        const error = await store
          .append(s, [newEvent()], { expectedRevision: 'no_stream' })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect((error as WrongExpectedRevisionError).actual).toBe(1n);
        expect((await store.readStream(s)).length).toBe(2);
      });

      it('appends at the exact revision and refuses a stale one, naming the actual revision', async () => {
        const s = h.streamName('exact');
        await store.append(s, [newEvent()], { expectedRevision: 'no_stream' });
        const second = await store.append(s, [newEvent()], { expectedRevision: 0n });
        expect(second.nextRevision).toBe(1n);
        const error = await store
          .append(s, [newEvent()], { expectedRevision: 0n })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect((error as WrongExpectedRevisionError).actual).toBe(1n);
        expect((error as WrongExpectedRevisionError).expected).toBe(0n);
      });

      it('refuses stream_exists on a missing stream (actual: none) and accepts it on an existing one', async () => {
        const s = h.streamName('exists');
        const error = await store
          .append(s, [newEvent()], { expectedRevision: 'stream_exists' })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect((error as WrongExpectedRevisionError).actual).toBeUndefined();
        expect(await store.streamRevision(s)).toBeUndefined();
        await store.append(s, [newEvent()], { expectedRevision: 'any' });
        const r = await store.append(s, [newEvent()], { expectedRevision: 'stream_exists' });
        expect(r.nextRevision).toBe(1n);
        expect(await store.streamRevision(s)).toBe(1n);
      });

      it('refuses an exact revision on a missing stream', async () => {
        const s = h.streamName('exact-missing');
        const error = await store
          .append(s, [newEvent()], { expectedRevision: 0n })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect((error as WrongExpectedRevisionError).actual).toBeUndefined();
      });

      it('lets exactly one of 20 concurrent writers at the same expected revision win, and leaves the ids of the refused ones free for any stream', async () => {
        const s = h.streamName('race');
        await store.append(s, [newEvent()], { expectedRevision: 'no_stream' });
        const tries = Array.from({ length: 20 }, () => [newEvent()]);
        const outcomes = await Promise.allSettled(
          tries.map((events) => store.append(s, events, { expectedRevision: 0n })),
        );
        const won = outcomes.filter((o) => o.status === 'fulfilled');
        const lost = outcomes.filter((o) => o.status === 'rejected');
        expect(won.length).toBe(1);
        for (const o of lost) {
          expect((o as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
        }
        expect((await store.readStream(s)).length).toBe(2);
        // A refused append stored nothing, so its ids bind nothing: one loser decides again
        // on the same stream, the others' events go to another stream.
        const refused = tries.filter((_, i) => outcomes[i]?.status === 'rejected');
        const [again, ...elsewhere] = refused;
        expect((await store.append(s, again!, { expectedRevision: 1n })).nextRevision).toBe(2n);
        const other = h.streamName('race-other');
        for (const events of elsewhere) await store.append(other, events);
        expect((await store.readStream(other)).map((e) => e.id)).toEqual(
          elsewhere.map((events) => events[0]!.id),
        );
      });

      it('lets concurrent creators of a new stream with no_stream see exactly one win', async () => {
        const s = h.streamName('create-race');
        const outcomes = await Promise.allSettled(
          Array.from({ length: 10 }, () =>
            store.append(s, [newEvent()], { expectedRevision: 'no_stream' }),
          ),
        );
        expect(outcomes.filter((o) => o.status === 'fulfilled').length).toBe(1);
        expect((await store.readStream(s)).length).toBe(1);
      });
    });

    describe('idempotent appends by event id', () => {
      it('returns the first result and stores nothing new when the same events come again', async () => {
        const s = h.streamName('idem');
        const events = [newEvent(), newEvent(), newEvent()];
        const first = await store.append(s, events, { expectedRevision: 'no_stream' });
        await store.append(s, [newEvent()]);
        // A client retry: same ids, a stale expected revision, even 'no_stream'.
        for (const expectedRevision of [
          'no_stream',
          'any',
          5n,
          'stream_exists',
        ] as ExpectedRevision[]) {
          const again = await store.append(s, events, { expectedRevision });
          expect(again).toEqual(first);
        }
        const again = await store.append(
          s,
          events.map((e) => ({ ...e, id: e.id.toUpperCase() })),
        );
        expect(again).toEqual(first);
        expect((await store.readStream(s)).length).toBe(4);
      });

      it('returns one result to 8 concurrent retries of the same append, on each of 30 streams', async () => {
        await Promise.all(
          Array.from({ length: 30 }, async (_, k) => {
            const s = h.streamName(`idem-race-${k}`);
            const events = [newEvent(), newEvent()];
            const results = await Promise.all(
              Array.from({ length: 8 }, () => store.append(s, events)),
            );
            for (const r of results) expect(r).toEqual(results[0]);
            expect((await store.readStream(s)).map((e) => e.id)).toEqual(events.map((e) => e.id));
          }),
        );
      });

      it('refuses an append that repeats only some stored ids, or repeats them in another stream', async () => {
        const s = h.streamName('idem-partial');
        const stored = newEvent();
        await store.append(s, [stored]);
        await expect(store.append(s, [stored, newEvent()])).rejects.toBeInstanceOf(
          IdempotencyConflictError,
        );
        await expect(store.append(h.streamName('other'), [stored])).rejects.toBeInstanceOf(
          IdempotencyConflictError,
        );
        expect((await store.readStream(s)).length).toBe(1);
      });
    });

    describe('reading', () => {
      it('gives back every field of every event', async () => {
        const s = h.streamName('fields');
        const e = newEvent({
          type: 'CreditClaimed',
          schemaVersion: 3,
          data: { twelfths: '18', when: '2024-09-01', list: [] },
        });
        const before = Date.now();
        const result = await store.append(s, [e]);
        const [read] = await store.readStream(s);
        expect(read).toBeDefined();
        expect(read?.id).toBe(e.id);
        expect(read?.streamName).toBe(s);
        expect(read?.type).toBe('CreditClaimed');
        expect(read?.schemaVersion).toBe(3);
        expect(read?.data).toEqual(e.data);
        expect(read?.metadata).toEqual(expect.objectContaining(e.metadata));
        expect(read?.revision).toBe(0n);
        expect(read?.position).toBe(result.position);
        expect(typeof read?.position).toBe('bigint');
        expect(read!.recordedAt.getTime()).toBeGreaterThanOrEqual(before - 5000);
        expect(read!.recordedAt.getTime()).toBeLessThanOrEqual(Date.now() + 5000);
        expect(read?.hash).toMatch(/^[0-9a-f]{64}$/);
      });

      it('reads a stream forwards and backwards from a revision, with a maximum count', async () => {
        const s = h.streamName('read');
        const events = Array.from({ length: 10 }, (_, i) => newEvent({ data: { i } }));
        await store.append(s, events.slice(0, 4));
        await store.append(s, events.slice(4));
        const all = await store.readStream(s);
        expect(all.map((e) => e.data.i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        const fwd = await store.readStream(s, { fromRevision: 3n, maxCount: 4 });
        expect(fwd.map((e) => e.revision)).toEqual([3n, 4n, 5n, 6n]);
        const back = await store.readStream(s, { direction: 'backwards', maxCount: 3 });
        expect(back.map((e) => e.revision)).toEqual([9n, 8n, 7n]);
        const backFrom = await store.readStream(s, { direction: 'backwards', fromRevision: 2n });
        expect(backFrom.map((e) => e.revision)).toEqual([2n, 1n, 0n]);
        expect(await store.readStream(h.streamName('missing'))).toEqual([]);
      });

      it('reads the whole log after a position in an order that keeps every stream in revision order', async () => {
        const a = h.streamName('log-a');
        const b = h.streamName('log-b');
        const r1 = await store.append(a, [newEvent(), newEvent()]);
        await store.append(b, [newEvent()]);
        await store.append(a, [newEvent()]);
        const mine = await readWholeLogUntil(
          h,
          2,
          (e) => e.streamName === a || e.streamName === b,
          4,
        );
        expect(mine.map((e) => [e.streamName, e.revision])).toEqual([
          [a, 0n],
          [a, 1n],
          [b, 0n],
          [a, 2n],
        ]);
        expectLogOrder(mine);
        const after = (await store.readAll({ after: r1.position, maxCount: 1000 })).filter(
          (e) => e.streamName === a || e.streamName === b,
        );
        expect(after.map((e) => [e.streamName, e.revision])).toEqual([
          [b, 0n],
          [a, 2n],
        ]);
        // Read in pages of the default size too: the same four, once each. (Only this test's
        // streams are counted: other suites may share the database and append meanwhile.)
        const whole = (await readWholeLog(h)).filter(
          (e) => e.streamName === a || e.streamName === b,
        );
        expect(whole.map((e) => [e.streamName, e.revision])).toEqual(
          mine.map((e) => [e.streamName, e.revision]),
        );
      });
    });

    describe('subscribing to the whole log', () => {
      it('catches up, goes live, and resumes from its checkpoint without repeating or missing', async () => {
        const s = h.streamName('sub');
        const firstIds = Array.from({ length: 25 }, () => newEvent());
        for (const e of firstIds) await store.append(s, [e]);
        const seen: RecordedEvent[] = [];
        const sub = store.subscribeToAll(
          async (events) => {
            seen.push(...events.filter((e) => e.streamName === s));
          },
          { batchSize: 7 },
        );
        await eventuallyTrue(() => seen.length === 25 && sub.live);
        const live = [newEvent(), newEvent()];
        await store.append(s, live);
        await eventuallyTrue(() => seen.length === 27);
        await sub.stop();
        const checkpoint = sub.position;
        const whileStopped = Array.from({ length: 5 }, () => newEvent());
        await store.append(s, whileStopped);
        const resumed: RecordedEvent[] = [];
        const sub2 = store.subscribeToAll(
          async (events) => {
            resumed.push(...events.filter((e) => e.streamName === s));
          },
          { after: checkpoint, batchSize: 2 },
        );
        await store.append(s, [newEvent()]);
        await eventuallyTrue(() => resumed.length === 6);
        await sub2.stop();
        const ids = [...seen, ...resumed].map((e) => e.id);
        expect(new Set(ids).size).toBe(33);
        expect([...seen, ...resumed].map((e) => e.revision)).toEqual(
          Array.from({ length: 33 }, (_, i) => BigInt(i)),
        );
      });

      it('stops with the handler error and keeps the checkpoint of the last completed batch', async () => {
        const s = h.streamName('sub-fail');
        await store.append(s, [newEvent(), newEvent(), newEvent()]);
        let calls = 0;
        const sub = store.subscribeToAll(
          async (events) => {
            if (events.some((e) => e.streamName === s && e.revision === 2n))
              throw new Error('cannot apply');
            calls += 1;
          },
          { batchSize: 1 },
        );
        await expect(sub.done).rejects.toThrow('cannot apply');
        expect(calls).toBeGreaterThan(0);
        const stored = await store.readStream(s);
        expect(sub.position).toBe(stored[1]?.position);
      });
    });

    describe('the global order under concurrent writers', () => {
      it('shows every committed event exactly once, in revision order, to a subscriber and a 10-event pager', async () => {
        const writers = 8;
        const appendsPerWriter = 25;
        const prefix = h.streamName('conc');
        const acknowledged = new Set<string>();
        const abandoned = new Set<string>();
        const subscriberSaw: RecordedEvent[] = [];
        const sub = store.subscribeToAll(
          async (events) => {
            subscriberSaw.push(...events.filter((e) => e.streamName.startsWith(prefix)));
          },
          { batchSize: 10 },
        );
        let writing = true;
        const pagerSaw: RecordedEvent[] = [];
        const pager = (async () => {
          let after = 0n;
          let giveUpAt: number | undefined;
          for (;;) {
            const finished = !writing;
            const page = await store.readAll({ after, maxCount: 10 });
            pagerSaw.push(...page.filter((e) => e.streamName.startsWith(prefix)));
            const last = page[page.length - 1];
            if (last) after = last.position;
            else if (finished) {
              // An empty page is not the end while an acknowledged event is still unseen: a
              // transaction of another database may hold the reader back for a moment.
              giveUpAt ??= Date.now() + 10000;
              if (pagerSaw.length >= acknowledged.size || Date.now() > giveUpAt) return;
              await sleep(5);
            } else await sleep(2);
          }
        })();

        const held = (async () => {
          await sleep(30);
          const events = [newEvent(), newEvent()];
          await h.appendHeldOpen(`${prefix}-held`, events, 1500);
          for (const e of events) acknowledged.add(e.id);
        })();
        const disrupted = (async () => {
          await sleep(200);
          await h.disrupt?.();
        })();
        const work = Array.from({ length: writers }, async (_, w) => {
          for (let i = 0; i < appendsPerWriter; i++) {
            const stream = `${prefix}-${w}-${i % 3}`;
            const events = Array.from({ length: 1 + (i % 4) }, () => newEvent({ data: { w, i } }));
            if (i % 5 === 4) {
              await h.appendThenAbandon(stream, events);
              for (const e of events) abandoned.add(e.id);
            } else {
              await store.append(stream, events);
              for (const e of events) acknowledged.add(e.id);
            }
          }
        });
        await Promise.all([...work, held, disrupted]);
        writing = false;
        await pager;
        await eventuallyTrue(() => subscriberSaw.length >= acknowledged.size, 20000);
        await sub.stop();

        for (const [who, saw] of [
          ['subscriber', subscriberSaw],
          ['pager', pagerSaw],
        ] as const) {
          const ids = saw.map((e) => e.id);
          expect({ who, count: ids.length }).toEqual({ who, count: acknowledged.size });
          expect(new Set(ids).size).toBe(ids.length);
          expect(ids.filter((id) => !acknowledged.has(id))).toEqual([]);
          expect(ids.filter((id) => abandoned.has(id))).toEqual([]);
          expectLogOrder(saw);
        }
        expect(abandoned.size).toBeGreaterThan(0);
        const log = (await readWholeLog(h, 10)).filter((e) => e.streamName.startsWith(prefix));
        expect(log.map((e) => e.id)).toEqual(pagerSaw.map((e) => e.id));
      }, 60000);
    });

    describe('the hash chain', () => {
      it('verifies an untouched stream and the whole log', async () => {
        const s = h.streamName('chain');
        await store.append(s, [newEvent(), newEvent()]);
        await store.append(s, [newEvent()]);
        const one = await store.verifyStream(s);
        expect(one).toEqual({ ok: true, streamsChecked: 1, eventsChecked: 3, breaks: [] });
        const all = await store.verifyAll();
        expect(all.ok).toBe(true);
        expect(all.eventsChecked).toBeGreaterThanOrEqual(3);
      });

      it('links each event to the one before it', async () => {
        const s = h.streamName('links');
        await store.append(s, [newEvent(), newEvent(), newEvent()]);
        const hashes = (await store.readStream(s)).map((e) => e.hash);
        expect(new Set(hashes).size).toBe(3);
      });
    });

    it('reports itself healthy with its server version', async () => {
      const health = await store.health();
      expect(health.ok).toBe(true);
      expect(health.adapter).toBe(adapter);
      expect(health.serverVersion).toBeTruthy();
    });
  });
}

async function eventuallyTrue(condition: () => boolean, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}
