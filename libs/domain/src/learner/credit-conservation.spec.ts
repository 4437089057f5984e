import fc from 'fast-check';
import { findBoard } from '../boards/board-catalogue';
import { ACTIVITIES, type Activity } from '../credits/activity';
import { isClaimable } from '../credits/claim-window';
import { floorToQuarter } from '../credits/twelfths';
import {
  DEFAULT_MAX_BACKDATE_MS,
  DEFAULT_MAX_CLOCK_SKEW_MS,
  type DecisionContext,
} from '../decision-context';
import { DomainRuleViolation } from '../rules';
import { CLINICAL_ROLES, type ClinicalRole } from './clinical-role';
import { creditTotals, currentCreditTotals, type CreditTotals } from './credit-totals';
import type { ImportedFact, LearnerCommand } from './learner.commands';
import { decideLearner, evolveLearner, foldLearner, initialLearnerState } from './learner.decider';
import type { LearnerEvent } from './learner.events';
import type { LearnerState } from './learner.state';

/**
 * Property (R1, R2, R4, R5, R6, R12, R14, R15): for any interleaving of several learners'
 * commands over several years, with ids reused across learners (and within one), odd ids, and
 * business times at the edges of the bounds (the backdate bound, the clock skew, year ends and
 * claim deadlines), no credit is ever created or destroyed, one learner's commands never move
 * another's credit, and a refusal is always one the totals justify.
 */

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
const SKEW_MS = DEFAULT_MAX_CLOCK_SKEW_MS;
const BOUND_MS = DEFAULT_MAX_BACKDATE_MS;

/** Ids a careless or hostile caller might send: reused, near-duplicates, odd Unicode, long. */
const ID = fc.constantFrom(
  'r-1',
  'r-1 ',
  'R-1',
  'q-1',
  'é',
  'e\u0301',
  '0',
  '00',
  'claim-1',
  '\u202eevil',
  'x'.repeat(300),
  '../learner-2',
);
const CLAIM_ID = fc.constantFrom(
  'claim-1',
  'claim-2',
  'CLAIM-1',
  '00000000-0000-0000-0000-000000000000',
);

/** When the learner acted, relative to the server clock: inside and just outside each bound. */
const OFFSET_MS = fc.oneof(
  { weight: 6, arbitrary: fc.constant(0) },
  { weight: 3, arbitrary: fc.integer({ min: -72 * HOUR_MS, max: 0 }) },
  { weight: 1, arbitrary: fc.constant(-BOUND_MS) },
  { weight: 1, arbitrary: fc.constant(-BOUND_MS - 1) },
  { weight: 1, arbitrary: fc.constant(SKEW_MS) },
  { weight: 1, arbitrary: fc.constant(SKEW_MS + 1) },
);

const BOARDS = ['ABIM', 'ABPMR', 'CA-MBC', 'WA-WMC'];

type Step =
  | { kind: 'research'; learner: number; id: string; offset: number }
  | { kind: 'answer'; learner: number; id: string; correct: boolean; offset: number }
  | { kind: 'claim'; learner: number; activity: Activity; claimId: string; offset: number }
  | { kind: 'profile'; learner: number; role: ClinicalRole; boards: string[]; offset: number }
  | { kind: 'erase'; learner: number; offset: number }
  | { kind: 'import'; learner: number; facts: { id: string; answer: boolean; daysBack: number }[] }
  /** The server clock moves: by days, or to a millisecond around the next year end. */
  | { kind: 'advance'; days: number; toYearEnd: -1 | 0 | 1 | undefined };

const stepArbitrary = (learners: number): fc.Arbitrary<Step> => {
  const learner = fc.nat({ max: learners - 1 });
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('research' as const),
        learner,
        id: ID,
        offset: OFFSET_MS,
      }),
    },
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('answer' as const),
        learner,
        id: ID,
        correct: fc.boolean(),
        offset: OFFSET_MS,
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('claim' as const),
        learner,
        activity: fc.constantFrom(...ACTIVITIES),
        claimId: CLAIM_ID,
        offset: OFFSET_MS,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('profile' as const),
        learner,
        role: fc.constantFrom(...CLINICAL_ROLES),
        boards: fc.subarray(BOARDS),
        offset: OFFSET_MS,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('erase' as const), learner, offset: OFFSET_MS }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('import' as const),
        learner,
        facts: fc.array(
          fc.record({
            id: ID,
            answer: fc.boolean(),
            daysBack: fc.integer({ min: 0, max: 4 * 366 }),
          }),
          { minLength: 1, maxLength: 4 },
        ),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('advance' as const),
        days: fc.nat({ max: 500 }),
        toYearEnd: fc.constantFrom(-1 as const, 0 as const, 1 as const, undefined),
      }),
    },
  );
};

const scenarioArbitrary = fc
  .record({
    learners: fc.integer({ min: 1, max: 4 }),
    timeZone: fc.constantFrom('UTC', 'America/New_York', 'Asia/Tokyo', 'Pacific/Kiritimati'),
  })
  .chain(({ learners, timeZone }) =>
    fc.record({
      learners: fc.constant(learners),
      timeZone: fc.constant(timeZone),
      steps: fc.array(stepArbitrary(learners), { minLength: 5, maxLength: 60, size: 'max' }),
    }),
  );

const BOARD_IDS: Record<string, string> = {
  ABIM: '123456',
  ABPMR: '4321',
  'CA-MBC': 'A12345',
  'WA-WMC': 'B-991',
};

function commandFor(step: Exclude<Step, { kind: 'advance' }>, now: Date): LearnerCommand {
  const occurredAt = new Date(now.getTime() + ('offset' in step ? step.offset : 0));
  switch (step.kind) {
    case 'research':
      return { type: 'RecordResearch', data: { researchId: step.id, occurredAt } };
    case 'answer':
      return {
        type: 'RecordAnswer',
        data: { questionId: step.id, correct: step.correct, occurredAt },
      };
    case 'claim':
      return {
        type: 'ClaimCredits',
        data: { claimId: step.claimId, activity: step.activity, occurredAt },
      };
    case 'profile':
      return {
        type: 'UpdateProfile',
        data: {
          clinicalRole: step.role,
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
    case 'import':
      return {
        type: 'ImportHistory',
        data: {
          occurredAt: now,
          reference: 'OPS-1',
          importedBy: 'admin:test',
          facts: step.facts.map(({ id, answer, daysBack }): ImportedFact => {
            const at = new Date(now.getTime() - daysBack * DAY_MS);
            return answer
              ? { kind: 'answer', questionId: id, correct: true, occurredAt: at }
              : { kind: 'research', researchId: id, occurredAt: at };
          }),
        },
      };
  }
}

/** A plain assertion for the hot loop (jest's expect is slow at this volume). */
function check(condition: boolean, message: () => string): void {
  if (!condition) throw new Error(message());
}

const claimable = (totals: CreditTotals, activity: Activity, also = 0n): bigint => {
  const amount = totals[activity].unclaimed + also;
  return activity === 'nejm-board-review' ? floorToQuarter(amount) : amount;
};

/** earned = claimed + unclaimed + expired, none negative, per activity and per earned year. */
function checkConserved(totals: CreditTotals, what: string): void {
  for (const activity of ACTIVITIES) {
    for (const line of [totals[activity], ...totals[activity].byEarnedYear]) {
      const { earned, claimed, unclaimed, expired } = line;
      check(
        earned === claimed + unclaimed + expired &&
          [claimed, unclaimed, expired].every((amount) => amount >= 0n),
        () =>
          `${what} ${activity}: ${earned} earned ≠ ${claimed} claimed + ${unclaimed} unclaimed + ${expired} expired (or one is negative)`,
      );
    }
    check(
      totals['nejm-board-review'].claimed % 3n === 0n,
      () => `${what}: board review claimed a partial quarter`,
    );
  }
}

const datedAfter = (state: LearnerState, now: Date): boolean =>
  state.earned.toArray().some((e) => e.occurredAt.getTime() > now.getTime()) ||
  [...state.claims.values()].some((c) => c.occurredAt.getTime() > now.getTime());

/** Why a command was refused, and whether the state and clock justify it. */
function checkRefusal(
  error: DomainRuleViolation,
  step: Exclude<Step, { kind: 'advance' }>,
  state: LearnerState,
  before: CreditTotals,
  now: Date,
): void {
  const offset = 'offset' in step ? step.offset : 0;
  if (error.code === 'occurred-at-too-old') {
    check(offset < -BOUND_MS && step.kind !== 'import', () => `too old at offset ${offset}`);
    return;
  }
  if (error.code === 'occurred-at-in-future') {
    check(offset > SKEW_MS, () => `in the future at offset ${offset}`);
    return;
  }
  check(offset >= -BOUND_MS && offset <= SKEW_MS, () => `${error.code} for a time out of bounds`);
  switch (step.kind) {
    case 'profile':
      check(
        error.code === 'board-not-for-role' &&
          step.role !== 'physician' &&
          step.boards.some((b) => findBoard(b)?.physiciansOnly === true),
        () => `profile refused with ${error.code}`,
      );
      return;
    case 'research':
    case 'answer':
      check(
        (error.code === 'research-id-required' || error.code === 'question-id-required') &&
          step.id.trim() === '',
        () => `${step.kind} refused with ${error.code}`,
      );
      return;
    case 'import':
      check(false, () => `an import of known-good facts was refused with ${error.code}`);
      return;
    case 'erase':
      check(false, () => `erasure refused with ${error.code}`);
      return;
    case 'claim': {
      if (error.code === 'profile-required') {
        check(state.profile === undefined, () => 'profile-required although a profile exists');
        return;
      }
      if (error.code === 'claim-id-conflict') {
        const existing = state.claims.get(step.claimId);
        check(
          existing !== undefined && existing.activity !== step.activity,
          () => 'claim-id-conflict without another claim of that id',
        );
        return;
      }
      if (offset !== 0 || datedAfter(state, now)) return; // judged at its own instant: see below
      const expected =
        claimable(before, step.activity, before[step.activity].expired) > 0n
          ? 'claim-window-closed'
          : 'nothing-to-claim';
      check(
        claimable(before, step.activity) === 0n,
        () => `claim refused with ${before[step.activity].unclaimed} unclaimed`,
      );
      check(error.code === expected, () => `refused as ${error.code}, expected ${expected}`);
    }
  }
}

describe('credit conservation over several learners (property)', () => {
  it("R4/R6/R12/R15: no credit is created or destroyed, no learner moves another's, and every refusal is justified", () => {
    fc.assert(
      fc.property(scenarioArbitrary, ({ learners, timeZone, steps }) => {
        let now = new Date('2023-03-01T00:00:00.000Z');
        const states: LearnerState[] = Array.from({ length: learners }, initialLearnerState);
        const recorded: LearnerEvent[][] = Array.from({ length: learners }, () => []);
        // What earned credit, by id, per learner: the model the totals must agree with.
        const researched = Array.from({ length: learners }, () => new Set<string>());
        const answered = Array.from({ length: learners }, () => new Set<string>());

        for (const step of steps) {
          if (step.kind === 'advance') {
            now = new Date(now.getTime() + step.days * DAY_MS);
            if (step.toYearEnd !== undefined) {
              const nextYear = now.getUTCFullYear() + 1;
              now = new Date(Date.UTC(nextYear, 0, 1) + step.toYearEnd);
            }
            continue;
          }
          const context: DecisionContext = {
            now,
            timeZone,
            maxClockSkewMs: SKEW_MS,
            maxBackdateMs: BOUND_MS,
          };
          const i = step.learner;
          const state = states[i]!;
          const others = states.map((s) => currentCreditTotals(s, now, timeZone));
          const before = creditTotals(state, now, timeZone);
          let events: LearnerEvent[] = [];
          try {
            events = decideLearner(commandFor(step, now), state, context);
          } catch (error) {
            if (!(error instanceof DomainRuleViolation)) throw error;
            checkRefusal(error, step, state, before, now);
          }
          let next = state;
          for (const event of events) {
            next = evolveLearner(next, event);
            recorded[i]!.push(event);
            if (event.type === 'QuestionResearched') researched[i]!.add(event.data.researchId);
            if (event.type === 'AnswerCorrect') answered[i]!.add(event.data.questionId);
            if (event.type === 'CreditClaimed') {
              const claim = next.claims.get(event.data.claimId)!;
              // R6: a claim made now (nothing dated after it) redeems exactly what was claimable.
              if (step.kind === 'claim' && step.offset === 0 && !datedAfter(state, now)) {
                check(
                  claim.twelfths === claimable(before, claim.activity),
                  () => `claimed ${claim.twelfths}, claimable ${claimable(before, claim.activity)}`,
                );
              }
              // R8/R10/R11: no board gets more than the claim; no physician-only board a participation claim.
              for (const s of claim.submissions) {
                check(
                  s.twelfths > 0n && s.twelfths <= claim.twelfths,
                  () => `${s.board} gets ${s.twelfths} of ${claim.twelfths}`,
                );
                check(
                  claim.certificate === 'ama-pra-category-1' ||
                    findBoard(s.board)?.physiciansOnly !== true,
                  () => `${s.board} got a participation claim`,
                );
              }
              // R5: a claim never takes credit whose window had closed at the server's clock
              // (less the skew), whatever the claim's own business time says.
              const judged = Math.max(claim.occurredAt.getTime(), now.getTime() - SKEW_MS);
              for (const line of claim.breakdown) {
                check(
                  isClaimable(line.earnedYear, new Date(judged), timeZone),
                  () => `a claim took ${line.earnedYear} credit after its window closed`,
                );
              }
              // R11: the learning a claim redeems was done by the claim's time.
              check(
                claim.completed === undefined ||
                  claim.completed.to.getTime() <= claim.occurredAt.getTime(),
                () => 'a claim redeemed credit earned after it',
              );
            }
          }
          states[i] = next;

          // Isolation: another learner's credit never moves.
          states.forEach((s, j) => {
            if (j === i) return;
            check(
              JSON.stringify(currentCreditTotals(s, now, timeZone), (_k, v: unknown) =>
                typeof v === 'bigint' ? v.toString() : v,
              ) ===
                JSON.stringify(others[j], (_k, v: unknown) =>
                  typeof v === 'bigint' ? v.toString() : v,
                ),
              () => `learner ${i}'s command moved learner ${j}'s credit`,
            );
          });
          for (const [j, s] of states.entries()) {
            const totals = currentCreditTotals(s, now, timeZone);
            checkConserved(totals, `learner ${j} now`);
            checkConserved(
              creditTotals(s, new Date(now.getTime() - 36 * HOUR_MS), timeZone),
              `learner ${j} 36 h ago`,
            );
            check(
              totals.ipoc.earned === 6n * BigInt(researched[j]!.size) &&
                totals['nejm-board-review'].earned === 2n * BigInt(answered[j]!.size),
              () =>
                `learner ${j}: earned credit differs from one per distinct research and first correct answer`,
            );
          }
        }

        // An auditor replaying each learner's recorded events sees the same state.
        states.forEach((state, j) => {
          expect(foldLearner(recorded[j]!)).toEqual(state);
        });
      }),
      { numRuns: 1000 },
    );
  });
});
