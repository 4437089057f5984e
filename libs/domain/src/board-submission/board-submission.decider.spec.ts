import { DeciderSpecification } from '../testing/decider-specification';
import { at, testDecisionContext } from '../testing/fixed-clock';
import {
  boardRecordConfirmed,
  boardSubmissionFailed,
  boardRecordDeleted,
  boardSubmissionCorrectionRequested,
  boardSubmissionFlaggedForFollowUp,
  boardSubmissionRequested,
  boardSubmissionRetryRequested,
  boardSubmissionSucceeded,
  confirmBoardRecord,
  correctBoardSubmission,
  flagForFollowUp,
  followCombinedRecord,
  recordBoardRecordDeleted,
  recordSubmissionAccepted,
  recordSubmissionFailed,
  requestBoardSubmission,
  retryBoardSubmission,
  submissionRef,
  boardSubmissionAwaitingConsent,
  boardSubmissionResumed,
} from '../testing/board-submission.builders';
import { AWAITING_CONSENT_REASON } from './board-submission.reactor';
import {
  boardSubmissionDecider,
  evolveBoardSubmission,
  initialBoardSubmissionState,
} from './board-submission.decider';

const given = DeciderSpecification.for(boardSubmissionDecider, testDecisionContext());
const requested = boardSubmissionRequested();
const accepted = boardSubmissionSucceeded({ occurredAt: '2025-06-10T08:00:05.000Z' });

describe('board submission decider', () => {
  describe('given no submission yet', () => {
    it("R8: a claim's credit is requested for the board as attempt 1", () => {
      given([]).when(requestBoardSubmission()).then([boardSubmissionRequested()]);
    });

    it('R16: with gaps in the profile, the submission is recorded and fails at once with the reasons', () => {
      given([])
        .when(
          requestBoardSubmission({
            profileGaps: ['ABIM needs your ABIM ID (6 digits) in your CME profile'],
          }),
        )
        .then([
          boardSubmissionRequested(),
          boardSubmissionFailed({
            occurredAt: '2025-06-10T08:00:01.000Z',
            reason: 'ABIM needs your ABIM ID (6 digits) in your CME profile',
            retryable: true,
          }),
        ]);
    });

    it('R10: a board outside the catalogue cannot be submitted to', () => {
      given([])
        .when(requestBoardSubmission({ board: 'ABFM' }))
        .thenThrows({ rule: 'R10', code: 'board-not-in-catalogue', field: 'board' });
    });

    it('R4: a submission reports a positive amount', () => {
      given([])
        .when(requestBoardSubmission({ twelfths: 0n }))
        .thenThrows({ rule: 'R4', code: 'invalid-amount', field: 'twelfths' });
    });

    it('R8: a board answer for a submission never requested is refused', () => {
      given([])
        .when(recordSubmissionAccepted())
        .thenThrows({ rule: 'R8', code: 'submission-not-requested' });
    });

    it('R15: a business time beyond the clock skew is refused', () => {
      given([])
        .when(requestBoardSubmission({ occurredAt: at('2025-06-16T00:00:00Z') }))
        .thenThrows({ rule: 'R15', code: 'occurred-at-in-future' });
    });
  });

  describe('given a submission in flight (attempt 1)', () => {
    it('R8: the same request redelivered records nothing', () => {
      given([requested]).when(requestBoardSubmission()).thenNothing();
    });

    it('R8: another claim on the same submission stream is refused', () => {
      given([requested])
        .when(
          requestBoardSubmission({ claimId: 'claim-2', submissionId: requested.data.submissionId }),
        )
        .thenThrows({ rule: 'R8', code: 'submission-conflict' });
    });

    it('R8: the board accepting it is recorded for that attempt', () => {
      given([requested])
        .when(recordSubmissionAccepted())
        .then([boardSubmissionSucceeded({ attempt: 1 })]);
    });

    it('R16: the board rejecting it is recorded with its reason and whether a retry can help', () => {
      given([requested])
        .when(recordSubmissionFailed({ reason: ' unknown ABIM ID ', retryable: true }))
        .then([boardSubmissionFailed({ reason: 'unknown ABIM ID', retryable: true })]);
    });

    it('R16: a rejection without a reason is refused', () => {
      given([requested])
        .when(recordSubmissionFailed({ reason: ' ' }))
        .thenThrows({ rule: 'R16', code: 'required-field', field: 'reason' });
    });

    it('R16: it cannot be retried while in flight', () => {
      given([requested])
        .when(retryBoardSubmission())
        .thenThrows({ rule: 'R16', code: 'retry-not-allowed' });
    });

    it('R9: the board cannot confirm a record it has not accepted', () => {
      given([requested])
        .when(confirmBoardRecord())
        .thenThrows({ rule: 'R9', code: 'submission-not-accepted' });
    });

    it('R9: it cannot be flagged for follow-up before the board accepts it', () => {
      given([requested])
        .when(flagForFollowUp())
        .thenThrows({ rule: 'R9', code: 'submission-not-accepted' });
    });
  });

  describe('given a submission the board accepted at 2025-06-10T08:00:05Z', () => {
    const history = [requested, accepted];

    it('R8: the acceptance redelivered records nothing', () => {
      given(history).when(recordSubmissionAccepted()).thenNothing();
    });

    it('R8: a late failure report for it is refused: no attempt is in flight', () => {
      given(history)
        .when(recordSubmissionFailed())
        .thenThrows({ rule: 'R8', code: 'submission-not-in-flight' });
    });

    it('R9: the board confirming its record is recorded', () => {
      given(history).when(confirmBoardRecord()).then([boardRecordConfirmed()]);
    });

    it('R9: exactly 24 hours after acceptance it is too early to flag for follow-up', () => {
      given(history)
        .when(flagForFollowUp({ occurredAt: at('2025-06-11T08:00:05Z') }), {
          now: at('2025-06-11T08:00:05Z'),
        })
        .thenThrows({ rule: 'R9', code: 'follow-up-too-early' });
    });

    it('R9: more than 24 hours after acceptance, still unconfirmed, it is flagged for follow-up', () => {
      given(history)
        .when(flagForFollowUp({ occurredAt: at('2025-06-11T08:00:05.001Z') }), {
          now: at('2025-06-11T08:00:05.001Z'),
        })
        .then([
          boardSubmissionFlaggedForFollowUp({
            occurredAt: '2025-06-11T08:00:05.001Z',
            acceptedAt: '2025-06-10T08:00:05.000Z',
          }),
        ]);
    });

    it('R16: an accepted submission cannot be retried', () => {
      given(history)
        .when(retryBoardSubmission())
        .thenThrows({ rule: 'R16', code: 'retry-not-allowed' });
    });
  });

  describe('given an accepted submission already flagged for follow-up', () => {
    const history = [requested, accepted, boardSubmissionFlaggedForFollowUp()];

    it('R9: flagging again records nothing', () => {
      given(history).when(flagForFollowUp()).thenNothing();
    });

    it('R9: the board can still confirm it', () => {
      given(history).when(confirmBoardRecord()).then([boardRecordConfirmed()]);
    });
  });

  describe('given an accepted record that PARS rejects when it processes it (within 24 hours)', () => {
    const history = [boardSubmissionRequested({ profileVersion: 3 }), accepted];
    const rejected = {
      type: 'RecordBoardRecordRejected' as const,
      data: { reason: 'ABIM: not enrolled in MOC', occurredAt: at('2025-06-11T09:00:00.000Z') },
    };
    const failed = boardSubmissionFailed({
      occurredAt: '2025-06-11T09:00:00.000Z',
      reason: 'ABIM: not enrolled in MOC',
      retryable: false,
      profileVersion: 3,
    });

    it('R9/R16: the attempt fails with the reason, not retryable until the profile is corrected', () => {
      given(history).when(rejected).then([failed]);
    });

    it('R9: the rejection read twice records nothing', () => {
      given([...history, failed])
        .when(rejected)
        .thenNothing();
    });

    it('R16: after a profile correction, the retry is a new attempt with the corrected profile', () => {
      given([...history, failed])
        .when(retryBoardSubmission({ profileVersion: 4 }))
        .then([boardSubmissionRetryRequested({ attempt: 2, profileVersion: 4 })]);
    });

    it('R9: a record still in flight cannot be rejected by its records', () => {
      given([requested]).when(rejected).thenThrows({ rule: 'R9', code: 'submission-not-accepted' });
    });
  });

  describe('given a submission the board confirmed', () => {
    const history = [requested, accepted, boardRecordConfirmed()];

    it('R9: a confirmed submission needs no follow-up', () => {
      given(history).when(flagForFollowUp()).thenThrows({ rule: 'R9', code: 'already-confirmed' });
    });

    it('R9: the confirmation redelivered records nothing', () => {
      given(history).when(confirmBoardRecord()).thenNothing();
    });
  });

  describe('given attempt 1 failed with a reason a retry can fix', () => {
    const history = [requested, boardSubmissionFailed({ retryable: true })];

    it('R16: a retry is attempt 2 in the same history', () => {
      given(history)
        .when(retryBoardSubmission())
        .then([boardSubmissionRetryRequested({ attempt: 2 })]);
    });

    it('R16: a retry while the profile still lacks fields fails again at once, as attempt 2', () => {
      given(history)
        .when(
          retryBoardSubmission({
            profileGaps: ['ABIM needs your ABIM ID (6 digits) in your CME profile'],
          }),
        )
        .then([
          boardSubmissionRetryRequested({ attempt: 2 }),
          boardSubmissionFailed({
            occurredAt: '2025-06-11T08:00:00.000Z',
            attempt: 2,
            reason: 'ABIM needs your ABIM ID (6 digits) in your CME profile',
            retryable: true,
          }),
        ]);
    });

    it('R8: an acceptance after the failure is refused until a retry', () => {
      given(history)
        .when(recordSubmissionAccepted())
        .thenThrows({ rule: 'R8', code: 'submission-not-in-flight' });
    });

    it('R16: the same failure reported twice records nothing', () => {
      given(history).when(recordSubmissionFailed()).thenNothing();
    });

    it("R16: after the retry the board's acceptance is recorded for attempt 2", () => {
      given([...history, boardSubmissionRetryRequested({ attempt: 2 })])
        .when(recordSubmissionAccepted({ occurredAt: at('2025-06-11T08:00:09Z') }))
        .then([boardSubmissionSucceeded({ attempt: 2, occurredAt: '2025-06-11T08:00:09.000Z' })]);
    });
  });

  describe('given attempt 1 failed with a reason a retry cannot fix', () => {
    it("R16: a retry is refused, repeating the board's reason", () => {
      const error = given([
        requested,
        boardSubmissionFailed({ reason: 'ABIM does not take this activity', retryable: false }),
      ])
        .when(retryBoardSubmission())
        .thenThrows({ rule: 'R16', code: 'failure-not-retryable' });
      expect(error.message).toContain('ABIM does not take this activity');
    });

    // Attempt 1 sent the claim's identity snapshot, profile version 3.
    const refused = [
      boardSubmissionRequested({ profileVersion: 3 }),
      boardSubmissionFailed({
        reason: 'unknown learner',
        retryable: false,
        occurredAt: '2025-06-10T08:00:06.000Z',
      }),
    ];

    it('R16: once the learner corrected the profile (a newer version), the retry is a new attempt with it', () => {
      given(refused)
        .when(retryBoardSubmission({ profileVersion: 4 }))
        .then([boardSubmissionRetryRequested({ attempt: 2, profileVersion: 4 })]);
    });

    it('R16: the profile the refused attempt sent does not allow a retry, whatever its business time says', () => {
      given(refused)
        .when(retryBoardSubmission({ profileVersion: 3 }))
        .thenThrows({ rule: 'R16', code: 'failure-not-retryable' });
    });

    it('R16: a retry refused again by the board needs a profile newer than the one the retry sent', () => {
      given([
        ...refused,
        boardSubmissionRetryRequested({ attempt: 2, profileVersion: 4 }),
        boardSubmissionFailed({ attempt: 2, reason: 'unknown learner', retryable: false }),
      ])
        .when(retryBoardSubmission({ profileVersion: 4 }))
        .thenThrows({ rule: 'R16', code: 'failure-not-retryable' });
    });
  });

  describe('given a record the board accepted, to be corrected (R8: delete, then send again)', () => {
    const correcting = boardSubmissionCorrectionRequested({
      occurredAt: '2025-06-12T08:00:00.000Z',
      profileVersion: 3,
    });

    it('R8: a correction is attempt 2 in the same history, with the profile it will send', () => {
      given([requested, accepted])
        .when(
          correctBoardSubmission({
            reason: 'learner-identity-corrected',
            reference: 'CMP-2041',
            profileVersion: 3,
          }),
        )
        .then([
          boardSubmissionCorrectionRequested({
            occurredAt: '2025-06-12T08:00:00.000Z',
            reference: 'CMP-2041',
            profileVersion: 3,
          }),
        ]);
    });

    it('R8: a confirmed record can be corrected too', () => {
      given([requested, accepted, boardRecordConfirmed()])
        .when(correctBoardSubmission({ profileVersion: 3 }))
        .then([correcting]);
    });

    it('R8/R16: a correction is refused while the profile lacks what the board needs: the record would be deleted and could not be sent again', () => {
      given([requested, accepted])
        .when(correctBoardSubmission({ profileGaps: ['ABIM needs your ABIM ID'] }))
        .thenThrows({ rule: 'R16', code: 'profile-incomplete', field: 'profile' });
    });

    it('R8: a correction is refused while an attempt is in flight', () => {
      given([requested])
        .when(correctBoardSubmission())
        .thenThrows({ rule: 'R8', code: 'submission-in-flight' });
      given([requested, accepted, correcting])
        .when(correctBoardSubmission())
        .thenThrows({ rule: 'R8', code: 'submission-in-flight' });
    });

    it("R8: a correction is refused once the completion year's reporting window is closed (the deletion could not be made good)", () => {
      given([requested, accepted])
        .when(correctBoardSubmission({ occurredAt: at('2026-04-02T12:00:00Z') }), {
          now: at('2026-04-02T12:00:00Z'),
        })
        .thenThrows({ rule: 'R8', code: 'reporting-window-closed' });
    });

    it('R8: the deletion is recorded, then the resubmission is in flight', () => {
      given([requested, accepted, correcting])
        .when(recordBoardRecordDeleted())
        .then([boardRecordDeleted()]);
      given([requested, accepted, correcting, boardRecordDeleted()])
        .when(recordBoardRecordDeleted())
        .then([]);
    });

    it('R8: the record cannot be accepted again before it was deleted', () => {
      given([requested, accepted, correcting])
        .when(recordSubmissionAccepted({ attempt: 2 }))
        .thenThrows({ rule: 'R8', code: 'record-not-deleted' });
    });

    it("R8: after the deletion, the board's acceptance is recorded for the correction's attempt", () => {
      given([requested, accepted, correcting, boardRecordDeleted()])
        .when(recordSubmissionAccepted({ attempt: 2, occurredAt: at('2025-06-12T08:00:05Z') }))
        .then([boardSubmissionSucceeded({ attempt: 2, occurredAt: '2025-06-12T08:00:05.000Z' })]);
    });

    it('R8: a late answer to the attempt the correction overtook is refused', () => {
      given([requested, accepted, correcting, boardRecordDeleted()])
        .when(recordSubmissionAccepted({ attempt: 1 }))
        .thenThrows({ rule: 'R8', code: 'attempt-overtaken' });
    });

    it('R8/R9: the corrected record is confirmed again, as its own attempt', () => {
      given([
        requested,
        accepted,
        boardRecordConfirmed(),
        correcting,
        boardRecordDeleted(),
        boardSubmissionSucceeded({ attempt: 2, occurredAt: '2025-06-12T08:00:05.000Z' }),
      ])
        .when(confirmBoardRecord({ occurredAt: at('2025-06-13T09:00:00Z') }))
        .then([boardRecordConfirmed({ attempt: 2, occurredAt: '2025-06-13T09:00:00.000Z' })]);
    });

    it('R8/R16: a correction that failed is retried as a correction: the record is deleted again before it is sent', () => {
      given([
        requested,
        accepted,
        correcting,
        boardRecordDeleted(),
        boardSubmissionFailed({ attempt: 2, reason: 'ABIM: unknown learner', retryable: false }),
      ])
        .when(retryBoardSubmission({ profileVersion: 4 }))
        .then([
          boardSubmissionCorrectionRequested({
            attempt: 3,
            occurredAt: '2025-06-11T08:00:00.000Z',
            profileVersion: 4,
          }),
        ]);
    });
  });

  describe('given a later claim of the same activity, board and day (A-22: one record per day)', () => {
    const LATER = submissionRef({ claimId: 'claim-2' });
    const combine = { submissionId: LATER.submissionId, claimId: 'claim-2', twelfths: 3n };
    const combined = boardSubmissionCorrectionRequested({
      reason: 'combined-completion',
      twelfths: '9',
      combined: [
        { submissionId: LATER.submissionId, claimId: 'claim-2', twelfths: '3', sinceAttempt: 2 },
      ],
      profileVersion: 1,
    });

    it("R8: the day's record is corrected to carry both claims' credit, recorded in its history", () => {
      given([requested, accepted])
        .when(correctBoardSubmission({ reason: 'combined-completion', combine, profileVersion: 1 }))
        .then([combined]);
    });

    it('R8: the same combination asked again while the record is on its way records nothing', () => {
      given([requested, accepted, combined])
        .when(correctBoardSubmission({ reason: 'combined-completion', combine }))
        .then([]);
    });

    it('R8: a record that failed is corrected with the combined credit too (a failed record is deleted first)', () => {
      given([requested, boardSubmissionFailed({ retryable: false })])
        .when(correctBoardSubmission({ reason: 'combined-completion', combine, profileVersion: 1 }))
        .then([combined]);
    });

    it('R4: a combination adds a positive amount', () => {
      given([requested, accepted])
        .when(
          correctBoardSubmission({
            reason: 'combined-completion',
            combine: { ...combine, twelfths: 0n },
          }),
        )
        .thenThrows({ rule: 'R4', code: 'invalid-amount', field: 'twelfths' });
    });

    describe('the later submission (reported with the earlier one)', () => {
      const later = boardSubmissionRequested({
        ...LATER,
        twelfths: '3',
        reportedWith: submissionRef().submissionId,
      });

      it('R8: it is recorded as reported in the earlier record', () => {
        given([])
          .when(
            requestBoardSubmission({
              ...LATER,
              twelfths: 3n,
              reportedWith: submissionRef().submissionId,
            }),
          )
          .then([later]);
      });

      it("R8/R9: it follows what the board answered for the day's record: accepted, then confirmed", () => {
        given([later])
          .when(followCombinedRecord({ outcome: 'accepted' }))
          .then([
            boardSubmissionSucceeded({
              ...LATER,
              attempt: 1,
              occurredAt: '2025-06-12T08:00:05.000Z',
            }),
          ]);
        given([later, boardSubmissionSucceeded({ ...LATER })])
          .when(followCombinedRecord({ outcome: 'confirmed' }))
          .then([boardRecordConfirmed({ ...LATER, occurredAt: '2025-06-12T08:00:05.000Z' })]);
        given([later, boardSubmissionSucceeded({ ...LATER })])
          .when(followCombinedRecord({ outcome: 'accepted' }))
          .then([]);
      });

      it("R8/R16: it fails with the board's reason for the day's record, naming that record", () => {
        given([later])
          .when(
            followCombinedRecord({
              outcome: 'failed',
              reason: 'ABIM: unknown learner',
              retryable: false,
            }),
          )
          .then([
            boardSubmissionFailed({
              ...LATER,
              occurredAt: '2025-06-12T08:00:05.000Z',
              reason: `reported in the record of submission ${submissionRef().submissionId}: ABIM: unknown learner`,
              retryable: false,
            }),
          ]);
      });

      it("R8: it cannot be corrected itself: the day's record is the one to correct", () => {
        given([later, boardSubmissionSucceeded({ ...LATER })])
          .when(correctBoardSubmission())
          .thenThrows({ rule: 'R8', code: 'reported-with-another-record', field: 'submissionId' });
      });

      it('R8: a submission with its own record does not follow another', () => {
        given([requested])
          .when(followCombinedRecord())
          .thenThrows({ rule: 'R8', code: 'not-reported-with-another-record' });
      });
    });
  });

  describe('evolve', () => {
    it('folds the whole history of a submission: attempts, last failure, acceptance and confirmation', () => {
      const state = [
        requested,
        boardSubmissionFailed({ reason: 'outage', occurredAt: '2025-06-10T08:00:06.000Z' }),
        boardSubmissionRetryRequested({ attempt: 2 }),
        boardSubmissionSucceeded({ attempt: 2, occurredAt: '2025-06-11T08:00:09.000Z' }),
        boardRecordConfirmed({ occurredAt: '2025-06-12T08:00:00.000Z' }),
      ].reduce(evolveBoardSubmission, initialBoardSubmissionState());
      expect(state).toMatchObject({
        ...submissionRef(),
        status: 'confirmed',
        attempt: 2,
        twelfths: 6n,
        acceptedAt: at('2025-06-11T08:00:09Z'),
        confirmedAt: at('2025-06-12T08:00:00Z'),
        lastFailure: { attempt: 1, reason: 'outage', retryable: true },
      });
    });
  });

  describe("given an attempt and the learner's consent to share (R7)", () => {
    const awaitConsent = (reason = AWAITING_CONSENT_REASON) =>
      ({
        type: 'AwaitConsent',
        data: { reason, occurredAt: at('2025-06-10T08:00:02.000Z') },
      }) as const;
    const resume = {
      type: 'ResumeAfterConsent',
      data: { occurredAt: at('2025-06-12T08:00:00.000Z') },
    } as const;

    it('R7/R8: an attempt in flight waits for consent, with the reason, and nothing is sent', () => {
      given([requested]).when(awaitConsent()).then([boardSubmissionAwaitingConsent()]);
    });

    it('R7/R8: waiting already: nothing new; an attempt already answered cannot wait', () => {
      given([requested, boardSubmissionAwaitingConsent()]).when(awaitConsent()).thenNothing();
      given([requested, accepted])
        .when(awaitConsent())
        .thenThrows({ rule: 'R8', code: 'submission-not-in-flight' });
    });

    it('R7: waiting without a reason is refused', () => {
      given([requested])
        .when(awaitConsent(' '))
        .thenThrows({ rule: 'R7', code: 'required-field', field: 'reason' });
    });

    it('R7/R8: consent given: the waiting attempt goes on, as the same attempt', () => {
      given([requested, boardSubmissionAwaitingConsent()])
        .when(resume)
        .then([boardSubmissionResumed()]);
      const state = [requested, boardSubmissionAwaitingConsent(), boardSubmissionResumed()].reduce(
        evolveBoardSubmission,
        initialBoardSubmissionState(),
      );
      expect(state).toMatchObject({ status: 'requested', attempt: 1, awaitingConsent: undefined });
    });

    it('R7/R8: a correction waits for consent too, before its deletion or its resubmission, and goes on as a correction', () => {
      const correcting = boardSubmissionCorrectionRequested();
      const wait = {
        type: 'AwaitConsent',
        data: { reason: AWAITING_CONSENT_REASON, occurredAt: at('2025-06-12T08:00:02.000Z') },
      } as const;
      const waiting = boardSubmissionAwaitingConsent({
        attempt: 2,
        occurredAt: '2025-06-12T08:00:02.000Z',
      });
      given([requested, accepted, correcting]).when(wait).then([waiting]);
      given([requested, accepted, correcting, waiting])
        .when(resume)
        .then([boardSubmissionResumed({ attempt: 2, correcting: true })]);
      const fold = (events: Parameters<typeof evolveBoardSubmission>[1][]) =>
        events.reduce(evolveBoardSubmission, initialBoardSubmissionState());
      const resumed = boardSubmissionResumed({ attempt: 2, correcting: true });
      expect(fold([requested, accepted, correcting, waiting])).toMatchObject({
        status: 'awaiting-consent',
        attempt: 2,
      });
      expect(fold([requested, accepted, correcting, waiting, resumed])).toMatchObject({
        status: 'correcting',
        attempt: 2,
        awaitingConsent: undefined,
        correction: { recordDeleted: false },
      });
      expect(
        fold([requested, accepted, correcting, boardRecordDeleted(), waiting, resumed]),
      ).toMatchObject({ status: 'correcting', correction: { recordDeleted: true } });
    });

    it('R8: an attempt waiting for consent reached no board: it is not corrected, but a later claim of the day joins it', () => {
      const waiting = boardSubmissionAwaitingConsent();
      given([requested, waiting])
        .when(correctBoardSubmission())
        .thenThrows({ rule: 'R8', code: 'submission-in-flight' });
      const LATER = submissionRef({ claimId: 'claim-2' }).submissionId;
      given([requested, waiting])
        .when(
          correctBoardSubmission({
            combine: { submissionId: LATER, claimId: 'claim-2', twelfths: 3n },
          }),
        )
        .then([
          boardSubmissionCorrectionRequested({
            reason: 'combined-completion',
            twelfths: '9',
            combined: [{ submissionId: LATER, claimId: 'claim-2', twelfths: '3', sinceAttempt: 2 }],
          }),
        ]);
    });

    it('R7/R8: a submission not waiting for consent is left as it is', () => {
      given([requested]).when(resume).thenNothing();
      given([requested, accepted]).when(resume).thenNothing();
      given([]).when(resume).thenNothing();
    });
  });
});
