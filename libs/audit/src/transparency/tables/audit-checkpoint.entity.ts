import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A copy of a signed checkpoint (the witness outside the database is the reference). */
@Entity({ name: 'audit_checkpoints' })
export class AuditCheckpoint {
  // One decorated field per column, as every entity declares its table: alike in shape by
  // nature, each saying its own table's columns.
  @PrimaryColumn({
    type: 'bigint',
    name: 'tree_size',
    primaryKeyConstraintName: 'audit_checkpoints_pkey',
  })
  treeSize!: string;

  @Column({ type: 'bigint' })
  position!: string;

  @Column({ type: 'jsonb' })
  checkpoint!: unknown;

  @Column({ type: 'timestamptz', name: 'created_at', default: () => 'now()' })
  createdAt!: Date;
}
