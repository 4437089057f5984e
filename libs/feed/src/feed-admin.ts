import { In, MoreThan, type DataSource } from 'typeorm';
import { FeedDeadLetter } from './tables/feed-dead-letter.entity';
import { FeedSubscription } from './tables/feed-subscription.entity';

/**
 * What an operator asks of a feed (the API's admin routes call these): its state, its dead
 * letters, a replay. Each request is a row the feed's lease holder picks up on its next tick,
 * so it works whichever process runs the feed.
 */

export interface FeedStatus {
  name: string;
  /** The checkpoint: every event up to here was delivered or is a dead letter. */
  position: string;
  delivered: string;
  deadLetters: number;
  replayAfter: string | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  updatedAt: Date;
}

export async function feedStatus(db: DataSource, name: string): Promise<FeedStatus | undefined> {
  const subscription = await db.getRepository(FeedSubscription).findOneBy({ name });
  if (!subscription) return undefined;
  return {
    name,
    position: subscription.position,
    delivered: subscription.delivered,
    deadLetters: await db.getRepository(FeedDeadLetter).countBy({ subscription: name }),
    replayAfter: subscription.replayAfter,
    lastError: subscription.lastError,
    lastErrorAt: subscription.lastErrorAt,
    updatedAt: subscription.updatedAt,
  };
}

export interface DeadLetter {
  eventId: string;
  position: string;
  streamName: string;
  eventType: string;
  attempts: number;
  lastError: string;
  /** The dead letter of the same stream this one waits behind (it was never sent). */
  parkedBehind: string | null;
  deadLetteredAt: Date;
  replayRequestedAt: Date | null;
}

/** Dead letters in log order, `limit` of them after `after` (a position). */
export async function listDeadLetters(
  db: DataSource,
  name: string,
  { after = 0n, limit = 100 }: { after?: bigint; limit?: number } = {},
): Promise<DeadLetter[]> {
  const letters = await db.getRepository(FeedDeadLetter).find({
    where: { subscription: name, position: MoreThan(after.toString()) },
    order: { position: 'ASC' },
    take: limit,
  });
  return letters.map(({ subscription: _subscription, ...letter }) => letter);
}

/** Asks for dead letters to be sent again (those named, or all): answers how many. */
export async function requestDeadLetterReplay(
  db: DataSource,
  name: string,
  eventIds?: readonly string[],
): Promise<number> {
  const asked = await db
    .createQueryBuilder()
    .update(FeedDeadLetter)
    .set({ replayRequestedAt: () => 'now()' })
    .where({ subscription: name, ...(eventIds ? { eventId: In([...eventIds]) } : {}) })
    .execute();
  return asked.affected ?? 0;
}

/**
 * Asks the feed to send everything after `after` (a log position) again, from the next event
 * on: its checkpoint goes there. A feed that has not run yet starts there.
 */
export async function requestFeedReplay(
  db: DataSource,
  name: string,
  after: bigint,
): Promise<void> {
  await db
    .createQueryBuilder()
    .insert()
    .into(FeedSubscription)
    .values({
      name,
      position: after.toString(),
      replayAfter: after.toString(),
      replayRequestedAt: () => 'now()',
    })
    // A running feed keeps its checkpoint until its lease holder picks the request up.
    .orUpdate(['replay_after', 'replay_requested_at', 'updated_at'], ['name'])
    .execute();
}
