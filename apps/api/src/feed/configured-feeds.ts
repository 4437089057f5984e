import { Inject } from '@nestjs/common';
import type { FeedConfig } from '@ledger/feed';
import type { DataSource } from 'typeorm';
import { ApiError } from '../http/api-error';
import { READ_MODELS } from '../tokens';
import { FEED_CONFIG } from './feed.tokens';

export type Transport = 'webhook' | 'nats';

/**
 * What every operator's request of the feed works on: the feeds this process has configured
 * (`LEDGER_FEED_*`) and their tables in the read models' database. A request that names a feed
 * not configured here is answered 404.
 */
export abstract class ConfiguredFeedsHandler {
  constructor(
    @Inject(FEED_CONFIG) private readonly config: FeedConfig,
    @Inject(READ_MODELS) protected readonly db: DataSource,
  ) {}

  protected configured(): Transport[] {
    return [
      ...(this.config.webhook ? (['webhook'] as const) : []),
      ...(this.config.nats ? (['nats'] as const) : []),
    ];
  }

  protected feed(transport: string): Transport {
    const found = this.configured().find((t) => t === transport);
    if (!found)
      throw new ApiError(
        404,
        'not-found',
        `no ${transport} feed is configured here; configured: ${this.configured().join(', ') || 'none'} ` +
          '(LEDGER_FEED_WEBHOOK_URL, LEDGER_FEED_NATS_SERVERS)',
      );
    return found;
  }
}
