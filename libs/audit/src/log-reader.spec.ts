import type { RecordedEvent } from '@ledger/event-store';
import { readLogPages } from './log-reader';

const at = (position: number): RecordedEvent => ({
  streamName: 'learner-a',
  id: `e${position}`,
  type: 'QuestionResearched',
  schemaVersion: 1,
  data: {},
  metadata: { actor: 'service:test', correlationId: 'c', causationId: 'c' },
  revision: BigInt(position - 1),
  position: BigInt(position),
  recordedAt: new Date(0),
  hash: '00',
});

/**
 * A log of `size` events whose readers see only the first `visible` for the first `heldReads`
 * reads: a horizon held back by a transaction open elsewhere, as the PostgreSQL store has it.
 */
function heldLog(size: number, visible: number, heldReads: number) {
  let reads = 0;
  return {
    get reads() {
      return reads;
    },
    async readAll(options: { after?: bigint; maxCount?: number } = {}) {
      reads += 1;
      const end = reads <= heldReads ? visible : size;
      const from = Number(options.after ?? 0n);
      return Array.from(
        { length: Math.max(0, Math.min(end - from, options.maxCount ?? 100)) },
        (_, i) => at(from + i + 1),
      );
    },
  };
}

async function positions(pages: AsyncGenerator<RecordedEvent[]>): Promise<number[]> {
  const all: number[] = [];
  for await (const page of pages) all.push(...page.map((e) => Number(e.position)));
  return all;
}

describe('readLogPages: a short page before a position the caller knows is there', () => {
  it('is read again until the horizon passes it, with upTo', async () => {
    const log = heldLog(25, 7, 2);
    expect(await positions(readLogPages(log, { upTo: 20n, pageSize: 10 }))).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });

  it('is read again with maxEvents (a checkpoint of that size), and with through', async () => {
    expect(
      await positions(readLogPages(heldLog(25, 3, 3), { maxEvents: 12, pageSize: 5 })),
    ).toHaveLength(12);
    expect(
      await positions(readLogPages(heldLog(25, 3, 3), { through: 18n, pageSize: 5 })),
    ).toHaveLength(25);
  });

  it('ends the read, as the end of the log, when no expectation is given', async () => {
    const log = heldLog(25, 7, 2);
    expect(await positions(readLogPages(log, { pageSize: 10 }))).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(log.reads).toBe(1);
  });

  it('gives up after a bounded wait where the log really ends before upTo', async () => {
    const log = heldLog(5, 5, 0);
    const started = Date.now();
    expect(await positions(readLogPages(log, { upTo: 50n, pageSize: 10 }))).toEqual([
      1, 2, 3, 4, 5,
    ]);
    expect(log.reads).toBe(7);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
