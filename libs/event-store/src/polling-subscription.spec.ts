import type { RecordedEvent } from './event-store.port';
import { PollingSubscription } from './polling-subscription';

const event = (position: number): RecordedEvent => ({
  streamName: 'learner-1',
  id: `e${position}`,
  type: 'QuestionResearched',
  schemaVersion: 1,
  data: {},
  metadata: { actor: 'test', correlationId: 'c', causationId: 'c' },
  revision: BigInt(position - 1),
  position: BigInt(position),
  recordedAt: new Date(0),
  hash: '',
});

/** A log of `count` events at positions 1..count, read as a store reads it. */
function log(count: number) {
  const reads: bigint[] = [];
  const read = async (after: bigint, maxCount: number): Promise<RecordedEvent[]> => {
    reads.push(after);
    const from = Number(after) + 1;
    return Array.from({ length: Math.max(0, Math.min(maxCount, count - from + 1)) }, (_, i) =>
      event(from + i),
    );
  };
  return { read, reads };
}

describe('PollingSubscription: catch-up reads the next page while the handler applies this one', () => {
  it('hands every event over once, in order, one page at a time, while reads run ahead', async () => {
    const { read, reads } = log(10);
    const handled: bigint[][] = [];
    const trace: string[] = [];
    const subscription = new PollingSubscription({
      read: async (after, max) => {
        trace.push(`read after ${after}`);
        return read(after, max);
      },
      handler: async (events) => {
        trace.push(`apply from ${events[0]?.position}`);
        await new Promise((r) => setImmediate(r));
        handled.push(events.map((e) => e.position));
        trace.push(`applied to ${events[events.length - 1]?.position}`);
      },
      after: 0n,
      batchSize: 3,
      pollIntervalMs: 60_000,
    });
    for (let i = 0; i < 1000 && !subscription.live; i++) await new Promise((r) => setImmediate(r));
    await subscription.stop();

    expect(handled).toEqual([[1n, 2n, 3n], [4n, 5n, 6n], [7n, 8n, 9n], [10n]]);
    expect(reads).toEqual([0n, 3n, 6n, 9n]);
    // Each next page is asked for before the page before it is applied; a short page is live.
    expect(trace).toEqual([
      'read after 0',
      'read after 3',
      'apply from 1',
      'applied to 3',
      'read after 6',
      'apply from 4',
      'applied to 6',
      'read after 9',
      'apply from 7',
      'applied to 9',
      'apply from 10',
      'applied to 10',
    ]);
    expect(subscription.position).toBe(10n);
  });

  it('ends with the handler error, the page read ahead unused and not an unhandled rejection', async () => {
    let reads = 0;
    const subscription = new PollingSubscription({
      read: async (after, max) => {
        reads++;
        if (after > 0n) throw new Error('database went away');
        return log(10).read(after, max);
      },
      handler: async () => {
        throw new Error('cannot apply');
      },
      after: 0n,
      batchSize: 3,
      pollIntervalMs: 60_000,
    });
    await expect(subscription.done).rejects.toThrow('cannot apply');
    expect(reads).toBe(2);
    expect(subscription.position).toBe(0n);
  });
});
