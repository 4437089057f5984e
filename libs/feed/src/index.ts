/**
 * @ledger/feed: ledger events out to downstream services as CloudEvents 1.0 (JSON structured
 * mode), over signed webhooks or NATS JetStream, from a checkpointed subscription to the log.
 */
export {
  toCloudEvent,
  FEED_FIELDS,
  CLOUDEVENTS_CONTENT_TYPE,
  type LedgerCloudEvent,
} from './cloud-event';
export {
  signWebhook,
  verifyWebhook,
  webhookKey,
  WebhookVerificationError,
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  type HeaderBag,
  type VerifyWebhookOptions,
} from './webhook-signature';
export { DeliveryError, type DeliveryFailureKind, type FeedTransport } from './feed-transport';
export { WebhookTransport, type WebhookTransportOptions } from './webhook-transport';
export { NatsTransport, streamKind, type NatsTransportOptions } from './nats-transport';
export {
  feedConfigFromEnv,
  type FeedConfig,
  type NatsFeedConfig,
  type WebhookFeedConfig,
} from './feed-config';
export { FEED_TABLES } from './tables/feed-tables';
export { FeedSubscription } from './tables/feed-subscription.entity';
export { FeedDeadLetter } from './tables/feed-dead-letter.entity';
export { FeedProcessor, type FeedProcessorOptions } from './feed-processor';
export { createFeeds } from './create-feeds';
export {
  feedStatus,
  listDeadLetters,
  requestDeadLetterReplay,
  requestFeedReplay,
  type DeadLetter,
  type FeedStatus,
} from './feed-admin';
