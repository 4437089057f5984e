import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One transport's subscription to the log: its checkpoint, and a replay asked for. */
@Entity({ name: 'feed_subscriptions' })
export class FeedSubscription {
  // One decorated field per column, as every entity declares its table: alike in shape by
  // nature, each saying its own table's columns.
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'feed_subscriptions_pkey' })
  name!: string;

  /** Positions are bigint in PostgreSQL and strings here (never Number()). */
  @Column({ type: 'bigint', default: 0 })
  position!: string;

  @Column({ type: 'bigint', default: 0 })
  delivered!: string;

  @Column({ type: 'bigint', name: 'replay_after', nullable: true })
  replayAfter!: string | null;

  @Column({ type: 'timestamptz', name: 'replay_requested_at', nullable: true })
  replayRequestedAt!: Date | null;

  @Column({ type: 'text', name: 'last_error', nullable: true })
  lastError!: string | null;

  @Column({ type: 'timestamptz', name: 'last_error_at', nullable: true })
  lastErrorAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;
}
