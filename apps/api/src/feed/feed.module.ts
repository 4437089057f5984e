import {
  Inject,
  Injectable,
  Logger,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { EVENT_STORE, runMigrations, type EventStore } from '@ledger/event-store';
import {
  createFeeds,
  FEED_MIGRATIONS,
  FEED_MIGRATIONS_LOCK,
  FEED_MIGRATIONS_TABLE,
  type FeedConfig,
  type FeedProcessor,
} from '@ledger/feed';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { DATABASE_POOL, READ_MODELS } from '../tokens';
import { FeedController } from './feed.controller';
import { FEED_CONFIG } from './feed.tokens';

/**
 * Runs the event feeds configured (webhook, NATS JetStream) in the API process, unless
 * LEDGER_RUN_FEED=false (a worker may run them instead, or as well: one process at a time sends,
 * by lease). Its tables are migrated with the ledger's (as the database owner), and again here
 * for a deployment where one role does both.
 */
@Injectable()
export class FeedHost implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Feed');
  readonly feeds: FeedProcessor[];

  constructor(
    @Inject(FEED_CONFIG) config: FeedConfig,
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(READ_MODELS) readModels: DataSource,
    @Inject(DATABASE_POOL) private readonly pool: Pool,
  ) {
    this.feeds = createFeeds(config, readModels, store, (msg, fields) =>
      this.logger.log({ msg, ...fields }),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await runMigrations(this.pool, FEED_MIGRATIONS, FEED_MIGRATIONS_TABLE, FEED_MIGRATIONS_LOCK);
    for (const feed of this.feeds) feed.start();
  }

  async onModuleDestroy(): Promise<void> {
    for (const feed of this.feeds) await feed.stop();
  }
}

/** The event feed: its processors and its admin routes, configured by `LEDGER_FEED_*`. */
@Module({})
export class FeedModule {
  static forRoot(config: FeedConfig): DynamicModule {
    return {
      module: FeedModule,
      controllers: [FeedController],
      providers: [{ provide: FEED_CONFIG, useValue: config }, FeedHost],
    };
  }
}
