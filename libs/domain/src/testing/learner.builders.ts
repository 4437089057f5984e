import { earnedYear } from '../credits/claim-window';
import type {
  ClaimCredits,
  RecordBoardIdentityCheck,
  RecordDataSharingConsent,
  ErasePersonalData,
  RecordAnswer,
  RecordResearch,
  UpdateProfile,
} from '../learner/learner.commands';
import type {
  DataSharingConsentGranted,
  DataSharingConsentWithdrawn,
  LearnerBoardIdentityChecked,
  LearnerEvent,
  AnswerCorrect,
  AnswerIncorrect,
  CorrectAnswerRepeated,
  CreditClaimed,
  LearnerProfileUpdated,
  PersonalData,
  PersonalDataErased,
  QuestionResearched,
} from '../learner/learner.events';
import { at } from './fixed-clock';

/**
 * Builders of learner events and commands with deterministic defaults (all before TEST_NOW,
 * earned in 2025 UTC). Override what a test is about; the earned year follows occurredAt (UTC)
 * unless given.
 */

const DEFAULT_OCCURRED_AT = '2025-06-01T10:00:00.000Z';
const yearOf = (occurredAt: string): number => earnedYear(at(occurredAt), 'UTC');

export const personalData = (overrides: Partial<PersonalData> = {}): PersonalData => ({
  firstName: 'Ada',
  lastName: 'Quinn',
  birthMonth: 3,
  birthDay: 14,
  boardIds: { ABIM: '123456' },
  licenses: [{ state: 'CA', licenseNumber: 'A12345' }],
  npi: '1234567893',
  ...overrides,
});

export const learnerProfileUpdated = (
  overrides: Partial<LearnerProfileUpdated['data']> = {},
): LearnerProfileUpdated => ({
  type: 'LearnerProfileUpdated',
  data: {
    occurredAt: '2025-01-10T09:00:00.000Z',
    profileVersion: 1,
    clinicalRole: 'physician',
    country: 'US',
    boards: ['ABIM'],
    licenseStates: ['CA'],
    personal: personalData(),
    consentApart: true,
    ...overrides,
  },
});

/**
 * R7: the learner's consent to share completion data with the selected boards. Every test
 * whose claims are to reach a board gives it after the profile (`withDataSharingConsent`).
 */
export const dataSharingConsentGranted = (
  overrides: Partial<DataSharingConsentGranted['data']> = {},
): DataSharingConsentGranted => ({
  type: 'DataSharingConsentGranted',
  data: {
    occurredAt: '2025-01-10T09:00:01.000Z',
    profileVersion: 1,
    boards: ['ABIM'],
    ...overrides,
  },
});

export const dataSharingConsentWithdrawn = (
  overrides: Partial<DataSharingConsentWithdrawn['data']> = {},
): DataSharingConsentWithdrawn => ({
  type: 'DataSharingConsentWithdrawn',
  data: {
    occurredAt: '2025-06-11T09:00:00.000Z',
    profileVersion: 1,
    boards: ['ABIM'],
    ...overrides,
  },
});

export const learnerBoardIdentityChecked = (
  overrides: Partial<LearnerBoardIdentityChecked['data']> = {},
): LearnerBoardIdentityChecked => ({
  type: 'LearnerBoardIdentityChecked',
  data: {
    occurredAt: '2025-01-10T09:00:05.000Z',
    board: 'ABIM',
    profileVersion: 1,
    outcome: 'matched',
    ...overrides,
  },
});

/** A profile event followed by the learner's consent to share with its boards (R7). */
export const withDataSharingConsent = (profile: LearnerProfileUpdated): LearnerEvent[] => [
  profile,
  dataSharingConsentGranted({
    occurredAt: profile.data.occurredAt,
    profileVersion: profile.data.profileVersion,
    boards: profile.data.boards,
  }),
];

export const questionResearched = (
  overrides: Partial<QuestionResearched['data']> = {},
): QuestionResearched => {
  const occurredAt = overrides.occurredAt ?? DEFAULT_OCCURRED_AT;
  return {
    type: 'QuestionResearched',
    data: {
      researchId: 'research-1',
      occurredAt,
      earnedYear: yearOf(occurredAt),
      twelfths: '6',
      ...overrides,
    },
  };
};

export const answerCorrect = (overrides: Partial<AnswerCorrect['data']> = {}): AnswerCorrect => {
  const occurredAt = overrides.occurredAt ?? DEFAULT_OCCURRED_AT;
  return {
    type: 'AnswerCorrect',
    data: {
      questionId: 'question-1',
      occurredAt,
      earnedYear: yearOf(occurredAt),
      twelfths: '2',
      ...overrides,
    },
  };
};

export const answerIncorrect = (
  overrides: Partial<AnswerIncorrect['data']> = {},
): AnswerIncorrect => ({
  type: 'AnswerIncorrect',
  data: { questionId: 'question-1', occurredAt: DEFAULT_OCCURRED_AT, ...overrides },
});

export const correctAnswerRepeated = (
  overrides: Partial<CorrectAnswerRepeated['data']> = {},
): CorrectAnswerRepeated => ({
  type: 'CorrectAnswerRepeated',
  data: { questionId: 'question-1', occurredAt: DEFAULT_OCCURRED_AT, ...overrides },
});

export const creditClaimed = (overrides: Partial<CreditClaimed['data']> = {}): CreditClaimed => ({
  type: 'CreditClaimed',
  data: {
    claimId: 'claim-1',
    activity: 'ipoc',
    occurredAt: '2025-06-10T08:00:00.000Z',
    twelfths: '6',
    breakdown: [{ earnedYear: 2025, twelfths: '6', claimDeadline: '2027-12-31' }],
    boards: ['ABIM'],
    clinicalRole: 'physician',
    certificate: 'ama-pra-category-1',
    profileVersion: 1,
    ...overrides,
  },
});

export const personalDataErased = (
  overrides: Partial<PersonalDataErased['data']> = {},
): PersonalDataErased => ({
  type: 'PersonalDataErased',
  data: { occurredAt: '2025-06-12T08:00:00.000Z', ...overrides },
});

export const recordResearch = (
  overrides: Partial<RecordResearch['data']> = {},
): RecordResearch => ({
  type: 'RecordResearch',
  data: { researchId: 'research-1', occurredAt: at(DEFAULT_OCCURRED_AT), ...overrides },
});

export const recordAnswer = (overrides: Partial<RecordAnswer['data']> = {}): RecordAnswer => ({
  type: 'RecordAnswer',
  data: {
    questionId: 'question-1',
    correct: true,
    occurredAt: at(DEFAULT_OCCURRED_AT),
    ...overrides,
  },
});

export type ProfileFields = Omit<UpdateProfile['data'], 'occurredAt'>;

/**
 * The one test profile: a physician every check accepts (ABIM, a California licence, a valid
 * NPI). Also the body of `PUT /v1/learners/:learnerId/profile` without `occurredAt`.
 */
export const profileFields = (overrides: Partial<ProfileFields> = {}): ProfileFields => ({
  clinicalRole: 'physician',
  firstName: 'Ada',
  lastName: 'Quinn',
  birthMonth: 3,
  birthDay: 14,
  country: 'US',
  boards: [{ boardId: 'ABIM', learnerBoardId: '123456' }],
  licenses: [{ state: 'CA', licenseNumber: 'A12345' }],
  npi: '1234567893',
  ...overrides,
});

export const updateProfile = (overrides: Partial<UpdateProfile['data']> = {}): UpdateProfile => ({
  type: 'UpdateProfile',
  data: { ...profileFields(), occurredAt: at('2025-01-10T09:00:00.000Z'), ...overrides },
});

export const claimCredits = (overrides: Partial<ClaimCredits['data']> = {}): ClaimCredits => ({
  type: 'ClaimCredits',
  data: {
    claimId: 'claim-1',
    activity: 'ipoc',
    occurredAt: at('2025-06-10T08:00:00.000Z'),
    ...overrides,
  },
});

export const erasePersonalData = (
  overrides: Partial<ErasePersonalData['data']> = {},
): ErasePersonalData => ({
  type: 'ErasePersonalData',
  data: { occurredAt: at('2025-06-12T08:00:00.000Z'), ...overrides },
});

/** R7: the consent command; `PUT /v1/learners/:learnerId/consent` takes its data without `occurredAt`. */
export const recordDataSharingConsent = (
  overrides: Partial<RecordDataSharingConsent['data']> = {},
): RecordDataSharingConsent => ({
  type: 'RecordDataSharingConsent',
  data: { consent: 'granted', occurredAt: at('2025-01-10T09:00:01.000Z'), ...overrides },
});

/** The body of `PUT /v1/learners/:learnerId/consent` that grants consent (R7). */
export const consentGrantedBody = (): { consent: 'granted' } => ({ consent: 'granted' });

export const recordBoardIdentityCheck = (
  overrides: Partial<RecordBoardIdentityCheck['data']> = {},
): RecordBoardIdentityCheck => ({
  type: 'RecordBoardIdentityCheck',
  data: {
    board: 'ABIM',
    profileVersion: 1,
    outcome: 'matched',
    occurredAt: at('2025-01-10T09:00:05.000Z'),
    ...overrides,
  },
});
