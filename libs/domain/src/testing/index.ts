/**
 * @ledger/domain/testing: deterministic builders (fixed clock) and given/when/then for tests
 * of every layer. A separate entry point, never the production index, so that no production
 * code can reach a builder.
 */
export {
  DeciderSpecification,
  type DecisionExpectation,
  type ExpectedViolation,
} from './decider-specification';
export { at, TEST_MAX_BACKDATE_MS, TEST_NOW, testDecisionContext } from './fixed-clock';
export * as learnerFixtures from './learner.builders';
export {
  consentGrantedBody,
  profileFields,
  recordDataSharingConsent,
  updateProfile,
  withDataSharingConsent,
} from './learner.builders';
export * as boardSubmissionFixtures from './board-submission.builders';
