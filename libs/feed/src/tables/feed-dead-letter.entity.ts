import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * An event the webhook refused too often, or parked behind one of its stream that was: its id
 * and position, not its body (a replay reads the event from the log again).
 */
@Entity({ name: 'feed_dead_letters' })
@Index('feed_dead_letters_position', ['subscription', 'position'])
export class FeedDeadLetter {
  // One decorated field per column, as every entity declares its table: alike in shape by
  // nature, each saying its own table's columns.
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'feed_dead_letters_pkey' })
  subscription!: string;

  @PrimaryColumn({
    type: 'uuid',
    name: 'event_id',
    primaryKeyConstraintName: 'feed_dead_letters_pkey',
  })
  eventId!: string;

  @Column({ type: 'bigint' })
  position!: string;

  @Column({ type: 'text', name: 'stream_name' })
  streamName!: string;

  @Column({ type: 'text', name: 'event_type' })
  eventType!: string;

  @Column({ type: 'integer' })
  attempts!: number;

  @Column({ type: 'text', name: 'last_error' })
  lastError!: string;

  /** Set when the event was never sent: an earlier event of its stream is a dead letter. */
  @Column({ type: 'uuid', name: 'parked_behind', nullable: true })
  parkedBehind!: string | null;

  @Column({ type: 'timestamptz', name: 'dead_lettered_at', default: () => 'now()' })
  deadLetteredAt!: Date;

  @Column({ type: 'timestamptz', name: 'replay_requested_at', nullable: true })
  replayRequestedAt!: Date | null;
}
