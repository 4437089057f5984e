import {
  Inject,
  Injectable,
  Logger,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import { createFeeds, type FeedConfig, type FeedProcessor } from '@ledger/feed';
import type { DataSource } from 'typeorm';
import { READ_MODELS } from '../tokens';
import { FEED_COMMAND_HANDLERS } from './feed.commands';
import { FeedController } from './feed.controller';
import { FEED_QUERY_HANDLERS } from './feed.queries';
import { FEED_CONFIG } from './feed.tokens';

/**
 * Runs the event feeds configured (webhook, NATS JetStream) in the API process, unless
 * LEDGER_RUN_FEED=false (a worker may run them instead, or as well: one process at a time sends,
 * by lease). Its tables are the process's data source's (made by its migrations at start).
 */
@Injectable()
export class FeedHost implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Feed');
  readonly feeds: FeedProcessor[];

  constructor(
    @Inject(FEED_CONFIG) config: FeedConfig,
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(READ_MODELS) readModels: DataSource,
  ) {
    this.feeds = createFeeds(config, readModels, store, (msg, fields) =>
      this.logger.log({ msg, ...fields }),
    );
  }

  onApplicationBootstrap(): void {
    for (const feed of this.feeds) feed.start();
  }

  async onModuleDestroy(): Promise<void> {
    for (const feed of this.feeds) await feed.stop();
  }
}

/**
 * The event feed: its processors and its admin routes, configured by `LEDGER_FEED_*`; each
 * route a query or command on the buses, with its handler here.
 */
@Module({})
export class FeedModule {
  static forRoot(config: FeedConfig): DynamicModule {
    return {
      module: FeedModule,
      controllers: [FeedController],
      providers: [
        { provide: FEED_CONFIG, useValue: config },
        FeedHost,
        ...FEED_QUERY_HANDLERS,
        ...FEED_COMMAND_HANDLERS,
      ],
    };
  }
}
