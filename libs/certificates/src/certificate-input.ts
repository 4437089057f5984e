import type { Activity, CertificateKind, ClinicalRole } from '@ledger/domain';

/** One board the claim was reported to (R8), as the certificate lists it. */
export interface CertificateBoardLine {
  /** Catalogue code, e.g. `ABIM`. */
  board: string;
  boardName: string;
  /** The board's own status as the learner sees it: `Pending`, `Submitted`, `Rejected`, … */
  status: string;
}

/**
 * R11: the accredited provider that issues the certificates, and the titles of its activities,
 * as configured (production refuses to start without them: no placeholder ever prints).
 */
export interface CertificateProvider {
  /** The accredited provider's name, as in its ACCME accreditation. */
  name: string;
  /** The ACCME accreditation statement, word for word as the provider must print it. */
  accreditationStatement: string;
  /** The title of each activity, as the provider registered it. */
  activityTitles: Readonly<Record<Activity, string>>;
}

/** What a certificate of one claim shows (R11). */
export interface CertificateInput {
  /**
   * The learner's name as it stood when the credit was claimed (the auditable choice: what the
   * claim recorded). Undefined once the learner's personal data was erased: withheld then.
   */
  learnerName: string | undefined;
  /** The clinical role at claim time. */
  clinicalRole: ClinicalRole;
  /** R11: `certificateFor(role at claim time)`; decides the wording. */
  certificate: CertificateKind;
  activity: Activity;
  /** The AMA activity format shown; defaults to the activity's (`ACTIVITY_DESCRIPTIONS`). */
  activityFormat?: string;
  provider: CertificateProvider;
  claimId: string;
  /** ISO instant of the claim. */
  claimedAt: string;
  /** First and last day (ISO `YYYY-MM-DD`) of the learning this claim redeemed, and no other. */
  completionDates: { from: string; to: string };
  /** The claimed amount as a certificate shows it (R3 rounding), e.g. `0.75`. */
  credits: string;
  boards: readonly CertificateBoardLine[];
  /** ISO instant the certificate is dated; defaults to the claim, so a copy reads the same. */
  issuedAt?: string;
  /** IANA time zone the dates are read in; default `UTC`. */
  timeZone?: string;
}

export interface ActivityDescription {
  /** The activity's usual title: what a development configuration shows. */
  title: string;
  /** The AMA activity format, as the certificate names it. */
  format: string;
  /** How the designation statement calls it: "designates this <noun> for a maximum of …". */
  designationNoun: string;
}

/**
 * The AMA activity formats of the two activities: researching clinical questions is
 * Internet point-of-care learning; the NEJM Knowledge+ question bank is an enduring material
 * (available online, completed at the learner's own pace).
 */
export const ACTIVITY_DESCRIPTIONS: Readonly<Record<Activity, ActivityDescription>> = {
  ipoc: {
    title: 'Internet Searching and Learning (Internet Point of Care)',
    format: 'Internet point-of-care activity',
    designationNoun: 'internet point-of-care activity',
  },
  'nejm-board-review': {
    title: 'NEJM Knowledge+ Board Review Question Bank',
    format: 'Enduring material: online question bank',
    designationNoun: 'enduring material',
  },
};
