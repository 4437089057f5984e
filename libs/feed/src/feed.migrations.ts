import type { Migration } from '@ledger/event-store';

/**
 * The feed's tables: each transport's subscription (its checkpoint, a replay asked for) and
 * the webhook's dead letters. A dead letter keeps the event's id and position, not its body:
 * a replay reads the event from the log again, so it goes out as the feed shapes it then.
 */
export const FEED_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'feed subscriptions and dead letters',
    sql: /* sql */ `
CREATE TABLE feed_subscriptions (
  name                text        PRIMARY KEY,
  position            bigint      NOT NULL DEFAULT 0,
  delivered           bigint      NOT NULL DEFAULT 0,
  replay_after        bigint,
  replay_requested_at timestamptz,
  last_error          text,
  last_error_at       timestamptz,
  updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE feed_dead_letters (
  subscription        text        NOT NULL,
  event_id            uuid        NOT NULL,
  position            bigint      NOT NULL,
  stream_name         text        NOT NULL,
  event_type          text        NOT NULL,
  attempts            integer     NOT NULL,
  last_error          text        NOT NULL,
  -- Set when the event was never sent: an earlier event of its stream is a dead letter.
  parked_behind       uuid,
  dead_lettered_at    timestamptz NOT NULL DEFAULT now(),
  replay_requested_at timestamptz,
  PRIMARY KEY (subscription, event_id)
);
CREATE INDEX feed_dead_letters_position ON feed_dead_letters (subscription, position);
`,
  },
];

export const FEED_MIGRATIONS_TABLE = 'feed_migrations';
export const FEED_MIGRATIONS_LOCK = 'cme-ledger/feed/migrations';
