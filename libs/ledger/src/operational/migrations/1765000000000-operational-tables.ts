import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ledger's operational tables (learners' keys, erased learners, idempotency records,
 * process checkpoints, stream snapshots) as TypeORM migrations, where hand-written DDL
 * (`ledger_migrations` 1 to 4) made them before. A database that DDL made is upgraded in place:
 * every statement leaves an existing table and its rows as they are and only adds what is
 * missing, so the schema is the entities' whichever way the database came. `ledger_migrations`
 * stays (no longer written): a process of the previous version started during an upgrade finds
 * its migrations applied and goes on.
 */
export class OperationalTables1765000000000 implements MigrationInterface {
  // TypeORM's migration shape (a name, up, down; in up, one CREATE TABLE per table), alike in
  // every migration by design: each statement names its own table's columns.
  name = 'OperationalTables1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS learner_keys (
        learner_id  text        NOT NULL,
        key_id      uuid        NOT NULL,
        wrapped_key bytea       NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT learner_keys_pkey PRIMARY KEY (learner_id)
      )`);
    await q.query(`
      CREATE TABLE IF NOT EXISTS erased_learners (
        learner_id text        NOT NULL,
        erased_at  timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT erased_learners_pkey PRIMARY KEY (learner_id)
      )`);
    await q.query(`
      CREATE TABLE IF NOT EXISTS idempotency_records (
        scope        text        NOT NULL,
        key          text        NOT NULL,
        request_hash text        NOT NULL,
        state        text        NOT NULL,
        status       integer,
        body         text,
        headers      jsonb,
        created_at   timestamptz NOT NULL DEFAULT now(),
        updated_at   timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT idempotency_records_pkey PRIMARY KEY (scope, key),
        CONSTRAINT idempotency_records_state_check CHECK (state IN ('pending', 'done'))
      )`);
    // Before ledger migration 3 the body was jsonb, which cannot hold a NUL character.
    await q.query(`
      DO $$ BEGIN
        IF (SELECT data_type FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = 'idempotency_records'
               AND column_name = 'body') = 'jsonb' THEN
          ALTER TABLE idempotency_records ALTER COLUMN body TYPE text USING body::text;
        END IF;
      END $$`);
    await q.query(
      'CREATE INDEX IF NOT EXISTS idempotency_records_updated_at ON idempotency_records (updated_at)',
    );
    await q.query(`
      CREATE TABLE IF NOT EXISTS process_checkpoints (
        name       text        NOT NULL,
        position   bigint      NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT process_checkpoints_pkey PRIMARY KEY (name)
      )`);
    await q.query(`
      CREATE TABLE IF NOT EXISTS stream_snapshots (
        stream_name   text        NOT NULL,
        state_version text        NOT NULL,
        revision      bigint      NOT NULL,
        event_id      text        NOT NULL,
        state         text        NOT NULL,
        commands      text        NOT NULL,
        written_at    timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT stream_snapshots_pkey PRIMARY KEY (stream_name)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'stream_snapshots',
      'process_checkpoints',
      'idempotency_records',
      'erased_learners',
      'learner_keys',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
