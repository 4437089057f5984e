import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The feed's tables as TypeORM migrations, where hand-written DDL (`feed_migrations` 1) made
 * them before: a database that DDL made keeps its tables and rows (every statement only adds
 * what is missing); `feed_migrations` stays, no longer written.
 */
export class FeedTables1765000000001 implements MigrationInterface {
  // TypeORM's migration shape (a name, up, down; in up, one CREATE TABLE per table), alike in
  // every migration by design: each statement names its own table's columns.
  name = 'FeedTables1765000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS feed_subscriptions (
        name                text        NOT NULL,
        position            bigint      NOT NULL DEFAULT 0,
        delivered           bigint      NOT NULL DEFAULT 0,
        replay_after        bigint,
        replay_requested_at timestamptz,
        last_error          text,
        last_error_at       timestamptz,
        updated_at          timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT feed_subscriptions_pkey PRIMARY KEY (name)
      )`);
    await q.query(`
      CREATE TABLE IF NOT EXISTS feed_dead_letters (
        subscription        text        NOT NULL,
        event_id            uuid        NOT NULL,
        position            bigint      NOT NULL,
        stream_name         text        NOT NULL,
        event_type          text        NOT NULL,
        attempts            integer     NOT NULL,
        last_error          text        NOT NULL,
        parked_behind       uuid,
        dead_lettered_at    timestamptz NOT NULL DEFAULT now(),
        replay_requested_at timestamptz,
        CONSTRAINT feed_dead_letters_pkey PRIMARY KEY (subscription, event_id)
      )`);
    await q.query(
      'CREATE INDEX IF NOT EXISTS feed_dead_letters_position ON feed_dead_letters (subscription, position)',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS feed_dead_letters');
    await q.query('DROP TABLE IF EXISTS feed_subscriptions');
  }
}
