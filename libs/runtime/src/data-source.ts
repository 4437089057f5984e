import { AUDIT_TABLES } from '@ledger/audit';
import { FEED_TABLES } from '@ledger/feed';
import { LEDGER_TABLES } from '@ledger/ledger';
import { openReadModels, type ReadModelsOptions, type TableSet } from '@ledger/read-models';
import type { DataSource } from 'typeorm';

/**
 * Every table of the ledger that is neither the event store's nor a projection generation's:
 * the read side's `projection_state`, the ledger's (keys, erased learners, idempotency records,
 * process checkpoints, snapshots), the feed's and the audit tree's. TypeORM entities, made by
 * TypeORM migrations.
 */
export const LEDGER_DATA_SOURCE_TABLES: readonly TableSet[] = [
  LEDGER_TABLES,
  FEED_TABLES,
  AUDIT_TABLES,
];

/**
 * The process's TypeORM data source, with all of them, and its one pg pool (see `poolOf`): its
 * migrations run first, under one advisory lock, so processes starting together apply each
 * once.
 */
export function openLedgerDataSource(
  url: string,
  options: Omit<ReadModelsOptions, 'tables'> = {},
): Promise<DataSource> {
  return openReadModels(url, { ...options, tables: LEDGER_DATA_SOURCE_TABLES });
}
