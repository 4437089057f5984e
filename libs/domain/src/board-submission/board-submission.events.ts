import type { Activity } from '../credits/activity';

/**
 * Events of the `board-submission-<submissionId>` stream: one claim's credit reported to one
 * board (R8), its attempts (R16), the board's confirmation and follow-up (R9). Every event
 * names the submission, learner, claim and board, so that a projection needs no lookup.
 */

export type SubmissionRef = {
  submissionId: string;
  learnerId: string;
  claimId: string;
  board: string;
};

/** R8: a claim's credit is to be reported to a board; attempt 1 starts. */
export type BoardSubmissionRequested = {
  type: 'BoardSubmissionRequested';
  data: SubmissionRef & {
    activity: Activity;
    twelfths: string;
    /** When the claim was made: R17 deadlines run from it. */
    claimedAt: string;
    occurredAt: string;
    attempt: number;
    /** R8: when the learner completed the credit reported (absent in older submissions). */
    completedAt?: string;
    /** R7/R16: the profile version whose identity attempt 1 sends: the claim's snapshot. */
    profileVersion?: number;
    /**
     * the submission whose board record carries this credit too (an earlier claim of the
     * same activity, board and completion date); absent when this submission has its own record.
     */
    reportedWith?: string;
  };
};

/** R16: after a failure, a new attempt in the same history. */
export type BoardSubmissionRetryRequested = {
  type: 'BoardSubmissionRetryRequested';
  /** `profileVersion`: the learner's profile when the retry was asked for (R16). */
  data: SubmissionRef & { occurredAt: string; attempt: number; profileVersion?: number };
};

/** The board accepted the attempt. */
export type BoardSubmissionSucceeded = {
  type: 'BoardSubmissionSucceeded';
  data: SubmissionRef & { occurredAt: string; attempt: number };
};

/** R16: the attempt failed: incomplete profile, board rejection or outage. */
export type BoardSubmissionFailed = {
  type: 'BoardSubmissionFailed';
  data: SubmissionRef & {
    occurredAt: string;
    attempt: number;
    /** What the learner (or operator) can act on. */
    reason: string;
    /** Whether a retry can help (after a profile correction, or once the board is back). */
    retryable: boolean;
    /** R16: the profile version whose identity this attempt sent, when known. */
    profileVersion?: number;
  };
};

/** R9: the board's records show the credit. `attempt`: the attempt confirmed (absent in older events). */
export type BoardRecordConfirmed = {
  type: 'BoardRecordConfirmed';
  data: SubmissionRef & { occurredAt: string; attempt?: number };
};

/** A later claim's submission that a corrected record carries, from attempt `sinceAttempt`. */
export interface CombinedSubmissionJson {
  submissionId: string;
  claimId: string;
  twelfths: string;
  sinceAttempt: number;
}

/**
 * R8: a correction: the board's record is to be deleted, then sent again as attempt `attempt`
 * (a record cannot be edited). `twelfths`: everything the record will carry (this submission's
 * credit and that of `combined`); `reason` one of `CORRECTION_REASONS`; `reference` the ticket
 * of a compliance request.
 */
export type BoardSubmissionCorrectionRequested = {
  type: 'BoardSubmissionCorrectionRequested';
  data: SubmissionRef & {
    occurredAt: string;
    attempt: number;
    reason: string;
    reference?: string;
    twelfths: string;
    combined: CombinedSubmissionJson[];
    profileVersion?: number;
  };
};

/** R8: the board deleted the record of a correction; the resubmission (attempt `attempt`) follows. */
export type BoardRecordDeleted = {
  type: 'BoardRecordDeleted';
  data: SubmissionRef & { occurredAt: string; attempt: number };
};

/** R9: accepted more than 24 hours ago and still not confirmed by the board. */
export type BoardSubmissionFlaggedForFollowUp = {
  type: 'BoardSubmissionFlaggedForFollowUp';
  data: SubmissionRef & { occurredAt: string; acceptedAt: string };
};

/**
 * R7/R8: the attempt waits for the learner's consent to share completion data with the boards;
 * nothing was sent. `reason` says what the learner does.
 */
export type BoardSubmissionAwaitingConsent = {
  type: 'BoardSubmissionAwaitingConsent';
  data: SubmissionRef & { occurredAt: string; attempt: number; reason: string };
};

/**
 * R7/R8: consent was given: the attempt that waited for it goes on (the same attempt).
 * `correcting`: the attempt is a correction's (R8), which goes on where it stopped.
 */
export type BoardSubmissionResumed = {
  type: 'BoardSubmissionResumed';
  data: SubmissionRef & { occurredAt: string; attempt: number; correcting?: boolean };
};

// The union and the schema versions below are shaped as the learner's (learner.events.ts) on
// purpose: each stream kind declares its own events the one way the codecs read them.
export type BoardSubmissionEvent =
  | BoardSubmissionRequested
  | BoardSubmissionRetryRequested
  | BoardSubmissionSucceeded
  | BoardSubmissionFailed
  | BoardRecordConfirmed
  | BoardSubmissionFlaggedForFollowUp
  | BoardSubmissionAwaitingConsent
  | BoardSubmissionResumed
  | BoardSubmissionCorrectionRequested
  | BoardRecordDeleted;

export type BoardSubmissionEventType = BoardSubmissionEvent['type'];

export const BOARD_SUBMISSION_EVENT_SCHEMA_VERSIONS = {
  BoardSubmissionRequested: 1,
  BoardSubmissionRetryRequested: 1,
  BoardSubmissionSucceeded: 1,
  BoardSubmissionFailed: 1,
  BoardRecordConfirmed: 1,
  BoardSubmissionFlaggedForFollowUp: 1,
  BoardSubmissionAwaitingConsent: 1,
  BoardSubmissionResumed: 1,
  BoardSubmissionCorrectionRequested: 1,
  BoardRecordDeleted: 1,
} as const satisfies Record<BoardSubmissionEventType, number>;

export const BOARD_SUBMISSION_EVENT_TYPES = Object.keys(
  BOARD_SUBMISSION_EVENT_SCHEMA_VERSIONS,
) as BoardSubmissionEventType[];
