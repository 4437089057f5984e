import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ProjectionState1764300000000 implements MigrationInterface {
  // TypeORM's migration shape (a name, up, down; in up, one CREATE TABLE per table), alike in
  // every migration by design: each statement names its own table's columns.
  name = 'ProjectionState1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS projection_state (
        name                     text        PRIMARY KEY,
        live_generation          integer     NOT NULL,
        live_position            bigint      NOT NULL DEFAULT 0,
        rebuild_generation       integer,
        rebuild_position         bigint,
        rebuild_requested_at     timestamptz,
        events_applied           bigint      NOT NULL DEFAULT 0,
        failed_event             text,
        failure                  text,
        last_applied_recorded_at timestamptz,
        updated_at               timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS projection_state');
  }
}
