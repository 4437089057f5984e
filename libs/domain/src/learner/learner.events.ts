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
    /**
     * R7: true in every profile recorded since consent has events of its own
     * (`DataSharingConsentGranted`): selecting a board no longer records consent. Absent in
     * profiles recorded before: then selecting a board was the learner's consent to share
     * completion data with it (pars-assumptions.md A-20).
     */
    consentApart?: true;
  };
};

/**
 * R7: the learner consents to share completion data with the boards selected in the profile
 * (now and later, until withdrawn). `boards`: those selected when consent was given.
 */
export type DataSharingConsentGranted = {
  type: 'DataSharingConsentGranted';
  data: { occurredAt: string; profileVersion: number; boards: string[] };
};

/** R7/R8: the learner withdraws that consent: no completion is sent to a board from now on. */
export type DataSharingConsentWithdrawn = {
  type: 'DataSharingConsentWithdrawn';
  data: { occurredAt: string; profileVersion: number; boards: string[] };
};

/** R16: what a board's learner-match service said of the profile's identity (`checkedAt` = `occurredAt`). */
export type LearnerBoardIdentityChecked = {
  type: 'LearnerBoardIdentityChecked';
  data: {
    occurredAt: string;
    board: string;
    /** The profile version whose identity was checked. */
    profileVersion: number;
    outcome: IdentityCheckOutcome;
    /** The board's reason for a mismatch, for the learner to act on. */
    reason?: string;
  };
};

export type IdentityCheckOutcome = 'matched' | 'mismatched';

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
    /**
     * R11: the first and last business time of the learning the claim redeemed. Claims
     * recorded before these fields existed have neither: replay derives them (same rule).
     */
    completedFrom?: string;
    completedTo?: string;
    /**
     * R8/R10: what each board of `boards` receives: the claim's credit that board takes (by
     * the date it was earned), rounded to a quarter for board review (R3), and when the last
     * of it was completed. Absent in older claims: each board then receives the whole claim.
     */
    submissions?: ClaimSubmissionData[];
    /**
     * R7/R8/R11: the identity as it stood at claim time (what the first board submission
     * sends and the certificate prints). Encrypted by the infrastructure like the profile's;
     * absent once erased (and in older claims: replay takes the profile of that time).
     */
    personal?: PersonalData;
  };
};

export type ClaimSubmissionData = { board: string; twelfths: string; completedAt: string };

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

/**
 * R15: an administrator imported facts older than the backdate bound; the facts' own events
 * follow it in the same append (same causation id).
 */
export type HistoryImported = {
  type: 'HistoryImported';
  data: {
    occurredAt: string;
    /** Why: a ticket reference such as `OPS-1234` (never free text: events are immutable). */
    reference: string;
    /** Who: the caller's identity. */
    importedBy: string;
    /** How many facts the import held, and the business times they span. */
    facts: number;
    earliest: string;
    latest: string;
  };
};

export type LearnerEvent =
  | LearnerProfileUpdated
  | QuestionResearched
  | AnswerCorrect
  | AnswerIncorrect
  | CorrectAnswerRepeated
  | CreditClaimed
  | PersonalDataErased
  | HistoryImported
  | DataSharingConsentGranted
  | DataSharingConsentWithdrawn
  | LearnerBoardIdentityChecked;

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
  HistoryImported: 1,
  DataSharingConsentGranted: 1,
  DataSharingConsentWithdrawn: 1,
  LearnerBoardIdentityChecked: 1,
} as const satisfies Record<LearnerEventType, number>;

export const LEARNER_EVENT_TYPES = Object.keys(LEARNER_EVENT_SCHEMA_VERSIONS) as LearnerEventType[];
