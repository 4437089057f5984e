import type { Activity } from '../credits/activity';
import type { CertificateKind, ClinicalRole } from './clinical-role';
import type { EarnedFacts } from './earned-facts';
import type { PersonalData } from './learner.events';

export type { EarnedCredit } from './earned-facts';

/** The folded state of one `learner-<id>` stream. Amounts are bigint twelfths. */

export interface LearnerProfile {
  readonly version: number;
  readonly updatedAt: Date;
  readonly clinicalRole: ClinicalRole;
  readonly country: string;
  readonly boards: readonly string[];
  readonly licenseStates: readonly string[];
  /** Undefined once the learner's personal data was erased (crypto-shredded). */
  readonly personal: PersonalData | undefined;
}

export interface ClaimedLine {
  readonly earnedYear: number;
  readonly twelfths: bigint;
  readonly claimDeadline: string;
}

/** R8/R10: what one board receives of a claim, decided when the claim is made. */
export interface ClaimSubmission {
  readonly board: string;
  /** The claim's credit the board takes (R10), rounded to a quarter for board review (R3). */
  readonly twelfths: bigint;
  /** When the learner completed the last credit reported: the completion date boards get. */
  readonly completedAt: Date;
}

// Fields alike with LearnerProfile's: a claim keeps what the profile said when it was made.
export interface Claim {
  readonly claimId: string;
  readonly activity: Activity;
  readonly occurredAt: Date;
  readonly twelfths: bigint;
  readonly breakdown: readonly ClaimedLine[];
  readonly boards: readonly string[];
  readonly clinicalRole: ClinicalRole;
  readonly certificate: CertificateKind;
  readonly profileVersion: number;
  /**
   * R7/R8/R11: the identity (names, birth day, board ids, licenses) as it stood at claim time:
   * what the first board submission sends and the certificate prints. Undefined once erased.
   */
  readonly identity: PersonalData | undefined;
  /** R11: the first and last business time of the learning this claim redeemed. */
  readonly completed: { readonly from: Date; readonly to: Date } | undefined;
  /** R8/R10: per board, what it receives (one entry per board of `boards`). */
  readonly submissions: readonly ClaimSubmission[];
}

/** R7: the learner's consent to share completion data with the selected boards. */
export interface DataSharingConsent {
  readonly status: 'granted' | 'withdrawn';
  /** When the learner gave (or withdrew) it. */
  readonly at: Date;
  /**
   * True when no consent event was recorded: the learner selected boards in a profile recorded
   * before consent had events of its own, which was consent then.
   */
  readonly bySelection: boolean;
}

/** R16: the latest answer of a board's learner match for this learner. */
export interface BoardIdentityCheck {
  readonly board: string;
  readonly profileVersion: number;
  readonly outcome: 'matched' | 'mismatched';
  readonly reason: string | undefined;
  readonly checkedAt: Date;
}

export interface LearnerState {
  readonly profile: LearnerProfile | undefined;
  readonly personalDataErased: boolean;
  /**
   * Every earning fact, in stream order (R1: which research ids, R2/R14: which questions
   * answered correctly, R12: the sums per earned year), folded in constant time.
   */
  readonly earned: EarnedFacts;
  /** R6: how much of each fact (by index in `earned`) claims have redeemed. */
  readonly redeemed: ReadonlyMap<number, bigint>;
  /** Claims by claim id, in stream order. */
  readonly claims: ReadonlyMap<string, Claim>;
  /** R7: consent to share completion data with the boards; undefined: never given. */
  readonly consent: DataSharingConsent | undefined;
  /** R16: the latest learner-match answer per board. */
  readonly identityChecks: ReadonlyMap<string, BoardIdentityCheck>;
}
