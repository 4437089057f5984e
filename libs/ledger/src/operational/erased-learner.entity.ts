import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A learner whose key was destroyed: when, for the record. */
@Entity({ name: 'erased_learners' })
export class ErasedLearner {
  // One decorated field per column, as every entity declares its table: alike in shape by
  // nature, each saying its own table's columns.
  @PrimaryColumn({
    type: 'text',
    name: 'learner_id',
    primaryKeyConstraintName: 'erased_learners_pkey',
  })
  learnerId!: string;

  @Column({ type: 'timestamptz', name: 'erased_at', default: () => 'now()' })
  erasedAt!: Date;
}
