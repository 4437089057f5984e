import { createHash } from 'node:crypto';
import { contentDigest, type RecordedEvent } from '@ledger/event-store';
import { digestEvents, genesisLogDigest, LOG_DIGEST_VERSION } from './log-digest';
import { chainedLog } from './testing/chained-events';

const log = (): RecordedEvent[] =>
  chainedLog([
    { stream: 'learner-a' },
    { stream: 'learner-b' },
    { stream: 'learner-a' },
    { stream: 'board-submission-x' },
    { stream: 'learner-b' },
  ]);

/** The digest exactly as its definition (log-digest.ts) reads, hashed part by part. */
function digestByDefinition(events: readonly RecordedEvent[]): string {
  const u32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const u64 = (n: bigint): Buffer => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(n);
    return b;
  };
  const str = (text: string): Buffer => {
    const bytes = Buffer.from(text, 'utf8');
    return Buffer.concat([u32(bytes.length), bytes]);
  };
  let d = createHash('sha256').update(LOG_DIGEST_VERSION, 'utf8').digest();
  events.forEach((e, i) => {
    d = createHash('sha256')
      .update(d)
      .update(u64(BigInt(i + 1)))
      .update(str(e.streamName))
      .update(u64(e.revision))
      .update(str(e.hash))
      .update(contentDigest(e))
      .digest();
  });
  return d.toString('hex');
}

describe('log digest', () => {
  it('is its definition, byte for byte (digests stored by auditors keep matching)', () => {
    const events = chainedLog([
      { stream: 'learner-a' },
      { stream: 'learner-é✓-😀' },
      { stream: 'learner-a', data: { z: [1, { y: 'ü', b: null }], a: '"\\\n' } },
      { stream: 'board-submission-x' },
    ]);
    expect(digestEvents(events).digest).toBe(digestByDefinition(events));
  });

  it('is the same for the same history, and names the range it covers', () => {
    const events = log();
    const copy = events.map((e) => ({ ...e, data: JSON.parse(JSON.stringify(e.data)) }));
    const a = digestEvents(events);
    expect(digestEvents(copy)).toEqual(a);
    expect(a).toEqual({
      algorithm: 'cme-ledger/log-digest/v1',
      afterPosition: '0',
      upToPosition: events[4]!.position.toString(),
      events: 5,
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
      lastEventId: events[4]!.id,
    });
  });

  it('of an empty range is the genesis digest', () => {
    expect(digestEvents([], 42n)).toEqual(
      expect.objectContaining({
        afterPosition: '42',
        upToPosition: '42',
        events: 0,
        digest: genesisLogDigest().toString('hex'),
        lastEventId: null,
      }),
    );
  });

  it('does not depend on positions: a ledger replayed from an export gives the same digest', () => {
    const events = log();
    const moved = events.map((e, i) => ({ ...e, position: 7_000_000n + BigInt(i) }));
    expect(digestEvents(moved).digest).toBe(digestEvents(events).digest);
  });

  describe('changes when', () => {
    const base = log();
    const original = digestEvents(base).digest;
    const variants: Array<[string, (events: RecordedEvent[]) => RecordedEvent[]]> = [
      [
        'an event is altered but its link is left as it was',
        (es) => es.map((e, i) => (i === 2 ? { ...e, data: { index: 99 } } : e)),
      ],
      [
        'its metadata (who issued it) is altered',
        (es) =>
          es.map((e, i) => (i === 1 ? { ...e, metadata: { ...e.metadata, actor: 'admin:x' } } : e)),
      ],
      [
        'its recorded-at is altered',
        (es) => es.map((e, i) => (i === 0 ? { ...e, recordedAt: new Date(0) } : e)),
      ],
      [
        'its stored link is altered',
        (es) => es.map((e, i) => (i === 3 ? { ...e, hash: 'f'.repeat(64) } : e)),
      ],
      ['an event is removed', (es) => es.filter((_, i) => i !== 1)],
      ['the last event is removed', (es) => es.slice(0, -1)],
      ['two events are swapped in the log order', (es) => [es[1]!, es[0]!, ...es.slice(2)]],
      ['an event is added', (es) => [...es, ...chainedLog([{ stream: 'learner-c' }])]],
      [
        'an event moves to another revision',
        (es) => es.map((e, i) => (i === 2 ? { ...e, revision: 5n } : e)),
      ],
    ];
    it.each(variants)('%s', (_title, change) => {
      expect(digestEvents(base).digest).toBe(original);
      expect(digestEvents(change(base)).digest).not.toBe(original);
    });
  });
});
