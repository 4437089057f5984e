export { ProjectionApplyError, type Projection, type ProjectedEvent } from './projection';
export { ProjectionState } from './entities/projection-state.entity';
export {
  openReadModels,
  readModelDataSource,
  poolOf,
  type ReadModelsOptions,
  type TableSet,
} from './data-source';
export { CreditBalancesProjection } from './projections/credit-balances.projection';
export {
  ClaimsProjection,
  foldSubmission,
  type SubmissionRow,
  type SubmissionStatus,
} from './projections/claims.projection';
export {
  ProjectionRunner,
  requestRebuild,
  schemaOf,
  type RunnerState,
  type RunnerOptions,
} from './runner/projection-runner';
export { toProjected } from './runner/projected-events';
export {
  liveProjections,
  projectionStates,
  projectionsAt,
  ProjectionBehindError,
  LearnerReadModelIncompleteError,
  quarantinedEvents,
  type LiveProjection,
  type QuarantinedEvent,
} from './queries/projection-positions';
export {
  learnerCredits,
  learnerDeadlines,
  learnerClaims,
  acceptedUnconfirmedSubmissions,
  unfinishedCorrections,
  claimView,
  balancesViewOf,
  creditsViewOf,
  type ActivityBalances,
  submissionView,
  type CreditsView,
  type DeadlineView,
  type ClaimView,
  type BoardSubmissionView,
} from './queries/learner-queries';
export {
  expiringReport,
  type DeadlineBound,
  submissionsReport,
  InvalidCursorError,
  encodeCursor,
  decodeCursor,
} from './queries/report-queries';
export { ProjectionWorker, allProjections } from './runner/projection-worker';
export {
  checkReadModels,
  type ReadModelsCheck,
  type ReaderCheck,
} from './queries/read-models-check';
