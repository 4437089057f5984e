import { Logger } from '@nestjs/common';
import { Command, CommandHandler } from '@nestjs/cqrs';
import { requestDeadLetterReplay, requestFeedReplay } from '@ledger/feed';
import type { CommandMetadata } from '@ledger/ledger';
import { ConfiguredFeedsHandler, type Transport } from './configured-feeds';

/**
 * Send every event after the log position `after` again: a request in the feed's table that
 * whichever process runs the feed picks up on its next tick, moving its checkpoint there.
 * Answers the feed's name.
 */
export class ReplayFeedCommand extends Command<Transport> {
  constructor(
    readonly transport: string,
    readonly after: string,
    readonly metadata: CommandMetadata,
  ) {
    super();
  }
}

/** Send the webhook's dead letters again (those named, or all): answers how many were asked for. */
export class ReplayDeadLettersCommand extends Command<number> {
  constructor(
    readonly eventIds: string[] | undefined,
    readonly metadata: CommandMetadata,
  ) {
    super();
  }
}

/** A request of the feed, logged with who asked for it once it is recorded. */
abstract class FeedCommandHandler extends ConfiguredFeedsHandler {
  private readonly logger = new Logger('Feed');

  protected audit(metadata: CommandMetadata, msg: string, fields: Record<string, unknown>): void {
    this.logger.log({
      msg,
      ...fields,
      actor: metadata.actor,
      correlationId: metadata.correlationId,
    });
  }
}

@CommandHandler(ReplayFeedCommand)
export class ReplayFeedHandler extends FeedCommandHandler {
  async execute({ transport, after, metadata }: ReplayFeedCommand): Promise<Transport> {
    const name = this.feed(transport);
    await requestFeedReplay(this.db, name, BigInt(after));
    this.audit(metadata, 'feed replay requested', { feed: name, after });
    return name;
  }
}

@CommandHandler(ReplayDeadLettersCommand)
export class ReplayDeadLettersHandler extends FeedCommandHandler {
  async execute({ eventIds, metadata }: ReplayDeadLettersCommand): Promise<number> {
    const name = this.feed('webhook');
    const requested = await requestDeadLetterReplay(this.db, name, eventIds);
    this.audit(metadata, 'feed dead letters replay requested', { feed: name, requested });
    return requested;
  }
}

export const FEED_COMMAND_HANDLERS = [ReplayFeedHandler, ReplayDeadLettersHandler];
