import { DeciderSpecification } from '../testing/decider-specification';
import { at, testDecisionContext } from '../testing/fixed-clock';
import {
  boardSubmissionFailed,
  boardSubmissionRequested,
  boardSubmissionRetryRequested,
  requestBoardSubmission,
  retryBoardSubmission,
} from '../testing/board-submission.builders';
import {
  claimCredits,
  learnerProfileUpdated,
  personalData,
  personalDataErased,
  questionResearched,
  updateProfile,
} from '../testing/learner.builders';
import { decideLearner, foldLearner } from '../learner/learner.decider';
import type { LearnerEvent } from '../learner/learner.events';
import { boardSubmissionDecider } from './board-submission.decider';
import { missingBoardFields } from './missing-board-fields';

const profileOf = (events: LearnerEvent[]) => foldLearner(events).profile;

describe('R16: what a board needs from the CME profile', () => {
  describe('given a complete physician profile with ABIM', () => {
    it('R16: nothing is missing for ABIM', () => {
      expect(missingBoardFields('ABIM', profileOf([learnerProfileUpdated()]))).toEqual([]);
    });
  });

  describe("given ABIM selected without the learner's ABIM ID", () => {
    const profile = profileOf([
      learnerProfileUpdated({ personal: personalData({ boardIds: {} }) }),
    ]);

    it('R16: the reason tells the learner what to add and where', () => {
      expect(missingBoardFields('ABIM', profile)).toEqual([
        'ABIM needs your ABIM ID (6 digits) in your CME profile',
      ]);
    });
  });

  describe('given a state board (Medical Board of California) selected', () => {
    const noLicense = personalData({ boardIds: {}, licenses: [], npi: undefined });

    it('R16: without a California license number or an NPI, the reason names both options', () => {
      const profile = profileOf([
        learnerProfileUpdated({ boards: ['CA-MBC'], personal: noLicense }),
      ]);
      expect(missingBoardFields('CA-MBC', profile)).toEqual([
        'CA-MBC needs your California medical license number (2 to 20 letters, digits or hyphens) or your NPI in your CME profile',
      ]);
    });

    it('R16: a California license in the profile, or an NPI, is enough', () => {
      const withLicense = personalData({
        boardIds: {},
        licenses: [{ state: 'CA', licenseNumber: 'A1' }],
        npi: undefined,
      });
      expect(
        missingBoardFields('CA-MBC', profileOf([learnerProfileUpdated({ personal: withLicense })])),
      ).toEqual([]);
      const withNpi = personalData({ boardIds: {}, licenses: [] });
      expect(
        missingBoardFields('CA-MBC', profileOf([learnerProfileUpdated({ personal: withNpi })])),
      ).toEqual([]);
    });
  });

  describe('given a learner whose personal data was erased', () => {
    it('R16: the check fails with an actionable reason: personal data was erased', () => {
      const [reason, ...rest] = missingBoardFields(
        'ABIM',
        profileOf([learnerProfileUpdated(), personalDataErased()]),
      );
      expect(rest).toEqual([]);
      expect(reason).toMatch(
        /^personal data was erased: ABIM needs .* enter them in your CME profile again/,
      );
    });
  });

  describe('given no profile, or a board outside the catalogue', () => {
    it('R16: each gives a reason instead of a silent loss', () => {
      expect(missingBoardFields('ABIM', undefined)).toEqual([
        'ABIM needs your CME profile: fill it in, then retry the submission',
      ]);
      expect(missingBoardFields('ABFM', profileOf([learnerProfileUpdated()]))).toEqual([
        'ABFM does not take direct credit reporting; download the PDF certificate for it instead',
      ]);
    });
  });

  describe('given a physician who selected ABIM without an id and then claims', () => {
    const context = testDecisionContext();
    const learnerHistory: LearnerEvent[] = [
      learnerProfileUpdated({ personal: personalData({ boardIds: {} }) }),
      questionResearched(),
    ];
    const submissions = DeciderSpecification.for(boardSubmissionDecider, context);

    it('R16: the claim is recorded, the ABIM submission fails at once, and after the profile is fixed a retry goes ahead', () => {
      const [claim] = decideLearner(claimCredits(), foldLearner(learnerHistory), context);
      expect(claim?.type === 'CreditClaimed' && claim.data.boards).toEqual(['ABIM']);

      const gaps = missingBoardFields('ABIM', foldLearner(learnerHistory).profile);
      submissions([])
        .when(requestBoardSubmission({ profileGaps: gaps }))
        .then([
          boardSubmissionRequested(),
          boardSubmissionFailed({
            occurredAt: '2025-06-10T08:00:01.000Z',
            reason: gaps.join('; '),
            retryable: true,
          }),
        ]);

      const fixed = decideLearner(
        updateProfile({ occurredAt: at('2025-06-11T07:00:00Z') }),
        foldLearner(learnerHistory),
        context,
      );
      expect(
        missingBoardFields('ABIM', foldLearner([...learnerHistory, ...fixed]).profile),
      ).toEqual([]);
      submissions([boardSubmissionRequested(), boardSubmissionFailed({ reason: gaps.join('; ') })])
        .when(retryBoardSubmission({ profileGaps: [] }))
        .then([boardSubmissionRetryRequested({ attempt: 2 })]);
    });
  });
});
