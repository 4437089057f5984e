import { ErasedLearner } from './erased-learner.entity';
import { IdempotencyRecord } from './idempotency-record.entity';
import { LearnerKey } from './learner-key.entity';
import { OperationalTables1765000000000 } from './migrations/1765000000000-operational-tables';
import { ProcessCheckpoint } from './process-checkpoint.entity';
import { StreamSnapshot } from './stream-snapshot.entity';

/**
 * The ledger's operational tables, for the process's one TypeORM data source: entities, and
 * the migrations that make them.
 */
export const LEDGER_TABLES = {
  entities: [LearnerKey, ErasedLearner, IdempotencyRecord, ProcessCheckpoint, StreamSnapshot],
  migrations: [OperationalTables1765000000000],
};
