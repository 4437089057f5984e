import { LEARNER_STREAM_PREFIX, type LearnerState } from '@ledger/domain';
import type { StreamStateWeight } from '../command-handling/stream-command-executor';

/**
 * About the heap bytes a learner's folded state holds, for the command executor's cache bound:
 * the state's maps and values about 800 bytes, a profile about 850, its earning facts about
 * 500 for their columns and 90 each (an id, its place in the map of ids, a number, a shared
 * amount and a time: `EarnedFacts`; fewer when a snapshot's columns hold them), a claim about
 * 1,100 (its lines, boards, identity and what it redeemed), a board's identity check about 200
 * (not measured: a small object and its map entry). Fitted with `npm run bench:memory` on
 * learners of research only, wrong answers only, answers with claims, and research and answers
 * in turn as bench:commands sends them: from 10% under to 15% over the heap.
 */
export function learnerStateBytes(state: LearnerState): number {
  const facts = state.earned.length;
  return (
    800 +
    (state.profile ? 850 : 0) +
    (facts > 0 ? 500 + facts * 90 : 0) +
    state.claims.size * 1100 +
    state.identityChecks.size * 200
  );
}

/** The stream kinds whose folded state is weighed by what it holds (see StreamStateWeight). */
export const streamStateWeights: readonly StreamStateWeight[] = [
  { prefix: LEARNER_STREAM_PREFIX, bytes: learnerStateBytes as (state: never) => number },
];
