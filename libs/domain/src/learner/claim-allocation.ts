import type { Activity } from '../credits/activity';
import type { LearnerState } from './learner.state';

/**
 * R6/R8/R11: which earning facts a claim redeems. A claim's breakdown says how much of each
 * earned year it took; inside a year it takes the oldest facts first (business time, then the
 * order they were recorded), after what earlier claims took. The same function decides a new
 * claim and replays a recorded one, so the answer never differs between the two.
 */

/** Part of one earning fact redeemed by a claim. */
export interface RedeemedPart {
  /** Index of the fact in `LearnerState.earned`. */
  readonly fact: number;
  readonly occurredAt: Date;
  readonly earnedYear: number;
  readonly twelfths: bigint;
}

/** What an allocation reads of a state. */
type Allocating = Pick<LearnerState, 'earned' | 'redeemed'>;

const unredeemed = (state: Allocating, index: number): bigint =>
  state.earned.twelfthsAt(index) - (state.redeemed.get(index) ?? 0n);

/** The parts of facts that a claim of `activity` with this breakdown redeems, oldest first. */
export function allocateClaim(
  state: Allocating,
  activity: Activity,
  earnedBy: Date,
  breakdown: readonly { readonly earnedYear: number; readonly twelfths: bigint }[],
): RedeemedPart[] {
  // Read by index, field by field: a learner's facts are columns, and a claim reads them all.
  const { earned } = state;
  const by = earnedBy.getTime();
  const candidates: number[] = [];
  for (let index = 0; index < earned.length; index++) {
    if (
      earned.activityAt(index) === activity &&
      earned.timeAt(index) <= by &&
      unredeemed(state, index) > 0n
    )
      candidates.push(index);
  }
  candidates.sort((a, b) => earned.timeAt(a) - earned.timeAt(b) || a - b);
  const parts: RedeemedPart[] = [];
  for (const line of breakdown) {
    let left = line.twelfths;
    for (const index of candidates) {
      if (left === 0n) break;
      if (earned.earnedYearAt(index) !== line.earnedYear) continue;
      const available = unredeemed(state, index);
      const take = available < left ? available : left;
      parts.push({
        fact: index,
        occurredAt: new Date(earned.timeAt(index)),
        earnedYear: line.earnedYear,
        twelfths: take,
      });
      left -= take;
    }
  }
  return parts.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || a.fact - b.fact);
}

/** The first and last business time of the parts: the learning a claim (or board) reports. */
export function completedSpan(
  parts: readonly RedeemedPart[],
): { from: Date; to: Date } | undefined {
  const first = parts[0];
  const last = parts[parts.length - 1];
  return first && last ? { from: first.occurredAt, to: last.occurredAt } : undefined;
}
