import type { Activity } from '../credits/activity';
import { floorToQuarter, formatCredits, parseTwelfths } from '../credits/twelfths';
import { boardSubmissionId, uuidV5 } from '../deterministic-id';
import type { CreditClaimed, PersonalData } from '../learner/learner.events';
import { consentsToDataSharing } from '../learner/learner.decider';
import type { LearnerState } from '../learner/learner.state';
import type { BoardSubmissionCommand } from './board-submission.commands';
import {
  reportedTwelfths,
  type ActiveBoardSubmission,
  type BoardSubmissionState,
} from './board-submission.decider';
import { dueForFollowUpFlag } from './follow-up';
import { missingBoardFields } from './missing-board-fields';
import { boardRecordDate, reportingWindowClosed } from './reporting-window';

/**
 * The board submission process's policy (R7, R8, R9, R16), pure: what it does about each thing
 * that happens. `reactToBoardSubmission(trigger, state, context)` answers reactions: commands
 * to a submission's stream, each with an id derived from what caused it (so a redelivered
 * trigger changes nothing), and calls to a board, whose answers come back as triggers. The
 * shell reads the streams `streamsReadBy` names, runs the reactions, and feeds answers back.
 */

/** The process's name: its commands' actor (`process:<name>`), its lease and its checkpoint. */
export const BOARD_SUBMISSION_PROCESS = 'board-submission-process';

/** Namespace of the process's command ids (derived from the causing event). Never change it. */
export const BOARD_SUBMISSION_PROCESS_NAMESPACE = '5d2a7e41-9c3b-4f6d-8a1e-7b0c2d9e4f35';

/** R7/R8: what a submission waiting for consent says to the learner. */
export const AWAITING_CONSENT_REASON =
  "awaiting the learner's consent to share completion data with the boards selected in the CME profile; " +
  'once it is given, the submission goes out';

/** The stored event types that are triggers: the shell decodes nothing else. */
export const BOARD_SUBMISSION_PROCESS_EVENT_TYPES: readonly string[] = [
  'CreditClaimed',
  'BoardSubmissionRequested',
  'BoardSubmissionRetryRequested',
  'BoardSubmissionResumed',
  'DataSharingConsentGranted',
  'BoardSubmissionCorrectionRequested',
  'BoardRecordDeleted',
  'BoardSubmissionSucceeded',
  'BoardSubmissionFailed',
  'BoardRecordConfirmed',
];

export type BoardSubmissionTrigger =
  /** R8: a claim was recorded (event `eventId` of the stream `learner-<learnerId>`). */
  | { type: 'CreditClaimed'; eventId: string; learnerId: string; data: CreditClaimed['data'] }
  /** R7/R8: the learner consented to share completion data with the boards. */
  | { type: 'ConsentGranted'; eventId: string; learnerId: string }
  /** R8/R16: attempt `attempt` of a submission was requested (the first, a retry, or resumed after consent). */
  | {
      type: 'AttemptRequested';
      eventId: string;
      submissionId: string;
      learnerId: string;
      attempt: number;
    }
  /** R8: a correction was requested (attempt `attempt`): the record is to be deleted first. */
  | {
      type: 'CorrectionRequested';
      eventId: string;
      submissionId: string;
      learnerId: string;
      attempt: number;
    }
  /**
   * R8: the sweep found a correction unfinished (the board was unreachable for the deletion or
   * the resubmission): it is taken up where it stopped.
   */
  | { type: 'CorrectionAwaited'; submissionId: string; learnerId: string }
  /**
   * the board answered for a record (accepted, confirmed, failed: event `eventId` of
   * attempt `attempt`); the submissions it carries follow.
   */
  | {
      type: 'RecordAnswered';
      eventId: string;
      submissionId: string;
      attempt: number;
      outcome: 'accepted' | 'confirmed' | 'failed';
      reason?: string;
      retryable?: boolean;
    }
  /** R8: the board answered a `DeleteBoardRecord`. */
  | { type: 'BoardRecordDeleteAnswered'; call: DeleteBoardRecord; answer: BoardDeleteAnswer }
  /** R9: the sweep found the submission accepted and not confirmed (in the read models). */
  | { type: 'ConfirmationAwaited'; submissionId: string }
  /** The board answered a `SubmitToBoard`. */
  | { type: 'BoardAnswered'; call: SubmitToBoard; answer: BoardAnswer }
  /** R9: what the board's records say, for a `CheckBoardRecord`. */
  | { type: 'BoardRecordChecked'; call: CheckBoardRecord; record: BoardRecord };

/** The board's answer to one attempt. */
export type BoardAnswer =
  | { outcome: 'accepted' }
  /** Refused for the data it holds: the same data would be refused again (R16). */
  | { outcome: 'rejected'; reason: string }
  /** Unreachable within the retry budget: a later retry can help. */
  | { outcome: 'unavailable'; reason: string };

/** The board's answer to a deletion: `deleted` also when it had no such record (any more). */
export type BoardDeleteAnswer =
  | { outcome: 'deleted' }
  | { outcome: 'refused'; reason: string }
  | { outcome: 'unavailable'; reason: string };

/** R9: whether the board's records show the credit; `unavailable` when they could not be read. */
export type BoardRecord =
  | { status: 'confirmed'; confirmedAt: Date | undefined }
  | { status: 'not-confirmed' }
  /** R9/R16: the board refused the record once it processed it (PARS, within 24 hours). */
  | { status: 'rejected'; reason: string }
  | { status: 'unavailable'; reason: string };

/** A command to `board-submission-<submissionId>`, with the id that makes it happen once. */
export interface SendCommand {
  type: 'SendCommand';
  submissionId: string;
  commandId: string;
  command: BoardSubmissionCommand;
}

/** R8: one attempt sent to a board; the submission id is its idempotency key. */
export interface SubmitToBoard {
  type: 'SubmitToBoard';
  /** The event that requested the attempt: the outcome's command id derives from it. */
  causationId: string;
  submissionId: string;
  board: string;
  attempt: number;
  /** R7: the claim's identity (attempt 1), R16: the profile as corrected since (a retry). */
  identity: PersonalData;
  /** The profile version `identity` is, when known. */
  profileVersion: number | undefined;
  activity: Activity;
  /** R4: the exact amount. */
  twelfths: bigint;
  /** R3: the amount as a certificate shows it, rounded down to a quarter. */
  credits: string;
  /** R8: when the learner completed the credit reported (the claim, for older submissions). */
  completedAt: Date;
  /** R8: the resubmission of a correction (its record was deleted): an outage leaves it to the sweep. */
  correction: boolean;
}

/** R8: a correction's first half: delete the board's record of the submission. */
export interface DeleteBoardRecord {
  type: 'DeleteBoardRecord';
  submissionId: string;
  board: string;
  attempt: number;
}

/** R9: read the board's records for an accepted submission. */
export interface CheckBoardRecord {
  type: 'CheckBoardRecord';
  submissionId: string;
  board: string;
}

export type BoardSubmissionReaction =
  SendCommand | SubmitToBoard | CheckBoardRecord | DeleteBoardRecord;

/** The streams a trigger's reaction reads, as they are when it is handled. */
export interface BoardSubmissionProcessState {
  /** `learner-<id>` (initial when `streamsReadBy` names none). */
  readonly learner: LearnerState;
  /** `board-submission-<id>` (initial when `streamsReadBy` names none). */
  readonly submission: BoardSubmissionState;
}

/** The process's clock, read by the shell. */
export interface BoardSubmissionProcessContext {
  readonly now: Date;
}

/** Which streams the reaction to a trigger reads. */
export function streamsReadBy(trigger: BoardSubmissionTrigger): {
  learnerId?: string;
  submissionId?: string;
} {
  switch (trigger.type) {
    case 'CreditClaimed':
    case 'ConsentGranted':
      return { learnerId: trigger.learnerId };
    case 'AttemptRequested':
    case 'CorrectionRequested':
    case 'CorrectionAwaited':
      return { learnerId: trigger.learnerId, submissionId: trigger.submissionId };
    case 'ConfirmationAwaited':
    case 'RecordAnswered':
      return { submissionId: trigger.submissionId };
    case 'BoardRecordChecked':
      return { submissionId: trigger.call.submissionId };
    case 'BoardAnswered':
    case 'BoardRecordDeleteAnswered':
      return {};
    default: {
      const _unknownTrigger: never = trigger;
      throw new TypeError(`unknown trigger ${JSON.stringify(_unknownTrigger)}`);
    }
  }
}

export function reactToBoardSubmission(
  trigger: BoardSubmissionTrigger,
  state: BoardSubmissionProcessState,
  context: BoardSubmissionProcessContext,
): BoardSubmissionReaction[] {
  // One case per trigger, each to a function of its own, closed by the `never` check: the
  // dispatch every decider and reactor has (board-submission.decider.ts, learner.decider.ts).
  switch (trigger.type) {
    case 'CreditClaimed':
      return requestSubmissions(trigger, state.learner, context);
    case 'ConsentGranted':
      return resumeAfterConsent(trigger, state.learner, context);
    case 'AttemptRequested':
      return attempt(trigger, state, context);
    case 'BoardAnswered':
      return recordAnswer(trigger, context);
    case 'ConfirmationAwaited':
      return checkRecord(state.submission);
    case 'BoardRecordChecked':
      return confirmOrFlag(trigger.record, state.submission, context);
    case 'CorrectionRequested':
      return startCorrection(trigger, state, context);
    case 'CorrectionAwaited':
      return resumeCorrection(state, context);
    case 'BoardRecordDeleteAnswered':
      return recordDeletion(trigger, context);
    case 'RecordAnswered':
      return followRecord(trigger, state.submission, context);
    default: {
      const _unknownTrigger: never = trigger;
      throw new TypeError(`unknown trigger ${JSON.stringify(_unknownTrigger)}`);
    }
  }
}

/** The id of the command a step sends: the same step (same cause) always gets the same id. */
const commandIdOf = (step: string): string => uuidV5(step, BOARD_SUBMISSION_PROCESS_NAMESPACE);

const send = (
  submissionId: string,
  step: string,
  command: BoardSubmissionCommand,
): SendCommand => ({
  type: 'SendCommand',
  submissionId,
  commandId: commandIdOf(step),
  command,
});

/**
 * R8/R16: one submission per board of the claim, with what the claim decided that board
 * receives; the identity checked is the claim's snapshot (R7: a profile change after the claim
 * affects later claims only), and incomplete board data fails it at once.
 */
function requestSubmissions(
  trigger: Extract<BoardSubmissionTrigger, { type: 'CreditClaimed' }>,
  learner: LearnerState,
  context: BoardSubmissionProcessContext,
): BoardSubmissionReaction[] {
  const { data, learnerId, eventId } = trigger;
  // The claim's snapshot; for claims recorded before it existed, the profile as it stood then.
  const personal = learner.claims.get(data.claimId)?.identity;
  const submissions =
    data.submissions ??
    data.boards.map((board) => ({ board, twelfths: data.twelfths, completedAt: undefined }));
  return submissions.map(({ board, twelfths, completedAt }) => {
    const submissionId = boardSubmissionId(data.claimId, board);
    const reportedWith =
      completedAt === undefined
        ? undefined
        : dayRecordOwner(learner, data.claimId, data.activity, board, new Date(completedAt));
    return send(submissionId, `request/${eventId}/${board}`, {
      type: 'RequestBoardSubmission',
      data: {
        submissionId,
        learnerId,
        claimId: data.claimId,
        board,
        activity: data.activity,
        twelfths: parseTwelfths(twelfths),
        claimedAt: new Date(data.occurredAt),
        occurredAt: context.now,
        profileGaps: missingBoardFields(board, { personal }),
        profileVersion: data.profileVersion,
        ...(completedAt === undefined ? {} : { completedAt: new Date(completedAt) }),
        ...(reportedWith === undefined ? {} : { reportedWith }),
      },
    });
  });
}

/**
 * a board keeps one record per learner, activity and completion date. The submission
 * of the learner's earliest claim before `claimId` whose record for `board` has the same
 * activity and date owns that day's record; a later claim's credit joins it (undefined: none).
 */
function dayRecordOwner(
  learner: LearnerState,
  claimId: string,
  activity: Activity,
  board: string,
  completedAt: Date,
): string | undefined {
  const day = boardRecordDate(completedAt);
  for (const claim of learner.claims.values()) {
    if (claim.claimId === claimId) return undefined; // only earlier claims own a record
    if (claim.activity !== activity) continue;
    const part = claim.submissions.find((s) => s.board === board);
    if (part !== undefined && boardRecordDate(part.completedAt) === day) {
      return boardSubmissionId(claim.claimId, board);
    }
  }
  return undefined;
}

/**
 * What an attempt sends: attempt 1 the claim's identity snapshot (R7), a retry the learner's
 * current profile (R16: after the learner corrected it), with the profile version each is.
 */
function identityFor(
  submission: ActiveBoardSubmission,
  learner: LearnerState,
): { personal: PersonalData | undefined; profileVersion: number | undefined } {
  if (submission.attempt === 1) {
    const claim = learner.claims.get(submission.claimId);
    return { personal: claim?.identity, profileVersion: claim?.profileVersion };
  }
  return { personal: learner.profile?.personal, profileVersion: learner.profile?.version };
}

/** R8/R16: the board is called for an attempt still in flight, unless the identity lacks what it needs. */
function attempt(
  trigger: Extract<BoardSubmissionTrigger, { type: 'AttemptRequested' }>,
  { submission, learner }: BoardSubmissionProcessState,
  context: BoardSubmissionProcessContext,
): BoardSubmissionReaction[] {
  // Ended since, or overtaken by a later attempt: nothing to send.
  if (submission.status === 'not-requested' || submission.attempt !== trigger.attempt) return [];
  // R8: a correction (resumed after consent, or its record deleted) goes on where it stopped.
  if (submission.status === 'correcting') return resumeCorrection({ submission, learner }, context);
  if (submission.status !== 'requested') return [];
  // R7/R8: no consent to share completion data, nothing goes to the board; it waits.
  if (!consentsToDataSharing(learner)) {
    return [
      send(submission.submissionId, `await-consent/${trigger.eventId}`, {
        type: 'AwaitConsent',
        data: { reason: AWAITING_CONSENT_REASON, occurredAt: context.now },
      }),
    ];
  }
  return sendAttempt(submission, learner, trigger.eventId, context);
}

/** A correction's steps take their ids from the attempt, whichever trigger takes them up. */
const correctionStep = (submission: ActiveBoardSubmission): string =>
  `correction/${submission.submissionId}/${submission.attempt}`;

/** An attempt to send: a request or retry in flight, or a correction whose record is deleted. */
function sendAttempt(
  submission: ActiveBoardSubmission,
  learner: LearnerState,
  eventId: string,
  context: BoardSubmissionProcessContext,
): BoardSubmissionReaction[] {
  const correction = submission.status === 'correcting';
  const causationId = correction ? correctionStep(submission) : eventId;
  const { personal, profileVersion } = identityFor(submission, learner);
  const completedAt = submission.completedAt ?? submission.claimedAt;
  const attempt = submission.attempt;
  const closed = reportingWindowClosed(submission.board, completedAt, context.now);
  if (closed !== undefined) {
    return [
      send(submission.submissionId, `outcome/${causationId}`, {
        type: 'RecordSubmissionFailed',
        data: {
          reason: closed,
          retryable: false,
          occurredAt: context.now,
          attempt,
          ...(profileVersion === undefined ? {} : { profileVersion }),
        },
      }),
    ];
  }
  const gaps = missingBoardFields(submission.board, { personal });
  if (gaps.length > 0 || personal === undefined) {
    return [
      send(submission.submissionId, `outcome/${causationId}`, {
        type: 'RecordSubmissionFailed',
        data: {
          reason: gaps.join('; ') || 'the CME profile is missing',
          retryable: true,
          occurredAt: context.now,
          attempt,
          ...(profileVersion === undefined ? {} : { profileVersion }),
        },
      }),
    ];
  }
  if (submission.reportedWith !== undefined) {
    // the day's record is another submission's: it is corrected to carry this credit too.
    return [
      send(submission.reportedWith, `combine/${submission.submissionId}/${attempt}`, {
        type: 'CorrectBoardSubmission',
        data: {
          reason: 'combined-completion',
          occurredAt: context.now,
          ...(learner.profile?.version === undefined
            ? {}
            : { profileVersion: learner.profile.version }),
          combine: {
            submissionId: submission.submissionId,
            claimId: submission.claimId,
            twelfths: submission.twelfths,
          },
        },
      }),
    ];
  }
  const twelfths = reportedTwelfths(submission);
  return [
    {
      type: 'SubmitToBoard',
      causationId,
      submissionId: submission.submissionId,
      board: submission.board,
      attempt,
      identity: personal,
      profileVersion,
      activity: submission.activity,
      twelfths,
      credits: formatCredits(floorToQuarter(twelfths)),
      completedAt,
      correction,
    },
  ];
}

/**
 * R7/R8: consent given: every submission of the learner's claims that waits for it goes on.
 * Submissions not waiting are left as they are (the decider records nothing for them).
 */
function resumeAfterConsent(
  trigger: Extract<BoardSubmissionTrigger, { type: 'ConsentGranted' }>,
  learner: LearnerState,
  context: BoardSubmissionProcessContext,
): BoardSubmissionReaction[] {
  if (!consentsToDataSharing(learner)) return []; // withdrawn again since
  return [...learner.claims.values()].flatMap((claim) =>
    claim.submissions.map(({ board }) => {
      const submissionId = boardSubmissionId(claim.claimId, board);
      return send(submissionId, `resume/${trigger.eventId}/${submissionId}`, {
        type: 'ResumeAfterConsent',
        data: { occurredAt: context.now },
      });
    }),
  );
}

/**
 * R8: a correction starts by deleting the board's record, unless the identity it would send
 * again lacks what the board needs: then it fails at once and the record stays as it was.
 */
function startCorrection(
  trigger: Extract<BoardSubmissionTrigger, { type: 'CorrectionRequested' }>,
  state: BoardSubmissionProcessState,
  context: BoardSubmissionProcessContext,
): BoardSubmissionReaction[] {
  const { submission } = state;
  if (submission.status !== 'correcting' || submission.attempt !== trigger.attempt) return [];
  return resumeCorrection(state, context);
}

/** R8: a correction goes on where it stopped: the deletion, or the resubmission after it. */
function resumeCorrection(
  { submission, learner }: BoardSubmissionProcessState,
  context: BoardSubmissionProcessContext,
): BoardSubmissionReaction[] {
  if (submission.status !== 'correcting' || submission.correction === undefined) return [];
  // R7/R8: without consent the correction waits (before its deletion or its resubmission): the
  // board keeps the record it holds. The id names the withdrawal, so a later one waits again.
  if (!consentsToDataSharing(learner)) {
    const withdrawal = learner.consent?.at.toISOString() ?? 'never';
    return [
      send(submission.submissionId, `await-consent/${correctionStep(submission)}/${withdrawal}`, {
        type: 'AwaitConsent',
        data: { reason: AWAITING_CONSENT_REASON, occurredAt: context.now },
      }),
    ];
  }
  if (submission.correction.recordDeleted) {
    return sendAttempt(submission, learner, correctionStep(submission), context);
  }
  const { personal, profileVersion } = identityFor(submission, learner);
  const gaps = missingBoardFields(submission.board, { personal });
  if (gaps.length > 0 || personal === undefined) {
    return [
      send(submission.submissionId, `outcome/${correctionStep(submission)}`, {
        type: 'RecordSubmissionFailed',
        data: {
          reason: gaps.join('; ') || 'the CME profile is missing',
          retryable: true,
          occurredAt: context.now,
          attempt: submission.attempt,
          ...(profileVersion === undefined ? {} : { profileVersion }),
        },
      }),
    ];
  }
  return [
    {
      type: 'DeleteBoardRecord',
      submissionId: submission.submissionId,
      board: submission.board,
      attempt: submission.attempt,
    },
  ];
}

/**
 * R8: the deletion is recorded; a board that refuses it fails the correction (the record
 * stands; a retry corrects again); an unreachable board leaves it to the sweep.
 */
function recordDeletion(
  { call, answer }: Extract<BoardSubmissionTrigger, { type: 'BoardRecordDeleteAnswered' }>,
  context: BoardSubmissionProcessContext,
): BoardSubmissionReaction[] {
  const step = `correction/${call.submissionId}/${call.attempt}`;
  switch (answer.outcome) {
    case 'deleted':
      return [
        send(call.submissionId, `deleted/${step}`, {
          type: 'RecordBoardRecordDeleted',
          data: { occurredAt: context.now, attempt: call.attempt },
        }),
      ];
    case 'refused':
      return [
        send(call.submissionId, `outcome/${step}`, {
          type: 'RecordSubmissionFailed',
          data: {
            reason: `${call.board} did not delete the record: ${answer.reason}`,
            retryable: true,
            occurredAt: context.now,
            attempt: call.attempt,
          },
        }),
      ];
    case 'unavailable':
      return [];
    default: {
      const _unknownAnswer: never = answer;
      throw new TypeError(`unknown answer ${JSON.stringify(_unknownAnswer)}`);
    }
  }
}

/**
 * what the board answered for a record, followed by each submission the record carries
 * (from the attempt that first carried it: an earlier answer was not about its credit).
 */
function followRecord(
  trigger: Extract<BoardSubmissionTrigger, { type: 'RecordAnswered' }>,
  submission: BoardSubmissionState,
  context: BoardSubmissionProcessContext,
): BoardSubmissionReaction[] {
  if (submission.status === 'not-requested') return [];
  return submission.combined
    .filter((c) => c.sinceAttempt <= trigger.attempt)
    .map((c) =>
      send(c.submissionId, `follow/${trigger.eventId}/${c.submissionId}`, {
        type: 'FollowCombinedRecord',
        data: {
          outcome: trigger.outcome,
          occurredAt: context.now,
          ...(trigger.reason === undefined ? {} : { reason: trigger.reason }),
          ...(trigger.retryable === undefined ? {} : { retryable: trigger.retryable }),
        },
      }),
    );
}

/** R8/R16: the board's answer, recorded; a refusal is retryable only after a profile correction. */
function recordAnswer(
  { call, answer }: Extract<BoardSubmissionTrigger, { type: 'BoardAnswered' }>,
  context: BoardSubmissionProcessContext,
): BoardSubmissionReaction[] {
  const step = `outcome/${call.causationId}`;
  if (answer.outcome === 'accepted') {
    return [
      send(call.submissionId, step, {
        type: 'RecordSubmissionAccepted',
        data: { occurredAt: context.now, attempt: call.attempt },
      }),
    ];
  }
  // R8: the record of a correction is deleted: an outage does not fail it, the sweep resends.
  if (call.correction && answer.outcome === 'unavailable') return [];
  return [
    send(call.submissionId, step, {
      type: 'RecordSubmissionFailed',
      data: {
        reason: `${call.board}: ${answer.reason}`,
        retryable: answer.outcome === 'unavailable',
        occurredAt: context.now,
        attempt: call.attempt,
        ...(call.profileVersion === undefined ? {} : { profileVersion: call.profileVersion }),
      },
    }),
  ];
}

/** R9: an accepted submission's record is looked up at the board. */
function checkRecord(submission: BoardSubmissionState): BoardSubmissionReaction[] {
  // a submission reported with another's record follows that record's confirmation.
  if (submission.status !== 'accepted' || submission.reportedWith !== undefined) return [];
  return [
    { type: 'CheckBoardRecord', submissionId: submission.submissionId, board: submission.board },
  ];
}

/** A step taken once per attempt: attempt 1 keeps the id it always had; a correction's record gets its own. */
const stepOfAttempt = (step: string, submission: ActiveBoardSubmission): string =>
  submission.attempt === 1
    ? `${step}/${submission.submissionId}`
    : `${step}/${submission.submissionId}/${submission.attempt}`;

/**
 * R9: the board's confirmation is recorded; an accepted submission the board has not confirmed
 * (or whose record could not be read) is flagged once it is more than 24 hours old.
 */
function confirmOrFlag(
  record: BoardRecord,
  submission: BoardSubmissionState,
  context: BoardSubmissionProcessContext,
): BoardSubmissionReaction[] {
  if (submission.status !== 'accepted') return [];
  const { submissionId } = submission;
  if (record.status === 'rejected') {
    return [
      send(submissionId, `rejected/${submissionId}/${submission.attempt}`, {
        type: 'RecordBoardRecordRejected',
        data: { reason: `${submission.board}: ${record.reason}`, occurredAt: context.now },
      }),
    ];
  }
  if (record.status === 'confirmed') {
    return [
      send(submissionId, stepOfAttempt('confirm', submission), {
        type: 'ConfirmBoardRecord',
        data: { occurredAt: record.confirmedAt ?? context.now },
      }),
    ];
  }
  if (!dueForFollowUpFlag(submission, context.now)) return [];
  return [
    send(submissionId, stepOfAttempt('follow-up', submission), {
      type: 'FlagForFollowUp',
      data: { occurredAt: context.now },
    }),
  ];
}
