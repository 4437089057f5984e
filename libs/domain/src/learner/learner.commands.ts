import type { Activity } from '../credits/activity';
import type { ClinicalRole } from './clinical-role';

/** Commands of the `learner-<id>` stream; `occurredAt` is when the learner acted (R15). */

/** R1: the learner researched a clinical question (Internet Point of Care). */
export type RecordResearch = {
  type: 'RecordResearch';
  data: { researchId: string; occurredAt: Date };
};

/** R2/R14: the learner answered a board-review question. */
export type RecordAnswer = {
  type: 'RecordAnswer';
  data: { questionId: string; correct: boolean; occurredAt: Date };
};

export type ProfileBoardSelection = {
  /** A board code of the R10 catalogue, e.g. `ABIM`. */
  boardId: string;
  /** The learner's id at that board; may be left empty, then submissions fail (R16). */
  learnerBoardId?: string;
};

/** R7/R10: replace the CME profile. */
export type UpdateProfile = {
  type: 'UpdateProfile';
  data: {
    clinicalRole: ClinicalRole;
    firstName: string;
    lastName: string;
    birthMonth: number;
    birthDay: number;
    country: string;
    boards: ProfileBoardSelection[];
    licenses: { state: string; licenseNumber: string }[];
    npi?: string;
    occurredAt: Date;
  };
};

/** R5/R6: redeem all unclaimed, unexpired credit of one activity. */
export type ClaimCredits = {
  type: 'ClaimCredits';
  data: { claimId: string; activity: Activity; occurredAt: Date };
};

/** An administrator erases the learner's personal data, under a ticket of the request. */
export type ErasePersonalData = {
  type: 'ErasePersonalData';
  data: { occurredAt: Date; ticket?: string };
};

/** One fact of a history import: a research (R1) or an answer (R2) from the past. */
export type ImportedFact =
  | { kind: 'research'; researchId: string; occurredAt: Date }
  | { kind: 'answer'; questionId: string; correct: boolean; occurredAt: Date };

/**
 * R15: facts older than the backdate bound, brought in by an administrator with a reference
 * (a ticket id) saying why; `occurredAt` is when the import is made (the server's clock).
 */
export type ImportHistory = {
  type: 'ImportHistory';
  data: { occurredAt: Date; reference: string; importedBy: string; facts: ImportedFact[] };
};

/**
 * R7: the learner grants or withdraws consent to share completion data with the boards
 * selected in the profile. Without it, no completion goes to a board (R8).
 */
export type RecordDataSharingConsent = {
  type: 'RecordDataSharingConsent';
  data: { consent: 'granted' | 'withdrawn'; occurredAt: Date };
};

/**
 * R16: what a board's learner-match service answered for the identity of profile version
 * `profileVersion` (sent by the learner match process; `occurredAt` is when it answered).
 */
export type RecordBoardIdentityCheck = {
  type: 'RecordBoardIdentityCheck';
  data: {
    board: string;
    profileVersion: number;
    outcome: 'matched' | 'mismatched';
    reason?: string;
    occurredAt: Date;
  };
};

export type LearnerCommand =
  | RecordResearch
  | RecordAnswer
  | UpdateProfile
  | ClaimCredits
  | ErasePersonalData
  | ImportHistory
  | RecordDataSharingConsent
  | RecordBoardIdentityCheck;
