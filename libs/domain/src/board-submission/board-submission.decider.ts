import { findBoard } from '../boards/board-catalogue';
import type { Activity } from '../credits/activity';
import { parseTwelfths, twelfthsToJson } from '../credits/twelfths';
import type { Decider } from '../decider';
import { assertBusinessTime, type DecisionContext } from '../decision-context';
import { DomainRuleViolation, type RuleId } from '../rules';
import type {
  BoardSubmissionCommand,
  CorrectBoardSubmission,
  CorrectionReason,
  FollowCombinedRecord,
  RecordBoardRecordDeleted,
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
import type {
  BoardSubmissionEvent,
  CombinedSubmissionJson,
  SubmissionRef,
} from './board-submission.events';
import type { BoardSubmissionStatus } from './claim-tag';
import { dueForFollowUpFlag } from './follow-up';
import { reportingWindowClosed } from './reporting-window';

export interface SubmissionFailure {
  readonly attempt: number;
  readonly reason: string;
  readonly retryable: boolean;
  readonly at: Date;
  /** R16: the profile version whose identity the failed attempt sent, when known. */
  readonly profileVersion: number | undefined;
}

/** A later claim's submission whose credit this one's record carries (A-22). */
export interface CombinedIntoRecord {
  readonly submissionId: string;
  readonly claimId: string;
  readonly twelfths: bigint;
  /** The first attempt of this record that carried it. */
  readonly sinceAttempt: number;
}

/** R8: a correction under way: the record is deleted (`recordDeleted`), then sent again. */
export interface CorrectionInProgress {
  readonly reason: string;
  readonly recordDeleted: boolean;
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
  /** A-22: the submission whose record carries this credit; undefined when it has its own. */
  readonly reportedWith: string | undefined;
  /** A-22: later claims' submissions this record carries too. */
  readonly combined: readonly CombinedIntoRecord[];
  /**
   * R8: the correction under way, kept until an attempt is accepted: a failed correction is
   * retried as a correction (delete first), so the board never keeps a stale record.
   */
  readonly correction: CorrectionInProgress | undefined;
}

/** R8/A-22: what the board's record of this submission carries: its own credit and the combined. */
export const reportedTwelfths = (submission: ActiveBoardSubmission): bigint =>
  submission.combined.reduce((sum, c) => sum + c.twelfths, submission.twelfths);

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
      reportedWith: data.reportedWith,
      combined: [],
      correction: undefined,
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
        correction: undefined,
        awaitingConsent: undefined,
      };
    case 'BoardSubmissionCorrectionRequested':
      return {
        ...state,
        status: 'correcting',
        attempt: event.data.attempt,
        attemptProfileVersion: event.data.profileVersion,
        requestedAt: new Date(event.data.occurredAt),
        acceptedAt: undefined,
        confirmedAt: undefined,
        flaggedForFollowUp: false,
        combined: event.data.combined.map((c) => ({
          submissionId: c.submissionId,
          claimId: c.claimId,
          twelfths: parseTwelfths(c.twelfths),
          sinceAttempt: c.sinceAttempt,
        })),
        correction: { reason: event.data.reason, recordDeleted: false },
        awaitingConsent: undefined,
      };
    case 'BoardRecordDeleted':
      return {
        ...state,
        correction: { reason: state.correction?.reason ?? '', recordDeleted: true },
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
        // A correction that waited goes on where it stopped (its deletion, or the resubmission).
        status: event.data.correcting === true ? 'correcting' : 'requested',
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
  // One case per command, each to a function of its own, closed by the `never` check: the
  // dispatch every decider and reactor has (learner.decider.ts, board-submission.reactor.ts).
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
    case 'CorrectBoardSubmission':
      return correct(command, state, context);
    case 'RecordBoardRecordDeleted':
      return recordDeleted(command, state);
    case 'FollowCombinedRecord':
      return followCombinedRecord(command, state);
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

/** What every event about the current attempt says: the submission, when, and which attempt. */
const attemptData = (submission: ActiveBoardSubmission, occurredAt: Date) => ({
  ...refOf(submission),
  occurredAt: occurredAt.toISOString(),
  attempt: submission.attempt,
});

/** R8: an answer or a wait applies to an attempt in flight: requested, or a correction under way. */
function assertInFlight(submission: ActiveBoardSubmission, message: string): void {
  if (submission.status !== 'requested' && submission.status !== 'correcting') {
    throw new DomainRuleViolation({ rule: 'R8', code: 'submission-not-in-flight', message });
  }
}

/** A reason the learner or an operator acts on is never blank (`rule` says whose). */
function requiredReason(reason: string, rule: RuleId, message: string): string {
  const trimmed = reason.trim();
  if (trimmed === '') {
    throw new DomainRuleViolation({ rule, code: 'required-field', field: 'reason', message });
  }
  return trimmed;
}

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
        ...(data.reportedWith === undefined ? {} : { reportedWith: data.reportedWith }),
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

/** An answer to an attempt that a later attempt (a correction) overtook changes nothing. */
function assertCurrentAttempt(
  submission: ActiveBoardSubmission,
  attempt: number | undefined,
): void {
  if (attempt !== undefined && attempt !== submission.attempt) {
    throw new DomainRuleViolation({
      rule: 'R8',
      code: 'attempt-overtaken',
      message: `attempt ${attempt} to ${submission.board} was overtaken by attempt ${submission.attempt}`,
    });
  }
}

/** Whether an attempt is being sent to the board: a request, or a correction's resubmission. */
const sending = (submission: ActiveBoardSubmission): boolean =>
  submission.status === 'requested' ||
  (submission.status === 'correcting' && submission.correction?.recordDeleted === true);

function recordAccepted(
  { data }: RecordSubmissionAccepted,
  state: BoardSubmissionState,
): BoardSubmissionEvent[] {
  const submission = requested(state);
  if (submission.status === 'accepted' || submission.status === 'confirmed') return []; // duplicate
  assertCurrentAttempt(submission, data.attempt);
  if (submission.status === 'correcting' && !sending(submission)) {
    throw new DomainRuleViolation({
      rule: 'R8',
      code: 'record-not-deleted',
      message: `the record at ${submission.board} is to be deleted before it is sent again`,
    });
  }
  if (submission.status === 'failed') {
    throw new DomainRuleViolation({
      rule: 'R8',
      code: 'submission-not-in-flight',
      message: `attempt ${submission.attempt} to ${submission.board} already failed; retry the submission first`,
    });
  }
  return [{ type: 'BoardSubmissionSucceeded', data: attemptData(submission, data.occurredAt) }];
}

function recordFailed(
  { data }: RecordSubmissionFailed,
  state: BoardSubmissionState,
): BoardSubmissionEvent[] {
  const submission = requested(state);
  if (submission.status === 'failed') return []; // duplicate report of the same attempt
  assertCurrentAttempt(submission, data.attempt);
  // A correction fails before or after the deletion: the retry corrects again (delete first).
  assertInFlight(
    submission,
    `${submission.board} already accepted this submission; no attempt is in flight`,
  );
  const reason = requiredReason(
    data.reason,
    'R16',
    'a failed submission needs a reason the learner or an operator can act on',
  );
  return [
    {
      type: 'BoardSubmissionFailed',
      data: {
        ...attemptData(submission, data.occurredAt),
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
  return [{ type: 'BoardRecordConfirmed', data: attemptData(submission, data.occurredAt) }];
}

// Alike in shape with the other decisions (the command's data, the state, the submission
// requested; the events of its current attempt) by design: what differs is its rule.
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
        ...attemptData(submission, data.occurredAt),
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
  const reason = gapsReason(data.profileGaps);
  if (submission.correction !== undefined) {
    // R8: a correction that failed is retried as a correction: the board's record (the stale one,
    // or the one the failed attempt sent) is deleted before the record is sent again.
    const events: BoardSubmissionEvent[] = [
      correctionRequested(submission, {
        occurredAt,
        reason: submission.correction.reason,
        combined: combinedJson(submission.combined),
        profileVersion: data.profileVersion,
      }),
    ];
    if (reason !== '') {
      events.push({
        type: 'BoardSubmissionFailed',
        data: { ...ref, occurredAt, attempt, reason, retryable: true },
      });
    }
    return events;
  }
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
 * A correction waits too (before its deletion, or before its resubmission): the board keeps the
 * record it holds until the learner consents again.
 */
function awaitConsent({ data }: AwaitConsent, state: BoardSubmissionState): BoardSubmissionEvent[] {
  const submission = requested(state);
  if (submission.status === 'awaiting-consent') return [];
  assertInFlight(
    submission,
    `attempt ${submission.attempt} to ${submission.board} is ${submission.status}; only an attempt in flight can wait for consent`,
  );
  const reason = requiredReason(
    data.reason,
    'R7',
    'a submission waiting for consent says why, so that the learner can act',
  );
  return [
    {
      type: 'BoardSubmissionAwaitingConsent',
      data: { ...attemptData(submission, data.occurredAt), reason },
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
        ...attemptData(state, data.occurredAt),
        ...(state.correction === undefined ? {} : { correcting: true }),
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------
// corrections (R8: a record cannot be edited: delete, then send again)
// ---------------------------------------------------------------------------------------

const combinedJson = (combined: readonly CombinedIntoRecord[]): CombinedSubmissionJson[] =>
  combined.map((c) => ({
    submissionId: c.submissionId,
    claimId: c.claimId,
    twelfths: twelfthsToJson(c.twelfths),
    sinceAttempt: c.sinceAttempt,
  }));

function correctionRequested(
  submission: ActiveBoardSubmission,
  fields: {
    occurredAt: string;
    reason: string;
    reference?: string;
    combined: CombinedSubmissionJson[];
    profileVersion: number | undefined;
  },
): BoardSubmissionEvent {
  const twelfths = fields.combined.reduce(
    (sum, c) => sum + parseTwelfths(c.twelfths),
    submission.twelfths,
  );
  return {
    type: 'BoardSubmissionCorrectionRequested',
    data: {
      ...refOf(submission),
      occurredAt: fields.occurredAt,
      attempt: submission.attempt + 1,
      reason: fields.reason,
      ...(fields.reference === undefined ? {} : { reference: fields.reference }),
      twelfths: twelfthsToJson(twelfths),
      combined: fields.combined,
      ...(fields.profileVersion === undefined ? {} : { profileVersion: fields.profileVersion }),
    },
  };
}

/**
 * R8: a correction of the board's record (compliance's, or a later claim of the same day
 * joining it, A-22): a new attempt that deletes the record, then sends it again with the
 * learner's current profile and every credit it carries. Refused while an attempt is in flight,
 * for a submission whose credit another record carries (correct that one), once the reporting
 * window is closed (the deletion could not be made good), and with gaps in the profile.
 */
function correct(
  { data }: CorrectBoardSubmission,
  state: BoardSubmissionState,
  context: DecisionContext,
): BoardSubmissionEvent[] {
  const submission = requested(state);
  if (submission.reportedWith !== undefined) {
    throw new DomainRuleViolation({
      rule: 'R8',
      code: 'reported-with-another-record',
      field: 'submissionId',
      message:
        `the credit of this submission is reported in the record of submission ` +
        `${submission.reportedWith} (same learner, activity, board and date); correct that one`,
    });
  }
  const combine = data.combine;
  const alreadyCombined =
    combine !== undefined &&
    submission.combined.some((c) => c.submissionId === combine.submissionId);
  // An attempt waiting for consent is in flight too: nothing reached the board yet.
  const inFlight =
    submission.status === 'requested' ||
    submission.status === 'correcting' ||
    submission.status === 'awaiting-consent';
  if (alreadyCombined && inFlight) return []; // the record on its way carries it already
  if (combine === undefined && inFlight) {
    throw new DomainRuleViolation({
      rule: 'R8',
      code: 'submission-in-flight',
      message: `attempt ${submission.attempt} to ${submission.board} is in flight; correct the record once the board has answered`,
    });
  }
  const closed = reportingWindowClosed(
    submission.board,
    submission.completedAt ?? submission.claimedAt,
    context.now,
  );
  if (closed !== undefined) {
    throw new DomainRuleViolation({
      rule: 'R8',
      code: 'reporting-window-closed',
      message: closed,
    });
  }
  const gaps = gapsReason(data.profileGaps);
  if (gaps !== '') {
    throw new DomainRuleViolation({
      rule: 'R16',
      code: 'profile-incomplete',
      field: 'profile',
      message: `the record would be deleted and could not be sent again: ${gaps}`,
    });
  }
  const combined = combinedJson(submission.combined);
  if (combine !== undefined && !alreadyCombined) {
    if (combine.twelfths <= 0n) {
      throw new DomainRuleViolation({
        rule: 'R4',
        code: 'invalid-amount',
        field: 'twelfths',
        message: 'a combined submission adds a positive amount of claimed credit',
      });
    }
    combined.push({
      submissionId: combine.submissionId,
      claimId: combine.claimId,
      twelfths: twelfthsToJson(combine.twelfths),
      sinceAttempt: submission.attempt + 1,
    });
  }
  const reason: CorrectionReason = combine === undefined ? data.reason : 'combined-completion';
  return [
    correctionRequested(submission, {
      occurredAt: data.occurredAt.toISOString(),
      reason,
      ...(data.reference === undefined ? {} : { reference: data.reference }),
      combined,
      profileVersion: data.profileVersion,
    }),
  ];
}

/** R8: the board deleted the record; the correction's resubmission follows. */
function recordDeleted(
  { data }: RecordBoardRecordDeleted,
  state: BoardSubmissionState,
): BoardSubmissionEvent[] {
  const submission = requested(state);
  assertCurrentAttempt(submission, data.attempt);
  if (submission.status !== 'correcting' || submission.correction === undefined) {
    throw new DomainRuleViolation({
      rule: 'R8',
      code: 'no-correction-in-progress',
      message: `no correction of the record at ${submission.board} is under way`,
    });
  }
  if (submission.correction.recordDeleted) return []; // the same deletion read twice
  return [{ type: 'BoardRecordDeleted', data: attemptData(submission, data.occurredAt) }];
}

// Alike in shape with the other decisions (the command's data, the state, the submission
// requested) by design: what differs is its rule.
/**
 * R8/R9 (A-22): a submission reported with another's record follows what the board answered
 * for that record, in its own history: accepted, confirmed, or failed with the board's reason.
 */
function followCombinedRecord(
  { data }: FollowCombinedRecord,
  state: BoardSubmissionState,
): BoardSubmissionEvent[] {
  const submission = requested(state);
  if (submission.reportedWith === undefined) {
    throw new DomainRuleViolation({
      rule: 'R8',
      code: 'not-reported-with-another-record',
      message: `this submission has its own record at ${submission.board}`,
    });
  }
  const ref = refOf(submission);
  const occurredAt = data.occurredAt.toISOString();
  const { attempt, status } = submission;
  const succeeded: BoardSubmissionEvent = {
    type: 'BoardSubmissionSucceeded',
    data: { ...ref, occurredAt, attempt },
  };
  switch (data.outcome) {
    case 'accepted':
      return status === 'accepted' || status === 'confirmed' ? [] : [succeeded];
    case 'confirmed':
      if (status === 'confirmed') return [];
      return [
        ...(status === 'accepted' ? [] : [succeeded]),
        { type: 'BoardRecordConfirmed', data: { ...ref, occurredAt, attempt } },
      ];
    case 'failed': {
      if (status === 'failed') return [];
      const reason = (data.reason ?? '').trim();
      return [
        {
          type: 'BoardSubmissionFailed',
          data: {
            ...ref,
            occurredAt,
            attempt,
            reason: `reported in the record of submission ${submission.reportedWith}: ${
              reason === '' ? `${submission.board} did not accept it` : reason
            }`,
            retryable: data.retryable ?? false,
          },
        },
      ];
    }
    default: {
      const _unknownOutcome: never = data.outcome;
      throw new TypeError(`unknown outcome ${JSON.stringify(_unknownOutcome)}`);
    }
  }
}
