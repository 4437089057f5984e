import { Query, QueryHandler } from '@nestjs/cqrs';
import { feedStatus, listDeadLetters, type DeadLetter } from '@ledger/feed';
import { ConfiguredFeedsHandler } from './configured-feeds';
import type { FeedsResponse } from './feed.response';

/** Each feed configured, with its state (a feed that has not run yet: at position zero). */
export class FeedStatesQuery extends Query<FeedsResponse> {}

/** The webhook's dead letters in log order, `limit` of them after the position `after`. */
export class DeadLettersQuery extends Query<{ deadLetters: DeadLetter[] }> {
  constructor(
    readonly after: bigint,
    readonly limit: number,
  ) {
    super();
  }
}

@QueryHandler(FeedStatesQuery)
export class FeedStatesHandler extends ConfiguredFeedsHandler {
  async execute(): Promise<FeedsResponse> {
    const feeds = [];
    for (const name of this.configured()) {
      const status = await feedStatus(this.db, name);
      feeds.push(
        status ?? {
          name,
          position: '0',
          delivered: '0',
          deadLetters: 0,
          replayAfter: null,
          lastError: null,
          lastErrorAt: null,
          updatedAt: null,
        },
      );
    }
    return { feeds };
  }
}

@QueryHandler(DeadLettersQuery)
export class DeadLettersHandler extends ConfiguredFeedsHandler {
  async execute({ after, limit }: DeadLettersQuery) {
    const name = this.feed('webhook');
    const deadLetters = await listDeadLetters(this.db, name, { after, limit });
    return { deadLetters };
  }
}

export const FEED_QUERY_HANDLERS = [FeedStatesHandler, DeadLettersHandler];
