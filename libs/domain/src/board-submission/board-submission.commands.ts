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
    /** R8: when the learner completed the credit reported. */
    completedAt?: Date;
    /** R7: the profile version of the claim's identity snapshot, which attempt 1 sends. */
    profileVersion?: number;
  };
};

export type RecordSubmissionAccepted = {
  type: 'RecordSubmissionAccepted';
  data: { occurredAt: Date };
};

export type RecordSubmissionFailed = {
  type: 'RecordSubmissionFailed';
  /** `profileVersion`: the version of the identity the failed attempt sent, when known. */
  data: { reason: string; retryable: boolean; occurredAt: Date; profileVersion?: number };
};

/**
 * R9/R16: the board's records show the accepted attempt refused after all (PARS accepts a
 * record for processing, then accepts or rejects it within 24 hours).
 */
export type RecordBoardRecordRejected = {
  type: 'RecordBoardRecordRejected';
  data: { reason: string; occurredAt: Date };
};

export type ConfirmBoardRecord = {
  type: 'ConfirmBoardRecord';
  data: { occurredAt: Date };
};

/**
 * R16: a new attempt after a failure, with the learner's current profile. A failure the board
 * gave for the learner's data (not retryable as it stands) can be retried once the profile is
 * a newer version than the one that attempt sent: `profileVersion` is the current version.
 * (Versions, not times: a profile's business time and the process clock are not comparable.)
 */
export type RetryBoardSubmission = {
  type: 'RetryBoardSubmission';
  data: { occurredAt: Date; profileGaps?: readonly string[]; profileVersion?: number };
};

export type FlagForFollowUp = {
  type: 'FlagForFollowUp';
  data: { occurredAt: Date };
};

/** R7/R8: the attempt in flight waits: the learner has not consented to share completion data. */
export type AwaitConsent = {
  type: 'AwaitConsent';
  data: { reason: string; occurredAt: Date };
};

/** R7/R8: the learner consented: an attempt that waited for it goes on. */
export type ResumeAfterConsent = {
  type: 'ResumeAfterConsent';
  data: { occurredAt: Date };
};

export type BoardSubmissionCommand =
  | RequestBoardSubmission
  | RecordSubmissionAccepted
  | RecordSubmissionFailed
  | ConfirmBoardRecord
  | RecordBoardRecordRejected
  | RetryBoardSubmission
  | FlagForFollowUp
  | AwaitConsent
  | ResumeAfterConsent;
