import { Column, Entity, Index, PrimaryColumn, Unique } from 'typeorm';

/** Level 0 of the log's Merkle tree: one leaf per event, in log order. */
@Entity({ name: 'audit_tree_leaves' })
@Unique('audit_tree_leaves_event_id_key', ['eventId'])
@Index('audit_tree_leaves_stream', ['streamName', 'revision'])
export class AuditTreeLeaf {
  // One decorated field per column, as every entity declares its table: alike in shape by
  // nature, each saying its own table's columns.
  /** The event's place in the log. */
  @PrimaryColumn({
    type: 'bigint',
    name: 'leaf_index',
    primaryKeyConstraintName: 'audit_tree_leaves_pkey',
  })
  leafIndex!: string;

  @Column({ type: 'text', name: 'event_id' })
  eventId!: string;

  @Column({ type: 'text', name: 'stream_name' })
  streamName!: string;

  @Column({ type: 'bigint' })
  revision!: string;

  @Column({ type: 'bigint' })
  position!: string;

  @Column({ type: 'bytea' })
  hash!: Buffer;
}
