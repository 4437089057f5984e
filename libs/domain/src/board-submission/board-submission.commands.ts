import type { Activity } from '../credits/activity';

/**
 * Commands of the `board-submission-<submissionId>` stream, sent by the board submission
 * process (submissionId = boardSubmissionId(claimId, board)) and by operators.
 * `profileGaps`: what `missingBoardFields` found missing in the learner's profile (R16);
 * when not empty, the attempt fails at once with those reasons.
 */

export type RequestBoardSubmission = {
  type: 'RequestBoardSubmission';
  data: {
    submissionId: string;
    learnerId: string;
    claimId: string;
    board: string;
    activity: Activity;
    twelfths: bigint;
    claimedAt: Date;
    occurredAt: Date;
    profileGaps?: readonly string[];
  };
};

export type RecordSubmissionAccepted = {
  type: 'RecordSubmissionAccepted';
  data: { occurredAt: Date };
};

export type RecordSubmissionFailed = {
  type: 'RecordSubmissionFailed';
  data: { reason: string; retryable: boolean; occurredAt: Date };
};

export type ConfirmBoardRecord = {
  type: 'ConfirmBoardRecord';
  data: { occurredAt: Date };
};

/**
 * R16: a new attempt after a failure. A failure the board gave for the learner's data (not
 * retryable as it stands) can be retried once the profile changed after it: `profileUpdatedAt`
 * is when the learner's profile last changed.
 */
export type RetryBoardSubmission = {
  type: 'RetryBoardSubmission';
  data: { occurredAt: Date; profileGaps?: readonly string[]; profileUpdatedAt?: Date };
};

export type FlagForFollowUp = {
  type: 'FlagForFollowUp';
  data: { occurredAt: Date };
};

export type BoardSubmissionCommand =
  | RequestBoardSubmission
  | RecordSubmissionAccepted
  | RecordSubmissionFailed
  | ConfirmBoardRecord
  | RetryBoardSubmission
  | FlagForFollowUp;
