import type { Activity } from '../credits/activity';
import { floorToQuarter, formatCredits, parseTwelfths } from '../credits/twelfths';
import { boardSubmissionId, uuidV5 } from '../deterministic-id';
import type { CreditClaimed, PersonalData } from '../learner/learner.events';
import { consentsToDataSharing } from '../learner/learner.decider';
import type { LearnerState } from '../learner/learner.state';
import type { BoardSubmissionCommand } from './board-submission.commands';
import type { ActiveBoardSubmission, BoardSubmissionState } from './board-submission.decider';
import { dueForFollowUpFlag } from './follow-up';
import { missingBoardFields } from './missing-board-fields';
import { reportingWindowClosed } from './reporting-window';

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
}

/** R9: read the board's records for an accepted submission. */
export interface CheckBoardRecord {
  type: 'CheckBoardRecord';
  submissionId: string;
  board: string;
}

export type BoardSubmissionReaction = SendCommand | SubmitToBoard | CheckBoardRecord;

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
      return { learnerId: trigger.learnerId, submissionId: trigger.submissionId };
    case 'ConfirmationAwaited':
      return { submissionId: trigger.submissionId };
    case 'BoardRecordChecked':
      return { submissionId: trigger.call.submissionId };
    case 'BoardAnswered':
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
      },
    });
  });
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
  if (submission.status !== 'requested' || submission.attempt !== trigger.attempt) return [];
  // R7/R8: no consent to share completion data, nothing goes to the board; it waits.
  if (!consentsToDataSharing(learner)) {
    return [
      send(submission.submissionId, `await-consent/${trigger.eventId}`, {
        type: 'AwaitConsent',
        data: { reason: AWAITING_CONSENT_REASON, occurredAt: context.now },
      }),
    ];
  }
  const { personal, profileVersion } = identityFor(submission, learner);
  const completedAt = submission.completedAt ?? submission.claimedAt;
  const closed = reportingWindowClosed(submission.board, completedAt, context.now);
  if (closed !== undefined) {
    return [
      send(submission.submissionId, `outcome/${trigger.eventId}`, {
        type: 'RecordSubmissionFailed',
        data: {
          reason: closed,
          retryable: false,
          occurredAt: context.now,
          ...(profileVersion === undefined ? {} : { profileVersion }),
        },
      }),
    ];
  }
  const gaps = missingBoardFields(submission.board, { personal });
  if (gaps.length > 0 || personal === undefined) {
    return [
      send(submission.submissionId, `outcome/${trigger.eventId}`, {
        type: 'RecordSubmissionFailed',
        data: {
          reason: gaps.join('; ') || 'the CME profile is missing',
          retryable: true,
          occurredAt: context.now,
          ...(profileVersion === undefined ? {} : { profileVersion }),
        },
      }),
    ];
  }
  return [
    {
      type: 'SubmitToBoard',
      causationId: trigger.eventId,
      submissionId: submission.submissionId,
      board: submission.board,
      attempt: submission.attempt,
      identity: personal,
      profileVersion,
      activity: submission.activity,
      twelfths: submission.twelfths,
      credits: formatCredits(floorToQuarter(submission.twelfths)),
      completedAt,
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
        data: { occurredAt: context.now },
      }),
    ];
  }
  return [
    send(call.submissionId, step, {
      type: 'RecordSubmissionFailed',
      data: {
        reason: `${call.board}: ${answer.reason}`,
        retryable: answer.outcome === 'unavailable',
        occurredAt: context.now,
        ...(call.profileVersion === undefined ? {} : { profileVersion: call.profileVersion }),
      },
    }),
  ];
}

/** R9: an accepted submission's record is looked up at the board. */
function checkRecord(submission: BoardSubmissionState): BoardSubmissionReaction[] {
  if (submission.status !== 'accepted') return [];
  return [
    { type: 'CheckBoardRecord', submissionId: submission.submissionId, board: submission.board },
  ];
}

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
      send(submissionId, `confirm/${submissionId}`, {
        type: 'ConfirmBoardRecord',
        data: { occurredAt: record.confirmedAt ?? context.now },
      }),
    ];
  }
  if (!dueForFollowUpFlag(submission, context.now)) return [];
  return [
    send(submissionId, `follow-up/${submissionId}`, {
      type: 'FlagForFollowUp',
      data: { occurredAt: context.now },
    }),
  ];
}
