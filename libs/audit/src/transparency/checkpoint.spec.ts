import { createHash } from 'node:crypto';
import { contentDigest, type RecordedEvent } from '@ledger/event-store';
import { chainedLog } from '../testing/chained-events';
import { eventLeafHash, leafDataOf } from './checkpoint';

/** An event's leaf data exactly as its definition (checkpoint.ts) reads, part by part. */
function leafDataByDefinition(e: RecordedEvent): Buffer {
  const name = Buffer.from(e.streamName, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(name.length);
  const revision = Buffer.alloc(8);
  revision.writeBigUInt64BE(e.revision);
  return Buffer.concat([length, name, revision, Buffer.from(e.hash, 'hex'), contentDigest(e)]);
}

describe("an event's leaf in the Merkle tree", () => {
  const events = chainedLog([
    { stream: 'learner-a' },
    { stream: 'learner-é✓-😀', data: { z: [1, { y: 'ü' }], a: '"\\\n' } },
    { stream: 'learner-a' },
  ]);

  it('is its definition, byte for byte (signed roots keep verifying)', () => {
    for (const e of events) {
      const data = leafDataByDefinition(e);
      expect(leafDataOf(e).equals(data)).toBe(true);
      const leaf = createHash('sha256')
        .update(Buffer.from([0]))
        .update(data)
        .digest();
      expect(eventLeafHash(e).toString('hex')).toBe(leaf.toString('hex'));
    }
  });

  it('changes with the content, the link, the revision and the stream', () => {
    const e = events[2]!;
    const leaf = eventLeafHash(e).toString('hex');
    for (const changed of [
      { ...e, data: { index: 99 } },
      { ...e, hash: 'f'.repeat(64) },
      { ...e, revision: 7n },
      { ...e, streamName: 'learner-b' },
    ]) {
      expect(eventLeafHash(changed).toString('hex')).not.toBe(leaf);
    }
  });
});
