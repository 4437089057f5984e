import {
  ANY,
  ErrorType,
  NO_STREAM,
  STREAM_EXISTS,
  WrongExpectedVersionError,
  type AppendExpectedRevision,
  type Position,
} from '@eventstore/db-client';
import { InvalidAppendError, WrongExpectedRevisionError } from '../errors';
import type {
  EventMetadata,
  ExpectedRevision,
  JsonObject,
  JsonValue,
  RecordedEvent,
} from '../event-store.port';

/**
 * Pure mapping between the port and @eventstore/db-client (v6): expected revisions, errors,
 * positions and the metadata envelope. No I/O here, so all of it is unit-tested without a server.
 */

/** The key of the ledger's own fields inside an EventStoreDB event's metadata. */
export const LEDGER_KEY = '$ledger';

/** The ledger's fields of one stored event (in its metadata under `$ledger`). */
export interface LedgerFields {
  /** Hex link of the stream's hash chain at this event. */
  hash: string;
  /** ISO-8601 with milliseconds: the exact instant that was hashed. */
  recordedAt: string;
  schemaVersion: number;
  /** Where the event sat in the append that wrote it: finds "the same append" again. */
  batch: { index: number; size: number };
}

/** The shape of an event as the client gives it back (stream reads and $all reads alike). */
export interface ClientRecordedEvent {
  streamId: string;
  id: string;
  revision: bigint;
  type: string;
  data: unknown;
  metadata: unknown;
  isJson: boolean;
  created: Date;
  /** Only on servers newer than 22.6 for stream reads; always on $all reads. */
  position?: Position;
}

export interface DecodedEvent {
  event: RecordedEvent;
  /** Undefined for an event that was not written through this adapter. */
  ledger: LedgerFields | undefined;
}

export function toClientExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return expected;
  }
}

/** Whether a stream whose last revision is `actual` (undefined: no stream) meets `expected`. */
export function expectationHolds(expected: ExpectedRevision, actual: bigint | undefined): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return actual === undefined;
    case 'stream_exists':
      return actual !== undefined;
    default:
      return actual === expected;
  }
}

/** A global position as the client takes it. Every event of a v20+ server has commit = prepare. */
export function toClientPosition(position: bigint): Position {
  return { commit: position, prepare: position };
}

export function comparePositions(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

interface WrongExpectedVersionLike {
  type: ErrorType.WRONG_EXPECTED_VERSION;
  actualVersion: unknown;
}

export function isWrongExpectedVersion(error: unknown): error is WrongExpectedVersionLike {
  return (
    error instanceof WrongExpectedVersionError ||
    (typeof error === 'object' &&
      error !== null &&
      (error as { type?: unknown }).type === ErrorType.WRONG_EXPECTED_VERSION)
  );
}

function hasType(error: unknown, type: ErrorType): boolean {
  return typeof error === 'object' && error !== null && (error as { type?: unknown }).type === type;
}

export function isStreamNotFound(error: unknown): boolean {
  return hasType(error, ErrorType.STREAM_NOT_FOUND);
}

export function isStreamDeleted(error: unknown): boolean {
  return hasType(error, ErrorType.STREAM_DELETED);
}

/** The client's actual version: a bigint revision, or 'no_stream'. */
export function actualRevisionOf(error: WrongExpectedVersionLike): bigint | undefined {
  const actual = error.actualVersion;
  if (typeof actual === 'bigint') return actual < 0n ? undefined : actual;
  if (typeof actual === 'string' && /^\d+$/.test(actual)) return BigInt(actual);
  return undefined;
}

/**
 * The client's errors in the port's terms: a wrong expected version becomes
 * WrongExpectedRevisionError (with the caller's expectation and the actual revision), a too
 * large append InvalidAppendError; anything else is passed on unchanged.
 */
export function mapClientError(
  error: unknown,
  streamName: string,
  expected: ExpectedRevision,
): unknown {
  if (isWrongExpectedVersion(error)) {
    return new WrongExpectedRevisionError(streamName, expected, actualRevisionOf(error));
  }
  if (hasType(error, ErrorType.MAXIMUM_APPEND_SIZE_EXCEEDED)) {
    return new InvalidAppendError(
      `stream ${streamName}: ${(error as Error).message || 'the append is too large'}`,
    );
  }
  return error;
}

function isJsonObject(value: unknown): value is JsonObject {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array)
  );
}

/**
 * The metadata stored with an event: the caller's keys as they are (so EventStoreDB's UI and
 * projections see them), `$correlationId`/`$causationId` (the keys EventStoreDB's own
 * projections read), and the ledger's fields under `$ledger`. When the caller's metadata
 * itself has a key starting with `$`, it is kept whole under `$ledger.metadata` instead, so
 * that reading back always gives exactly what was appended.
 */
export function packMetadata(metadata: EventMetadata, ledger: LedgerFields): JsonObject {
  const system: JsonObject = {
    $correlationId: metadata.correlationId,
    $causationId: metadata.causationId,
  };
  const ledgerValue: JsonObject = {
    hash: ledger.hash,
    recordedAt: ledger.recordedAt,
    schemaVersion: ledger.schemaVersion,
    batch: { index: ledger.batch.index, size: ledger.batch.size },
  };
  if (Object.keys(metadata).some((k) => k.startsWith('$'))) {
    return { ...system, [LEDGER_KEY]: { ...ledgerValue, metadata: metadata as JsonObject } };
  }
  return { ...(metadata as JsonObject), ...system, [LEDGER_KEY]: ledgerValue };
}

/** The inverse of packMetadata; undefined when the metadata holds no valid ledger fields. */
export function unpackMetadata(
  raw: unknown,
): { metadata: EventMetadata; ledger: LedgerFields } | undefined {
  if (!isJsonObject(raw)) return undefined;
  const l = raw[LEDGER_KEY];
  if (!isJsonObject(l)) return undefined;
  const { hash, recordedAt, schemaVersion, batch } = l;
  if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) return undefined;
  if (typeof recordedAt !== 'string' || Number.isNaN(Date.parse(recordedAt))) return undefined;
  if (typeof schemaVersion !== 'number' || !Number.isInteger(schemaVersion)) return undefined;
  if (!isJsonObject(batch) || !isIndex(batch.index) || !isIndex(batch.size)) return undefined;
  let metadata: JsonObject;
  if (l.metadata !== undefined) {
    if (!isJsonObject(l.metadata)) return undefined;
    metadata = l.metadata;
  } else {
    metadata = {};
    for (const [k, v] of Object.entries(raw)) if (!k.startsWith('$')) metadata[k] = v as JsonValue;
  }
  return {
    metadata: metadata as EventMetadata,
    ledger: { hash, recordedAt, schemaVersion, batch: { index: batch.index, size: batch.size } },
  };
}

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

export const POSITION_MISSING =
  'EventStoreDB gave an event without its $all position: stream reads carry positions only on ' +
  'servers newer than 22.6; this adapter needs EventStoreDB 22.10 or later';

/**
 * An event of the client as a port event. An event not written through this adapter (no
 * valid `$ledger` fields, or data that is not a JSON object) comes back with schemaVersion 0,
 * an empty hash and the server's creation time, so that verification names it as altered;
 * `ledger` is then undefined and $all readers leave it out.
 */
export function decodeEvent(e: ClientRecordedEvent): DecodedEvent {
  if (!e.position) throw new Error(POSITION_MISSING);
  const unpacked = e.isJson && isJsonObject(e.data) ? unpackMetadata(e.metadata) : undefined;
  const base = {
    streamName: e.streamId,
    id: e.id.toLowerCase(),
    type: e.type,
    revision: e.revision,
    position: e.position.commit,
  };
  if (unpacked) {
    return {
      event: {
        ...base,
        schemaVersion: unpacked.ledger.schemaVersion,
        data: e.data as JsonObject,
        metadata: unpacked.metadata,
        recordedAt: new Date(unpacked.ledger.recordedAt),
        hash: unpacked.ledger.hash,
      },
      ledger: unpacked.ledger,
    };
  }
  return {
    event: {
      ...base,
      schemaVersion: 0,
      data: isJsonObject(e.data) ? e.data : {},
      metadata: (isJsonObject(e.metadata) ? e.metadata : {}) as EventMetadata,
      recordedAt: e.created,
      hash: '',
    },
    ledger: undefined,
  };
}

/** System events and events of `$` streams (EventStoreDB's own, and the id claims). */
export function isSystemEvent(e: { streamId: string; type: string }): boolean {
  return e.streamId.startsWith('$') || e.type.startsWith('$');
}
