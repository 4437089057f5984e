import fc from 'fast-check';
import { ACTIVITIES, type Activity } from '../credits/activity';
import { floorToQuarter } from '../credits/twelfths';
import { DEFAULT_MAX_BACKDATE_MS, type DecisionContext } from '../decision-context';
import { DomainRuleViolation } from '../rules';
import { CLINICAL_ROLES, type ClinicalRole } from './clinical-role';
import { creditTotals, type CreditTotals } from './credit-totals';
import type { LearnerCommand } from './learner.commands';
import { decideLearner, evolveLearner, foldLearner, initialLearnerState } from './learner.decider';
import type { LearnerEvent } from './learner.events';

/**
 * Property (R1, R2, R4, R5, R6, R12, R14): for any sequence of learner commands over several
 * years, no credit is ever created or destroyed.
 */

type Step =
  | { kind: 'research'; researchId: number }
  | { kind: 'answer'; questionId: number; correct: boolean }
  | { kind: 'claim'; activity: Activity }
  | { kind: 'profile'; clinicalRole: ClinicalRole; boards: string[] }
  | { kind: 'erase' }
  | { kind: 'advance'; days: number };

const BOARD_IDS: Record<string, string> = { ABIM: '123456', ABPMR: '4321', 'CA-MBC': 'A12345' };
const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

const profileArbitrary: fc.Arbitrary<Step> = fc.record({
  kind: fc.constant('profile' as const),
  clinicalRole: fc.constantFrom(...CLINICAL_ROLES),
  boards: fc.subarray(Object.keys(BOARD_IDS)),
});

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('research' as const),
      researchId: fc.nat({ max: 9 }),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('answer' as const),
      questionId: fc.nat({ max: 11 }),
      correct: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('claim' as const),
      activity: fc.constantFrom(...ACTIVITIES),
    }),
  },
  { weight: 1, arbitrary: profileArbitrary },
  { weight: 1, arbitrary: fc.constant({ kind: 'erase' as const }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('advance' as const), days: fc.nat({ max: 600 }) }),
  },
);

const scenarioArbitrary = fc.record({
  /** Most learners fill in the profile first; the others' claims are refused (R7). */
  firstProfile: fc.option(profileArbitrary, { freq: 10 }),
  timeZone: fc.constantFrom(
    'UTC',
    'America/New_York',
    'Asia/Tokyo',
    'Pacific/Kiritimati',
    'Pacific/Pago_Pago',
  ),
  steps: fc.array(
    fc.record({
      step: stepArbitrary,
      // Mostly "now"; sometimes the learner acted up to 3 days before the command arrives.
      backdateHours: fc.oneof(
        { weight: 4, arbitrary: fc.constant(0) },
        { weight: 1, arbitrary: fc.nat({ max: 72 }) },
      ),
    }),
    { minLength: 5, maxLength: 50, size: 'max' },
  ),
});

function commandFor(
  step: Exclude<Step, { kind: 'advance' }>,
  occurredAt: Date,
  index: number,
): LearnerCommand {
  switch (step.kind) {
    case 'research':
      return { type: 'RecordResearch', data: { researchId: `r-${step.researchId}`, occurredAt } };
    case 'answer':
      return {
        type: 'RecordAnswer',
        data: { questionId: `q-${step.questionId}`, correct: step.correct, occurredAt },
      };
    case 'claim':
      return {
        type: 'ClaimCredits',
        data: { claimId: `claim-${index}`, activity: step.activity, occurredAt },
      };
    case 'profile':
      return {
        type: 'UpdateProfile',
        data: {
          clinicalRole: step.clinicalRole,
          firstName: 'Ada',
          lastName: 'Quinn',
          birthMonth: 2,
          birthDay: 29,
          country: 'US',
          boards: step.boards.map((boardId) => ({
            boardId,
            learnerBoardId: BOARD_IDS[boardId] ?? '',
          })),
          licenses: [{ state: 'CA', licenseNumber: 'A12345' }],
          occurredAt,
        },
      };
    case 'erase':
      return { type: 'ErasePersonalData', data: { occurredAt } };
  }
}

const claimable = (totals: CreditTotals, activity: Activity): bigint =>
  activity === 'nejm-board-review'
    ? floorToQuarter(totals[activity].unclaimed)
    : totals[activity].unclaimed;

/** A plain assertion for the hot loop (jest's expect is slow at this volume). */
function check(condition: boolean, message: () => string): void {
  if (!condition) throw new Error(message());
}

/** earned = claimed + unclaimed + expired, none negative, per activity and per earned year. */
function checkConserved(totals: CreditTotals, asOf: Date): void {
  for (const activity of ACTIVITIES) {
    for (const line of [totals[activity], ...totals[activity].byEarnedYear]) {
      const { earned, claimed, unclaimed, expired } = line;
      check(
        earned === claimed + unclaimed + expired &&
          [claimed, unclaimed, expired].every((amount) => amount >= 0n),
        () =>
          `${activity} at ${asOf.toISOString()}: ${earned} earned ≠ ${claimed} claimed + ` +
          `${unclaimed} unclaimed + ${expired} expired (or one is negative)`,
      );
    }
  }
}

describe('credit conservation (property)', () => {
  it('R4/R6/R12: no credit is ever created or destroyed: earned = claimed + unclaimed + expired at every step', () => {
    fc.assert(
      fc.property(scenarioArbitrary, ({ firstProfile, timeZone, steps }) => {
        let now = new Date('2023-03-01T00:00:00.000Z');
        let state = initialLearnerState();
        const recorded: LearnerEvent[] = [];
        // What earned credit, and when (business time): the model the totals must agree with.
        const researched = new Map<string, number>();
        const answeredCorrectly = new Map<string, number>();
        const earnedAsOf = (facts: Map<string, number>, asOf: Date, twelfths: bigint): bigint =>
          twelfths * BigInt([...facts.values()].filter((at) => at <= asOf.getTime()).length);
        let previous = creditTotals(state, now, timeZone);

        const allSteps =
          firstProfile === null ? steps : [{ step: firstProfile, backdateHours: 0 }, ...steps];
        allSteps.forEach(({ step, backdateHours }, index) => {
          if (step.kind === 'advance') {
            now = new Date(now.getTime() + step.days * DAY_MS);
          } else {
            const occurredAt = new Date(now.getTime() - backdateHours * HOUR_MS);
            const context: DecisionContext = {
              now,
              timeZone,
              maxClockSkewMs: 0,
              maxBackdateMs: DEFAULT_MAX_BACKDATE_MS,
            };
            const before = creditTotals(state, now, timeZone);
            let events: LearnerEvent[] = [];
            try {
              events = decideLearner(commandFor(step, occurredAt, index), state, context);
            } catch (error) {
              // Only claims may be refused, and only for a reason the totals confirm.
              if (!(error instanceof DomainRuleViolation) || step.kind !== 'claim') throw error;
              if (error.code === 'profile-required') {
                check(
                  state.profile === undefined,
                  () => 'profile-required although a profile exists',
                );
              } else if (backdateHours === 0) {
                // R5 only when expired credit stands in the way (it would have made a claim).
                const withExpired = before[step.activity].unclaimed + before[step.activity].expired;
                const couldHaveClaimed =
                  step.activity === 'nejm-board-review' ? floorToQuarter(withExpired) : withExpired;
                const expected = couldHaveClaimed > 0n ? 'claim-window-closed' : 'nothing-to-claim';
                check(
                  claimable(before, step.activity) === 0n,
                  () => `claim refused with ${before[step.activity].unclaimed} unclaimed`,
                );
                check(
                  error.code === expected,
                  () => `refused as ${error.code}, expected ${expected}`,
                );
              }
            }
            for (const event of events) {
              state = evolveLearner(state, event);
              recorded.push(event);
              if (event.type === 'QuestionResearched')
                researched.set(event.data.researchId, occurredAt.getTime());
              if (event.type === 'AnswerCorrect')
                answeredCorrectly.set(event.data.questionId, occurredAt.getTime());
              if (event.type === 'CreditClaimed' && backdateHours === 0) {
                // A claim made now redeems exactly what was claimable now (R6; R3 for board review).
                const expected = claimable(before, event.data.activity);
                check(
                  BigInt(event.data.twelfths) === expected,
                  () => `claimed ${event.data.twelfths}, claimable ${expected}`,
                );
              }
            }
          }

          const totals = creditTotals(state, now, timeZone);
          checkConserved(totals, now);
          // Auditors' view of the past too: between backdated facts and the claims that followed.
          const earlier = new Date(now.getTime() - 36 * HOUR_MS);
          const totalsEarlier = creditTotals(state, earlier, timeZone);
          checkConserved(totalsEarlier, earlier);
          check(
            totalsEarlier.ipoc.earned === earnedAsOf(researched, earlier, 6n) &&
              totalsEarlier['nejm-board-review'].earned ===
                earnedAsOf(answeredCorrectly, earlier, 2n),
            () => `earned as of ${earlier.toISOString()} counts facts from after it`,
          );
          for (const activity of ACTIVITIES) {
            const { claimed, expired } = totals[activity];
            check(claimed >= previous[activity].claimed, () => `${activity} claimed shrank`);
            // Expired credit comes back only to a claim the learner made before the deadline
            // that arrived after it (backdated business time, R15).
            if (backdateHours === 0)
              check(expired >= previous[activity].expired, () => `${activity} expired shrank`);
          }
          check(
            totals.ipoc.earned === 6n * BigInt(researched.size),
            () => `IPoC earned ${totals.ipoc.earned} for ${researched.size} research(es)`,
          );
          check(
            totals['nejm-board-review'].earned === 2n * BigInt(answeredCorrectly.size),
            () =>
              `board review earned ${totals['nejm-board-review'].earned} for ${answeredCorrectly.size} first correct answer(s)`,
          );
          check(
            totals['nejm-board-review'].claimed % 3n === 0n,
            () => 'board review claimed a partial quarter',
          );
          previous = totals;
        });

        // An auditor replaying the recorded events sees the same totals.
        expect(creditTotals(foldLearner(recorded), now, timeZone)).toEqual(previous);
      }),
      { numRuns: 1000 },
    );
  });
});
