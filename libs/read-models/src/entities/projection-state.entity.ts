import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One row per projection: the live generation, its checkpoint, and a rebuild in progress.
 * Positions are bigint in PostgreSQL and strings here (never Number()).
 */
@Entity({ name: 'projection_state' })
export class ProjectionState {
  // One decorated field per column, as every entity declares its table: alike in shape by
  // nature, each saying its own table's columns.
  @PrimaryColumn({ type: 'text' })
  name!: string;

  @Column({ type: 'integer', name: 'live_generation' })
  liveGeneration!: number;

  /** Position of the last event applied to the live generation (exclusive start of the next read). */
  @Column({ type: 'bigint', name: 'live_position', default: 0 })
  livePosition!: string;

  @Column({ type: 'integer', name: 'rebuild_generation', nullable: true })
  rebuildGeneration!: number | null;

  @Column({ type: 'bigint', name: 'rebuild_position', nullable: true })
  rebuildPosition!: string | null;

  @Column({ type: 'timestamptz', name: 'rebuild_requested_at', nullable: true })
  rebuildRequestedAt!: Date | null;

  @Column({ type: 'bigint', name: 'events_applied', default: 0 })
  eventsApplied!: string;

  /** The alert: which events the live generation quarantined (it could not apply them). */
  @Column({ type: 'text', name: 'failed_event', nullable: true })
  failedEvent!: string | null;

  @Column({ type: 'integer', name: 'quarantined_events', default: 0 })
  quarantinedEvents!: number;

  @Column({ type: 'text', name: 'failure', nullable: true })
  failure!: string | null;

  @Column({ type: 'timestamptz', name: 'last_applied_recorded_at', nullable: true })
  lastAppliedRecordedAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;
}
