import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import { ProjectionWorker } from '@ledger/read-models';
import type { DataSource } from 'typeorm';
import type { LedgerConfig } from '../config';
import { LEDGER_CONFIG, READ_MODELS } from '../tokens';

/**
 * Runs the projections inside the API process when LEDGER_RUN_PROJECTIONS is on (the default,
 * so that `npm start` is complete on its own). Running a separate worker as well is safe: each
 * projection is applied only by the process holding its lease.
 */
@Injectable()
export class ProjectionHost implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Projections');
  readonly worker: ProjectionWorker | undefined;

  constructor(
    @Inject(READ_MODELS) readModels: DataSource,
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(LEDGER_CONFIG) config: LedgerConfig,
  ) {
    this.worker = config.runProjections
      ? new ProjectionWorker(readModels, store, {
          retryMs: 250,
          log: (msg, fields) => this.logger.log({ msg, ...fields }),
        })
      : undefined;
  }

  onApplicationBootstrap(): void {
    this.worker?.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.worker?.stop();
  }
}
