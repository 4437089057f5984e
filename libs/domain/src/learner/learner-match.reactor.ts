import { missingBoardFields } from '../board-submission/missing-board-fields';
import { uuidV5 } from '../deterministic-id';
import type { RecordBoardIdentityCheck } from './learner.commands';
import type { PersonalData } from './learner.events';
import type { LearnerState } from './learner.state';

/**
 * The learner match process's policy (R16), pure: when a profile selects boards, each board's
 * learner-match service is asked whether it knows the learner by that identity, before any
 * claim, and its answer is recorded in the learner's stream. A board that cannot be reached is
 * asked again later (the shell retries); nothing is recorded for it meanwhile, so an outage
 * never reads as a mismatch.
 */

/** The process's name: its commands' actor (`process:<name>`), its lease and its checkpoint. */
export const LEARNER_MATCH_PROCESS = 'learner-match-process';

/** Namespace of the process's command ids (derived from the causing event). Never change it. */
export const LEARNER_MATCH_PROCESS_NAMESPACE = 'bedcccc6-366b-462c-ac0a-f7e99cbf8029';

/** The stored event types that are triggers: the shell decodes nothing else. */
export const LEARNER_MATCH_PROCESS_EVENT_TYPES: readonly string[] = ['LearnerProfileUpdated'];

/** One board's learner match for one profile version's identity; the answer is the next trigger. */
export interface MatchAtBoard {
  type: 'MatchAtBoard';
  /** The profile event that caused it: the answer's command id derives from it. */
  causationId: string;
  learnerId: string;
  board: string;
  profileVersion: number;
  identity: PersonalData;
}

/** A command to `learner-<learnerId>`, with the id that makes it happen once. */
export interface SendLearnerCommand {
  type: 'SendLearnerCommand';
  learnerId: string;
  commandId: string;
  command: RecordBoardIdentityCheck;
}

export type LearnerMatchReaction = MatchAtBoard | SendLearnerCommand;

/** What the board's learner match answered (an outage is not an answer: the shell retries). */
export type LearnerMatchAnswer = { outcome: 'matched' } | { outcome: 'mismatched'; reason: string };

export type LearnerMatchTrigger =
  /** R7/R16: profile version `profileVersion` was recorded (event `eventId`). */
  | { type: 'ProfileUpdated'; eventId: string; learnerId: string; profileVersion: number }
  /** The board answered a `MatchAtBoard`. */
  | { type: 'BoardMatched'; call: MatchAtBoard; answer: LearnerMatchAnswer };

export interface LearnerMatchContext {
  readonly now: Date;
}

/**
 * R16: for the profile version an event recorded, still the current one, each selected board
 * not yet checked for that version and whose fields the profile holds (R16's gaps are said at
 * the claim, and by the profile's answer) is asked; its answer is recorded as
 * `RecordBoardIdentityCheck`. A profile superseded since, or erased, is not checked: the newer
 * version's own event is.
 */
export function reactToLearnerMatch(
  trigger: LearnerMatchTrigger,
  learner: LearnerState,
  context: LearnerMatchContext,
): LearnerMatchReaction[] {
  switch (trigger.type) {
    case 'ProfileUpdated': {
      const { profile } = learner;
      if (profile === undefined || profile.version !== trigger.profileVersion) return [];
      const identity = profile.personal;
      if (identity === undefined) return [];
      return profile.boards
        .filter((board) => learner.identityChecks.get(board)?.profileVersion !== profile.version)
        .filter((board) => missingBoardFields(board, profile).length === 0)
        .map((board): MatchAtBoard => ({
          type: 'MatchAtBoard',
          causationId: trigger.eventId,
          learnerId: trigger.learnerId,
          board,
          profileVersion: profile.version,
          identity,
        }));
    }
    case 'BoardMatched': {
      const { call, answer } = trigger;
      return [
        {
          type: 'SendLearnerCommand',
          learnerId: call.learnerId,
          commandId: uuidV5(
            `match/${call.causationId}/${call.board}`,
            LEARNER_MATCH_PROCESS_NAMESPACE,
          ),
          command: {
            type: 'RecordBoardIdentityCheck',
            data: {
              board: call.board,
              profileVersion: call.profileVersion,
              outcome: answer.outcome,
              ...(answer.outcome === 'mismatched' ? { reason: answer.reason } : {}),
              occurredAt: context.now,
            },
          },
        },
      ];
    }
    default: {
      const _unknownTrigger: never = trigger;
      throw new TypeError(`unknown trigger ${JSON.stringify(_unknownTrigger)}`);
    }
  }
}

/** R16: how a selected board's identity check reads on the profile. */
export type BoardIdentityStatus =
  | { status: 'verified'; checkedAt: Date }
  | { status: 'mismatch'; reason: string; checkedAt: Date }
  | { status: 'not-checked'; reason: string };

/**
 * R16: a selected board's identity check for the current profile: verified, a mismatch with
 * the board's reason, or not checked yet (with what the learner can expect or do).
 */
export function boardIdentityStatus(learner: LearnerState, board: string): BoardIdentityStatus {
  const { profile } = learner;
  const gaps = missingBoardFields(board, profile);
  if (gaps.length > 0) return { status: 'not-checked', reason: gaps.join('; ') };
  const check = learner.identityChecks.get(board);
  if (check === undefined || profile === undefined || check.profileVersion !== profile.version) {
    return {
      status: 'not-checked',
      reason: `${board} has not answered for this version of the profile yet; the check runs in the background`,
    };
  }
  return check.outcome === 'matched'
    ? { status: 'verified', checkedAt: check.checkedAt }
    : { status: 'mismatch', reason: check.reason ?? '', checkedAt: check.checkedAt };
}
