import { parseRecordedInstant } from '@ledger/domain';
import type { EventMetadata, JsonObject, RecordedEvent } from '@ledger/event-store';

/**
 * One stored event as auditors see it: in the audit endpoints' answers and as one line of an
 * export. Everything the hash chain covers is here (id, type, schema version, data, metadata,
 * recorded-at) with the stored link, so a reader can recompute the chain on its own.
 * Positions and revisions are strings: they are 64-bit.
 */
export interface AuditEventRecord {
  position: string;
  streamName: string;
  revision: string;
  id: string;
  type: string;
  schemaVersion: number;
  /** When the store recorded the event (ISO 8601, UTC). */
  recordedAt: string;
  /** Who (actor), why (correlation and causation ids), and anything else kept with it. */
  metadata: EventMetadata;
  /** As stored: personal data only ever appears encrypted (`personalEncrypted`). */
  data: JsonObject;
  /** The stream's hash-chain link at this event, hex sha-256. */
  hash: string;
}

export function toAuditRecord(e: RecordedEvent): AuditEventRecord {
  return {
    position: e.position.toString(),
    streamName: e.streamName,
    revision: e.revision.toString(),
    id: e.id,
    type: e.type,
    schemaVersion: e.schemaVersion,
    recordedAt: e.recordedAt.toISOString(),
    metadata: e.metadata,
    data: e.data,
    hash: e.hash,
  };
}

/** A line of an export that is not an event record; names the field at fault. */
export class AuditRecordFormatError extends Error {
  override readonly name = 'AuditRecordFormatError';
}

const DIGITS = /^(0|[1-9][0-9]{0,18})$/;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads an event record back (from an export line) into a recorded event, checking each field. */
export function fromAuditRecord(value: unknown): RecordedEvent {
  if (!isObject(value)) throw new AuditRecordFormatError('a record must be a JSON object');
  const text = (field: string): string => {
    const v = value[field];
    if (typeof v !== 'string' || v.length === 0) {
      throw new AuditRecordFormatError(`${field} must be a non-empty string`);
    }
    return v;
  };
  const int64 = (field: string): bigint => {
    const v = text(field);
    if (!DIGITS.test(v)) throw new AuditRecordFormatError(`${field} must be a 64-bit whole number`);
    const n = BigInt(v);
    if (n > 0x7fff_ffff_ffff_ffffn) throw new AuditRecordFormatError(`${field} exceeds 64 bits`);
    return n;
  };
  const recordedAt = text('recordedAt');
  if (parseRecordedInstant(recordedAt) === undefined) {
    throw new AuditRecordFormatError('recordedAt must be an ISO 8601 instant in UTC');
  }
  const schemaVersion = value.schemaVersion;
  if (typeof schemaVersion !== 'number' || !Number.isInteger(schemaVersion) || schemaVersion < 1) {
    throw new AuditRecordFormatError('schemaVersion must be a positive integer');
  }
  const { data, metadata } = value;
  if (!isObject(data)) throw new AuditRecordFormatError('data must be an object');
  if (!isObject(metadata)) throw new AuditRecordFormatError('metadata must be an object');
  for (const key of ['actor', 'correlationId', 'causationId']) {
    if (typeof metadata[key] !== 'string') {
      throw new AuditRecordFormatError(`metadata.${key} must be a string`);
    }
  }
  const hash = text('hash');
  if (!/^[0-9a-f]{64}$/.test(hash)) throw new AuditRecordFormatError('hash must be 64 hex digits');
  return {
    position: int64('position'),
    streamName: text('streamName'),
    revision: int64('revision'),
    id: text('id'),
    type: text('type'),
    schemaVersion,
    recordedAt: new Date(recordedAt),
    metadata: metadata as EventMetadata,
    data: data as JsonObject,
    hash,
  };
}
