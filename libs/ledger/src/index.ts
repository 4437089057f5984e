export {
  StreamCommandExecutor,
  ConcurrencyExhaustedError,
  COMMAND_EVENT_NAMESPACE,
  type StreamDecider,
  type EventCodec,
  type CommandMetadata,
  type CommandOutcome,
} from './command-handling/stream-command-executor';
export { PersonalDataCipher } from './personal-data/personal-data-cipher';
export { learnerEventCodec, boardSubmissionEventCodec, learnerIdOf } from './event-codecs';
export { LEDGER_MIGRATIONS, LEDGER_MIGRATIONS_TABLE, LEDGER_MIGRATIONS_LOCK } from './migrations';
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
  ExecuteLearnerCommand,
  ExecuteLearnerCommandHandler,
  type LearnerCommandOutcome,
} from './learner/execute-learner-command';
export {
  ExecuteBoardSubmissionCommand,
  ExecuteBoardSubmissionCommandHandler,
  type BoardSubmissionCommandOutcome,
} from './board-submission/execute-board-submission-command';
export {
  RetryBoardSubmission,
  RetryBoardSubmissionHandler,
  SubmissionNotFoundError,
} from './board-submission/retry-board-submission';
export {
  BoardSubmissionProcess,
  type BoardSubmissionProcessOptions,
} from './board-submission/board-submission-process';
export {
  BoardSubmissionEffectHandler,
  type BoardSubmissionEffectHandlerOptions,
  type CommandSender,
} from './board-submission/board-submission-effect-handler';
