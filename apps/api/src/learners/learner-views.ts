import {
  currentCreditTotals,
  type Activity,
  type AmountView,
  type LearnerState,
} from '@ledger/domain';
import { balancesViewOf } from '@ledger/read-models';

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
  return balancesViewOf(currentCreditTotals(state, now, timeZone));
}
