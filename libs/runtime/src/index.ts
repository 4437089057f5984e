/**
 * @ledger/runtime: what every process of the ledger (the API, the worker, the CLI) does first:
 * read its configuration from the environment and open its database with the right roles; and
 * how it waits on a stream it writes to.
 */
export { eventStoreOptions, loadConfig, type LedgerConfig } from './config';
export {
  assertLeastPrivilege,
  migrateAsOwner,
  openDatabase,
  type DatabaseRoles,
} from './database-roles';
export { checkpointSigner, developmentKeyFile } from './checkpoint-key';
export { configuredBoardProcesses, type BoardProcesses } from './board-submission-process';
export { LEDGER_DATA_SOURCE_TABLES, openLedgerDataSource } from './data-source';
export { runProcess } from './run-process';
export { describeError } from './describe-error';
export { drained } from './drained';
