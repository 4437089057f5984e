import type { Activity } from '../credits/activity';
import { creditLots, type CreditLot, type LotsView } from './credit-lots';
import type { Claim, LearnerState } from './learner.state';

/** R12: one earned year of one activity; earned = claimed + unclaimed + expired. */
export interface EarnedYearTotals {
  readonly earnedYear: number;
  /** R5: last day (in the configured zone) the year's credit may be claimed. */
  readonly claimDeadline: string;
  readonly earned: bigint;
  readonly claimed: bigint;
  readonly unclaimed: bigint;
  readonly expired: bigint;
}

/** R12: an activity's totals in twelfths; earned = claimed + unclaimed + expired. */
export interface ActivityTotals {
  readonly earned: bigint;
  readonly claimed: bigint;
  readonly unclaimed: bigint;
  readonly expired: bigint;
  /** R11/R13: the part of `claimed` claimed with an AMA PRA Category 1 certificate. */
  readonly claimedAsCategory1: bigint;
  /** Oldest first. */
  readonly byEarnedYear: readonly EarnedYearTotals[];
}

export type CreditTotals = Readonly<Record<Activity, ActivityTotals>>;

/**
 * R12: a learner's totals as they stood at `asOf` (an auditor's question): only facts and
 * claims whose business time is at or before `asOf` count, and credit whose claim window
 * closed by then shows as expired.
 */
export function creditTotals(state: LearnerState, asOf: Date, timeZone: string): CreditTotals {
  const claimsAsOf = [...state.claims.values()].filter(
    (claim) => claim.occurredAt.getTime() <= asOf.getTime(),
  );
  return totalsOf(state, { earnedBy: asOf, judgedAt: asOf, timeZone, claims: claimsAsOf });
}

/**
 * R12/R15: a learner's totals now: every fact and claim recorded counts (one dated a little
 * ahead of the clock, within the allowed skew, too), and windows are judged at `now`. What a
 * command answers and what the read models show.
 */
export function currentCreditTotals(
  state: LearnerState,
  now: Date,
  timeZone: string,
): CreditTotals {
  return totalsOf(state, {
    earnedBy: undefined,
    judgedAt: now,
    timeZone,
    claims: [...state.claims.values()],
  });
}

function totalsOf(
  state: LearnerState,
  view: LotsView & { claims: readonly Claim[] },
): CreditTotals {
  const activityTotals = (activity: Activity): ActivityTotals =>
    totalsOfLots(
      creditLots(state, activity, view),
      view.claims
        .filter(
          (claim) => claim.activity === activity && claim.certificate === 'ama-pra-category-1',
        )
        .reduce((sum, claim) => sum + claim.twelfths, 0n),
    );
  return {
    ipoc: activityTotals('ipoc'),
    'nejm-board-review': activityTotals('nejm-board-review'),
  };
}

/**
 * R12: an activity's totals from its lots (oldest first): a lot's credit left unclaimed is
 * unclaimed while its window is open and expired once it closed (R5). The one place balances
 * are computed: the learner's state, the read models' lots and the as-of replay all come here.
 */
export function totalsOfLots(
  lots: readonly CreditLot[],
  claimedAsCategory1: bigint,
): ActivityTotals {
  const byEarnedYear = lots.map((lot): EarnedYearTotals => {
    const left = lot.earned - lot.claimed;
    return {
      earnedYear: lot.earnedYear,
      claimDeadline: lot.claimDeadline,
      earned: lot.earned,
      claimed: lot.claimed,
      unclaimed: lot.windowOpen ? left : 0n,
      expired: lot.windowOpen ? 0n : left,
    };
  });
  const total = (pick: (year: EarnedYearTotals) => bigint): bigint =>
    byEarnedYear.reduce((sum, year) => sum + pick(year), 0n);
  return {
    earned: total((y) => y.earned),
    claimed: total((y) => y.claimed),
    unclaimed: total((y) => y.unclaimed),
    expired: total((y) => y.expired),
    claimedAsCategory1,
    byEarnedYear,
  };
}

/** R13: what claimed credit counts for outside the US, in twelfths. */
export interface NonUsEquivalents {
  /** Royal College of Physicians and Surgeons of Canada, Section 2 self-learning credit. */
  readonly rcpscSection2SelfLearning: bigint;
  /** European CME credit (ECMEC). */
  readonly ecmec: bigint;
}

/**
 * R13: IPoC credit counts as RCPSC Section 2 self-learning credit, the same amount; European
 * boards convert AMA PRA Category 1 Credit™ 1:1 to ECMEC, for both activities. Both count only
 * credit claimed with an AMA PRA Category 1 certificate (physicians, R11): a certificate of
 * participation is not credit to convert.
 */
export const nonUsEquivalents = (totals: CreditTotals): NonUsEquivalents => ({
  rcpscSection2SelfLearning: totals.ipoc.claimedAsCategory1,
  ecmec: totals.ipoc.claimedAsCategory1 + totals['nejm-board-review'].claimedAsCategory1,
});
