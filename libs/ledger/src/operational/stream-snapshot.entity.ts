import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One row per stream: its state folded up to `revision`, by the code of `stateVersion` (a
 * cache, never a fact; see stream-snapshots.ts). Personal data in it is encrypted with the
 * learner's key, so erasure reaches it too.
 */
@Entity({ name: 'stream_snapshots' })
export class StreamSnapshot {
  // One decorated field per column, as every entity declares its table: alike in shape by
  // nature, each saying its own table's columns.
  @PrimaryColumn({
    type: 'text',
    name: 'stream_name',
    primaryKeyConstraintName: 'stream_snapshots_pkey',
  })
  streamName!: string;

  @Column({ type: 'text', name: 'state_version' })
  stateVersion!: string;

  @Column({ type: 'bigint' })
  revision!: string;

  @Column({ type: 'text', name: 'event_id' })
  eventId!: string;

  @Column({ type: 'text' })
  state!: string;

  @Column({ type: 'text' })
  commands!: string;

  @Column({ type: 'timestamptz', name: 'written_at', default: () => 'now()' })
  writtenAt!: Date;
}
