import type { BoardSubmissionStatus } from './claim-tag';

/** R9: a board's records update about a day after it accepts a submission. */
export const FOLLOW_UP_AFTER_MS = 24 * 60 * 60 * 1000;

export interface FollowUpView {
  readonly status: BoardSubmissionStatus | 'not-requested';
  readonly acceptedAt?: Date | undefined;
  readonly flaggedForFollowUp?: boolean;
}

/**
 * R9: accepted more than 24 hours before `now` and still not confirmed by the board (flagged
 * or not). Once the board confirms, no follow-up is needed any more, flag or no flag.
 */
export const needsFollowUp = (submission: FollowUpView, now: Date): boolean =>
  submission.status === 'accepted' &&
  submission.acceptedAt !== undefined &&
  (submission.flaggedForFollowUp === true ||
    now.getTime() - submission.acceptedAt.getTime() > FOLLOW_UP_AFTER_MS);

/** R9: needs follow-up and is not flagged yet: what the sweep flags. */
export const dueForFollowUpFlag = (submission: FollowUpView, now: Date): boolean =>
  submission.flaggedForFollowUp !== true && needsFollowUp(submission, now);
