import type { EventStore } from '@ledger/event-store';
import type { DataSource } from 'typeorm';
import type { FeedConfig } from './feed-config';
import { FeedProcessor } from './feed-processor';
import type { FeedTransport } from './feed-transport';
import { NatsTransport } from './nats-transport';
import { WebhookTransport } from './webhook-transport';

/** One feed per transport configured (none when the process does not run the feed). */
export function createFeeds(
  config: FeedConfig,
  dataSource: DataSource,
  store: EventStore,
  log?: (message: string, fields?: Record<string, unknown>) => void,
): FeedProcessor[] {
  if (!config.run) return [];
  const transports: FeedTransport[] = [];
  if (config.webhook) transports.push(new WebhookTransport(config.webhook));
  if (config.nats) transports.push(new NatsTransport(config.nats));
  return transports.map(
    (transport) =>
      new FeedProcessor(dataSource, store, transport, {
        source: config.source,
        batchSize: config.batchSize,
        maxAttempts: config.webhook?.maxAttempts ?? 5,
        initialBackoffMs: config.initialBackoffMs,
        maxBackoffMs: config.maxBackoffMs,
        ...(log ? { log } : {}),
      }),
  );
}
