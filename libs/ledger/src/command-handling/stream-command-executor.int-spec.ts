import { randomUUID } from 'node:crypto';
import { learnerDecider, type LearnerEvent } from '@ledger/domain';
import { TEST_MAX_BACKDATE_MS } from '@ledger/domain/testing';
import { PostgresEventStore, type JsonObject } from '@ledger/event-store';
import { freshDatabase } from '../../../../test/support/test-database';
import { learnerStateBytes, streamStateWeights } from '../learner/learner-state-weight';
import { StreamCommandExecutor, type EventCodec } from './stream-command-executor';

/** Learner events without personal data, so no key table is needed here. */
const plainCodec: EventCodec<LearnerEvent> = {
  encode: async (event) => ({
    type: event.type,
    schemaVersion: 1,
    data: event.data as unknown as JsonObject,
  }),
  decode: async (recorded) =>
    ({ type: recorded.type, data: recorded.data }) as unknown as LearnerEvent,
};

describe('StreamCommandExecutor on a real PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let store: PostgresEventStore;
  beforeAll(async () => {
    db = await freshDatabase('executor');
    store = await PostgresEventStore.create({ connectionString: db.url });
  });
  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  const context = () => ({
    now: new Date('2026-11-28T12:00:00Z'),
    timeZone: 'UTC',
    maxClockSkewMs: 60_000,
    maxBackdateMs: TEST_MAX_BACKDATE_MS,
  });
  const research = (
    executor: StreamCommandExecutor,
    streamName: string,
    researchId: string,
    commandId = randomUUID(),
  ) =>
    executor.execute({
      streamName,
      decider: learnerDecider,
      codec: plainCodec,
      command: {
        type: 'RecordResearch',
        data: { researchId, occurredAt: new Date('2026-11-01T10:00:00Z') },
      },
      context,
      metadata: { actor: 'test', correlationId: 'c', commandId },
    });

  it('lands 50 concurrent commands for one learner exactly once from two processes that conflict', async () => {
    // Two executors stand for two API processes: each has its own cache and lock, so they
    // meet only at the store's expected-revision check and must catch up and decide again.
    const a = new StreamCommandExecutor(store);
    const b = new StreamCommandExecutor(store);
    const stream = `learner-${randomUUID()}`;
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) => research(i % 2 === 0 ? a : b, stream, `r-${i}`)),
    );
    expect(outcomes.every((o) => o.events.length === 1)).toBe(true);
    const events = await store.readStream(stream);
    expect(events.length).toBe(50);
    expect(new Set(events.map((e) => e.data.researchId)).size).toBe(50);
    expect(events.map((e) => e.revision)).toEqual(Array.from({ length: 50 }, (_, i) => BigInt(i)));
    const revisions = outcomes.map((o) => o.revision);
    expect(new Set(revisions.map(String)).size).toBe(50);
  });

  it('answers a command retried with the same id from its first result, in another process too', async () => {
    const stream = `learner-${randomUUID()}`;
    const commandId = randomUUID();
    const first = await research(new StreamCommandExecutor(store), stream, 'r-1', commandId);
    // Another process (cold cache) gets the retry.
    const retry = await research(new StreamCommandExecutor(store), stream, 'r-1', commandId);
    expect(retry.repeated).toBe(true);
    expect(retry.events).toEqual([]);
    expect(retry.position).toBe(first.position);
    expect((await store.readStream(stream)).length).toBe(1);
  });

  it('stamps each event with the command as its cause and ids derived from the command id', async () => {
    const stream = `learner-${randomUUID()}`;
    const commandId = randomUUID();
    await research(new StreamCommandExecutor(store), stream, 'r-1', commandId);
    const [event] = await store.readStream(stream);
    expect(event?.metadata).toEqual({ actor: 'test', correlationId: 'c', causationId: commandId });
    const again = await research(
      new StreamCommandExecutor(store),
      `learner-${randomUUID()}`,
      'r-1',
      commandId,
    );
    expect(again.events.length).toBe(1);
  });

  const answer = (executor: StreamCommandExecutor, streamName: string, correct: boolean) =>
    executor.execute({
      streamName,
      decider: learnerDecider,
      codec: plainCodec,
      command: {
        type: 'RecordAnswer',
        data: { questionId: randomUUID(), correct, occurredAt: new Date('2026-11-01T10:00:00Z') },
      },
      context,
      metadata: { actor: 'test', correlationId: 'c', commandId: randomUUID() },
    });

  /** The bytes the cache counts for one stream, loaded alone into an executor of its own. */
  const cachedBytes = async (streamName: string, weighed: boolean) => {
    const executor = new StreamCommandExecutor(store, {
      stateBytes: weighed ? streamStateWeights : undefined,
    });
    await executor.state(streamName, learnerDecider, plainCodec);
    return executor.figures().bytes;
  };

  it('counts a learner in its cache by what the folded state holds, so wrong answers take less room than right ones', async () => {
    const writer = new StreamCommandExecutor(store);
    const [right, wrong] = [`learner-${randomUUID()}`, `learner-${randomUUID()}`];
    for (let i = 0; i < 10; i++) {
      await answer(writer, right, true);
      await answer(writer, wrong, false);
    }
    // Counted by events (a kind with no weight), the two learners are alike.
    expect(await cachedBytes(right, false)).toBe(await cachedBytes(wrong, false));
    // Weighed, ten earning facts make the difference.
    const [rightBytes, wrongBytes] = [
      await cachedBytes(right, true),
      await cachedBytes(wrong, true),
    ];
    expect(rightBytes - wrongBytes).toBe(
      learnerStateBytes((await writer.state(right, learnerDecider, plainCodec)).state) -
        learnerStateBytes((await writer.state(wrong, learnerDecider, plainCodec)).state),
    );
    expect(rightBytes).toBeGreaterThan(wrongBytes);
    expect(wrongBytes).toBeLessThan(await cachedBytes(wrong, false));
  });

  it('lets the least recently used stream go first once its bytes pass the bound', async () => {
    const writer = new StreamCommandExecutor(store);
    const [a, b, c] = [1, 2, 3].map(() => `learner-${randomUUID()}`) as [string, string, string];
    for (const stream of [a, b, c]) await answer(writer, stream, true);
    const one = await cachedBytes(a, true);
    const bounded = new StreamCommandExecutor(store, {
      stateBytes: streamStateWeights,
      cacheBytes: 2 * one + one / 2,
    });
    for (const stream of [a, b, a, c]) await bounded.state(stream, learnerDecider, plainCodec);
    expect(bounded.figures()).toMatchObject({ streams: 2, bytes: 2 * one });
    // A cached stream is caught up from past its revision; one sent out is read from the start.
    const reads = jest.spyOn(store, 'readStream');
    try {
      await bounded.state(a, learnerDecider, plainCodec);
      await bounded.state(b, learnerDecider, plainCodec);
      expect(reads.mock.calls.map(([stream, options]) => [stream, options?.fromRevision])).toEqual([
        [a, 1n],
        [b, 0n],
      ]);
    } finally {
      reads.mockRestore();
    }
  });
});
