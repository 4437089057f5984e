/**
 * What an operator asks of a feed (the API's admin routes call these): its state, its dead
 * letters, a replay. Each request is a row the feed's lease holder picks up on its next tick,
 * so it works whichever process runs the feed.
 */

/** Anything that runs SQL and answers rows: a TypeORM DataSource, a pg Pool's wrapper. */
export interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

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

export async function feedStatus(db: Queryable, name: string): Promise<FeedStatus | undefined> {
  const rows = (await db.query(
    `SELECT name, position::text, delivered::text,
            (SELECT count(*)::int FROM feed_dead_letters d WHERE d.subscription = s.name) AS "deadLetters",
            replay_after::text AS "replayAfter", last_error AS "lastError",
            last_error_at AS "lastErrorAt", updated_at AS "updatedAt"
       FROM feed_subscriptions s WHERE name = $1`,
    [name],
  )) as FeedStatus[];
  return rows[0];
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
  db: Queryable,
  name: string,
  { after = 0n, limit = 100 }: { after?: bigint; limit?: number } = {},
): Promise<DeadLetter[]> {
  return (await db.query(
    `SELECT event_id AS "eventId", position::text, stream_name AS "streamName",
            event_type AS "eventType", attempts, last_error AS "lastError",
            parked_behind AS "parkedBehind", dead_lettered_at AS "deadLetteredAt",
            replay_requested_at AS "replayRequestedAt"
       FROM feed_dead_letters WHERE subscription = $1 AND position > $2
      ORDER BY position LIMIT $3`,
    [name, after.toString(), limit],
  )) as DeadLetter[];
}

/** Asks for dead letters to be sent again (those named, or all): answers how many. */
export async function requestDeadLetterReplay(
  db: Queryable,
  name: string,
  eventIds?: readonly string[],
): Promise<number> {
  const rows = (await db.query(
    `WITH asked AS (
       UPDATE feed_dead_letters SET replay_requested_at = now()
        WHERE subscription = $1 AND ($2::uuid[] IS NULL OR event_id = ANY ($2::uuid[]))
        RETURNING event_id)
     SELECT count(*)::int AS n FROM asked`,
    [name, eventIds ? [...eventIds] : null],
  )) as { n: number }[];
  return rows[0]?.n ?? 0;
}

/**
 * Asks the feed to send everything after `after` (a log position) again, from the next event
 * on: its checkpoint goes there. A feed that has not run yet starts there.
 */
export async function requestFeedReplay(db: Queryable, name: string, after: bigint): Promise<void> {
  await db.query(
    `WITH asked AS (
       INSERT INTO feed_subscriptions (name, position, replay_after, replay_requested_at)
       VALUES ($1, $2, $2, now())
       ON CONFLICT (name) DO UPDATE
         SET replay_after = EXCLUDED.replay_after, replay_requested_at = now(), updated_at = now()
       RETURNING name)
     SELECT name FROM asked`,
    [name, after.toString()],
  );
}
