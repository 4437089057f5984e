import { DeciderSpecification } from '../testing/decider-specification';
import { at, testDecisionContext } from '../testing/fixed-clock';
import {
  boardRecordConfirmed,
  boardSubmissionFailed,
  boardSubmissionFlaggedForFollowUp,
  boardSubmissionRequested,
  boardSubmissionRetryRequested,
  boardSubmissionSucceeded,
  confirmBoardRecord,
  flagForFollowUp,
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

    it('R7/R8: a submission not waiting for consent is left as it is', () => {
      given([requested]).when(resume).thenNothing();
      given([requested, accepted]).when(resume).thenNothing();
      given([]).when(resume).thenNothing();
    });
  });
});
