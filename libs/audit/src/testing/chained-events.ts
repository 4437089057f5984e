import { randomUUID } from 'node:crypto';
import {
  chainLink,
  contentDigest,
  genesisHash,
  type JsonObject,
  type RecordedEvent,
} from '@ledger/event-store';

/** Builds stored events with a valid hash chain per stream, in the order given (no I/O). */
export function chainedLog(
  spec: readonly { stream: string; type?: string; data?: JsonObject; recordedAt?: Date }[],
  firstPosition = 1000n,
): RecordedEvent[] {
  const heads = new Map<string, { revision: bigint; link: Buffer }>();
  return spec.map((s, index) => {
    const head = heads.get(s.stream);
    const revision = head ? head.revision + 1n : 0n;
    const previous = head ? head.link : genesisHash(s.stream);
    const fields = {
      id: randomUUID(),
      type: s.type ?? 'QuestionResearched',
      schemaVersion: 1,
      data: s.data ?? { index },
      metadata: { actor: 'test:0', correlationId: `c-${index}`, causationId: `k-${index}` },
      recordedAt: s.recordedAt ?? new Date(Date.UTC(2026, 10, 1, 10, 0, index)),
    };
    const link = chainLink(previous, revision, contentDigest(fields));
    heads.set(s.stream, { revision, link });
    return {
      ...fields,
      streamName: s.stream,
      revision,
      position: firstPosition + BigInt(index) * 10n,
      hash: link.toString('hex'),
    };
  });
}
