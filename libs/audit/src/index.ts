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
export {
  leafHash,
  nodeHash,
  verifyInclusion,
  verifyConsistency,
  inclusionPath,
  consistencyPath,
  rootHash,
  TreeFrontier,
  type NodeSource,
} from './transparency/merkle';
export {
  CheckpointSigner,
  checkpointProblem,
  checkpointText,
  eventLeafHash,
  leafDataOf,
  keyIdOf,
  CHECKPOINT_VERSION,
  type SignedCheckpoint,
} from './transparency/checkpoint';
export { AUDIT_TABLES } from './transparency/tables/audit-tables';
export { AuditTreeLeaf } from './transparency/tables/audit-tree-leaf.entity';
export { AuditTreeNode } from './transparency/tables/audit-tree-node.entity';
export { AuditCheckpoint } from './transparency/tables/audit-checkpoint.entity';
export {
  LogTree,
  LeafNotFoundError,
  type TreeExtent,
  type TreeLeaf,
} from './transparency/log-tree';
export { FolderWitness, type CheckpointWitness } from './transparency/witness';
export { Checkpointer, type CheckpointPolicy } from './transparency/checkpointer';
export {
  AuditProofs,
  ProofUnavailableError,
  checkInclusionProof,
  checkConsistencyProof,
  INCLUSION_PROOF_VERSION,
  CONSISTENCY_PROOF_VERSION,
  type InclusionProof,
  type ConsistencyProof,
  type ProofCheck,
} from './transparency/proofs';
export {
  verifyAgainstCheckpoint,
  type CheckpointVerification,
  type WrongEvent,
} from './transparency/verify-against-checkpoint';
export {
  StreamVerifier,
  StreamIntegrityError,
  type StreamProblem,
} from './transparency/stream-verifier';
export { learnerVerification, type StreamVerificationNote } from './transparency/verification-note';
