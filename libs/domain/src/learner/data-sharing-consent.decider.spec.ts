import { DeciderSpecification } from '../testing/decider-specification';
import { at, testDecisionContext } from '../testing/fixed-clock';
import {
  dataSharingConsentGranted,
  dataSharingConsentWithdrawn,
  learnerBoardIdentityChecked,
  learnerProfileUpdated,
  recordBoardIdentityCheck,
  recordDataSharingConsent,
} from '../testing/learner.builders';
import { consentsToDataSharing, foldLearner, learnerDecider } from './learner.decider';

const given = DeciderSpecification.for(learnerDecider, testDecisionContext());
const profile = learnerProfileUpdated({ boards: ['ABIM'] });

describe('learner decider: consent to share completion data (R7)', () => {
  it('R7: the learner grants consent for the boards the profile selects, timestamped in the stream', () => {
    given([profile])
      .when(recordDataSharingConsent({ occurredAt: at('2025-06-01T08:00:00Z') }))
      .then([
        {
          type: 'DataSharingConsentGranted',
          data: { occurredAt: '2025-06-01T08:00:00.000Z', profileVersion: 1, boards: ['ABIM'] },
        },
      ]);
  });

  it('R7: consent granted can be withdrawn; withdrawn, it can be granted again', () => {
    given([profile, dataSharingConsentGranted()])
      .when(
        recordDataSharingConsent({ consent: 'withdrawn', occurredAt: at('2025-06-02T08:00:00Z') }),
      )
      .then([
        {
          type: 'DataSharingConsentWithdrawn',
          data: { occurredAt: '2025-06-02T08:00:00.000Z', profileVersion: 1, boards: ['ABIM'] },
        },
      ]);
    given([profile, dataSharingConsentGranted(), dataSharingConsentWithdrawn()])
      .when(recordDataSharingConsent({ occurredAt: at('2025-06-03T08:00:00Z') }))
      .then([
        {
          type: 'DataSharingConsentGranted',
          data: { occurredAt: '2025-06-03T08:00:00.000Z', profileVersion: 1, boards: ['ABIM'] },
        },
      ]);
  });

  it('R7: the same decision again records nothing (withdrawing consent never given, too)', () => {
    given([profile, dataSharingConsentGranted()]).when(recordDataSharingConsent()).thenNothing();
    given([profile])
      .when(recordDataSharingConsent({ consent: 'withdrawn' }))
      .thenNothing();
  });

  it('R7: consent without a board selected in the profile is refused: there is no board to share with', () => {
    given([])
      .when(recordDataSharingConsent())
      .thenThrows({ rule: 'R7', code: 'no-board-selected', field: 'consent' });
    given([learnerProfileUpdated({ boards: [] })])
      .when(recordDataSharingConsent())
      .thenThrows({ rule: 'R7', code: 'no-board-selected', field: 'consent' });
  });

  it('R7: a decision other than granted or withdrawn is refused, naming the field', () => {
    given([profile])
      .when({
        type: 'RecordDataSharingConsent',
        data: { consent: 'maybe' as 'granted', occurredAt: at('2025-06-01T08:00:00Z') },
      })
      .thenThrows({ rule: 'R7', code: 'invalid-consent', field: 'consent' });
  });

  it('R7: a profile recorded since consent has events of its own is no consent (A-20)', () => {
    expect(consentsToDataSharing(foldLearner([profile]))).toBe(false);
    expect(consentsToDataSharing(foldLearner([profile, dataSharingConsentGranted()]))).toBe(true);
  });

  it('R7 (A-20): a profile recorded before selected its boards with consent, which stands until withdrawn', () => {
    const { consentApart: _explicit, ...legacy } = profile.data;
    const before = { type: 'LearnerProfileUpdated', data: legacy } as const;
    const state = foldLearner([before]);
    expect(state.consent).toEqual({
      status: 'granted',
      at: new Date(legacy.occurredAt),
      bySelection: true,
    });
    // A later profile (recorded now) keeps it; a withdrawal ends it.
    expect(
      consentsToDataSharing(foldLearner([before, learnerProfileUpdated({ profileVersion: 2 })])),
    ).toBe(true);
    expect(consentsToDataSharing(foldLearner([before, dataSharingConsentWithdrawn()]))).toBe(false);
    // A legacy profile without boards consented to nothing.
    expect(
      foldLearner([{ type: 'LearnerProfileUpdated', data: { ...legacy, boards: [] } }]).consent,
    ).toBeUndefined();
  });
});

describe("learner decider: a board's learner match (R16)", () => {
  it("R16: a board's match of the profile version's identity is recorded", () => {
    given([profile]).when(recordBoardIdentityCheck()).then([learnerBoardIdentityChecked()]);
  });

  it("R16: a mismatch is recorded with the board's reason", () => {
    given([profile])
      .when(
        recordBoardIdentityCheck({
          outcome: 'mismatched',
          reason: ' ABIM has no learner with that ABIM ID ',
        }),
      )
      .then([
        learnerBoardIdentityChecked({
          outcome: 'mismatched',
          reason: 'ABIM has no learner with that ABIM ID',
        }),
      ]);
  });

  it('R16: a mismatch without a reason is refused: the learner would not know what to correct', () => {
    given([profile])
      .when(recordBoardIdentityCheck({ outcome: 'mismatched', reason: ' ' }))
      .thenThrows({ rule: 'R16', code: 'required-field', field: 'reason' });
  });

  it('R16: the same answer for the same version again records nothing; another answer is recorded', () => {
    given([profile, learnerBoardIdentityChecked()]).when(recordBoardIdentityCheck()).thenNothing();
    given([profile, learnerBoardIdentityChecked()])
      .when(recordBoardIdentityCheck({ outcome: 'mismatched', reason: 'unknown ABIM ID' }))
      .then([learnerBoardIdentityChecked({ outcome: 'mismatched', reason: 'unknown ABIM ID' })]);
  });

  it('R16: a board the current profile does not select, or a version never recorded, is refused', () => {
    given([profile])
      .when(recordBoardIdentityCheck({ board: 'ABP' }))
      .thenThrows({ rule: 'R16', code: 'board-not-selected', field: 'board' });
    given([profile])
      .when(recordBoardIdentityCheck({ profileVersion: 2 }))
      .thenThrows({ rule: 'R16', code: 'unknown-profile-version', field: 'profileVersion' });
    given([])
      .when(recordBoardIdentityCheck())
      .thenThrows({ rule: 'R16', code: 'profile-required' });
  });

  it('R16: an answer for an older version is kept in the history, not shown for the newer one', () => {
    const v2 = learnerProfileUpdated({ profileVersion: 2, boards: ['ABIM'] });
    given([profile, v2])
      .when(recordBoardIdentityCheck({ profileVersion: 1 }))
      .then([learnerBoardIdentityChecked({ profileVersion: 1 })]);
  });
});
