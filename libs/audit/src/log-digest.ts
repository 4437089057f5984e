import { createHash, hash } from 'node:crypto';
import { contentDigest, type RecordedEvent } from '@ledger/event-store';

/**
 * The digest of the whole log (or of a range of it), for an auditor to store and compare later.
 * A running SHA-256 over the events in log order:
 *
 *   d(0) = sha256("cme-ledger/log-digest/v1")
 *   d(n) = sha256(d(n-1) ‖ u64(n) ‖ str(streamName) ‖ u64(revision) ‖ str(hash) ‖ content(e))
 *
 * where n counts the events of the range from 1, str(x) is u32(byte length) ‖ UTF-8 bytes,
 * `hash` is the stored link of the stream's hash chain and content(e) the event's content digest
 * recomputed from what is stored (hash-chain.ts). So an event altered (even with its link left
 * as it was), removed, added, moved to another stream or revision, or moved in the log's order
 * changes every later d(n). Global positions are not part of it: they are the store's physical
 * order key, and a ledger replayed from an export holds the same history at other positions.
 */
export const LOG_DIGEST_VERSION = 'cme-ledger/log-digest/v1';

/** What an auditor keeps: the digest of the events after `afterPosition` up to `upToPosition`. */
export interface LogDigestReport {
  algorithm: typeof LOG_DIGEST_VERSION;
  /** Exclusive start of the range ("0": the start of the log). */
  afterPosition: string;
  /** Position of the last event covered (`afterPosition` when the range is empty). */
  upToPosition: string;
  /** How many events the digest covers. */
  events: number;
  /** Hex sha-256. */
  digest: string;
  /** Id of the last event covered: names the end of the range in any copy of the log. */
  lastEventId: string | null;
}

/** The fields of an event the digest reads. */
export type DigestedEvent = Pick<
  RecordedEvent,
  | 'streamName'
  | 'revision'
  | 'position'
  | 'hash'
  | 'id'
  | 'type'
  | 'schemaVersion'
  | 'data'
  | 'metadata'
  | 'recordedAt'
>;

export const genesisLogDigest = (): Buffer =>
  createHash('sha256').update(LOG_DIGEST_VERSION, 'utf8').digest();

/** Accumulates the digest one event at a time: constant memory, whatever the log's length. */
export class LogDigest {
  private current = genesisLogDigest();
  private count = 0;
  private lastPosition: bigint;
  private lastEventId: string | null = null;

  constructor(readonly afterPosition: bigint = 0n) {
    this.lastPosition = afterPosition;
  }

  /**
   * Adds the next event. `content` is its content digest when the caller has computed it
   * already (checking a chain needs it too): the canonical text is then serialized once.
   */
  add(e: DigestedEvent, content: Buffer = contentDigest(e)): void {
    this.count += 1;
    // d(n-1) ‖ u64(n) ‖ str(streamName) ‖ u64(revision) ‖ str(hash) ‖ content(e), in one buffer
    // hashed in one call (the same bytes as hashing them part by part).
    const nameLength = Buffer.byteLength(e.streamName, 'utf8');
    const hashLength = Buffer.byteLength(e.hash, 'utf8');
    const input = Buffer.allocUnsafe(32 + 8 + 4 + nameLength + 8 + 4 + hashLength + content.length);
    let at = this.current.copy(input, 0);
    at = input.writeBigUInt64BE(BigInt(this.count), at);
    at = input.writeUInt32BE(nameLength, at);
    at += input.write(e.streamName, at, 'utf8');
    at = input.writeBigUInt64BE(e.revision, at);
    at = input.writeUInt32BE(hashLength, at);
    at += input.write(e.hash, at, 'utf8');
    content.copy(input, at);
    this.current = hash('sha256', input, 'buffer');
    this.lastPosition = e.position;
    this.lastEventId = e.id;
  }

  get events(): number {
    return this.count;
  }

  get hex(): string {
    return this.current.toString('hex');
  }

  report(): LogDigestReport {
    return {
      algorithm: LOG_DIGEST_VERSION,
      afterPosition: this.afterPosition.toString(),
      upToPosition: this.lastPosition.toString(),
      events: this.events,
      digest: this.hex,
      lastEventId: this.lastEventId,
    };
  }
}

/** The digest of a list of events, in the order given (tests, small exports). */
export function digestEvents(events: Iterable<DigestedEvent>, afterPosition = 0n): LogDigestReport {
  const digest = new LogDigest(afterPosition);
  for (const e of events) digest.add(e);
  return digest.report();
}
