import type { Activity } from '../credits/activity';

/**
 * Commands of the `board-submission-<submissionId>` stream, sent by the board submission
 * process (submissionId = boardSubmissionId(claimId, board)) and by operators.
 * `profileGaps`: what `missingBoardFields` found missing in the learner's profile (R16);
 * when not empty, the attempt fails at once with those reasons.
 */
// One type per command, alike in shape by design: each names its command and its own data.

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
    /**
     * R8: the submission whose board record already holds this learner's completion of the
     * same activity on the same date (an earlier claim of that day). A board keeps one record
     * per learner, activity and completion date, so this credit is reported by
     * correcting that record to carry both, never in a second record.
     */
    reportedWith?: string;
  };
};

/** `attempt`: the attempt answered, when known: an answer to an overtaken attempt is refused. */
export type RecordSubmissionAccepted = {
  type: 'RecordSubmissionAccepted';
  data: { occurredAt: Date; attempt?: number };
};

export type RecordSubmissionFailed = {
  type: 'RecordSubmissionFailed';
  /** `profileVersion`: the version of the identity the failed attempt sent, when known. */
  data: {
    reason: string;
    retryable: boolean;
    occurredAt: Date;
    profileVersion?: number;
    attempt?: number;
  };
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

/**
 * Why a board record is corrected (R8: a record cannot be edited, only deleted and sent again):
 * - `learner-identity-corrected`: the learner's identity in the CME profile was corrected after
 *   the board accepted (or rejected) a record with the old one;
 * - `record-details-wrong`: compliance found the record wrong otherwise and asks for it again;
 * - `combined-completion`: a later claim of the same activity, board and completion date joins
 *   this record (A-22): the record is sent again with both claims' credit.
 */
export const CORRECTION_REASONS = [
  'learner-identity-corrected',
  'record-details-wrong',
  'combined-completion',
] as const;
export type CorrectionReason = (typeof CORRECTION_REASONS)[number];

/** A later claim's submission whose credit a corrected record carries too. */
export interface CombinedSubmission {
  readonly submissionId: string;
  readonly claimId: string;
  readonly twelfths: bigint;
}

/**
 * R8: correct the board's record: delete it, then send it again as a new attempt in the same
 * history, with the learner's current profile (`profileVersion`, `profileGaps` as for a retry)
 * and every credit the record carries. `combine`: the submission of a later claim of the same
 * day that this record now carries too. `reference`: the ticket a compliance request cites.
 */
export type CorrectBoardSubmission = {
  type: 'CorrectBoardSubmission';
  data: {
    reason: CorrectionReason;
    occurredAt: Date;
    reference?: string;
    profileVersion?: number;
    profileGaps?: readonly string[];
    combine?: CombinedSubmission;
  };
};

/** R8: the board deleted the record: a correction's first half is done, the resubmission follows. */
export type RecordBoardRecordDeleted = {
  type: 'RecordBoardRecordDeleted';
  data: { occurredAt: Date; attempt: number };
};

/**
 * R8/R9: what the board answered for the record that carries this submission's credit
 * (`reportedWith`): this submission's history and tag follow it.
 */
export type FollowCombinedRecord = {
  type: 'FollowCombinedRecord';
  data: {
    outcome: 'accepted' | 'confirmed' | 'failed';
    /** For `failed`: the board's reason, and whether a retry can help. */
    reason?: string;
    retryable?: boolean;
    occurredAt: Date;
  };
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
  | ResumeAfterConsent
  | CorrectBoardSubmission
  | RecordBoardRecordDeleted
  | FollowCombinedRecord;
