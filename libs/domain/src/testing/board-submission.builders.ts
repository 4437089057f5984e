import type {
  ConfirmBoardRecord,
  CorrectBoardSubmission,
  FlagForFollowUp,
  FollowCombinedRecord,
  RecordBoardRecordDeleted,
  RecordSubmissionAccepted,
  RecordSubmissionFailed,
  RequestBoardSubmission,
  RetryBoardSubmission,
} from '../board-submission/board-submission.commands';
import type {
  BoardSubmissionAwaitingConsent,
  BoardSubmissionResumed,
  BoardRecordConfirmed,
  BoardRecordDeleted,
  BoardSubmissionCorrectionRequested,
  BoardSubmissionFailed,
  BoardSubmissionFlaggedForFollowUp,
  BoardSubmissionRequested,
  BoardSubmissionRetryRequested,
  BoardSubmissionSucceeded,
  SubmissionRef,
} from '../board-submission/board-submission.events';
import { AWAITING_CONSENT_REASON } from '../board-submission/board-submission.reactor';
import { boardSubmissionId } from '../deterministic-id';
import { at } from './fixed-clock';

/** Builders of board-submission events and commands: claim-1 of learner-1 reported to ABIM. */

const CLAIM_ID = 'claim-1';
const BOARD = 'ABIM';
const CLAIMED_AT = '2025-06-10T08:00:00.000Z';

export const submissionRef = (overrides: Partial<SubmissionRef> = {}): SubmissionRef => {
  const claimId = overrides.claimId ?? CLAIM_ID;
  const board = overrides.board ?? BOARD;
  return {
    submissionId: overrides.submissionId ?? boardSubmissionId(claimId, board),
    learnerId: overrides.learnerId ?? 'learner-1',
    claimId,
    board,
  };
};

export const boardSubmissionRequested = (
  overrides: Partial<BoardSubmissionRequested['data']> = {},
): BoardSubmissionRequested => ({
  type: 'BoardSubmissionRequested',
  data: {
    ...submissionRef(overrides),
    activity: 'ipoc',
    twelfths: '6',
    claimedAt: CLAIMED_AT,
    occurredAt: '2025-06-10T08:00:01.000Z',
    attempt: 1,
    profileVersion: 1,
    ...overrides,
  },
});

export const boardSubmissionRetryRequested = (
  overrides: Partial<BoardSubmissionRetryRequested['data']> = {},
): BoardSubmissionRetryRequested => ({
  type: 'BoardSubmissionRetryRequested',
  data: {
    ...submissionRef(overrides),
    occurredAt: '2025-06-11T08:00:00.000Z',
    attempt: 2,
    ...overrides,
  },
});

export const boardSubmissionSucceeded = (
  overrides: Partial<BoardSubmissionSucceeded['data']> = {},
): BoardSubmissionSucceeded => ({
  type: 'BoardSubmissionSucceeded',
  data: {
    ...submissionRef(overrides),
    occurredAt: '2025-06-10T08:00:05.000Z',
    attempt: 1,
    ...overrides,
  },
});

export const boardSubmissionFailed = (
  overrides: Partial<BoardSubmissionFailed['data']> = {},
): BoardSubmissionFailed => ({
  type: 'BoardSubmissionFailed',
  data: {
    ...submissionRef(overrides),
    occurredAt: '2025-06-10T08:00:05.000Z',
    attempt: 1,
    reason: 'ABIM does not know this ABIM ID',
    retryable: true,
    ...overrides,
  },
});

export const boardRecordConfirmed = (
  overrides: Partial<BoardRecordConfirmed['data']> = {},
): BoardRecordConfirmed => ({
  type: 'BoardRecordConfirmed',
  data: {
    ...submissionRef(overrides),
    occurredAt: '2025-06-11T09:00:00.000Z',
    attempt: 1,
    ...overrides,
  },
});

export const boardSubmissionFlaggedForFollowUp = (
  overrides: Partial<BoardSubmissionFlaggedForFollowUp['data']> = {},
): BoardSubmissionFlaggedForFollowUp => ({
  type: 'BoardSubmissionFlaggedForFollowUp',
  data: {
    ...submissionRef(overrides),
    occurredAt: '2025-06-11T09:00:00.000Z',
    acceptedAt: '2025-06-10T08:00:05.000Z',
    ...overrides,
  },
});

export const requestBoardSubmission = (
  overrides: Partial<RequestBoardSubmission['data']> = {},
): RequestBoardSubmission => {
  return {
    type: 'RequestBoardSubmission',
    data: {
      ...submissionRef(overrides),
      activity: 'ipoc',
      twelfths: 6n,
      claimedAt: at(CLAIMED_AT),
      occurredAt: at('2025-06-10T08:00:01.000Z'),
      profileVersion: 1,
      ...overrides,
    },
  };
};

export const recordSubmissionAccepted = (
  overrides: Partial<RecordSubmissionAccepted['data']> = {},
): RecordSubmissionAccepted => ({
  type: 'RecordSubmissionAccepted',
  data: { occurredAt: at('2025-06-10T08:00:05.000Z'), ...overrides },
});

export const recordSubmissionFailed = (
  overrides: Partial<RecordSubmissionFailed['data']> = {},
): RecordSubmissionFailed => ({
  type: 'RecordSubmissionFailed',
  data: {
    reason: 'ABIM does not know this ABIM ID',
    retryable: true,
    occurredAt: at('2025-06-10T08:00:05.000Z'),
    ...overrides,
  },
});

export const confirmBoardRecord = (
  overrides: Partial<ConfirmBoardRecord['data']> = {},
): ConfirmBoardRecord => ({
  type: 'ConfirmBoardRecord',
  data: { occurredAt: at('2025-06-11T09:00:00.000Z'), ...overrides },
});

export const retryBoardSubmission = (
  overrides: Partial<RetryBoardSubmission['data']> = {},
): RetryBoardSubmission => ({
  type: 'RetryBoardSubmission',
  data: { occurredAt: at('2025-06-11T08:00:00.000Z'), ...overrides },
});

export const flagForFollowUp = (
  overrides: Partial<FlagForFollowUp['data']> = {},
): FlagForFollowUp => ({
  type: 'FlagForFollowUp',
  data: { occurredAt: at('2025-06-11T09:00:00.000Z'), ...overrides },
});

export const boardSubmissionAwaitingConsent = (
  overrides: Partial<BoardSubmissionAwaitingConsent['data']> = {},
): BoardSubmissionAwaitingConsent => ({
  type: 'BoardSubmissionAwaitingConsent',
  data: {
    ...submissionRef(overrides),
    occurredAt: '2025-06-10T08:00:02.000Z',
    attempt: 1,
    reason: AWAITING_CONSENT_REASON,
    ...overrides,
  },
});

export const boardSubmissionResumed = (
  overrides: Partial<BoardSubmissionResumed['data']> = {},
): BoardSubmissionResumed => ({
  type: 'BoardSubmissionResumed',
  data: {
    ...submissionRef(overrides),
    occurredAt: '2025-06-12T08:00:00.000Z',
    attempt: 1,
    ...overrides,
  },
});

export const boardSubmissionCorrectionRequested = (
  overrides: Partial<BoardSubmissionCorrectionRequested['data']> = {},
): BoardSubmissionCorrectionRequested => ({
  type: 'BoardSubmissionCorrectionRequested',
  data: {
    ...submissionRef(overrides),
    occurredAt: '2025-06-12T08:00:00.000Z',
    attempt: 2,
    reason: 'learner-identity-corrected',
    twelfths: '6',
    combined: [],
    ...overrides,
  },
});

export const boardRecordDeleted = (
  overrides: Partial<BoardRecordDeleted['data']> = {},
): BoardRecordDeleted => ({
  type: 'BoardRecordDeleted',
  data: {
    ...submissionRef(overrides),
    occurredAt: '2025-06-12T08:00:01.000Z',
    attempt: 2,
    ...overrides,
  },
});

export const correctBoardSubmission = (
  overrides: Partial<CorrectBoardSubmission['data']> = {},
): CorrectBoardSubmission => ({
  type: 'CorrectBoardSubmission',
  data: {
    reason: 'learner-identity-corrected',
    occurredAt: at('2025-06-12T08:00:00.000Z'),
    ...overrides,
  },
});

export const recordBoardRecordDeleted = (
  overrides: Partial<RecordBoardRecordDeleted['data']> = {},
): RecordBoardRecordDeleted => ({
  type: 'RecordBoardRecordDeleted',
  data: { occurredAt: at('2025-06-12T08:00:01.000Z'), attempt: 2, ...overrides },
});

export const followCombinedRecord = (
  overrides: Partial<FollowCombinedRecord['data']> = {},
): FollowCombinedRecord => ({
  type: 'FollowCombinedRecord',
  data: { outcome: 'accepted', occurredAt: at('2025-06-12T08:00:05.000Z'), ...overrides },
});
