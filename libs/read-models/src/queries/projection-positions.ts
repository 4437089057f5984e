import type { DataSource } from 'typeorm';
import { schemaOf } from '../runner/projection-runner';

export interface LiveProjection {
  name: string;
  schema: string;
  position: bigint;
}

/** Where each projection is: its live schema and the position of the last event applied. */
export async function liveProjections(
  dataSource: DataSource,
  names: readonly string[],
): Promise<Map<string, LiveProjection>> {
  const rows = (await dataSource.query(
    `SELECT name, live_generation, live_position::text AS position FROM projection_state WHERE name = ANY($1)`,
    [names],
  )) as { name: string; live_generation: number; position: string }[];
  return new Map(
    rows.map((r) => [
      r.name,
      { name: r.name, schema: schemaOf(r.name, r.live_generation), position: BigInt(r.position) },
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
