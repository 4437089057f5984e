import type { BoardSubmissionEvent, LearnerEvent } from '@ledger/domain';
import type { RecordedEvent } from '@ledger/event-store';
import type { EntityManager } from 'typeorm';

/** A stored event with its domain event, when its type is one the ledger knows. */
export interface ProjectedEvent {
  recorded: RecordedEvent;
  /** Undefined for types the ledger does not know: projections pass them over. */
  event: LearnerEvent | BoardSubmissionEvent | undefined;
  /** The learner the event concerns, when it concerns one. */
  learnerId: string | undefined;
}

/**
 * A read model kept from the log. Its tables live in a PostgreSQL schema of its own per
 * generation (`rm_<name>_g<n>`), so that a rebuild can fill a new generation from position
 * zero while the live one keeps answering, then swap the live pointer in one transaction.
 *
 * `apply` gets a whole batch and the transaction it commits in, together with the checkpoint:
 * a crash never applies a batch twice or loses one. It throws to stop the projection (the
 * event it names is shown in /health and /metrics).
 */
export interface Projection {
  /** Stable name, e.g. `credit-balances`. */
  readonly name: string;
  /** The tables' DDL in `schema` (created empty). */
  createTables(manager: EntityManager, schema: string): Promise<void>;
  /**
   * Brings the tables of a live generation made by an earlier version to this version's
   * layout (idempotent DDL), so that a new release needs no rebuild to start.
   */
  upgradeTables?(manager: EntityManager, schema: string): Promise<void>;
  apply(manager: EntityManager, schema: string, events: readonly ProjectedEvent[]): Promise<void>;
}

/** An event a projection cannot apply, as its quarantine records it. */
export class ProjectionApplyError extends Error {
  override readonly name = 'ProjectionApplyError';
  constructor(
    readonly projection: string,
    readonly event: { id: string; type: string; position: bigint; streamName: string },
    readonly causeMessage: string,
  ) {
    super(
      `projection ${projection} cannot apply ${event.type} ${event.id} (stream ${event.streamName}, position ${event.position}): ${causeMessage}`,
    );
  }
}
