import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The first answer to a request with an `Idempotency-Key`, per caller (`scope`) and key: a
 * retry gets it back. Pending while the first request runs.
 */
@Entity({ name: 'idempotency_records' })
@Check('idempotency_records_state_check', `state IN ('pending', 'done')`)
// Records expire (the HTTP layer's retention): the sweep finds them by age.
@Index('idempotency_records_updated_at', ['updatedAt'])
export class IdempotencyRecord {
  // One decorated field per column, as every entity declares its table: alike in shape by
  // nature, each saying its own table's columns.
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'idempotency_records_pkey' })
  scope!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'idempotency_records_pkey' })
  key!: string;

  @Column({ type: 'text', name: 'request_hash' })
  requestHash!: string;

  @Column({ type: 'text' })
  state!: 'pending' | 'done';

  @Column({ type: 'integer', nullable: true })
  status!: number | null;

  /**
   * The answer's body as JSON text: jsonb cannot hold a NUL character, which an answer naming a
   * field sent with one in its name (refused, 400) contains.
   */
  @Column({ type: 'text', nullable: true })
  body!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  headers!: Record<string, string> | null;

  @Column({ type: 'timestamptz', name: 'created_at', default: () => 'now()' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;
}
