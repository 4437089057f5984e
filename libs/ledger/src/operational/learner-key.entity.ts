import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A learner's data key, kept outside the log so that destroying it erases the person and not
 * the history (crypto-shredding; see PersonalDataCipher).
 */
@Entity({ name: 'learner_keys' })
export class LearnerKey {
  // One decorated field per column, as every entity declares its table: alike in shape by
  // nature, each saying its own table's columns.
  @PrimaryColumn({
    type: 'text',
    name: 'learner_id',
    primaryKeyConstraintName: 'learner_keys_pkey',
  })
  learnerId!: string;

  @Column({ type: 'uuid', name: 'key_id' })
  keyId!: string;

  /** The learner's data key, encrypted (AES-256-GCM) with the master key. */
  @Column({ type: 'bytea', name: 'wrapped_key' })
  wrappedKey!: Buffer;

  @Column({ type: 'timestamptz', name: 'created_at', default: () => 'now()' })
  createdAt!: Date;
}
