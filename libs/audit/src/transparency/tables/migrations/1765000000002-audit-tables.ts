import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Merkle tree's and the checkpoints' tables as TypeORM migrations, where hand-written DDL
 * (`audit_migrations` 1) made them before: a database that DDL made keeps its tables and rows
 * (every statement only adds what is missing); `audit_migrations` stays, no longer written.
 */
export class AuditTables1765000000002 implements MigrationInterface {
  // TypeORM's migration shape (a name, up, down; in up, one CREATE TABLE per table), alike in
  // every migration by design: each statement names its own table's columns.
  name = 'AuditTables1765000000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS audit_tree_leaves (
        leaf_index  bigint NOT NULL,
        event_id    text   NOT NULL,
        stream_name text   NOT NULL,
        revision    bigint NOT NULL,
        position    bigint NOT NULL,
        hash        bytea  NOT NULL,
        CONSTRAINT audit_tree_leaves_pkey PRIMARY KEY (leaf_index),
        CONSTRAINT audit_tree_leaves_event_id_key UNIQUE (event_id)
      )`);
    await q.query(
      'CREATE INDEX IF NOT EXISTS audit_tree_leaves_stream ON audit_tree_leaves (stream_name, revision)',
    );
    await q.query(`
      CREATE TABLE IF NOT EXISTS audit_tree_nodes (
        level      smallint NOT NULL,
        node_index bigint   NOT NULL,
        hash       bytea    NOT NULL,
        CONSTRAINT audit_tree_nodes_pkey PRIMARY KEY (level, node_index)
      )`);
    await q.query(`
      CREATE TABLE IF NOT EXISTS audit_checkpoints (
        tree_size  bigint      NOT NULL,
        position   bigint      NOT NULL,
        checkpoint jsonb       NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT audit_checkpoints_pkey PRIMARY KEY (tree_size)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['audit_checkpoints', 'audit_tree_nodes', 'audit_tree_leaves']) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
