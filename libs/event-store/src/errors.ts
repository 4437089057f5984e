import type { ExpectedRevision } from './event-store.port';

/** The stream is not at the revision the writer expected. */
export class WrongExpectedRevisionError extends Error {
  override readonly name = 'WrongExpectedRevisionError';
  constructor(
    readonly streamName: string,
    readonly expected: ExpectedRevision,
    /** The stream's actual last revision; undefined when the stream does not exist. */
    readonly actual: bigint | undefined,
  ) {
    super(
      `Stream ${streamName}: expected revision ${String(expected)}, actual ${
        actual === undefined ? 'no stream' : actual.toString()
      }`,
    );
  }
}

/** Some events of an append were stored before under other streams or revisions. */
export class IdempotencyConflictError extends Error {
  override readonly name = 'IdempotencyConflictError';
  constructor(
    readonly streamName: string,
    readonly eventIds: readonly string[],
    detail: string,
  ) {
    super(`Stream ${streamName}: ${detail}`);
  }
}

/** The append is malformed (empty, too large, invalid id or data). */
export class InvalidAppendError extends Error {
  override readonly name = 'InvalidAppendError';
}

/**
 * The store could not do what was asked, for a reason outside the caller's input: unreachable,
 * no leader, access refused, or an answer the adapter cannot trust. `retryable` says whether
 * the same call may work later (the server restarting, a leader election) or needs an
 * operator (access rights, a server too old, a deleted stream). The client's own error is the
 * cause; it never leaves the port by itself.
 */
export class EventStoreError extends Error {
  override readonly name = 'EventStoreError';
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The store cannot start on this database as it is: new positions could sort before stored
 * ones (the cluster's transaction ids are behind the log's head) and the position epoch cannot
 * be raised. The message names the cause and the fix.
 */
export class PositionEpochError extends Error {
  override readonly name = 'PositionEpochError';
}
