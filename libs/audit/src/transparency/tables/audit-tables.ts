import { AuditCheckpoint } from './audit-checkpoint.entity';
import { AuditTreeLeaf } from './audit-tree-leaf.entity';
import { AuditTreeNode } from './audit-tree-node.entity';
import { AuditTables1765000000002 } from './migrations/1765000000002-audit-tables';

/**
 * The Merkle tree's and the checkpoints' tables, for the process's one TypeORM data source:
 * entities and migrations. Derived from the log through the event-store port and kept beside
 * the other operational tables; nothing here is trusted on its own (a proof read from them
 * verifies only if it leads to a root the checkpoint key signed).
 */
export const AUDIT_TABLES = {
  entities: [AuditTreeLeaf, AuditTreeNode, AuditCheckpoint],
  migrations: [AuditTables1765000000002],
};
