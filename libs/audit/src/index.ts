/** @ledger/audit: what auditors and operators run against the log, shared by the API and the CLI. */
export {
  toAuditRecord,
  fromAuditRecord,
  AuditRecordFormatError,
  type AuditEventRecord,
} from './audit-record';
export {
  LogDigest,
  digestEvents,
  genesisLogDigest,
  LOG_DIGEST_VERSION,
  type DigestedEvent,
  type LogDigestReport,
} from './log-digest';
export {
  readLogPages,
  digestLog,
  DEFAULT_PAGE_SIZE,
  InvalidLogRangeError,
  logRangeProblem,
  type LogRange,
} from './log-reader';
export {
  checkIntegrity,
  chainBreakView,
  type ChainBreakView,
  type IntegrityReport,
} from './integrity';
export {
  parseAsOf,
  replayLearner,
  creditsFromReplay,
  learnerCreditsAsOf,
  InvalidAsOfError,
  type AsOf,
  type CreditsAsOfView,
  type LearnerReplay,
} from './as-of/learner-credits-as-of';
export { exportLog, NDJSON_CONTENT_TYPE, type LogExport } from './export/export-log';
export {
  checkExport,
  type CheckExportOptions,
  type ExportCheckReport,
  type ExportProblem,
  type ExportProblemKind,
} from './export/check-export';
export {
  importLog,
  postgresImportTarget,
  ImportError,
  type ImportReport,
  type ImportTarget,
} from './export/import-log';
