import { Inject } from '@nestjs/common';
import { Query, QueryHandler } from '@nestjs/cqrs';
import { projectionStates, type ProjectionState } from '@ledger/read-models';
import type { DataSource } from 'typeorm';
import { READ_MODELS } from '../tokens';

/**
 * Each projection's state as `projection_state` holds it (`ProjectionsResponse`): position,
 * events applied, quarantine, rebuild in progress.
 */
export class ProjectionStatesQuery extends Query<{
  projections: ReturnType<typeof projectionView>[];
}> {}

@QueryHandler(ProjectionStatesQuery)
export class ProjectionStatesHandler {
  constructor(@Inject(READ_MODELS) private readonly readModels: DataSource) {}

  async execute() {
    const states = await projectionStates(this.readModels);
    return { projections: states.map(projectionView) };
  }
}

function projectionView(p: ProjectionState) {
  return {
    name: p.name,
    live_generation: p.liveGeneration,
    position: p.livePosition,
    eventsApplied: p.eventsApplied,
    failedEvent: p.failedEvent,
    failure: p.failure,
    quarantinedEvents: p.quarantinedEvents,
    rebuildRequestedAt: p.rebuildRequestedAt,
    rebuildPosition: p.rebuildPosition,
    updatedAt: p.updatedAt,
  };
}
