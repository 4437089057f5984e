import type { EventStore, ReadAllOptions, RecordedEvent } from '@ledger/event-store';
import { toAuditRecord } from '../audit-record';
import { digestEvents } from '../log-digest';
import { chainedLog } from '../testing/chained-events';
import { checkExport } from './check-export';

const base = chainedLog([
  { stream: 'learner-a' },
  { stream: 'learner-b' },
  { stream: 'learner-a' },
  { stream: 'learner-a' },
  { stream: 'learner-b' },
]);

async function* linesOf(events: readonly RecordedEvent[], extra: string[] = []) {
  for (const e of events) yield JSON.stringify(toAuditRecord(e));
  for (const line of extra) yield line;
}

/** A store whose log is `events` (readAll only). */
const storeOf = (events: readonly RecordedEvent[]): Pick<EventStore, 'readAll'> => ({
  async readAll({ after = 0n, maxCount = 1000 }: ReadAllOptions = {}) {
    return events.filter((e) => e.position > after).slice(0, maxCount);
  },
});

describe('checking an export', () => {
  it('a faithful export passes, and its digest is the log digest of the same events', async () => {
    const expected = digestEvents(base).digest;
    const report = await checkExport(linesOf(base, ['']), { expectedDigest: expected });
    expect(report).toEqual(
      expect.objectContaining({
        ok: true,
        events: 5,
        streams: 2,
        problems: [],
        comparison: { expectedDigest: expected, matches: true },
      }),
    );
  });

  it('another digest than the stored one fails the check', async () => {
    const report = await checkExport(linesOf(base), { expectedDigest: '0'.repeat(64) });
    expect(report.ok).toBe(false);
    expect(report.comparison?.matches).toBe(false);
  });

  it('names an altered event', async () => {
    const altered = base.map((e, i) => (i === 2 ? { ...e, data: { credits: '60' } } : e));
    const report = await checkExport(linesOf(altered));
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      expect.objectContaining({ line: 3, kind: 'altered', eventId: base[2]!.id, revision: '1' }),
    ]);
  });

  it('names a removed event', async () => {
    const report = await checkExport(linesOf(base.filter((_, i) => i !== 2)));
    expect(report.problems).toEqual([
      expect.objectContaining({ kind: 'removed', streamName: 'learner-a', eventId: base[3]!.id }),
    ]);
  });

  it('names a whole export whose stream lost its first events', async () => {
    const report = await checkExport(linesOf(base.slice(1)));
    expect(report.problems).toEqual([
      expect.objectContaining({ kind: 'removed', streamName: 'learner-a', revision: '1' }),
    ]);
  });

  it('accepts a partial export (after a position): chains are checked from their first line on', async () => {
    const report = await checkExport(linesOf(base.slice(2)), { after: base[1]!.position });
    expect(report.ok).toBe(true);
    expect(report.streamsStartingMidway).toBe(2);
  });

  it('names reordered and malformed lines', async () => {
    const swapped = [base[0]!, base[2]!, base[1]!, base[3]!, base[4]!];
    const report = await checkExport(linesOf(swapped, ['{"not":"an event"}', 'nonsense']));
    expect(report.problems).toEqual([
      expect.objectContaining({ line: 3, kind: 'out-of-order', eventId: base[1]!.id }),
      expect.objectContaining({ line: 6, kind: 'malformed' }),
      expect.objectContaining({ line: 7, kind: 'malformed' }),
    ]);
  });

  describe('against a ledger', () => {
    it('agrees with the ledger it was taken from, even at other positions', async () => {
      const moved = base.map((e, i) => ({ ...e, position: 9_000_000n + BigInt(i) }));
      const report = await checkExport(linesOf(base), { ledger: storeOf(moved) });
      expect(report.ledger).toEqual({ eventsCompared: 5, matches: true });
      expect(report.ok).toBe(true);
    });

    it('names the first event where a ledger whose chain was rewritten consistently differs', async () => {
      // The ledger's copy of learner-b was rebuilt with other content and valid links.
      const rewritten = chainedLog([
        { stream: 'learner-a' },
        { stream: 'learner-b' },
        { stream: 'learner-a' },
        { stream: 'learner-a' },
        { stream: 'learner-b' },
      ]).map((e, i) => (i === 0 ? base[0]! : e));
      const report = await checkExport(linesOf(base), { ledger: storeOf(rewritten) });
      expect(report.ok).toBe(false);
      expect(report.ledger).toEqual({ eventsCompared: 1, matches: false });
      expect(report.problems).toEqual([
        expect.objectContaining({ line: 2, kind: 'differs-from-ledger', eventId: base[1]!.id }),
      ]);
    });

    it('names the first exported event a shorter ledger lacks', async () => {
      const report = await checkExport(linesOf(base), { ledger: storeOf(base.slice(0, 3)) });
      expect(report.problems).toEqual([
        expect.objectContaining({ line: 4, kind: 'missing-from-ledger', eventId: base[3]!.id }),
      ]);
    });
  });
});
