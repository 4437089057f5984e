import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Where a process (the board submission process) has followed the log to. */
@Entity({ name: 'process_checkpoints' })
export class ProcessCheckpoint {
  // One decorated field per column, as every entity declares its table: alike in shape by
  // nature, each saying its own table's columns.
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'process_checkpoints_pkey' })
  name!: string;

  /** A position of the log: bigint in PostgreSQL, a string here (never Number()). */
  @Column({ type: 'bigint' })
  position!: string;

  @Column({ type: 'timestamptz', name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;
}
