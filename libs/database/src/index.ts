export {
  startEmbeddedPostgres,
  freePort,
  type EmbeddedPostgresOptions,
  type RunningPostgres,
} from './embedded-postgres';
export { createDatabase, dropDatabase, databaseUrl } from './databases';
export {
  resolveDatabase,
  type ResolvedDatabase,
  type ResolveDatabaseOptions,
} from './resolve-database';
export {
  backupEmbeddedServer,
  restoreEmbeddedServer,
  BackupError,
  BACKUP_MANIFEST,
  type BackupManifest,
} from './embedded-backup';
