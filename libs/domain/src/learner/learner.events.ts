import type { Activity } from '../credits/activity';
import type { CertificateKind, ClinicalRole } from './clinical-role';

/**
 * Events of the `learner-<id>` stream. Data is plain JSON: amounts are decimal strings of
 * twelfths (R4), instants ISO 8601 strings; `occurredAt` is the business time (R15).
 */

export type LicenseData = {
  /** US state or territory, two letters. */
  state: string;
  licenseNumber: string;
};

/**
 * All personal data of a profile, in one sub-object so that the infrastructure can encrypt
 * it wholesale with the learner's key. After crypto-shredding it is absent.
 */
export type PersonalData = {
  firstName: string;
  lastName: string;
  birthMonth: number;
  birthDay: number;
  /** The learner's id at each selected board that has one, by board code. */
  boardIds: { [boardCode: string]: string };
  licenses: LicenseData[];
  npi?: string;
};

/** R7: the CME profile; each update is a new version that affects later claims only. */
export type LearnerProfileUpdated = {
  type: 'LearnerProfileUpdated';
  data: {
    occurredAt: string;
    /** 1 for the first profile, then +1 per update. */
    profileVersion: number;
    clinicalRole: ClinicalRole;
    /** ISO 3166-1 alpha-2. */
    country: string;
    /** Board codes selected (R10 catalogue), in the learner's order. */
    boards: string[];
    licenseStates: string[];
    /** Encrypted by the infrastructure; undefined once erased (crypto-shredded). */
    personal?: PersonalData;
  };
};

/** R1: a clinical question researched; earns 6/12 once per research id. */
export type QuestionResearched = {
  type: 'QuestionResearched';
  data: {
    researchId: string;
    occurredAt: string;
    /** R5: the calendar year of occurredAt in the configured time zone, fixed when decided. */
    earnedYear: number;
    twelfths: string;
  };
};

/** R2: the first correct answer to a board-review question; earns 2/12. */
export type AnswerCorrect = {
  type: 'AnswerCorrect';
  data: { questionId: string; occurredAt: string; earnedYear: number; twelfths: string };
};

/** R2: an incorrect answer, kept for auditors; earns nothing. */
export type AnswerIncorrect = {
  type: 'AnswerIncorrect';
  data: { questionId: string; occurredAt: string };
};

/** R14: a correct answer to a question already answered correctly; earns nothing. */
export type CorrectAnswerRepeated = {
  type: 'CorrectAnswerRepeated';
  data: { questionId: string; occurredAt: string };
};

/** R5/R6: what one earned year contributed to a claim. */
export type ClaimBreakdownLine = {
  earnedYear: number;
  twelfths: string;
  /** R5: last day (in the configured zone) that year's credit could be claimed: `Y+2-12-31`. */
  claimDeadline: string;
};

/** R6/R8/R11: a claim of one activity's credit, with the profile snapshot it was made with. */
export type CreditClaimed = {
  type: 'CreditClaimed';
  data: {
    claimId: string;
    activity: Activity;
    occurredAt: string;
    twelfths: string;
    /** Oldest earned year first. */
    breakdown: ClaimBreakdownLine[];
    /** R8: boards selected at claim time that take this activity's credit on that date. */
    boards: string[];
    clinicalRole: ClinicalRole;
    certificate: CertificateKind;
    profileVersion: number;
  };
};

/** An administrator erased the learner's personal data (the key is shredded elsewhere). */
export type PersonalDataErased = {
  type: 'PersonalDataErased';
  data: {
    occurredAt: string;
    /** The request's ticket id (erasure-ticket.ts). */
    ticket?: string;
    /** Free text, as versions before tickets recorded it; never written any more. */
    reason?: string;
  };
};

export type LearnerEvent =
  | LearnerProfileUpdated
  | QuestionResearched
  | AnswerCorrect
  | AnswerIncorrect
  | CorrectAnswerRepeated
  | CreditClaimed
  | PersonalDataErased;

export type LearnerEventType = LearnerEvent['type'];

/** Stored schema version of each learner event type; bump it with an upcaster, never rename. */
export const LEARNER_EVENT_SCHEMA_VERSIONS = {
  LearnerProfileUpdated: 1,
  QuestionResearched: 1,
  AnswerCorrect: 1,
  AnswerIncorrect: 1,
  CorrectAnswerRepeated: 1,
  CreditClaimed: 1,
  PersonalDataErased: 1,
} as const satisfies Record<LearnerEventType, number>;

export const LEARNER_EVENT_TYPES = Object.keys(LEARNER_EVENT_SCHEMA_VERSIONS) as LearnerEventType[];

export const learnerStreamName = (learnerId: string): string => `learner-${learnerId}`;
