import { In, type DataSource } from 'typeorm';
import { ProjectionState } from '../entities/projection-state.entity';
import { schemaOf } from '../runner/projection-runner';

/**
 * Each projection's state (live generation and checkpoint, rebuild, quarantine alert), by name:
 * the one read of `projection_state` outside the runner that writes it. /health, /metrics, the
 * freshness of reads, the admin status and the CLI all read it here.
 */
export function projectionStates(
  dataSource: DataSource,
  names?: readonly string[],
): Promise<ProjectionState[]> {
  return dataSource.getRepository(ProjectionState).find({
    ...(names ? { where: { name: In([...names]) } } : {}),
    order: { name: 'ASC' },
  });
}

export interface LiveProjection {
  name: string;
  schema: string;
  position: bigint;
  /** Events the live generation quarantined: reads look them up only when there are any. */
  quarantined: number;
}

/** Where each projection is: its live schema and the position of the last event applied. */
export async function liveProjections(
  dataSource: DataSource,
  names: readonly string[],
): Promise<Map<string, LiveProjection>> {
  const states = await projectionStates(dataSource, names);
  return new Map(
    states.map((p) => [
      p.name,
      {
        name: p.name,
        schema: schemaOf(p.name, p.liveGeneration),
        position: BigInt(p.livePosition),
        quarantined: p.quarantinedEvents,
      },
    ]),
  );
}

/** The projections are not (yet) at the position a reader asked for. */
export class ProjectionBehindError extends Error {
  override readonly name = 'ProjectionBehindError';
  constructor(
    readonly wanted: bigint,
    readonly current: bigint,
    /** Why, when the caller could tell (a held append, a stopped projection, …). */
    readonly reason?: string,
  ) {
    super(
      `the read models are at position ${current}, not yet at ${wanted}${reason ? `: ${reason}` : ''}`,
    );
  }

  because(reason: string): ProjectionBehindError {
    return new ProjectionBehindError(this.wanted, this.current, reason);
  }
}

/**
 * The live projections, once every one of them has applied `minPosition` (the position a
 * command answered); waits up to `timeoutMs`, then refuses rather than answer stale data.
 */
export async function projectionsAt(
  dataSource: DataSource,
  names: readonly string[],
  minPosition: bigint | undefined,
  timeoutMs = 3000,
): Promise<{ projections: Map<string, LiveProjection>; position: bigint }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const projections = await liveProjections(dataSource, names);
    const missing = names.filter((n) => !projections.has(n));
    // The read is as fresh as the least fresh projection it reads.
    const positions = [...projections.values()].map((p) => p.position);
    const position =
      missing.length > 0 || positions.length === 0
        ? 0n
        : positions.reduce((min, p) => (p < min ? p : min));
    if (missing.length === 0 && (minPosition === undefined || position >= minPosition))
      return { projections, position };
    if (Date.now() >= deadline) throw new ProjectionBehindError(minPosition ?? 0n, position);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** An event a projection quarantined (it could not apply it), as reads report it. */
export interface QuarantinedEvent {
  projection: string;
  position: string;
  eventId: string;
  eventType: string;
  learnerId: string | null;
}

/**
 * A learner's reads would miss an event a projection could not apply: they refuse rather than
 * answer wrong figures, naming the event, until a rebuild (after a fix) applies it.
 */
export class LearnerReadModelIncompleteError extends Error {
  override readonly name = 'LearnerReadModelIncompleteError';
  constructor(
    readonly learnerId: string,
    readonly events: readonly QuarantinedEvent[],
  ) {
    super(
      `the read models of learner ${learnerId} miss ${events
        .map((e) => `${e.eventType} ${e.eventId} (position ${e.position}, ${e.projection})`)
        .join(', ')}: the projection could not apply it and quarantined it; an operator fixes ` +
        'the cause and rebuilds the projection (POST /v1/admin/projections/:name/rebuild)',
    );
  }
}

/** The events the live projections read here have quarantined, for one learner or all. */
export async function quarantinedEvents(
  dataSource: DataSource,
  projections: ReadonlyMap<string, LiveProjection>,
  learnerId?: string,
): Promise<QuarantinedEvent[]> {
  const found: QuarantinedEvent[] = [];
  for (const p of projections.values()) {
    if (p.quarantined === 0) continue;
    const rows = (await dataSource
      .query(
        `SELECT position::text AS position, event_id AS "eventId", event_type AS "eventType",
                learner_id AS "learnerId"
           FROM ${p.schema}.quarantined_events
          ${learnerId === undefined ? '' : 'WHERE learner_id = $1'}
          ORDER BY position LIMIT 100`,
        learnerId === undefined ? [] : [learnerId],
      )
      .catch((error: { code?: string }) => {
        // A generation from before quarantines existed, until its runner upgrades it.
        if (error.code === '42P01') return [];
        throw error;
      })) as Omit<QuarantinedEvent, 'projection'>[];
    found.push(...rows.map((r) => ({ projection: p.name, ...r })));
  }
  return found;
}

/** Refuses a learner's read when a projection it reads quarantined one of the learner's events. */
export async function assertLearnerComplete(
  dataSource: DataSource,
  projections: ReadonlyMap<string, LiveProjection>,
  learnerId: string,
): Promise<void> {
  const missing = await quarantinedEvents(dataSource, projections, learnerId);
  if (missing.length > 0) throw new LearnerReadModelIncompleteError(learnerId, missing);
}
