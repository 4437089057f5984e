import {
  PostgresEventStore,
  type AppendResult,
  type EventToAppend,
  type ExpectedRevision,
  type RecordedEvent,
} from '@ledger/event-store';
import type { Pool } from 'pg';
import { LogDigest, type LogDigestReport } from '../log-digest';
import { exportLines } from './export-lines';

/** Where an import writes: an event store that records each append at the given instant. */
export interface ImportTarget {
  /** True when the log holds no event at all. */
  isEmpty(): Promise<boolean>;
  append(
    streamName: string,
    events: readonly EventToAppend[],
    expectedRevision: ExpectedRevision,
    recordedAt: Date,
  ): Promise<AppendResult>;
}

/** The export cannot be replayed: names the line. */
export class ImportError extends Error {
  override readonly name = 'ImportError';
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(line > 0 ? `line ${line}: ${message}` : message);
  }
}

export interface ImportReport {
  events: number;
  streams: number;
  appends: number;
  /** The digest of the events read from the export (the imported log's digest must equal it). */
  log: LogDigestReport;
  /** The imported log's last position (its own), as text: where a verification of it ends. */
  upToPosition: string;
}

const MAX_BATCH = 500;

/**
 * Replays a whole export (from position 0) into an empty ledger, in the export's order, each
 * event with its id, metadata and recorded-at: every stream's hash chain comes out link for link
 * as exported, and so does the log's digest (positions are the new ledger's own). Consecutive
 * events of one stream recorded at the same instant go in one append.
 */
export async function importLog(
  lines: AsyncIterable<string>,
  target: ImportTarget,
): Promise<ImportReport> {
  if (!(await target.isEmpty())) {
    throw new ImportError(
      0,
      'the ledger is not empty: an export is replayed into an empty ledger only',
    );
  }
  const digest = new LogDigest();
  const nextRevision = new Map<string, bigint>();
  let batch: { line: number; event: RecordedEvent }[] = [];
  let appends = 0;
  let lineNo = 0;
  let lastPosition = -1n;
  let appendedUpTo = 0n;

  const flush = async (): Promise<void> => {
    const first = batch[0];
    if (!first) return;
    const { streamName, revision, recordedAt } = first.event;
    const expected: ExpectedRevision = revision === 0n ? 'no_stream' : revision - 1n;
    const result = await target.append(
      streamName,
      batch.map(({ event }) => ({
        id: event.id,
        type: event.type,
        schemaVersion: event.schemaVersion,
        data: event.data,
        metadata: event.metadata,
      })),
      expected,
      recordedAt,
    );
    const last = batch[batch.length - 1];
    if (last && result.nextRevision !== last.event.revision) {
      throw new ImportError(
        last.line,
        `${streamName} is at revision ${result.nextRevision} after the import of revision ${last.event.revision}`,
      );
    }
    appends += 1;
    appendedUpTo = result.position;
    batch = [];
  };

  for await (const read of exportLines(lines)) {
    lineNo = read.line;
    if ('malformed' in read) throw new ImportError(lineNo, read.malformed);
    const event = read.event;
    if (event.position <= lastPosition) {
      throw new ImportError(lineNo, `position ${event.position} is not after ${lastPosition}`);
    }
    lastPosition = event.position;
    const expected = nextRevision.get(event.streamName) ?? 0n;
    if (event.revision !== expected) {
      throw new ImportError(
        lineNo,
        expected === 0n
          ? `${event.streamName} starts at revision ${event.revision}: import a whole export (from position 0)`
          : `${event.streamName} revision ${event.revision} follows revision ${expected - 1n}`,
      );
    }
    nextRevision.set(event.streamName, expected + 1n);
    digest.add(event);
    const head = batch[0]?.event;
    if (
      head &&
      (head.streamName !== event.streamName ||
        head.recordedAt.getTime() !== event.recordedAt.getTime() ||
        batch.length >= MAX_BATCH)
    ) {
      await flush();
    }
    batch.push({ line: lineNo, event });
  }
  await flush();
  const log = digest.report();
  return {
    events: log.events,
    streams: nextRevision.size,
    appends,
    log,
    upToPosition: appendedUpTo.toString(),
  };
}

/**
 * An import target on PostgreSQL: the adapter's own append (same hash chain, same checks), with
 * its clock set to each append's original recorded-at. On the process's pool when given (the
 * target's close leaves it open), else on one of its own.
 */
export async function postgresImportTarget(
  connectionString: string,
  pool?: Pool,
): Promise<ImportTarget & { store: PostgresEventStore; close(): Promise<void> }> {
  let recordedAt = new Date(0);
  const store = await PostgresEventStore.create({
    connectionString,
    maxConnections: 2,
    ...(pool ? { pool } : {}),
    clock: () => recordedAt,
  });
  return {
    store,
    async isEmpty() {
      return (await store.readAll({ maxCount: 1 })).length === 0;
    },
    append(streamName, events, expectedRevision, at) {
      recordedAt = at;
      return store.append(streamName, events, { expectedRevision });
    },
    close: () => store.close(),
  };
}
