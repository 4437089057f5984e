import { FeedDeadLetter } from './feed-dead-letter.entity';
import { FeedSubscription } from './feed-subscription.entity';
import { FeedTables1765000000001 } from './migrations/1765000000001-feed-tables';

/** The feed's tables, for the process's one TypeORM data source: entities and migrations. */
export const FEED_TABLES = {
  entities: [FeedSubscription, FeedDeadLetter],
  migrations: [FeedTables1765000000001],
};
