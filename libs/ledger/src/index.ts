export {
  StreamCommandExecutor,
  ConcurrencyExhaustedError,
  COMMAND_EVENT_NAMESPACE,
  type StreamDecider,
  type EventCodec,
  type StreamLoadVerifier,
  type CommandMetadata,
  type CommandOutcome,
  type StreamCommandExecutorOptions,
  type StreamCacheFigures,
  type StreamStateWeight,
} from './command-handling/stream-command-executor';
export {
  PostgresSnapshotStore,
  snapshotKey,
  type SnapshotCodec,
  type SnapshotSettings,
  type SnapshotStore,
  type StoredSnapshot,
} from './command-handling/stream-snapshots';
export { learnerSnapshotCodec, snapshotCodecs } from './learner/learner-snapshot-codec';
export { learnerStateBytes, streamStateWeights } from './learner/learner-state-weight';
export { KEY_ENTRY_BYTES, PersonalDataCipher } from './personal-data/personal-data-cipher';
export { learnerEventCodec, boardSubmissionEventCodec, learnerIdOf } from './event-codecs';
export { LEDGER_TABLES } from './operational/ledger-tables';
export { LearnerKey } from './operational/learner-key.entity';
export { ErasedLearner } from './operational/erased-learner.entity';
export { IdempotencyRecord } from './operational/idempotency-record.entity';
export { ProcessCheckpoint } from './operational/process-checkpoint.entity';
export { StreamSnapshot } from './operational/stream-snapshot.entity';
export {
  LEDGER_CLOCK,
  DECISION_SETTINGS,
  type Clock,
  type DecisionSettings,
} from './ledger.tokens';
export {
  LEARNER_EVENT_CODEC,
  BOARD_SUBMISSION_EVENT_CODEC,
} from './learner/learner-event-codec.token';
export {
  LearnerUseCase,
  LearnerUseCaseHandler,
  UpdateProfileCommand,
  UpdateProfileHandler,
  RecordResearchCommand,
  RecordResearchHandler,
  RecordAnswerCommand,
  RecordAnswerHandler,
  ClaimCreditsCommand,
  ClaimCreditsHandler,
  ImportHistoryCommand,
  ImportHistoryHandler,
  RecordDataSharingConsentCommand,
  RecordDataSharingConsentHandler,
  RecordBoardIdentityCheckCommand,
  RecordBoardIdentityCheckHandler,
  type LearnerCommandOutcome,
} from './learner/learner-commands';
export {
  ErasePersonalDataCommand,
  ErasePersonalDataHandler,
  LearnerNotFoundError,
} from './personal-data/erase-personal-data';
export {
  BoardSubmissionUseCase,
  RequestBoardSubmissionCommand,
  RecordSubmissionAcceptedCommand,
  RecordSubmissionFailedCommand,
  ConfirmBoardRecordCommand,
  FlagForFollowUpCommand,
  RequestRetryCommand,
  RetryBoardSubmissionCommand,
  RetryBoardSubmissionHandler,
  CorrectBoardSubmissionCommand,
  CorrectBoardSubmissionHandler,
  RequestCorrectionCommand,
  RecordBoardRecordDeletedCommand,
  FollowCombinedRecordCommand,
  SubmissionNotFoundError,
  boardSubmissionStep,
  BOARD_SUBMISSION_STEP_HANDLERS,
  type BoardSubmissionCommandOutcome,
} from './board-submission/board-submission-commands';
export { LEDGER_COMMAND_HANDLERS } from './command-handlers';
export { openBoardSubmissionCommandBus } from './board-submission/board-submission-command-bus';
export {
  BoardSubmissionProcess,
  type BoardSubmissionProcessOptions,
} from './board-submission/board-submission-process';
export {
  BoardSubmissionEffectHandler,
  type BoardSubmissionEffectHandlerOptions,
  type CommandSender,
} from './board-submission/board-submission-effect-handler';
export {
  LearnerMatchProcess,
  type LearnerMatchProcessOptions,
} from './learner-match/learner-match-process';
export {
  LearnerMatchEffectHandler,
  type LearnerMatchEffectHandlerOptions,
} from './learner-match/learner-match-effect-handler';
export { parsBatch, type BatchOmission, type ParsBatch } from './board-submission/pars-batch';
