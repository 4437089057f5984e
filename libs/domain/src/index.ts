/** @ledger/domain: the pure CME credit domain. The only public face of libs/domain. */

// Rules and errors
export {
  DomainRuleViolation,
  isDomainRuleViolation,
  type DomainRuleCode,
  type DomainRuleViolationDetails,
  type RuleId,
} from './rules';
export type { Decider } from './decider';
export {
  assertBusinessTime,
  assertNotBackdated,
  DEFAULT_MAX_BACKDATE_MS,
  DEFAULT_MAX_CLOCK_SKEW_MS,
  judgedAt,
  type DecisionContext,
} from './decision-context';
export { assertOperatorReference, OPERATOR_REFERENCE } from './operator-reference';
export { boardSubmissionId, claimIdFor, LEDGER_UUID_NAMESPACE, uuidV5 } from './deterministic-id';
export {
  CALENDAR_DATE,
  INSTANT_FORMAT,
  isInstant,
  parseInstant,
  parseRecordedInstant,
} from './instant';
export {
  BOARD_SUBMISSION_STREAM_PREFIX,
  boardSubmissionStreamName,
  isBoardSubmissionStream,
  isLearnerStream,
  LEARNER_STREAM_PREFIX,
  learnerIdOfStream,
  learnerStreamName,
} from './stream-names';
export {
  EVENT_SCHEMA_VERSIONS,
  isDomainEventType,
  type DomainEvent,
  type DomainEventType,
} from './domain-events';

// Credit arithmetic (R3, R4) and the claim window (R5)
export {
  ACTIVITIES,
  BOARD_REVIEW_TWELFTHS_PER_CORRECT_ANSWER,
  IPOC_TWELFTHS_PER_RESEARCH,
  isActivity,
  type Activity,
} from './credits/activity';
export {
  amountView,
  boardReviewDisplay,
  exactAmountView,
  exactCredits,
  floorToQuarter,
  formatCredits,
  parseTwelfths,
  QUARTER_CREDIT_TWELFTHS,
  TWELFTHS_PER_CREDIT,
  twelfthsToJson,
  type AmountView,
} from './credits/twelfths';
export {
  assertTimeZone,
  calendarDate,
  CLAIM_WINDOW_EXTRA_YEARS,
  claimDeadline,
  claimWindowEnd,
  DEFAULT_TIME_ZONE,
  earnedYear,
  isClaimable,
  isValidTimeZone,
  startOfLocalDay,
  startOfYear,
} from './credits/claim-window';

// Board catalogue (R10)
export {
  BOARD_CATALOGUE,
  boardTakesCertificate,
  boardTakesCredit,
  findBoard,
  isLearnerBoardIdValid,
  type BoardCatalogueEntry,
  type BoardField,
  type BoardKind,
  type LearnerBoardIdFormat,
} from './boards/board-catalogue';

// Learner stream
export {
  certificateFor,
  CLINICAL_ROLES,
  isClinicalRole,
  type CertificateKind,
  type ClinicalRole,
} from './learner/clinical-role';
export {
  LEARNER_EVENT_SCHEMA_VERSIONS,
  LEARNER_EVENT_TYPES,
  type AnswerCorrect,
  type AnswerIncorrect,
  type DataSharingConsentGranted,
  type DataSharingConsentWithdrawn,
  type IdentityCheckOutcome,
  type LearnerBoardIdentityChecked,
  type ClaimBreakdownLine,
  type CorrectAnswerRepeated,
  type CreditClaimed,
  type HistoryImported,
  type LearnerEvent,
  type LearnerEventType,
  type LearnerProfileUpdated,
  type LicenseData,
  type PersonalData,
  type PersonalDataErased,
  type QuestionResearched,
} from './learner/learner.events';
export type {
  ClaimCredits,
  ErasePersonalData,
  ImportedFact,
  ImportHistory,
  LearnerCommand,
  ProfileBoardSelection,
  RecordAnswer,
  RecordBoardIdentityCheck,
  RecordDataSharingConsent,
  RecordResearch,
  UpdateProfile,
} from './learner/learner.commands';
export type {
  BoardIdentityCheck,
  DataSharingConsent,
  Claim,
  ClaimedLine,
  EarnedCredit,
  LearnerProfile,
  LearnerState,
} from './learner/learner.state';
export {
  consentsToDataSharing,
  decideLearner,
  evolveLearner,
  foldLearner,
  initialLearnerState,
  learnerDecider,
} from './learner/learner.decider';
export { EarnedFacts, type EarnedFactColumns } from './learner/earned-facts';
export {
  boardIdentityStatus,
  LEARNER_MATCH_PROCESS,
  LEARNER_MATCH_PROCESS_EVENT_TYPES,
  LEARNER_MATCH_PROCESS_NAMESPACE,
  reactToLearnerMatch,
  type BoardIdentityStatus,
  type LearnerMatchAnswer,
  type LearnerMatchContext,
  type LearnerMatchReaction,
  type LearnerMatchTrigger,
  type MatchAtBoard,
  type SendLearnerCommand,
} from './learner/learner-match.reactor';
export {
  LEARNER_STATE_VERSION,
  learnerSnapshotOf,
  learnerStateFromSnapshot,
  type LearnerSnapshot,
} from './learner/learner.snapshot';
export {
  isPossibleBirthDate,
  isValidNpi,
  US_LICENSE_JURISDICTIONS,
  validateProfile,
  type ValidatedProfile,
} from './learner/profile-validation';
export {
  characterCount,
  describePersonNameProblem,
  normalizePersonName,
  PERSON_NAME_CHARACTERS,
  PERSON_NAME_MAX_CHARACTERS,
  personNameProblem,
  type PersonNameProblem,
} from './learner/person-name';
export { ISO_3166_ALPHA_2, isIsoCountryCode, normalizeCountryCode } from './learner/countries';
export { creditLot, type CreditLot } from './learner/credit-lots';
export {
  creditTotals,
  currentCreditTotals,
  nonUsEquivalents,
  totalsOfLots,
  type ActivityTotals,
  type CreditTotals,
  type EarnedYearTotals,
  type NonUsEquivalents,
} from './learner/credit-totals';

// Board submission stream
export {
  BOARD_SUBMISSION_EVENT_SCHEMA_VERSIONS,
  BOARD_SUBMISSION_EVENT_TYPES,
  type BoardRecordConfirmed,
  type BoardSubmissionAwaitingConsent,
  type BoardSubmissionResumed,
  type BoardRecordDeleted,
  type BoardSubmissionCorrectionRequested,
  type CombinedSubmissionJson,
  type BoardSubmissionEvent,
  type BoardSubmissionEventType,
  type BoardSubmissionFailed,
  type BoardSubmissionFlaggedForFollowUp,
  type BoardSubmissionRequested,
  type BoardSubmissionRetryRequested,
  type BoardSubmissionSucceeded,
  type SubmissionRef,
} from './board-submission/board-submission.events';
export {
  CORRECTION_REASONS,
  type AwaitConsent,
  type BoardSubmissionCommand,
  type CombinedSubmission,
  type ConfirmBoardRecord,
  type CorrectBoardSubmission,
  type CorrectionReason,
  type FlagForFollowUp,
  type FollowCombinedRecord,
  type RecordBoardRecordDeleted,
  type RecordBoardRecordRejected,
  type RecordSubmissionAccepted,
  type RecordSubmissionFailed,
  type RequestBoardSubmission,
  type ResumeAfterConsent,
  type RetryBoardSubmission,
} from './board-submission/board-submission.commands';
export {
  boardSubmissionDecider,
  decideBoardSubmission,
  evolveBoardSubmission,
  initialBoardSubmissionState,
  reportedTwelfths,
  type ActiveBoardSubmission,
  type CombinedIntoRecord,
  type CorrectionInProgress,
  type BoardSubmissionState,
  type SubmissionFailure,
} from './board-submission/board-submission.decider';
export {
  boardStatusWord,
  CLAIM_TAGS,
  claimTag,
  type BoardStatus,
  type BoardSubmissionStatus,
  type ClaimTag,
} from './board-submission/claim-tag';
export {
  dueForFollowUpFlag,
  FOLLOW_UP_AFTER_MS,
  needsFollowUp,
  type FollowUpView,
} from './board-submission/follow-up';
export {
  AT_RISK_WARNING_DAYS,
  SUBMISSION_DUE_DAYS,
  submissionAtRisk,
  submissionDeadlines,
  type AtRiskCode,
  type AtRiskInput,
  type AtRiskReason,
  type SubmissionDeadlines,
} from './board-submission/submission-deadlines';
export { missingBoardFields } from './board-submission/missing-board-fields';
export { mocPoints, type AcceptedCredit, type MocPoints } from './board-submission/moc-points';
export {
  AWAITING_CONSENT_REASON,
  BOARD_SUBMISSION_PROCESS,
  BOARD_SUBMISSION_PROCESS_EVENT_TYPES,
  BOARD_SUBMISSION_PROCESS_NAMESPACE,
  reactToBoardSubmission,
  streamsReadBy,
  type BoardAnswer,
  type BoardDeleteAnswer,
  type BoardRecord,
  type BoardSubmissionProcessContext,
  type BoardSubmissionProcessState,
  type BoardSubmissionReaction,
  type BoardSubmissionTrigger,
  type CheckBoardRecord,
  type DeleteBoardRecord,
  type SendCommand,
  type SubmitToBoard,
} from './board-submission/board-submission.reactor';
export {
  boardRecordDate,
  PARS_TIME_ZONE,
  reportingWindow,
  reportingWindowClosed,
  type ReportingWindow,
} from './board-submission/reporting-window';
