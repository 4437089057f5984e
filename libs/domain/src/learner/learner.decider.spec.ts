import { formatCredits } from '../credits/twelfths';
import type { DomainRuleCode } from '../rules';
import { DeciderSpecification } from '../testing/decider-specification';
import { at, TEST_NOW, testDecisionContext } from '../testing/fixed-clock';
import {
  answerCorrect,
  answerIncorrect,
  claimCredits,
  creditClaimed,
  erasePersonalData,
  learnerProfileUpdated,
  personalData,
  personalDataErased,
  questionResearched,
  recordAnswer,
  recordResearch,
  updateProfile,
} from '../testing/learner.builders';
import type { ClinicalRole } from './clinical-role';
import { DEFAULT_MAX_BACKDATE_MS } from '../decision-context';
import type { ImportHistory, LearnerCommand } from './learner.commands';
import {
  decideLearner,
  evolveLearner,
  foldLearner,
  initialLearnerState,
  learnerDecider,
} from './learner.decider';
import type { CreditClaimed, LearnerEvent } from './learner.events';

const given = DeciderSpecification.for(learnerDecider, testDecisionContext());
const profile = learnerProfileUpdated();

/** n first correct answers to distinct questions, all at one instant. */
const correctAnswers = (n: number, occurredAt = '2025-06-01T10:00:00.000Z'): LearnerEvent[] =>
  Array.from({ length: n }, (_, i) =>
    answerCorrect({ questionId: `q-${occurredAt}-${i}`, occurredAt }),
  );

/** Decides a claim after the given events and returns the CreditClaimed it records. */
const claimed = (
  events: readonly LearnerEvent[],
  command = claimCredits(),
  now = TEST_NOW,
): CreditClaimed['data'] => {
  const [event, ...rest] = decideLearner(
    command,
    foldLearner(events),
    testDecisionContext({ now }),
  );
  if (event?.type !== 'CreditClaimed' || rest.length > 0)
    throw new Error(`expected one CreditClaimed, got ${JSON.stringify(event)}`);
  return event.data;
};

describe('learner decider', () => {
  describe('given a learner with no history', () => {
    it('R1: researching a clinical question earns 0.5 credit (6/12) in the year it happened', () => {
      given([])
        .when(recordResearch({ researchId: 'r-1', occurredAt: at('2025-03-02T08:00:00Z') }))
        .then([
          {
            type: 'QuestionResearched',
            data: {
              researchId: 'r-1',
              occurredAt: '2025-03-02T08:00:00.000Z',
              earnedYear: 2025,
              twelfths: '6',
            },
          },
        ]);
    });

    it('R1: a research without an id is refused', () => {
      given([])
        .when(recordResearch({ researchId: '  ' }))
        .thenThrows({ rule: 'R1', code: 'research-id-required', field: 'researchId' });
    });

    it('R2: a first correct answer earns 2/12', () => {
      given([])
        .when(recordAnswer({ questionId: 'q-1', correct: true }))
        .then([
          {
            type: 'AnswerCorrect',
            data: {
              questionId: 'q-1',
              occurredAt: '2025-06-01T10:00:00.000Z',
              earnedYear: 2025,
              twelfths: '2',
            },
          },
        ]);
    });

    it('R2: an incorrect answer is recorded and earns nothing', () => {
      given([])
        .when(recordAnswer({ questionId: 'q-1', correct: false }))
        .then([
          {
            type: 'AnswerIncorrect',
            data: { questionId: 'q-1', occurredAt: '2025-06-01T10:00:00.000Z' },
          },
        ]);
    });

    it('R2: an answer without a question id is refused', () => {
      given([])
        .when(recordAnswer({ questionId: '' }))
        .thenThrows({ rule: 'R2', code: 'question-id-required', field: 'questionId' });
    });

    it('R7: a first profile becomes version 1 with all personal data in one sub-object', () => {
      given([])
        .when(
          updateProfile({
            firstName: ' Ada ',
            country: 'us',
            boards: [
              { boardId: 'ABIM', learnerBoardId: '123456' },
              { boardId: 'CA-MBC', learnerBoardId: 'A12345' },
            ],
            licenses: [{ state: 'ca', licenseNumber: 'A12345' }],
          }),
        )
        .then([
          {
            type: 'LearnerProfileUpdated',
            data: {
              occurredAt: '2025-01-10T09:00:00.000Z',
              profileVersion: 1,
              clinicalRole: 'physician',
              country: 'US',
              boards: ['ABIM', 'CA-MBC'],
              licenseStates: ['CA'],
              personal: {
                firstName: 'Ada',
                lastName: 'Quinn',
                birthMonth: 3,
                birthDay: 14,
                boardIds: { ABIM: '123456', 'CA-MBC': 'A12345' },
                licenses: [{ state: 'CA', licenseNumber: 'A12345' }],
                npi: '1234567893',
              },
            },
          },
        ]);
    });

    it('R7: a profile without an NPI records none', () => {
      const { npi: _npi, ...withoutNpi } = personalData();
      given([])
        .when(updateProfile({ npi: '' }))
        .then([learnerProfileUpdated({ personal: withoutNpi })]);
    });

    it('R6: a claim with no credit at all is refused: nothing to claim', () => {
      given([profile]).when(claimCredits()).thenThrows({ rule: 'R6', code: 'nothing-to-claim' });
    });

    it('R7: a claim before any CME profile is refused, since the certificate depends on the role', () => {
      const error = given([questionResearched()])
        .when(claimCredits())
        .thenThrows({ rule: 'R7', code: 'profile-required' });
      expect(error.message).toMatch(/clinical role/);
    });
  });

  describe('given a learner who researched question r-1', () => {
    const history = [profile, questionResearched({ researchId: 'r-1' })];

    it('R1: recording the same research again earns nothing and records nothing', () => {
      given(history)
        .when(recordResearch({ researchId: 'r-1', occurredAt: at('2025-06-02T10:00:00Z') }))
        .thenNothing();
    });

    it('R1: another research earns again', () => {
      given(history)
        .when(recordResearch({ researchId: 'r-2' }))
        .then([questionResearched({ researchId: 'r-2' })]);
    });

    it('R6: a board-review claim does not take IPoC credit', () => {
      given(history)
        .when(claimCredits({ activity: 'nejm-board-review' }))
        .thenThrows({ rule: 'R6', code: 'nothing-to-claim' });
    });
  });

  describe('given a learner who answered question q-1 incorrectly', () => {
    it('R2: a later first correct answer to it still earns', () => {
      given([answerIncorrect({ questionId: 'q-1' })])
        .when(recordAnswer({ questionId: 'q-1', correct: true }))
        .then([answerCorrect({ questionId: 'q-1' })]);
    });
  });

  describe('given a learner who answered question q-1 correctly', () => {
    const history = [answerCorrect({ questionId: 'q-1' })];

    it('R14: answering it correctly again is recorded and earns nothing', () => {
      given(history)
        .when(recordAnswer({ questionId: 'q-1', correct: true }))
        .then([
          {
            type: 'CorrectAnswerRepeated',
            data: { questionId: 'q-1', occurredAt: '2025-06-01T10:00:00.000Z' },
          },
        ]);
    });

    it('R14: answering it incorrectly afterwards is recorded and takes nothing back', () => {
      given(history)
        .when(recordAnswer({ questionId: 'q-1', correct: false }))
        .then([answerIncorrect({ questionId: 'q-1' })]);
    });

    it('R14: after any number of repeats the question still counts once', () => {
      const state = foldLearner([
        ...history,
        {
          type: 'CorrectAnswerRepeated',
          data: { questionId: 'q-1', occurredAt: '2025-06-02T10:00:00.000Z' },
        },
        {
          type: 'CorrectAnswerRepeated',
          data: { questionId: 'q-1', occurredAt: '2025-06-03T10:00:00.000Z' },
        },
      ]);
      expect(state.earned.toArray().map((credit) => credit.twelfths)).toEqual([2n]);
    });
  });

  describe('given a learner with 6 first correct answers', () => {
    it('R2: a board-review claim redeems exactly 1 credit', () => {
      const claim = claimed(
        [profile, ...correctAnswers(6)],
        claimCredits({ activity: 'nejm-board-review' }),
      );
      expect(claim.twelfths).toBe('12');
      expect(formatCredits(BigInt(claim.twelfths))).toBe('1.00');
    });
  });

  describe('R3: given a learner with n first correct answers, a board-review claim rounds down to a quarter', () => {
    it.each([
      [2, '3', '0.25'],
      [3, '6', '0.50'],
      [4, '6', '0.50'],
      [5, '9', '0.75'],
      [6, '12', '1.00'],
      [7, '12', '1.00'],
      [11, '21', '1.75'],
    ])('R3: %i correct answers claim %s twelfths (%s credit)', (answers, twelfths, credits) => {
      const claim = claimed(
        [profile, ...correctAnswers(answers)],
        claimCredits({ activity: 'nejm-board-review' }),
      );
      expect(claim.twelfths).toBe(twelfths);
      expect(formatCredits(BigInt(claim.twelfths))).toBe(credits);
    });

    it('R3: 1 correct answer (0 credit on a certificate) cannot be claimed yet, and the learner is told why', () => {
      const error = given([profile, ...correctAnswers(1)])
        .when(claimCredits({ activity: 'nejm-board-review' }))
        .thenThrows({ rule: 'R6', code: 'nothing-to-claim' });
      expect(error.message).toMatch(/2\/12 credit .* less than the quarter credit/);
      expect(error.message).toMatch(/answer 1 more question/);
    });
  });

  describe('given a learner with 7 first correct answers (2 in 2024, 5 in 2025) and one earlier claim', () => {
    // The first claim took 12/12 of 14/12: all of 2024 (4) and 8 of 2025, leaving 2/12 in 2025.
    const history: LearnerEvent[] = [
      profile,
      ...correctAnswers(2, '2024-11-01T10:00:00.000Z'),
      ...correctAnswers(5, '2025-02-01T10:00:00.000Z'),
    ];

    it('R6: the first claim takes the oldest year first and leaves the remainder in the newest', () => {
      const claim = claimed(
        history,
        claimCredits({ activity: 'nejm-board-review', occurredAt: at('2025-03-01T00:00:00Z') }),
      );
      expect(claim.twelfths).toBe('12');
      expect(claim.breakdown).toEqual([
        { earnedYear: 2024, twelfths: '4', claimDeadline: '2026-12-31' },
        { earnedYear: 2025, twelfths: '8', claimDeadline: '2027-12-31' },
      ]);
    });

    it('R6: the remainder carries to the next claim: with one more answer it makes a quarter', () => {
      const afterFirstClaim = [
        ...history,
        creditClaimed({
          claimId: 'claim-1',
          activity: 'nejm-board-review',
          occurredAt: '2025-03-01T00:00:00.000Z',
          twelfths: '12',
          breakdown: [
            { earnedYear: 2024, twelfths: '4', claimDeadline: '2026-12-31' },
            { earnedYear: 2025, twelfths: '8', claimDeadline: '2027-12-31' },
          ],
        }),
      ];
      given(afterFirstClaim)
        .when(claimCredits({ claimId: 'claim-2', activity: 'nejm-board-review' }))
        .thenThrows({ rule: 'R6', code: 'nothing-to-claim' });
      const second = claimed(
        [
          ...afterFirstClaim,
          answerCorrect({ questionId: 'q-8', occurredAt: '2025-04-01T10:00:00.000Z' }),
        ],
        claimCredits({ claimId: 'claim-2', activity: 'nejm-board-review' }),
      );
      expect(second.twelfths).toBe('3');
      expect(second.breakdown).toEqual([
        { earnedYear: 2025, twelfths: '3', claimDeadline: '2027-12-31' },
      ]);
    });
  });

  describe('given IPoC credit earned in 2024 and 2025', () => {
    const history = [
      profile,
      questionResearched({ researchId: 'r-2025', occurredAt: '2025-02-01T10:00:00.000Z' }),
      questionResearched({ researchId: 'r-2024', occurredAt: '2024-05-01T10:00:00.000Z' }),
      questionResearched({ researchId: 'r-late', occurredAt: '2025-06-12T10:00:00.000Z' }),
    ];

    it('R6: a claim redeems all unclaimed credit earned at or before its time, oldest year first', () => {
      given(history)
        .when(claimCredits({ occurredAt: at('2025-06-10T08:00:00Z') }))
        .then([
          creditClaimed({
            twelfths: '12',
            breakdown: [
              { earnedYear: 2024, twelfths: '6', claimDeadline: '2026-12-31' },
              { earnedYear: 2025, twelfths: '6', claimDeadline: '2027-12-31' },
            ],
            // R11: the learning it redeemed (r-late came after the claim), R8: what ABIM gets,
            // R7: the identity at claim time, for the first submission and the certificate.
            completedFrom: '2024-05-01T10:00:00.000Z',
            completedTo: '2025-02-01T10:00:00.000Z',
            submissions: [
              { board: 'ABIM', twelfths: '12', completedAt: '2025-02-01T10:00:00.000Z' },
            ],
            personal: personalData(),
          }),
        ]);
    });

    it('R6: the same claim id again records nothing; reused for another activity it is refused', () => {
      const afterClaim = [...history, creditClaimed({ twelfths: '12' })];
      given(afterClaim).when(claimCredits()).thenNothing();
      given(afterClaim)
        .when(claimCredits({ activity: 'nejm-board-review' }))
        .thenThrows({ rule: 'R6', code: 'claim-id-conflict', field: 'claimId' });
    });
  });

  describe('R5: given IPoC credit earned in September 2024 (the FAQ example, UTC)', () => {
    const history = [
      profile,
      questionResearched({ researchId: 'r-1', occurredAt: '2024-09-15T10:00:00.000Z' }),
    ];
    const later = testDecisionContext({ now: at('2027-06-01T00:00:00Z') });

    it('R5: it can still be claimed at the last instant of 31 December 2026', () => {
      const lastInstant = at('2026-12-31T23:59:59.999Z');
      const claim = claimed(history, claimCredits({ occurredAt: lastInstant }), lastInstant);
      expect(claim.breakdown).toEqual([
        { earnedYear: 2024, twelfths: '6', claimDeadline: '2026-12-31' },
      ]);
    });

    it('R5: a claim on 1 January 2027 is refused with a clear error: the claim window has closed', () => {
      const error = given(history)
        .when(claimCredits({ occurredAt: at('2027-01-01T00:00:00Z') }), later)
        .thenThrows({ rule: 'R5', code: 'claim-window-closed' });
      expect(error.message).toContain('earned in 2024 could be claimed until 2026-12-31');
    });

    it('R5: expired credit is left out while newer credit is claimed', () => {
      const claim = claimed(
        [
          ...history,
          questionResearched({ researchId: 'r-2', occurredAt: '2027-02-01T10:00:00.000Z' }),
        ],
        claimCredits({ occurredAt: at('2027-03-01T00:00:00Z') }),
        later.now,
      );
      expect(claim.breakdown).toEqual([
        { earnedYear: 2027, twelfths: '6', claimDeadline: '2029-12-31' },
      ]);
    });
  });

  describe('R5: given IPoC credit earned in 2024, whose window closed at the end of 2026 (UTC)', () => {
    const history = [
      profile,
      questionResearched({ researchId: 'r-1', occurredAt: '2024-09-15T10:00:00.000Z' }),
    ];
    const afterClosing = testDecisionContext({ now: at('2027-01-03T00:00:00Z') });

    it('R5: a claim dated before the deadline but sent after it is judged at the server clock: refused', () => {
      given(history)
        .when(claimCredits({ occurredAt: at('2026-12-30T10:00:00Z') }), afterClosing)
        .thenThrows({ rule: 'R5', code: 'claim-window-closed' });
    });

    it('R5/R15: a claim dated just before midnight and arriving within the clock skew after it is judged at its own time', () => {
      const justAfter = testDecisionContext({ now: at('2027-01-01T00:02:00Z') });
      const [event] = decideLearner(
        claimCredits({ occurredAt: at('2026-12-31T23:59:00Z') }),
        foldLearner(history),
        justAfter,
      );
      expect(event?.type).toBe('CreditClaimed');
    });

    it('R6: with only a board-review remainder too small to claim, expired or not, the answer is nothing to claim (not R5)', () => {
      const remainder = [
        profile,
        answerCorrect({ questionId: 'q-old', occurredAt: '2023-05-01T10:00:00.000Z' }),
      ];
      const error = given(remainder)
        .when(
          claimCredits({ activity: 'nejm-board-review', occurredAt: at('2027-01-02T00:00:00Z') }),
          afterClosing,
        )
        .thenThrows({ rule: 'R6', code: 'nothing-to-claim' });
      expect(error.message).toContain('earned in 2023 could be claimed until 2025-12-31');
    });
  });

  describe('R15: given a backdate bound of 30 days', () => {
    const bounded = testDecisionContext({ maxBackdateMs: DEFAULT_MAX_BACKDATE_MS });
    const tooOld = new Date(TEST_NOW.getTime() - DEFAULT_MAX_BACKDATE_MS - 1);
    const justInside = new Date(TEST_NOW.getTime() - DEFAULT_MAX_BACKDATE_MS);

    it.each<[string, LearnerCommand]>([
      ['RecordResearch', recordResearch({ occurredAt: tooOld })],
      ['RecordAnswer', recordAnswer({ occurredAt: tooOld })],
      ['UpdateProfile', updateProfile({ occurredAt: tooOld })],
      ['ClaimCredits', claimCredits({ occurredAt: tooOld })],
    ])(
      'R15: %s dated more than 30 days back is refused: older facts need a history import',
      (_name, command) => {
        const error = given([profile, questionResearched()])
          .when(command, bounded)
          .thenThrows({ rule: 'R15', code: 'occurred-at-too-old', field: 'occurredAt' });
        expect(error.message).toMatch(/history import/);
      },
    );

    it('R15: a research dated exactly 30 days back is recorded', () => {
      given([])
        .when(recordResearch({ researchId: 'r-30', occurredAt: justInside }), bounded)
        .then([questionResearched({ researchId: 'r-30', occurredAt: justInside.toISOString() })]);
    });

    it('R15: a mistyped year cannot burn a research id: the refused research is recorded later as it should be', () => {
      given([])
        .when(
          recordResearch({ researchId: 'r-1', occurredAt: at('2015-06-10T10:00:00Z') }),
          bounded,
        )
        .thenThrows({ rule: 'R15', code: 'occurred-at-too-old' });
      given([])
        .when(
          recordResearch({ researchId: 'r-1', occurredAt: at('2025-06-10T10:00:00Z') }),
          bounded,
        )
        .then([questionResearched({ researchId: 'r-1', occurredAt: '2025-06-10T10:00:00.000Z' })]);
    });
  });

  describe('R15: given an administrator importing history older than the backdate bound', () => {
    const bounded = testDecisionContext({ maxBackdateMs: DEFAULT_MAX_BACKDATE_MS });
    const importHistory = (
      facts: ImportHistory['data']['facts'],
      reference = 'OPS-1234',
    ): ImportHistory => ({
      type: 'ImportHistory',
      data: { occurredAt: TEST_NOW, reference, importedBy: 'admin:ops', facts },
    });

    it('R15: the import records who and why, then each fact as its own event (R1/R14 hold)', () => {
      given([questionResearched({ researchId: 'r-known' })])
        .when(
          importHistory([
            { kind: 'research', researchId: 'r-old', occurredAt: at('2023-02-01T10:00:00Z') },
            { kind: 'research', researchId: 'r-known', occurredAt: at('2023-02-02T10:00:00Z') },
            {
              kind: 'answer',
              questionId: 'q-1',
              correct: true,
              occurredAt: at('2024-03-01T10:00:00Z'),
            },
            {
              kind: 'answer',
              questionId: 'q-1',
              correct: true,
              occurredAt: at('2024-03-02T10:00:00Z'),
            },
          ]),
          bounded,
        )
        .then([
          {
            type: 'HistoryImported',
            data: {
              occurredAt: TEST_NOW.toISOString(),
              reference: 'OPS-1234',
              importedBy: 'admin:ops',
              facts: 4,
              earliest: '2023-02-01T10:00:00.000Z',
              latest: '2024-03-02T10:00:00.000Z',
            },
          },
          questionResearched({ researchId: 'r-old', occurredAt: '2023-02-01T10:00:00.000Z' }),
          answerCorrect({ questionId: 'q-1', occurredAt: '2024-03-01T10:00:00.000Z' }),
          {
            type: 'CorrectAnswerRepeated',
            data: { questionId: 'q-1', occurredAt: '2024-03-02T10:00:00.000Z' },
          },
        ]);
    });

    it('R15: an import whose facts are all known already records nothing', () => {
      given([questionResearched({ researchId: 'r-1' })])
        .when(
          importHistory([
            { kind: 'research', researchId: 'r-1', occurredAt: at('2023-02-01T10:00:00Z') },
          ]),
          bounded,
        )
        .thenNothing();
    });

    it('R15: the reason must be a ticket reference, not free text that could hold a name', () => {
      given([])
        .when(
          importHistory(
            [{ kind: 'research', researchId: 'r-1', occurredAt: at('2023-02-01T10:00:00Z') }],
            'asked by Ada Quinn',
          ),
          bounded,
        )
        .thenThrows({ rule: 'R15', code: 'invalid-reference', field: 'reference' });
    });

    it('R15: an imported fact in the future, or none at all, is refused naming the fact', () => {
      given([])
        .when(
          importHistory([
            { kind: 'research', researchId: 'r-1', occurredAt: at('2023-02-01T10:00:00Z') },
            { kind: 'research', researchId: 'r-2', occurredAt: at('2030-01-01T00:00:00Z') },
          ]),
          bounded,
        )
        .thenThrows({ rule: 'R15', code: 'occurred-at-in-future', field: 'facts[1].occurredAt' });
      given([])
        .when(importHistory([]), bounded)
        .thenThrows({ rule: 'R15', code: 'import-empty', field: 'facts' });
    });
  });

  describe('R5: given the configured time zone is America/New_York', () => {
    const newYork = { timeZone: 'America/New_York', now: at('2027-06-01T00:00:00Z') };
    const lateOnNewYearsEve = at('2025-01-01T04:30:00Z'); // 2024-12-31T23:30 in New York

    it('R5: an answer at 23:30 on 31 December 2024 New York time is earned in 2024, though UTC says 2025', () => {
      given([])
        .when(recordAnswer({ questionId: 'q-1', occurredAt: lateOnNewYearsEve }), newYork)
        .then([
          answerCorrect({
            questionId: 'q-1',
            occurredAt: '2025-01-01T04:30:00.000Z',
            earnedYear: 2024,
          }),
        ]);
      given([])
        .when(recordAnswer({ questionId: 'q-1', occurredAt: lateOnNewYearsEve }))
        .then([
          answerCorrect({
            questionId: 'q-1',
            occurredAt: '2025-01-01T04:30:00.000Z',
            earnedYear: 2025,
          }),
        ]);
    });

    it('R5: that credit is claimable until the end of 31 December 2026 in New York, past midnight UTC', () => {
      const history = [
        profile,
        ...correctAnswers(3, '2025-01-01T04:30:00.000Z').map((e) => withEarnedYear(e, 2024)),
      ];
      const lastInstant = at('2027-01-01T04:59:59.999Z');
      const claim = decideLearner(
        claimCredits({ activity: 'nejm-board-review', occurredAt: lastInstant }),
        foldLearner(history),
        testDecisionContext({ ...newYork, now: lastInstant }),
      );
      expect(claim).toHaveLength(1);
      given(history)
        .when(
          claimCredits({ activity: 'nejm-board-review', occurredAt: at('2027-01-01T05:00:00Z') }),
          newYork,
        )
        .thenThrows({ rule: 'R5', code: 'claim-window-closed' });
    });
  });

  describe('R5: given the configured time zone is Asia/Tokyo (east of UTC)', () => {
    const tokyo = { timeZone: 'Asia/Tokyo', now: at('2028-06-01T00:00:00Z') };
    const earlyNewYearsDay = at('2024-12-31T15:30:00Z'); // 2025-01-01T00:30 in Tokyo

    it('R5: research at 00:30 on 1 January 2025 Tokyo time is earned in 2025, though UTC says 2024', () => {
      given([])
        .when(recordResearch({ occurredAt: earlyNewYearsDay }), tokyo)
        .then([questionResearched({ occurredAt: '2024-12-31T15:30:00.000Z', earnedYear: 2025 })]);
    });

    it('R5: that credit is claimable through 31 December 2027 Tokyo time, and refused from 1 January 2028 there', () => {
      const history = [
        profile,
        questionResearched({ occurredAt: '2024-12-31T15:30:00.000Z', earnedYear: 2025 }),
      ];
      const lastInstant = at('2027-12-31T14:59:59.999Z');
      const claim = claimed(history, claimCredits({ occurredAt: lastInstant }), lastInstant);
      expect(claim.breakdown).toEqual([
        { earnedYear: 2025, twelfths: '6', claimDeadline: '2027-12-31' },
      ]);
      given(history)
        .when(claimCredits({ occurredAt: at('2027-12-31T15:00:00Z') }), tokyo)
        .thenThrows({ rule: 'R5', code: 'claim-window-closed' });
    });
  });

  describe('given a physician profile (version 1) selecting ABIM', () => {
    const history = [profile, questionResearched()];

    it('R8/R11: a claim snapshots the boards, clinical role and profile version at claim time', () => {
      const claim = claimed(history);
      expect(claim).toMatchObject({
        boards: ['ABIM'],
        clinicalRole: 'physician',
        certificate: 'ama-pra-category-1',
        profileVersion: 1,
      });
    });

    it('R7: an identical profile update records nothing', () => {
      given(history).when(updateProfile()).thenNothing();
    });

    it('R7: a changed profile becomes version 2', () => {
      given(history)
        .when(updateProfile({ lastName: 'Quinn-Hart', occurredAt: at('2025-05-01T00:00:00Z') }))
        .then([
          learnerProfileUpdated({
            occurredAt: '2025-05-01T00:00:00.000Z',
            profileVersion: 2,
            personal: personalData({ lastName: 'Quinn-Hart' }),
          }),
        ]);
    });

    it('R7: a profile change affects later claims only', () => {
      const v2 = learnerProfileUpdated({
        occurredAt: '2025-06-11T00:00:00.000Z',
        profileVersion: 2,
        clinicalRole: 'nurse',
        boards: [],
        personal: personalData({ boardIds: {} }),
      });
      const state = foldLearner([
        ...history,
        creditClaimed(),
        v2,
        questionResearched({ researchId: 'r-2' }),
      ]);
      expect(state.claims.get('claim-1')).toMatchObject({
        boards: ['ABIM'],
        clinicalRole: 'physician',
        profileVersion: 1,
      });
      const later = claimed(
        [...history, creditClaimed(), v2, questionResearched({ researchId: 'r-2' })],
        claimCredits({ claimId: 'claim-2', occurredAt: at('2025-06-12T00:00:00Z') }),
      );
      expect(later).toMatchObject({
        boards: [],
        clinicalRole: 'nurse',
        certificate: 'participation',
        profileVersion: 2,
      });
    });
  });

  describe('R11: given a learner of each clinical role with unclaimed credit', () => {
    it.each<[ClinicalRole, string]>([
      ['physician', 'ama-pra-category-1'],
      ['physician_assistant', 'participation'],
      ['nurse_practitioner', 'participation'],
      ['nurse', 'participation'],
      ['pharmacist', 'participation'],
      ['other', 'participation'],
    ])('R11: clinical role %s gets the %s certificate', (clinicalRole, certificate) => {
      const claim = claimed([learnerProfileUpdated({ clinicalRole }), questionResearched()]);
      expect(claim.certificate).toBe(certificate);
    });
  });

  describe('R10: given a profile selecting ABIM and ABPMR (which takes credit from 2025)', () => {
    const history = [
      learnerProfileUpdated({
        occurredAt: '2024-01-10T09:00:00.000Z',
        boards: ['ABIM', 'ABPMR'],
        personal: personalData({ boardIds: { ABIM: '123456', ABPMR: '4321' } }),
      }),
      questionResearched({ researchId: 'r-1', occurredAt: '2024-06-01T10:00:00.000Z' }),
      questionResearched({ researchId: 'r-2', occurredAt: '2025-01-05T10:00:00.000Z' }),
    ];

    it('R8/R10: a claim in 2024 goes to ABIM only', () => {
      expect(
        claimed(history, claimCredits({ occurredAt: at('2024-12-31T23:00:00Z') })).boards,
      ).toEqual(['ABIM']);
    });

    it('R8/R10: a claim in 2025 goes to both boards; ABPMR gets only the credit earned from 2025', () => {
      const claim = claimed(history, claimCredits({ occurredAt: at('2025-01-06T00:00:00Z') }));
      expect(claim.boards).toEqual(['ABIM', 'ABPMR']);
      expect(claim.submissions).toEqual([
        { board: 'ABIM', twelfths: '12', completedAt: '2025-01-05T10:00:00.000Z' },
        { board: 'ABPMR', twelfths: '6', completedAt: '2025-01-05T10:00:00.000Z' },
      ]);
    });

    it('R10: ABPMR judges the date the credit was earned, not the claim date: 2024 credit claimed in 2025 does not go to it', () => {
      const only2024 = [history[0]!, history[1]!];
      const claim = claimed(only2024, claimCredits({ occurredAt: at('2025-01-06T00:00:00Z') }));
      expect(claim.boards).toEqual(['ABIM']);
    });

    it('R8/R3: each board receives its part rounded to a quarter, completed when the last of that part was earned', () => {
      const answers = [
        history[0]!,
        ...correctAnswers(2, '2024-11-01T10:00:00.000Z'),
        ...correctAnswers(5, '2025-01-03T10:00:00.000Z'),
      ];
      const claim = claimed(
        answers,
        claimCredits({ activity: 'nejm-board-review', occurredAt: at('2025-01-06T00:00:00Z') }),
      );
      // 14/12 earned: the claim takes 12/12 (R3): 4/12 of 2024 and 8/12 of 2025.
      expect(claim.twelfths).toBe('12');
      expect(claim.submissions).toEqual([
        { board: 'ABIM', twelfths: '12', completedAt: '2025-01-03T10:00:00.000Z' },
        { board: 'ABPMR', twelfths: '6', completedAt: '2025-01-03T10:00:00.000Z' },
      ]);
    });
  });

  describe('R10/R11: given physician-only MOC programmes (the certifying boards)', () => {
    it('R10: a nurse practitioner selecting ABIM is told at the profile why it cannot take their credit', () => {
      const error = given([])
        .when(
          updateProfile({
            clinicalRole: 'nurse_practitioner',
            boards: [
              { boardId: 'CA-MBC', learnerBoardId: 'A12345' },
              { boardId: 'ABIM', learnerBoardId: '123456' },
            ],
          }),
        )
        .thenThrows({ rule: 'R10', code: 'board-not-for-role', field: 'boards[1].boardId' });
      expect(error.message).toMatch(/participation/);
    });

    it('R10/R11: a participation claim never goes to a physician-only board, even one an older profile selected', () => {
      const claim = claimed([
        learnerProfileUpdated({
          clinicalRole: 'nurse',
          boards: ['ABIM', 'CA-MBC'],
          personal: personalData({ boardIds: { ABIM: '123456', 'CA-MBC': 'A12345' } }),
        }),
        questionResearched(),
      ]);
      expect(claim.certificate).toBe('participation');
      expect(claim.boards).toEqual(['CA-MBC']);
    });
  });

  describe('R7/R8/R11: given a claim made with ABIM selected, and the profile edited a second later', () => {
    const v2 = learnerProfileUpdated({
      occurredAt: '2025-06-10T08:00:01.000Z',
      profileVersion: 2,
      personal: personalData({ lastName: 'Quinn-Hart', boardIds: { ABIM: '654321' } }),
    });

    it('R7: the claim records the identity as it stood at claim time', () => {
      const claim = claimed([profile, questionResearched()]);
      expect(claim.personal).toEqual(personalData());
    });

    it('R7/R8: after the edit, the claim still holds the identity of claim time (what its first submission sends)', () => {
      const state = foldLearner([profile, questionResearched(), creditClaimed(), v2]);
      expect(state.claims.get('claim-1')?.identity).toEqual(personalData());
      expect(state.profile?.personal?.boardIds).toEqual({ ABIM: '654321' });
    });

    it('R7: a claim recorded before snapshots existed takes the profile of its time, not the later one', () => {
      const { personal: _none, ...older } = creditClaimed().data;
      const state = foldLearner([
        profile,
        questionResearched(),
        { type: 'CreditClaimed', data: older },
        v2,
      ]);
      expect(state.claims.get('claim-1')?.identity).toEqual(personalData());
    });

    it('erasure removes the identity snapshot of every claim too', () => {
      const state = foldLearner([
        profile,
        questionResearched(),
        creditClaimed(),
        personalDataErased(),
      ]);
      expect(state.claims.get('claim-1')?.identity).toBeUndefined();
    });
  });

  describe('R11: given two claims, each redeeming its own credit', () => {
    it("R11: the second claim's completion span covers only what it redeemed, not the first claim's credit", () => {
      const first = [
        profile,
        questionResearched({ researchId: 'r-1', occurredAt: '2025-01-05T10:00:00.000Z' }),
        creditClaimed({
          occurredAt: '2025-02-01T00:00:00.000Z',
          breakdown: [{ earnedYear: 2025, twelfths: '6', claimDeadline: '2027-12-31' }],
        }),
        questionResearched({ researchId: 'r-2', occurredAt: '2025-03-05T10:00:00.000Z' }),
      ];
      const second = claimed(
        first,
        claimCredits({ claimId: 'claim-2', occurredAt: at('2025-04-01T00:00:00Z') }),
      );
      expect([second.completedFrom, second.completedTo]).toEqual([
        '2025-03-05T10:00:00.000Z',
        '2025-03-05T10:00:00.000Z',
      ]);
    });
  });

  describe('given any learner updating the profile', () => {
    it('R10: a board outside the catalogue is refused, naming the field', () => {
      const error = given([])
        .when(
          updateProfile({
            boards: [
              { boardId: 'ABIM', learnerBoardId: '123456' },
              { boardId: 'ABFM', learnerBoardId: '1' },
            ],
          }),
        )
        .thenThrows({ rule: 'R10', code: 'board-not-in-catalogue', field: 'boards[1].boardId' });
      expect(error.message).toMatch(/PDF certificate/);
    });

    it('R16: a learner board id in the wrong format is refused without echoing the id', () => {
      const error = given([])
        .when(updateProfile({ boards: [{ boardId: 'ABIM', learnerBoardId: '98765' }] }))
        .thenThrows({ rule: 'R16', code: 'board-id-format', field: 'boards[0].learnerBoardId' });
      expect(error.message).toContain('ABIM ID (6 digits)');
      expect(error.message).not.toContain('98765');
    });

    it('R16: a board selected without the learner id is accepted (its submissions will fail with a reason)', () => {
      const [event] = decideLearner(
        updateProfile({ boards: [{ boardId: 'ABIM' }] }),
        initialLearnerState(),
        testDecisionContext(),
      );
      expect(event?.type === 'LearnerProfileUpdated' && event.data.boards).toEqual(['ABIM']);
      expect(event?.type === 'LearnerProfileUpdated' && event.data.personal?.boardIds).toEqual({});
    });

    it('R7: the same board twice is refused', () => {
      given([])
        .when(
          updateProfile({
            boards: [
              { boardId: 'ABIM', learnerBoardId: '123456' },
              { boardId: 'ABIM', learnerBoardId: '123456' },
            ],
          }),
        )
        .thenThrows({ rule: 'R7', code: 'duplicate-board', field: 'boards[1].boardId' });
    });

    it.each([
      [2, 30, 'birthDay'],
      [2, 31, 'birthDay'],
      [4, 31, 'birthDay'],
      [1, 0, 'birthDay'],
      [13, 1, 'birthMonth'],
      [0, 1, 'birthMonth'],
    ])(
      'R7: an impossible birth date (month %i, day %i) is refused on %s',
      (birthMonth, birthDay, field) => {
        given([])
          .when(updateProfile({ birthMonth, birthDay }))
          .thenThrows({ rule: 'R7', code: 'impossible-birth-date', field });
      },
    );

    it('R7: 29 February is a possible birthday', () => {
      const [event] = decideLearner(
        updateProfile({ birthMonth: 2, birthDay: 29 }),
        initialLearnerState(),
        testDecisionContext(),
      );
      expect(event?.type === 'LearnerProfileUpdated' && event.data.personal?.birthDay).toBe(29);
    });

    it.each<[string, Parameters<typeof updateProfile>[0], DomainRuleCode, string]>([
      ['a blank first name', { firstName: '  ' }, 'required-field', 'firstName'],
      ['a blank last name', { lastName: '' }, 'required-field', 'lastName'],
      [
        'an unknown clinical role',
        { clinicalRole: 'surgeon' as ClinicalRole },
        'invalid-clinical-role',
        'clinicalRole',
      ],
      ['a country that is not an ISO code', { country: 'USA' }, 'invalid-country', 'country'],
      [
        'a license in an unknown state',
        { licenses: [{ state: 'XX', licenseNumber: 'A1' }] },
        'unknown-license-state',
        'licenses[0].state',
      ],
      [
        'a blank license number',
        { licenses: [{ state: 'CA', licenseNumber: ' ' }] },
        'invalid-license-number',
        'licenses[0].licenseNumber',
      ],
      [
        'two licenses in one state',
        {
          licenses: [
            { state: 'CA', licenseNumber: 'A1' },
            { state: 'CA', licenseNumber: 'A2' },
          ],
        },
        'duplicate-license',
        'licenses[1].state',
      ],
      ['an NPI with a wrong check digit', { npi: '1234567890' }, 'invalid-npi', 'npi'],
    ])('R7: %s is refused, naming the field', (_what, overrides, code, field) => {
      given([]).when(updateProfile(overrides)).thenThrows({ rule: 'R7', code, field });
    });
  });

  describe('R15: given a server clock at 2025-06-15T12:00Z with 5 minutes of allowed skew', () => {
    const inFuture = at('2025-06-15T12:05:00.001Z');
    const commands: [string, LearnerCommand][] = [
      ['RecordResearch', recordResearch({ occurredAt: inFuture })],
      ['RecordAnswer', recordAnswer({ occurredAt: inFuture })],
      ['UpdateProfile', updateProfile({ occurredAt: inFuture })],
      ['ClaimCredits', claimCredits({ occurredAt: inFuture })],
      ['ErasePersonalData', erasePersonalData({ occurredAt: inFuture })],
    ];

    it.each(commands)(
      'R15: %s with a business time beyond the skew is refused',
      (_name, command) => {
        given([profile, questionResearched()])
          .when(command)
          .thenThrows({ rule: 'R15', code: 'occurred-at-in-future', field: 'occurredAt' });
      },
    );

    it('R15: a business time within the skew is accepted, and kept as given', () => {
      given([])
        .when(recordResearch({ occurredAt: at('2025-06-15T12:05:00.000Z') }))
        .then([questionResearched({ occurredAt: '2025-06-15T12:05:00.000Z' })]);
    });

    it('R15: an invalid business time is refused', () => {
      given([])
        .when(recordResearch({ occurredAt: new Date('not a date') }))
        .thenThrows({ rule: 'R15', code: 'invalid-occurred-at' });
    });
  });

  describe('given a learner whose personal data was erased', () => {
    const history = [
      profile,
      questionResearched(),
      creditClaimed(),
      questionResearched({ researchId: 'r-2' }),
      personalDataErased(),
    ];

    it('erasing records one event, with its ticket; erasing again records nothing', () => {
      given([profile])
        .when(erasePersonalData({ ticket: 'DSR-4711' }))
        .then([personalDataErased({ ticket: 'DSR-4711' })]);
      given([profile]).when(erasePersonalData()).then([personalDataErased()]);
      given(history)
        .when(erasePersonalData({ ticket: 'DSR-4712' }))
        .thenNothing();
    });

    it('R7: the ticket is a ticket id, never a name or free text the event would keep for ever', () => {
      for (const ticket of [
        'Zebulon Quintavalle',
        'QUINTAVALLE',
        'Quintavalle-1',
        'zebulon.quintavalle@example.org',
        'DSR-4711 Zebulon',
        'GDPR request 4711',
        'DSR-',
        '-4711',
        'D-4711',
        'DSR-4711\n',
        '',
      ]) {
        given([profile])
          .when(erasePersonalData({ ticket }))
          .thenThrows({ rule: 'R7', code: 'invalid-reference', field: 'ticket' });
      }
    });

    it('R12: the credit history survives: the claim stays and unclaimed credit can still be claimed', () => {
      const state = foldLearner(history);
      expect(state.profile?.personal).toBeUndefined();
      expect(state.claims.get('claim-1')?.twelfths).toBe(6n);
      expect(
        claimed(
          history,
          claimCredits({ claimId: 'claim-2', occurredAt: at('2025-06-13T00:00:00Z') }),
        ).twelfths,
      ).toBe('6');
    });

    it('a replayed profile whose personal data was crypto-shredded folds without it', () => {
      const state = foldLearner([learnerProfileUpdated({ personal: undefined })]);
      expect(state.profile).toMatchObject({
        version: 1,
        clinicalRole: 'physician',
        boards: ['ABIM'],
        personal: undefined,
      });
    });
  });

  describe('evolve', () => {
    it('is pure: evolving does not change the state it started from, and folding equals reducing', () => {
      const events = [profile, questionResearched(), answerCorrect(), creditClaimed()];
      const before = foldLearner(events.slice(0, 2));
      const after = evolveLearner(before, answerCorrect({ questionId: 'q-9' }));
      expect(before.earned.has('nejm-board-review', 'q-9')).toBe(false);
      expect(after.earned.has('nejm-board-review', 'q-9')).toBe(true);
      expect(foldLearner(events)).toEqual(events.reduce(evolveLearner, initialLearnerState()));
    });
  });
});

function withEarnedYear(event: LearnerEvent, earnedYear: number): LearnerEvent {
  return event.type === 'AnswerCorrect' ? { ...event, data: { ...event.data, earnedYear } } : event;
}
