import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Levels 1 and up: the perfect subtrees, node i covering leaves [i·2^level, (i+1)·2^level). */
@Entity({ name: 'audit_tree_nodes' })
export class AuditTreeNode {
  // One decorated field per column, as every entity declares its table: alike in shape by
  // nature, each saying its own table's columns.
  @PrimaryColumn({ type: 'smallint', primaryKeyConstraintName: 'audit_tree_nodes_pkey' })
  level!: number;

  @PrimaryColumn({
    type: 'bigint',
    name: 'node_index',
    primaryKeyConstraintName: 'audit_tree_nodes_pkey',
  })
  nodeIndex!: string;

  @Column({ type: 'bytea' })
  hash!: Buffer;
}
