import type { Activity } from '../credits/activity';
import { claimDeadline, isClaimable } from '../credits/claim-window';
import type { Claim, LearnerState } from './learner.state';

/** One earned year of one activity's credit, as seen at an instant (R5, R6, R12). */
export interface CreditLot {
  readonly earnedYear: number;
  /** Credit earned in that year by the facts counted (see `LotsView.earnedBy`). */
  readonly earned: bigint;
  /** Credit of that year redeemed by the claims given. */
  readonly claimed: bigint;
  readonly claimDeadline: string;
  /** R5: whether that year's claim window is still open at `LotsView.judgedAt`. */
  readonly windowOpen: boolean;
}

export interface LotsView {
  /** Count only facts whose business time is at or before this; undefined: every fact recorded. */
  readonly earnedBy: Date | undefined;
  /** R5: the instant the claim windows are judged at. */
  readonly judgedAt: Date;
  readonly timeZone: string;
  readonly claims: Iterable<Claim>;
}

const add = (totals: Map<number, bigint>, year: number, twelfths: bigint): void => {
  totals.set(year, (totals.get(year) ?? 0n) + twelfths);
};

/** The lots of one activity, oldest earned year first. */
export function creditLots(state: LearnerState, activity: Activity, view: LotsView): CreditLot[] {
  const by = view.earnedBy?.getTime();
  // Every fact counts: the sums kept as the facts were folded. Else only those up to `earnedBy`.
  const earned = by === undefined ? state.earned.earnedByYear(activity) : new Map<number, bigint>();
  if (by !== undefined) {
    const facts = state.earned;
    for (let index = 0; index < facts.length; index++) {
      if (facts.activityAt(index) === activity && facts.timeAt(index) <= by)
        add(earned, facts.earnedYearAt(index), facts.twelfthsAt(index));
    }
  }
  const claimed = new Map<number, bigint>();
  for (const claim of view.claims) {
    if (claim.activity !== activity) continue;
    for (const line of claim.breakdown) add(claimed, line.earnedYear, line.twelfths);
  }
  const years = [...new Set([...earned.keys(), ...claimed.keys()])].sort((a, b) => a - b);
  return years.map((year) =>
    creditLot(
      { earnedYear: year, earned: earned.get(year) ?? 0n, claimed: claimed.get(year) ?? 0n },
      view.judgedAt,
      view.timeZone,
    ),
  );
}

/**
 * R5: one earned year's lot, its claim window judged at `judgedAt`: from the facts folded here,
 * or from a read model's row of the same sums.
 */
export function creditLot(
  sums: { earnedYear: number; earned: bigint; claimed: bigint },
  judgedAt: Date,
  timeZone: string,
): CreditLot {
  return {
    ...sums,
    claimDeadline: claimDeadline(sums.earnedYear),
    windowOpen: isClaimable(sums.earnedYear, judgedAt, timeZone),
  };
}
