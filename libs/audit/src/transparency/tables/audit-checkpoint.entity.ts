import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A copy of a signed checkpoint (the witness outside the database is the reference). */
@Entity({ name: 'audit_checkpoints' })
export class AuditCheckpoint {
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
