import type { MigrationInterface, QueryRunner } from 'typeorm';

/** How many events the live generation of each projection quarantined (the alert's figure). */
export class ProjectionQuarantine1764900000000 implements MigrationInterface {
  // TypeORM's migration shape (a name, up, down), alike in every migration by design.
  name = 'ProjectionQuarantine1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE projection_state ADD COLUMN IF NOT EXISTS quarantined_events integer NOT NULL DEFAULT 0`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE projection_state DROP COLUMN IF EXISTS quarantined_events');
  }
}
