import {
  amountView,
  ACTIVITIES,
  currentCreditTotals,
  type Activity,
  type AmountView,
  type LearnerState,
} from '@ledger/domain';

export interface ActivityBalanceView {
  earned: AmountView;
  claimed: AmountView;
  unclaimed: AmountView;
  expired: AmountView;
}

/**
 * R12: each activity's totals as the learner's stream has them now: every recorded fact counts
 * (one dated within the clock skew ahead too), as in the read models that GET /credits reads.
 */
export function balancesView(
  state: LearnerState,
  now: Date,
  timeZone: string,
): Record<Activity, ActivityBalanceView> {
  const totals = currentCreditTotals(state, now, timeZone);
  const view = {} as Record<Activity, ActivityBalanceView>;
  for (const activity of ACTIVITIES) {
    const t = totals[activity];
    view[activity] = {
      earned: amountView(t.earned, activity),
      claimed: amountView(t.claimed, activity),
      unclaimed: amountView(t.unclaimed, activity),
      expired: amountView(t.expired, activity),
    };
  }
  return view;
}
