import { findBoard } from '../boards/board-catalogue';
import type { Activity } from '../credits/activity';
import { parseTwelfths, twelfthsToJson } from '../credits/twelfths';
import type { Decider } from '../decider';
import { assertBusinessTime, type DecisionContext } from '../decision-context';
import { DomainRuleViolation } from '../rules';
import type {
  BoardSubmissionCommand,
  ConfirmBoardRecord,
  FlagForFollowUp,
  RecordSubmissionAccepted,
  RecordBoardRecordRejected,
  RecordSubmissionFailed,
  RequestBoardSubmission,
  RetryBoardSubmission,
  AwaitConsent,
  ResumeAfterConsent,
} from './board-submission.commands';
import type { BoardSubmissionEvent, SubmissionRef } from './board-submission.events';
import type { BoardSubmissionStatus } from './claim-tag';
import { dueForFollowUpFlag } from './follow-up';

export interface SubmissionFailure {
  readonly attempt: number;
  readonly reason: string;
  readonly retryable: boolean;
  readonly at: Date;
  /** R16: the profile version whose identity the failed attempt sent, when known. */
  readonly profileVersion: number | undefined;
}

export interface ActiveBoardSubmission {
  readonly status: BoardSubmissionStatus;
  readonly submissionId: string;
  readonly learnerId: string;
  readonly claimId: string;
  readonly board: string;
  readonly activity: Activity;
  readonly twelfths: bigint;
  readonly claimedAt: Date;
  /** R8: when the learner completed the credit reported; undefined in older submissions. */
  readonly completedAt: Date | undefined;
  /** When the current attempt was requested: the first request, then each retry. */
  readonly requestedAt: Date;
  /** 1 for the first attempt, +1 per retry. */
  readonly attempt: number;
  /** R7/R16: the profile version the current attempt sends (claim snapshot, then retries'). */
  readonly attemptProfileVersion: number | undefined;
  readonly acceptedAt: Date | undefined;
  readonly confirmedAt: Date | undefined;
  readonly lastFailure: SubmissionFailure | undefined;
  readonly flaggedForFollowUp: boolean;
  /** R7/R8: while the attempt waits for the learner's consent to share, why (said to the learner). */
  readonly awaitingConsent: { readonly reason: string; readonly since: Date } | undefined;
}

export type BoardSubmissionState = { readonly status: 'not-requested' } | ActiveBoardSubmission;

export const initialBoardSubmissionState = (): BoardSubmissionState => ({
  status: 'not-requested',
});

// ---------------------------------------------------------------------------------------
// evolve
// ---------------------------------------------------------------------------------------

export function evolveBoardSubmission(
  state: BoardSubmissionState,
  event: BoardSubmissionEvent,
): BoardSubmissionState {
  if (event.type === 'BoardSubmissionRequested') {
    const { data } = event;
    return {
      status: 'requested',
      submissionId: data.submissionId,
      learnerId: data.learnerId,
      claimId: data.claimId,
      board: data.board,
      activity: data.activity,
      twelfths: parseTwelfths(data.twelfths),
      claimedAt: new Date(data.claimedAt),
      completedAt: data.completedAt === undefined ? undefined : new Date(data.completedAt),
      requestedAt: new Date(data.occurredAt),
      attempt: data.attempt,
      attemptProfileVersion: data.profileVersion,
      acceptedAt: undefined,
      confirmedAt: undefined,
      lastFailure: undefined,
      flaggedForFollowUp: false,
      awaitingConsent: undefined,
    };
  }
  if (state.status === 'not-requested') return state; // nothing to evolve before a request
  switch (event.type) {
    case 'BoardSubmissionRetryRequested':
      return {
        ...state,
        status: 'requested',
        attempt: event.data.attempt,
        attemptProfileVersion: event.data.profileVersion,
        requestedAt: new Date(event.data.occurredAt),
      };
    case 'BoardSubmissionSucceeded':
      return {
        ...state,
        status: 'accepted',
        attempt: event.data.attempt,
        acceptedAt: new Date(event.data.occurredAt),
      };
    case 'BoardSubmissionFailed':
      return {
        ...state,
        status: 'failed',
        attempt: event.data.attempt,
        lastFailure: {
          attempt: event.data.attempt,
          reason: event.data.reason,
          retryable: event.data.retryable,
          at: new Date(event.data.occurredAt),
          profileVersion: event.data.profileVersion ?? state.attemptProfileVersion,
        },
      };
    case 'BoardRecordConfirmed':
      return { ...state, status: 'confirmed', confirmedAt: new Date(event.data.occurredAt) };
    case 'BoardSubmissionFlaggedForFollowUp':
      return { ...state, flaggedForFollowUp: true };
    case 'BoardSubmissionAwaitingConsent':
      return {
        ...state,
        status: 'awaiting-consent',
        attempt: event.data.attempt,
        awaitingConsent: { reason: event.data.reason, since: new Date(event.data.occurredAt) },
      };
    case 'BoardSubmissionResumed':
      return {
        ...state,
        status: 'requested',
        attempt: event.data.attempt,
        requestedAt: new Date(event.data.occurredAt),
        awaitingConsent: undefined,
      };
    default: {
      const _unknownEvent: never = event;
      return state;
    }
  }
}

// ---------------------------------------------------------------------------------------
// decide
// ---------------------------------------------------------------------------------------

export function decideBoardSubmission(
  command: BoardSubmissionCommand,
  state: BoardSubmissionState,
  context: DecisionContext,
): BoardSubmissionEvent[] {
  assertBusinessTime(command.data.occurredAt, context);
  switch (command.type) {
    case 'RequestBoardSubmission':
      return request(command, state);
    case 'RecordSubmissionAccepted':
      return recordAccepted(command, state);
    case 'RecordSubmissionFailed':
      return recordFailed(command, state);
    case 'ConfirmBoardRecord':
      return confirm(command, state);
    case 'RecordBoardRecordRejected':
      return recordRejectedAfterAcceptance(command, state);
    case 'RetryBoardSubmission':
      return retry(command, state);
    case 'FlagForFollowUp':
      return flagForFollowUp(command, state, context);
    case 'AwaitConsent':
      return awaitConsent(command, state);
    case 'ResumeAfterConsent':
      return resumeAfterConsent(command, state);
    default: {
      const _unknownCommand: never = command;
      throw new TypeError(`unknown board submission command ${JSON.stringify(_unknownCommand)}`);
    }
  }
}

export const boardSubmissionDecider: Decider<
  BoardSubmissionState,
  BoardSubmissionCommand,
  BoardSubmissionEvent,
  DecisionContext
> = {
  initialState: initialBoardSubmissionState,
  evolve: evolveBoardSubmission,
  decide: decideBoardSubmission,
};

const refOf = (state: ActiveBoardSubmission): SubmissionRef => ({
  submissionId: state.submissionId,
  learnerId: state.learnerId,
  claimId: state.claimId,
  board: state.board,
});

const gapsReason = (gaps: readonly string[] | undefined): string =>
  (gaps ?? [])
    .map((gap) => gap.trim())
    .filter((gap) => gap !== '')
    .join('; ');

function requested(state: BoardSubmissionState): ActiveBoardSubmission {
  if (state.status === 'not-requested') {
    throw new DomainRuleViolation({
      rule: 'R8',
      code: 'submission-not-requested',
      message: 'this board submission was never requested; it starts when credit is claimed',
    });
  }
  return state;
}

/**
 * R8/R16: a claim's credit goes to the board; when the profile lacks what the board needs,
 * the first attempt fails at once with the reasons (nothing is lost silently).
 */
function request(
  { data }: RequestBoardSubmission,
  state: BoardSubmissionState,
): BoardSubmissionEvent[] {
  if (state.status !== 'not-requested') {
    if (state.claimId === data.claimId && state.board === data.board) return []; // redelivery
    throw new DomainRuleViolation({
      rule: 'R8',
      code: 'submission-conflict',
      field: 'submissionId',
      message: `submission ${data.submissionId} already reports claim ${state.claimId} to ${state.board}`,
    });
  }
  if (findBoard(data.board) === undefined) {
    throw new DomainRuleViolation({
      rule: 'R10',
      code: 'board-not-in-catalogue',
      field: 'board',
      message: `"${data.board}" does not take direct credit reporting; the learner needs the PDF certificate`,
    });
  }
  if (data.twelfths <= 0n) {
    throw new DomainRuleViolation({
      rule: 'R4',
      code: 'invalid-amount',
      field: 'twelfths',
      message: 'a board submission reports a positive amount of claimed credit',
    });
  }
  const ref: SubmissionRef = {
    submissionId: data.submissionId,
    learnerId: data.learnerId,
    claimId: data.claimId,
    board: data.board,
  };
  const occurredAt = data.occurredAt.toISOString();
  const events: BoardSubmissionEvent[] = [
    {
      type: 'BoardSubmissionRequested',
      data: {
        ...ref,
        activity: data.activity,
        twelfths: twelfthsToJson(data.twelfths),
        claimedAt: data.claimedAt.toISOString(),
        occurredAt,
        attempt: 1,
        ...(data.completedAt === undefined ? {} : { completedAt: data.completedAt.toISOString() }),
        ...(data.profileVersion === undefined ? {} : { profileVersion: data.profileVersion }),
      },
    },
  ];
  const reason = gapsReason(data.profileGaps);
  if (reason !== '') {
    events.push({
      type: 'BoardSubmissionFailed',
      data: { ...ref, occurredAt, attempt: 1, reason, retryable: true },
    });
  }
  return events;
}

function recordAccepted(
  { data }: RecordSubmissionAccepted,
  state: BoardSubmissionState,
): BoardSubmissionEvent[] {
  const submission = requested(state);
  if (submission.status === 'accepted' || submission.status === 'confirmed') return []; // duplicate
  if (submission.status === 'failed') {
    throw new DomainRuleViolation({
      rule: 'R8',
      code: 'submission-not-in-flight',
      message: `attempt ${submission.attempt} to ${submission.board} already failed; retry the submission first`,
    });
  }
  return [
    {
      type: 'BoardSubmissionSucceeded',
      data: {
        ...refOf(submission),
        occurredAt: data.occurredAt.toISOString(),
        attempt: submission.attempt,
      },
    },
  ];
}

function recordFailed(
  { data }: RecordSubmissionFailed,
  state: BoardSubmissionState,
): BoardSubmissionEvent[] {
  const submission = requested(state);
  if (submission.status === 'failed') return []; // duplicate report of the same attempt
  if (submission.status !== 'requested') {
    throw new DomainRuleViolation({
      rule: 'R8',
      code: 'submission-not-in-flight',
      message: `${submission.board} already accepted this submission; no attempt is in flight`,
    });
  }
  const reason = data.reason.trim();
  if (reason === '') {
    throw new DomainRuleViolation({
      rule: 'R16',
      code: 'required-field',
      field: 'reason',
      message: 'a failed submission needs a reason the learner or an operator can act on',
    });
  }
  return [
    {
      type: 'BoardSubmissionFailed',
      data: {
        ...refOf(submission),
        occurredAt: data.occurredAt.toISOString(),
        attempt: submission.attempt,
        reason,
        retryable: data.retryable,
        ...(data.profileVersion === undefined ? {} : { profileVersion: data.profileVersion }),
      },
    },
  ];
}

/** R9: the board's records show the credit. */
function confirm(
  { data }: ConfirmBoardRecord,
  state: BoardSubmissionState,
): BoardSubmissionEvent[] {
  const submission = requested(state);
  if (submission.status === 'confirmed') return [];
  if (submission.status !== 'accepted') {
    throw new DomainRuleViolation({
      rule: 'R9',
      code: 'submission-not-accepted',
      message: `${submission.board} has not accepted this submission, so its records cannot show it yet`,
    });
  }
  return [
    {
      type: 'BoardRecordConfirmed',
      data: { ...refOf(submission), occurredAt: data.occurredAt.toISOString() },
    },
  ];
}

/**
 * R9/R16: the board refused an accepted attempt once it processed it: the attempt fails, not
 * retryable as it stands (the same data would be refused again), so the learner corrects the
 * profile and retries. A confirmed record stays confirmed.
 */
function recordRejectedAfterAcceptance(
  { data }: RecordBoardRecordRejected,
  state: BoardSubmissionState,
): BoardSubmissionEvent[] {
  const submission = requested(state);
  if (submission.status === 'failed') return []; // the same rejection read twice
  if (submission.status !== 'accepted') {
    throw new DomainRuleViolation({
      rule: 'R9',
      code: 'submission-not-accepted',
      message: `${submission.board} has not accepted this submission, so its records cannot reject it`,
    });
  }
  const reason = data.reason.trim();
  return [
    {
      type: 'BoardSubmissionFailed',
      data: {
        ...refOf(submission),
        occurredAt: data.occurredAt.toISOString(),
        attempt: submission.attempt,
        reason: reason === '' ? `${submission.board} rejected the record without a reason` : reason,
        retryable: false,
        ...(submission.attemptProfileVersion === undefined
          ? {}
          : { profileVersion: submission.attemptProfileVersion }),
      },
    },
  ];
}

/** R16: only a failed submission whose failure a retry can fix is retried, as attempt n+1. */
function retry(
  { data }: RetryBoardSubmission,
  state: BoardSubmissionState,
): BoardSubmissionEvent[] {
  const submission = requested(state);
  if (submission.status !== 'failed' || submission.lastFailure === undefined) {
    throw new DomainRuleViolation({
      rule: 'R16',
      code: 'retry-not-allowed',
      message: `only a failed submission can be retried; this one to ${submission.board} is ${submission.status}`,
    });
  }
  // Submissions recorded before versions were: the version sent is unknown, the retry may try.
  const sent = submission.lastFailure.profileVersion;
  const profileCorrectedSince =
    sent === undefined || (data.profileVersion !== undefined && data.profileVersion > sent);
  if (!submission.lastFailure.retryable && !profileCorrectedSince) {
    throw new DomainRuleViolation({
      rule: 'R16',
      code: 'failure-not-retryable',
      message:
        `${submission.board} refused this submission: ${submission.lastFailure.reason}. ` +
        'Correct the CME profile, then retry: the same data would be refused again',
    });
  }
  const ref = refOf(submission);
  const occurredAt = data.occurredAt.toISOString();
  const attempt = submission.attempt + 1;
  const events: BoardSubmissionEvent[] = [
    {
      type: 'BoardSubmissionRetryRequested',
      data: {
        ...ref,
        occurredAt,
        attempt,
        ...(data.profileVersion === undefined ? {} : { profileVersion: data.profileVersion }),
      },
    },
  ];
  const reason = gapsReason(data.profileGaps);
  if (reason !== '') {
    events.push({
      type: 'BoardSubmissionFailed',
      data: { ...ref, occurredAt, attempt, reason, retryable: true },
    });
  }
  return events;
}

/** R9: flag a submission accepted more than 24 h before now and still not confirmed. */
function flagForFollowUp(
  { data }: FlagForFollowUp,
  state: BoardSubmissionState,
  context: DecisionContext,
): BoardSubmissionEvent[] {
  const submission = requested(state);
  if (submission.status === 'confirmed') {
    throw new DomainRuleViolation({
      rule: 'R9',
      code: 'already-confirmed',
      message: `${submission.board} already confirmed this credit; no follow-up is needed`,
    });
  }
  if (submission.status !== 'accepted' || submission.acceptedAt === undefined) {
    throw new DomainRuleViolation({
      rule: 'R9',
      code: 'submission-not-accepted',
      message: `${submission.board} has not accepted this submission; follow-up applies to accepted credit only`,
    });
  }
  if (submission.flaggedForFollowUp) return [];
  if (!dueForFollowUpFlag(submission, context.now)) {
    throw new DomainRuleViolation({
      rule: 'R9',
      code: 'follow-up-too-early',
      message:
        `${submission.board} accepted this credit at ${submission.acceptedAt.toISOString()}; ` +
        'its records update about a day later, so follow up only after 24 hours',
    });
  }
  return [
    {
      type: 'BoardSubmissionFlaggedForFollowUp',
      data: {
        ...refOf(submission),
        occurredAt: data.occurredAt.toISOString(),
        acceptedAt: submission.acceptedAt.toISOString(),
      },
    },
  ];
}

/**
 * R7/R8: an attempt in flight waits for the learner's consent to share completion data with
 * the boards: nothing goes to the board, and the submission says why. Already waiting: nothing.
 */
function awaitConsent({ data }: AwaitConsent, state: BoardSubmissionState): BoardSubmissionEvent[] {
  const submission = requested(state);
  if (submission.status === 'awaiting-consent') return [];
  if (submission.status !== 'requested') {
    throw new DomainRuleViolation({
      rule: 'R8',
      code: 'submission-not-in-flight',
      message: `attempt ${submission.attempt} to ${submission.board} is ${submission.status}; only an attempt in flight can wait for consent`,
    });
  }
  const reason = data.reason.trim();
  if (reason === '') {
    throw new DomainRuleViolation({
      rule: 'R7',
      code: 'required-field',
      field: 'reason',
      message: 'a submission waiting for consent says why, so that the learner can act',
    });
  }
  return [
    {
      type: 'BoardSubmissionAwaitingConsent',
      data: {
        ...refOf(submission),
        occurredAt: data.occurredAt.toISOString(),
        attempt: submission.attempt,
        reason,
      },
    },
  ];
}

/**
 * R7/R8: once the learner consents, an attempt that waited goes on (the same attempt: nothing
 * reached the board). A submission that is not waiting is left as it is, so consent can be
 * passed to every submission of the learner's claims.
 */
function resumeAfterConsent(
  { data }: ResumeAfterConsent,
  state: BoardSubmissionState,
): BoardSubmissionEvent[] {
  if (state.status !== 'awaiting-consent') return [];
  return [
    {
      type: 'BoardSubmissionResumed',
      data: {
        ...refOf(state),
        occurredAt: data.occurredAt.toISOString(),
        attempt: state.attempt,
      },
    },
  ];
}
