import type { EventStore } from '@ledger/event-store';
import type { DataSource } from 'typeorm';
import type { Projection } from '../projection';
import { ClaimsProjection } from '../projections/claims.projection';
import { CreditBalancesProjection } from '../projections/credit-balances.projection';
import { ProjectionRunner, type RunnerOptions } from './projection-runner';

/** Every projection of the ledger, in one place. */
export const allProjections = (): Projection[] => [
  new CreditBalancesProjection(),
  new ClaimsProjection(),
];

/** Runs every projection (each behind its own lease), in the worker or inside the local process. */
export class ProjectionWorker {
  readonly runners: ProjectionRunner[];

  constructor(
    dataSource: DataSource,
    store: EventStore,
    options: RunnerOptions = {},
    projections = allProjections(),
  ) {
    this.runners = projections.map((p) => new ProjectionRunner(dataSource, store, p, options));
  }

  start(): void {
    for (const runner of this.runners) runner.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.stop()));
  }
}
