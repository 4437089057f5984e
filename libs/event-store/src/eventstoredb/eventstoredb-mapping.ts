import {
  ANY,
  ErrorType,
  NO_STREAM,
  STREAM_EXISTS,
  WrongExpectedVersionError,
  type AppendExpectedRevision,
  type Position,
} from '@eventstore/db-client';
// The port's errors, as the adapter that throws them imports them too.
import {
  EventStoreError,
  IdempotencyConflictError,
  InvalidAppendError,
  WrongExpectedRevisionError,
} from '../errors';
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
  /**
   * Always set by the client, which reads an absent position as 0; servers before 22.6 send
   * 2^64−1 for events read from a stream. Both mean "no position": see positionOf.
   */
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

/** The client's error types after which the same call may succeed: nothing was decided. */
const PASSING: ReadonlySet<string> = new Set([
  ErrorType.UNAVAILABLE,
  ErrorType.NOT_LEADER,
  ErrorType.DEADLINE_EXCEEDED,
  ErrorType.TIMEOUT,
  ErrorType.CANCELLED,
  ErrorType.UNKNOWN,
]);

/**
 * Whether an error may pass if the call is made again: `transient` (the server restarting or
 * unreachable, a leader election, a timeout, a subscription the server dropped) or `permanent`
 * (access refused, a deleted stream, an answer the adapter cannot trust: retrying cannot cure
 * it). The port's own errors keep their meaning; errors without a client error type (the
 * connection's own, a feed that ended) are transient.
 */
export function classifyError(error: unknown): 'transient' | 'permanent' {
  if (error instanceof EventStoreError) return error.retryable ? 'transient' : 'permanent';
  if (
    error instanceof WrongExpectedRevisionError ||
    error instanceof IdempotencyConflictError ||
    error instanceof InvalidAppendError
  ) {
    return 'permanent';
  }
  const type = (error as { type?: unknown } | null)?.type;
  if (typeof type === 'string' && Object.values(ErrorType).includes(type as ErrorType)) {
    return PASSING.has(type) ? 'transient' : 'permanent';
  }
  return 'transient';
}

/**
 * Any error in the port's terms, so that no client error leaves the adapter: a wrong expected
 * version becomes WrongExpectedRevisionError (with the caller's expectation and the actual
 * revision), a too large append InvalidAppendError, the port's own errors stay as they are, and
 * everything else becomes EventStoreError, retryable or not as classifyError says, naming what
 * was being done and, for access, what the user needs.
 */
export function toPortError(
  error: unknown,
  doing: string,
  context: { streamName?: string; expected?: ExpectedRevision } = {},
): Error {
  if (
    error instanceof EventStoreError ||
    error instanceof WrongExpectedRevisionError ||
    error instanceof IdempotencyConflictError ||
    error instanceof InvalidAppendError
  ) {
    return error;
  }
  if (isWrongExpectedVersion(error) && context.streamName !== undefined) {
    return new WrongExpectedRevisionError(
      context.streamName,
      context.expected ?? 'any',
      actualRevisionOf(error),
    );
  }
  const message = (error as Error | null)?.message || String(error);
  if (hasType(error, ErrorType.MAXIMUM_APPEND_SIZE_EXCEEDED)) {
    return new InvalidAppendError(`stream ${context.streamName ?? '?'}: ${message}`);
  }
  if (hasType(error, ErrorType.ACCESS_DENIED)) {
    return new EventStoreError(
      `EventStoreDB refused access while ${doing}: the ledger's user needs read on $all and read ` +
        'and write on its streams and on the id-claim streams (see the README, "Running against ' +
        'EventStoreDB")',
      false,
      { cause: error },
    );
  }
  if (hasType(error, ErrorType.STREAM_DELETED)) {
    return new EventStoreError(
      `EventStoreDB: ${doing}: the stream was deleted for good (tombstoned) and cannot be written`,
      false,
      { cause: error },
    );
  }
  const retryable = classifyError(error) === 'transient';
  return new EventStoreError(
    `EventStoreDB ${retryable ? 'did not answer' : 'refused'} while ${doing}: ${message}`,
    retryable,
    { cause: error },
  );
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

const MAX_U64 = 2n ** 64n - 1n;

/**
 * The event's $all position, or undefined when the server sent none. The client never gives an
 * undefined position: it reads an absent one as 0 (protobuf's default), and servers before 22.6
 * send 2^64−1 on stream reads. Neither is the position of an event a ledger wrote (the log
 * starts with the server's own records).
 */
export function positionOf(e: { position?: Position }): bigint | undefined {
  const commit = e.position?.commit;
  return commit === undefined || commit === 0n || commit === MAX_U64 ? undefined : commit;
}

/** The oldest server whose stream reads carry each event's $all position (22.6), as an LTS. */
export const MINIMUM_SERVER = { major: 22, minor: 10 } as const;

/**
 * Refuses a server older than the adapter needs, by the version it reported when connecting
 * (its ServerFeatures answer; 'unknown' on servers before 21.10, which have none).
 */
export function checkServerVersion(version: string): void {
  const match = /^(\d+)\.(\d+)/.exec(version);
  const major = match ? Number.parseInt(match[1]!, 10) : undefined;
  const minor = match ? Number.parseInt(match[2]!, 10) : undefined;
  const ok =
    major !== undefined &&
    minor !== undefined &&
    (major > MINIMUM_SERVER.major ||
      (major === MINIMUM_SERVER.major && minor >= MINIMUM_SERVER.minor));
  if (!ok) {
    throw new EventStoreError(
      `EventStoreDB ${version} is too old for the ledger: it needs ${MINIMUM_SERVER.major}.` +
        `${MINIMUM_SERVER.minor} or later (older servers give events read from a stream no $all ` +
        'position, which the ledger answers and checkpoints with). Upgrade the server, or run ' +
        'the ledger on PostgreSQL (EVENT_STORE=postgres)',
      false,
    );
  }
}

export const POSITION_MISSING =
  'EventStoreDB gave an event without its $all position (0 or 2^64−1): servers before 22.6 do ' +
  'so for stream reads, and so do events of explicit transactions; the ledger needs ' +
  `EventStoreDB ${MINIMUM_SERVER.major}.${MINIMUM_SERVER.minor} or later and events it wrote itself`;

/**
 * An event of the client as a port event. An event not written through this adapter (no
 * valid `$ledger` fields, or data that is not a JSON object) comes back with schemaVersion 0,
 * an empty hash and the server's creation time, so that verification names it as altered;
 * `ledger` is then undefined and $all readers leave it out.
 */
export function decodeEvent(e: ClientRecordedEvent): DecodedEvent {
  const position = positionOf(e);
  if (position === undefined) {
    throw new EventStoreError(`${POSITION_MISSING} (event ${e.id} of ${e.streamId})`, false);
  }
  const unpacked = e.isJson && isJsonObject(e.data) ? unpackMetadata(e.metadata) : undefined;
  const base = {
    streamName: e.streamId,
    id: e.id.toLowerCase(),
    type: e.type,
    revision: e.revision,
    position,
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
