import { amountView } from '../credits/twelfths';
import { at } from '../testing/fixed-clock';
import {
  answerCorrect,
  creditClaimed,
  learnerProfileUpdated,
  questionResearched,
} from '../testing/learner.builders';
import {
  creditTotals,
  currentCreditTotals,
  nonUsEquivalents,
  totalsOfLots,
  type ActivityTotals,
} from './credit-totals';
import { creditLot } from './credit-lots';
import { foldLearner } from './learner.decider';
import type { LearnerEvent } from './learner.events';

const balance = (totals: ActivityTotals): [bigint, bigint, bigint, bigint] => [
  totals.earned,
  totals.claimed,
  totals.unclaimed,
  totals.expired,
];

describe('R12: credit totals per activity', () => {
  describe('given IPoC credit earned in 2022 (unclaimed), 2024 (claimed) and 2025 (unclaimed)', () => {
    const state = foldLearner([
      learnerProfileUpdated(),
      questionResearched({ researchId: 'r-2022', occurredAt: '2022-03-01T10:00:00.000Z' }),
      questionResearched({ researchId: 'r-2024', occurredAt: '2024-03-01T10:00:00.000Z' }),
      creditClaimed({
        occurredAt: '2024-04-01T00:00:00.000Z',
        breakdown: [{ earnedYear: 2024, twelfths: '6', claimDeadline: '2026-12-31' }],
      }),
      questionResearched({ researchId: 'r-2025', occurredAt: '2025-03-01T10:00:00.000Z' }),
    ]);

    it('R12/R5: in 2025 the 2022 credit shows as expired; earned = claimed + unclaimed + expired', () => {
      const { ipoc } = creditTotals(state, at('2025-06-01T00:00:00Z'), 'UTC');
      expect(balance(ipoc)).toEqual([18n, 6n, 6n, 6n]);
      expect(ipoc.byEarnedYear).toEqual([
        {
          earnedYear: 2022,
          claimDeadline: '2024-12-31',
          earned: 6n,
          claimed: 0n,
          unclaimed: 0n,
          expired: 6n,
        },
        {
          earnedYear: 2024,
          claimDeadline: '2026-12-31',
          earned: 6n,
          claimed: 6n,
          unclaimed: 0n,
          expired: 0n,
        },
        {
          earnedYear: 2025,
          claimDeadline: '2027-12-31',
          earned: 6n,
          claimed: 0n,
          unclaimed: 6n,
          expired: 0n,
        },
      ]);
    });

    it('R12: as it stood at the end of 2024, the 2022 credit was still unclaimed and 2025 not yet earned', () => {
      const { ipoc } = creditTotals(state, at('2024-12-31T23:59:59.999Z'), 'UTC');
      expect(balance(ipoc)).toEqual([12n, 6n, 6n, 0n]);
    });

    it('R12: before the claim, nothing was claimed', () => {
      const { ipoc } = creditTotals(state, at('2024-03-31T00:00:00Z'), 'UTC');
      expect(balance(ipoc)).toEqual([12n, 0n, 12n, 0n]);
    });

    it('R12/R5: expiry follows the configured zone: Tokyo closes the 2022 window 9 hours before UTC', () => {
      const instant = at('2024-12-31T20:00:00Z'); // already 2025 in Tokyo
      expect(creditTotals(state, instant, 'UTC').ipoc.expired).toBe(0n);
      expect(creditTotals(state, instant, 'Asia/Tokyo').ipoc.expired).toBe(6n);
    });
  });

  describe('given 5 first correct answers, 4 of them claimed as 0.75 credit', () => {
    const answers: LearnerEvent[] = Array.from({ length: 5 }, (_, i) =>
      answerCorrect({ questionId: `q-${i}` }),
    );
    const state = foldLearner([
      learnerProfileUpdated(),
      ...answers,
      creditClaimed({
        activity: 'nejm-board-review',
        twelfths: '9',
        breakdown: [{ earnedYear: 2025, twelfths: '9', claimDeadline: '2027-12-31' }],
      }),
    ]);

    it('R6/R12: the rounding remainder stays unclaimed: rounding never destroys credit', () => {
      const totals = creditTotals(state, at('2025-06-15T00:00:00Z'), 'UTC')['nejm-board-review'];
      expect(balance(totals)).toEqual([10n, 9n, 1n, 0n]);
    });

    it('R3/R4: the API shows board-review earned credit as design.md does ("0.75", 10 twelfths)', () => {
      const totals = creditTotals(state, at('2025-06-15T00:00:00Z'), 'UTC')['nejm-board-review'];
      expect(amountView(totals.earned, 'nejm-board-review')).toEqual({
        credits: '0.75',
        twelfths: 10,
      });
    });

    it('R12: board-review credit does not count towards IPoC', () => {
      expect(balance(creditTotals(state, at('2025-06-15T00:00:00Z'), 'UTC').ipoc)).toEqual([
        0n,
        0n,
        0n,
        0n,
      ]);
    });
  });
});

describe('R13: non-US equivalents', () => {
  const claims = (clinicalRole: 'physician' | 'nurse'): LearnerEvent[] => {
    const certificate = clinicalRole === 'physician' ? 'ama-pra-category-1' : 'participation';
    return [
      learnerProfileUpdated({ clinicalRole }),
      questionResearched({ researchId: 'r-1' }),
      questionResearched({ researchId: 'r-2' }),
      ...Array.from({ length: 5 }, (_, i) => answerCorrect({ questionId: `q-${i}` })),
      creditClaimed({
        claimId: 'c-1',
        twelfths: '12',
        clinicalRole,
        certificate,
        breakdown: [{ earnedYear: 2025, twelfths: '12', claimDeadline: '2027-12-31' }],
      }),
      creditClaimed({
        claimId: 'c-2',
        activity: 'nejm-board-review',
        twelfths: '9',
        clinicalRole,
        certificate,
        breakdown: [{ earnedYear: 2025, twelfths: '9', claimDeadline: '2027-12-31' }],
      }),
    ];
  };

  it("R13: a physician's claimed IPoC credit counts as RCPSC Section 2 credit, and all claimed credit 1:1 as ECMEC", () => {
    const totals = creditTotals(
      foldLearner(claims('physician')),
      at('2025-06-15T00:00:00Z'),
      'UTC',
    );
    expect(nonUsEquivalents(totals)).toEqual({ rcpscSection2SelfLearning: 12n, ecmec: 21n });
  });

  it('R13/R11: a certificate of participation converts to nothing', () => {
    const totals = creditTotals(foldLearner(claims('nurse')), at('2025-06-15T00:00:00Z'), 'UTC');
    expect(nonUsEquivalents(totals)).toEqual({ rcpscSection2SelfLearning: 0n, ecmec: 0n });
  });

  describe('R15: given a research dated two minutes ahead of the clock (within the allowed skew)', () => {
    const now = at('2026-11-28T12:00:00Z');
    const state = foldLearner([
      questionResearched({ researchId: 'r-ahead', occurredAt: '2026-11-28T12:02:00.000Z' }),
    ]);

    it('R12/R15: the totals now count it as earned (what the command answers and the read models show)', () => {
      expect(balance(currentCreditTotals(state, now, 'UTC').ipoc)).toEqual([6n, 0n, 6n, 0n]);
    });

    it('R12: the totals as of now, an auditor asking about an instant, count only facts up to that instant', () => {
      expect(balance(creditTotals(state, now, 'UTC').ipoc)).toEqual([0n, 0n, 0n, 0n]);
    });
  });
});

describe('R12/R5: totals of a read model’s lots (the sums per earned year, no events)', () => {
  const lots = (judgedAt: string) =>
    [
      { earnedYear: 2022, earned: 6n, claimed: 0n },
      { earnedYear: 2024, earned: 6n, claimed: 6n },
      { earnedYear: 2025, earned: 6n, claimed: 0n },
    ].map((sums) => creditLot(sums, at(judgedAt), 'UTC'));

  it('are what the learner’s state gives for the same facts: the 2022 credit expired in 2025', () => {
    const state = foldLearner([
      learnerProfileUpdated(),
      questionResearched({ researchId: 'r-2022', occurredAt: '2022-03-01T10:00:00.000Z' }),
      questionResearched({ researchId: 'r-2024', occurredAt: '2024-03-01T10:00:00.000Z' }),
      creditClaimed({
        occurredAt: '2024-04-01T00:00:00.000Z',
        breakdown: [{ earnedYear: 2024, twelfths: '6', claimDeadline: '2026-12-31' }],
      }),
      questionResearched({ researchId: 'r-2025', occurredAt: '2025-03-01T10:00:00.000Z' }),
    ]);
    // The claim was a physician's: Category 1 (R11), as the claims read model records it.
    const fromLots = totalsOfLots(lots('2025-06-01T00:00:00Z'), 6n);
    expect(balance(fromLots)).toEqual([18n, 6n, 6n, 6n]);
    expect(fromLots).toEqual(currentCreditTotals(state, at('2025-06-01T00:00:00Z'), 'UTC').ipoc);
  });

  it('R5: a year’s window closes at the end of year + 2: the 2022 credit is unclaimed on 31 December 2024 and expired a day later', () => {
    expect(balance(totalsOfLots(lots('2024-12-31T23:59:59Z'), 0n))).toEqual([18n, 6n, 12n, 0n]);
    expect(balance(totalsOfLots(lots('2025-01-01T00:00:00Z'), 0n))).toEqual([18n, 6n, 6n, 6n]);
  });
});
