export {
  startEmbeddedPostgres,
  freePort,
  readCredentials,
  type EmbeddedCredentials,
  type EmbeddedPostgresOptions,
  type RunningPostgres,
} from './embedded-postgres';
export {
  ensureLedgerDatabase,
  ensureLoginRole,
  OWNER_ROLE,
  redacted,
  SERVICE_ROLE,
  userOf,
  withCredentials,
} from './roles';
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
