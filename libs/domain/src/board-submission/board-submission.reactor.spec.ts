import { deepStrictEqual } from 'node:assert/strict';
import { boardSubmissionId, uuidV5 } from '../deterministic-id';
import { foldLearner } from '../learner/learner.decider';
import type { LearnerEvent } from '../learner/learner.events';
import {
  boardRecordDeleted,
  boardSubmissionCorrectionRequested,
  boardSubmissionFailed,
  boardSubmissionRequested,
  boardSubmissionRetryRequested,
  boardSubmissionSucceeded,
  boardRecordConfirmed,
  boardSubmissionFlaggedForFollowUp,
  boardSubmissionAwaitingConsent,
  boardSubmissionResumed,
} from '../testing/board-submission.builders';
import { at, TEST_NOW } from '../testing/fixed-clock';
import {
  creditClaimed,
  learnerProfileUpdated,
  personalData,
  personalDataErased,
  questionResearched,
  dataSharingConsentGranted,
  dataSharingConsentWithdrawn,
  withDataSharingConsent,
} from '../testing/learner.builders';
import type { BoardSubmissionCommand } from './board-submission.commands';
import type { BoardSubmissionEvent } from './board-submission.events';
import { evolveBoardSubmission, initialBoardSubmissionState } from './board-submission.decider';
import {
  AWAITING_CONSENT_REASON,
  BOARD_SUBMISSION_PROCESS_NAMESPACE,
  reactToBoardSubmission,
  streamsReadBy,
  type BoardSubmissionReaction,
  type BoardSubmissionTrigger,
  type SubmitToBoard,
} from './board-submission.reactor';

/**
 * given(learner's events, submission's events).when(trigger).then(reactions): the streams as
 * the shell reads them, folded by the domain's own evolve functions, and a fixed clock.
 */
function given(learner: readonly LearnerEvent[], submission: readonly BoardSubmissionEvent[] = []) {
  const state = {
    learner: foldLearner(learner),
    submission: submission.reduce(evolveBoardSubmission, initialBoardSubmissionState()),
  };
  return {
    when(trigger: BoardSubmissionTrigger, now: Date = TEST_NOW) {
      const react = (): BoardSubmissionReaction[] =>
        reactToBoardSubmission(trigger, state, { now });
      return {
        then: (expected: readonly BoardSubmissionReaction[]) => deepStrictEqual(react(), expected),
        thenNothing: () => deepStrictEqual(react(), []),
        /** For a check on part of the reactions. */
        reactions: react,
      };
    },
  };
}

const idOf = (step: string): string => uuidV5(step, BOARD_SUBMISSION_PROCESS_NAMESPACE);
const sendToAbim = (step: string, command: BoardSubmissionCommand): BoardSubmissionReaction => ({
  type: 'SendCommand',
  submissionId: ABIM,
  commandId: idOf(step),
  command,
});
const ABIM = boardSubmissionId('claim-1', 'ABIM');
const ABPMR = boardSubmissionId('claim-1', 'ABPMR');

const profile = learnerProfileUpdated({
  boards: ['ABIM', 'ABPMR'],
  personal: personalData({ boardIds: { ABIM: '123456', ABPMR: '4321' } }),
});
const research = questionResearched();
/** A claim with the snapshot and the per-board parts the learner decider records. */
const claim = creditClaimed({
  boards: ['ABIM', 'ABPMR'],
  personal: personalData({ boardIds: { ABIM: '123456', ABPMR: '4321' } }),
  submissions: [
    { board: 'ABIM', twelfths: '6', completedAt: '2025-06-01T10:00:00.000Z' },
    { board: 'ABPMR', twelfths: '3', completedAt: '2025-05-20T10:00:00.000Z' },
  ],
});
const claimed = (data = claim.data): BoardSubmissionTrigger => ({
  type: 'CreditClaimed',
  eventId: 'event-claim-1',
  learnerId: 'learner-1',
  data,
});
const attemptRequested = (attempt = 1, eventId = 'event-attempt'): BoardSubmissionTrigger => ({
  type: 'AttemptRequested',
  eventId,
  submissionId: ABIM,
  learnerId: 'learner-1',
  attempt,
});
const requested = boardSubmissionRequested({
  submissionId: ABIM,
  completedAt: '2025-06-01T10:00:00.000Z',
});
const submitToAbim = (overrides: Partial<SubmitToBoard> = {}): SubmitToBoard => ({
  type: 'SubmitToBoard',
  causationId: 'event-attempt',
  submissionId: ABIM,
  board: 'ABIM',
  attempt: 1,
  identity: personalData({ boardIds: { ABIM: '123456', ABPMR: '4321' } }),
  profileVersion: 1,
  activity: 'ipoc',
  twelfths: 6n,
  credits: '0.50',
  completedAt: at('2025-06-01T10:00:00.000Z'),
  correction: false,
  ...overrides,
});

describe('board submission reactor', () => {
  describe('given a claim recorded', () => {
    it('R8/R10: requests one submission per board of the claim, with the part and completion date the claim decided for it', () => {
      given([...withDataSharingConsent(profile), research, claim])
        .when(claimed())
        .then(
          (
            [
              [ABIM, 'ABIM', 6n, '2025-06-01T10:00:00.000Z'],
              [ABPMR, 'ABPMR', 3n, '2025-05-20T10:00:00.000Z'],
            ] as const
          ).map(([submissionId, board, twelfths, completedAt]) => ({
            type: 'SendCommand' as const,
            submissionId,
            commandId: idOf(`request/event-claim-1/${board}`),
            command: {
              type: 'RequestBoardSubmission' as const,
              data: {
                submissionId,
                learnerId: 'learner-1',
                claimId: 'claim-1',
                board,
                activity: 'ipoc' as const,
                twelfths,
                claimedAt: at('2025-06-10T08:00:00.000Z'),
                occurredAt: TEST_NOW,
                profileGaps: [],
                profileVersion: 1,
                completedAt: at(completedAt),
              },
            },
          })),
        );
    });

    it('R8: the command ids derive from the claim event and the board, never from the clock: a redelivery sends the same commands', () => {
      const idsAt = (now: Date) =>
        given([...withDataSharingConsent(profile), research, claim])
          .when(claimed(), now)
          .reactions()
          .map((r) => r.type === 'SendCommand' && r.commandId);
      expect(idsAt(TEST_NOW)).toEqual([
        // Pinned: a changed id would request every submission again after an upgrade.
        '4ee80187-257a-569f-aaaf-505f6327105b',
        idOf('request/event-claim-1/ABPMR'),
      ]);
      expect(idsAt(at('2025-06-15T13:00:00.000Z'))).toEqual(idsAt(TEST_NOW));
    });

    it('R17: each request carries the claim time, which the 30-day reporting deadline runs from', () => {
      const claimedAt = given([...withDataSharingConsent(profile), research, claim])
        .when(claimed())
        .reactions()
        .map(
          (r) =>
            r.type === 'SendCommand' &&
            r.command.type === 'RequestBoardSubmission' &&
            r.command.data.claimedAt,
        );
      expect(claimedAt).toEqual([at(claim.data.occurredAt), at(claim.data.occurredAt)]);
    });

    it("R7: the identity checked is the claim's snapshot: a profile edited after the claim does not change the request", () => {
      const edited = learnerProfileUpdated({
        profileVersion: 2,
        boards: ['ABIM', 'ABPMR'],
        personal: personalData({ boardIds: {} }),
      });
      const gaps = given([...withDataSharingConsent(profile), research, claim, edited])
        .when(claimed())
        .reactions()
        .map(gapsOfRequest);
      expect(gaps).toEqual([[], []]);
    });

    it('R16: a board whose data the snapshot lacks gets its request with the gaps, so that it fails at once', () => {
      const withoutAbimId = creditClaimed({
        ...claim.data,
        personal: personalData({ boardIds: { ABPMR: '4321' } }),
      });
      const gaps = given([...withDataSharingConsent(profile), research, withoutAbimId])
        .when(claimed(withoutAbimId.data))
        .reactions()
        .map(gapsOfRequest);
      expect(gaps).toEqual([['ABIM needs your ABIM ID (6 digits) in your CME profile'], []]);
    });

    it('R8: a claim recorded before claims held their parts sends each board the whole claim, checked against the profile of claim time', () => {
      const older = creditClaimed({ boards: ['ABIM'] });
      given([
        learnerProfileUpdated(),
        research,
        older,
        learnerProfileUpdated({ profileVersion: 2, personal: personalData({ boardIds: {} }) }),
      ])
        .when(claimed(older.data))
        .then([
          sendToAbim('request/event-claim-1/ABIM', {
            type: 'RequestBoardSubmission',
            data: {
              submissionId: ABIM,
              learnerId: 'learner-1',
              claimId: 'claim-1',
              board: 'ABIM',
              activity: 'ipoc',
              twelfths: 6n,
              claimedAt: at('2025-06-10T08:00:00.000Z'),
              occurredAt: TEST_NOW,
              profileGaps: [],
              profileVersion: 1,
            },
          }),
        ]);
    });
  });

  describe('given an attempt requested', () => {
    it('R8/R17: an attempt after PARS closed the completion year is failed with the reason, PARS not called', () => {
      given([...withDataSharingConsent(profile), research, claim], [requested])
        .when(attemptRequested(), at('2026-04-01T05:00:00.000Z'))
        .then([
          sendToAbim('outcome/event-attempt', {
            type: 'RecordSubmissionFailed',
            data: {
              reason:
                'PARS took completions of 2025 until 31 March 2026; this credit can no longer be ' +
                'reported to ABIM: download the certificate and send it to the board yourself',
              retryable: false,
              occurredAt: at('2026-04-01T05:00:00.000Z'),
              attempt: 1,
              profileVersion: 1,
            },
          }),
        ]);
    });

    it("R7/R8: attempt 1 goes to the board with the claim's identity, the exact amount and the amount rounded to a quarter", () => {
      given([...withDataSharingConsent(profile), research, claim], [requested])
        .when(attemptRequested())
        .then([submitToAbim()]);
    });

    it('R3: the amount the board is shown is rounded down to a quarter; the exact one goes beside it', () => {
      const boardReview = boardSubmissionRequested({
        submissionId: ABIM,
        activity: 'nejm-board-review',
        twelfths: '10',
        completedAt: '2025-06-01T10:00:00.000Z',
      });
      given([...withDataSharingConsent(profile), research, claim], [boardReview])
        .when(attemptRequested())
        .then([submitToAbim({ activity: 'nejm-board-review', twelfths: 10n, credits: '0.75' })]);
    });

    it('R16: a retry sends the profile as corrected since, with its version', () => {
      const corrected = learnerProfileUpdated({
        profileVersion: 2,
        personal: personalData({ lastName: 'Quinn-Hart', boardIds: { ABIM: '654321' } }),
      });
      given(
        [...withDataSharingConsent(profile), research, claim, corrected],
        [
          requested,
          boardSubmissionFailed({
            submissionId: ABIM,
            reason: 'ABIM: unknown learner',
            retryable: false,
          }),
          boardSubmissionRetryRequested({ submissionId: ABIM, profileVersion: 2 }),
        ],
      )
        .when(attemptRequested(2, 'event-retry'))
        .then([
          submitToAbim({
            causationId: 'event-retry',
            attempt: 2,
            identity: personalData({ lastName: 'Quinn-Hart', boardIds: { ABIM: '654321' } }),
            profileVersion: 2,
          }),
        ]);
    });

    it('R16: an attempt whose identity lacks what the board needs fails at once with the reasons, without calling the board', () => {
      const noAbimId = creditClaimed({ ...claim.data, personal: personalData({ boardIds: {} }) });
      given([...withDataSharingConsent(profile), research, noAbimId], [requested])
        .when(attemptRequested())
        .then([
          sendToAbim('outcome/event-attempt', {
            type: 'RecordSubmissionFailed',
            data: {
              reason: 'ABIM needs your ABIM ID (6 digits) in your CME profile',
              retryable: true,
              occurredAt: TEST_NOW,
              attempt: 1,
              profileVersion: 1,
            },
          }),
        ]);
    });

    it('R16: after erasure nothing personal is sent: the attempt fails, asking for the profile again', () => {
      const [reaction] = given(
        [...withDataSharingConsent(profile), research, claim, personalDataErased()],
        [requested],
      )
        .when(attemptRequested())
        .reactions();
      expect(reaction).toMatchObject({
        type: 'SendCommand',
        command: {
          type: 'RecordSubmissionFailed',
          data: {
            reason: expect.stringMatching(/^personal data was erased: ABIM needs/),
            retryable: true,
          },
        },
      });
    });

    it('R8: an attempt already answered, or overtaken by a later one, is not sent again', () => {
      given(
        [...withDataSharingConsent(profile), research, claim],
        [requested, boardSubmissionSucceeded({ submissionId: ABIM })],
      )
        .when(attemptRequested())
        .thenNothing();
      given([...withDataSharingConsent(profile), research, claim], [requested])
        .when(attemptRequested(2))
        .thenNothing();
    });
  });

  describe('given the learner has not consented to share completion data (R7)', () => {
    it('R7/R8: an attempt waits for consent, says so, and nothing goes to the board', () => {
      given([profile, research, claim], [requested])
        .when(attemptRequested())
        .then([
          sendToAbim('await-consent/event-attempt', {
            type: 'AwaitConsent',
            data: { reason: AWAITING_CONSENT_REASON, occurredAt: TEST_NOW },
          }),
        ]);
    });

    it('R7/R8: consent withdrawn before the attempt: it waits as well', () => {
      given(
        [...withDataSharingConsent(profile), research, claim, dataSharingConsentWithdrawn()],
        [requested],
      )
        .when(attemptRequested())
        .then([
          sendToAbim('await-consent/event-attempt', {
            type: 'AwaitConsent',
            data: { reason: AWAITING_CONSENT_REASON, occurredAt: TEST_NOW },
          }),
        ]);
    });

    it("R7/R8: once consent is given, every submission of the learner's claims is told to go on", () => {
      const consent: BoardSubmissionTrigger = {
        type: 'ConsentGranted',
        eventId: 'event-consent',
        learnerId: 'learner-1',
      };
      given([profile, research, claim, dataSharingConsentGranted()])
        .when(consent)
        .then([
          sendToAbim(`resume/event-consent/${ABIM}`, {
            type: 'ResumeAfterConsent',
            data: { occurredAt: TEST_NOW },
          }),
          {
            type: 'SendCommand',
            submissionId: ABPMR,
            commandId: idOf(`resume/event-consent/${ABPMR}`),
            command: { type: 'ResumeAfterConsent', data: { occurredAt: TEST_NOW } },
          },
        ]);
      // Withdrawn again before the process got to it: nothing goes on.
      given([profile, research, claim, dataSharingConsentGranted(), dataSharingConsentWithdrawn()])
        .when(consent)
        .thenNothing();
    });

    it("R7/R8: the resumed attempt (the same attempt 1) sends the claim's identity to the board", () => {
      given(
        [...withDataSharingConsent(profile), research, claim],
        [
          requested,
          boardSubmissionAwaitingConsent({ submissionId: ABIM }),
          boardSubmissionResumed({ submissionId: ABIM }),
        ],
      )
        .when(attemptRequested(1, 'event-resumed'))
        .then([submitToAbim({ causationId: 'event-resumed' })]);
    });

    it('R7 (A-20): a profile recorded before consent had events of its own consented by selecting the board', () => {
      const { consentApart: _explicit, ...legacy } = profile.data;
      given([{ type: 'LearnerProfileUpdated', data: legacy }, research, claim], [requested])
        .when(attemptRequested())
        .then([submitToAbim()]);
    });
  });

  describe('given the board answered', () => {
    const answered = (
      answer: Extract<BoardSubmissionTrigger, { type: 'BoardAnswered' }>['answer'],
    ) => ({ type: 'BoardAnswered', call: submitToAbim(), answer }) as const;

    it('R8: an acceptance is recorded under the id derived from the attempt that was requested', () => {
      given([])
        .when(answered({ outcome: 'accepted' }))
        .then([
          sendToAbim('outcome/event-attempt', {
            type: 'RecordSubmissionAccepted',
            data: { occurredAt: TEST_NOW, attempt: 1 },
          }),
        ]);
    });

    it("R16: a refusal is recorded with the board's reason, not retryable as it stands, with the profile version sent", () => {
      given([])
        .when(answered({ outcome: 'rejected', reason: 'unknown learner' }))
        .then([
          sendToAbim('outcome/event-attempt', {
            type: 'RecordSubmissionFailed',
            data: {
              reason: 'ABIM: unknown learner',
              retryable: false,
              occurredAt: TEST_NOW,
              attempt: 1,
              profileVersion: 1,
            },
          }),
        ]);
    });

    it('R16: a board out of reach beyond the retry budget fails the attempt as retryable', () => {
      const [reaction] = given([])
        .when(answered({ outcome: 'unavailable', reason: 'HTTP 503' }))
        .reactions();
      expect(reaction).toMatchObject({
        command: {
          type: 'RecordSubmissionFailed',
          data: { reason: 'ABIM: HTTP 503', retryable: true },
        },
      });
    });
  });

  describe('given the sweep (R9)', () => {
    const accepted = boardSubmissionSucceeded({
      submissionId: ABIM,
      occurredAt: '2025-06-10T08:00:05.000Z',
    });
    const checked = (
      record: Extract<BoardSubmissionTrigger, { type: 'BoardRecordChecked' }>['record'],
    ) =>
      ({
        type: 'BoardRecordChecked',
        call: { type: 'CheckBoardRecord', submissionId: ABIM, board: 'ABIM' },
        record,
      }) as const;

    it("R9: an accepted submission awaiting confirmation is looked up in the board's records; a confirmed one is not", () => {
      given([], [requested, accepted])
        .when({ type: 'ConfirmationAwaited', submissionId: ABIM })
        .then([{ type: 'CheckBoardRecord', submissionId: ABIM, board: 'ABIM' }]);
      given([], [requested, accepted, boardRecordConfirmed({ submissionId: ABIM })])
        .when({ type: 'ConfirmationAwaited', submissionId: ABIM })
        .thenNothing();
    });

    it("R9: the board's confirmation is recorded at the time the board gives", () => {
      given([], [requested, accepted])
        .when(checked({ status: 'confirmed', confirmedAt: at('2025-06-11T07:00:00.000Z') }))
        .then([
          sendToAbim(`confirm/${ABIM}`, {
            type: 'ConfirmBoardRecord',
            data: { occurredAt: at('2025-06-11T07:00:00.000Z') },
          }),
        ]);
    });

    it("R9/R16: a record the board's records show rejected fails the accepted attempt with the board's reason", () => {
      given([], [requested, accepted])
        .when(checked({ status: 'rejected', reason: 'not enrolled in MOC (BOARD_REJECTED)' }))
        .then([
          sendToAbim(`rejected/${ABIM}/1`, {
            type: 'RecordBoardRecordRejected',
            data: { reason: 'ABIM: not enrolled in MOC (BOARD_REJECTED)', occurredAt: TEST_NOW },
          }),
        ]);
    });

    it('R9: accepted more than 24 hours ago and not confirmed (or not readable) is flagged for follow-up; within 24 hours it is not', () => {
      const flag = [
        sendToAbim(`follow-up/${ABIM}`, {
          type: 'FlagForFollowUp',
          data: { occurredAt: TEST_NOW },
        }),
      ];
      given([], [requested, accepted])
        .when(checked({ status: 'not-confirmed' }))
        .then(flag);
      given([], [requested, accepted])
        .when(checked({ status: 'unavailable', reason: 'HTTP 503' }))
        .then(flag);
      given([], [requested, accepted])
        .when(checked({ status: 'not-confirmed' }), at('2025-06-11T08:00:00.000Z'))
        .thenNothing();
    });

    it('R9: a submission already flagged is not flagged again', () => {
      given([], [requested, accepted, boardSubmissionFlaggedForFollowUp({ submissionId: ABIM })])
        .when(checked({ status: 'not-confirmed' }))
        .thenNothing();
    });
  });

  describe('what each reaction reads', () => {
    it('names the learner for a claim, learner and submission for an attempt, the submission for the sweep, nothing for an answer', () => {
      expect(streamsReadBy(claimed())).toEqual({ learnerId: 'learner-1' });
      expect(streamsReadBy(attemptRequested())).toEqual({
        learnerId: 'learner-1',
        submissionId: ABIM,
      });
      expect(streamsReadBy({ type: 'ConfirmationAwaited', submissionId: ABIM })).toEqual({
        submissionId: ABIM,
      });
      expect(
        streamsReadBy({
          type: 'BoardAnswered',
          call: submitToAbim(),
          answer: { outcome: 'accepted' },
        }),
      ).toEqual({});
    });
  });
});

const gapsOfRequest = (reaction: BoardSubmissionReaction) =>
  reaction.type === 'SendCommand' && reaction.command.type === 'RequestBoardSubmission'
    ? reaction.command.data.profileGaps
    : undefined;

describe('board submission reactor: corrections (R8: a record cannot be edited)', () => {
  const accepted = boardSubmissionSucceeded({ submissionId: ABIM });
  const correctedPersonal = personalData({
    lastName: 'Quinn-Hart',
    boardIds: { ABIM: '654321', ABPMR: '4321' },
  });
  const corrected = learnerProfileUpdated({
    profileVersion: 2,
    boards: ['ABIM', 'ABPMR'],
    personal: correctedPersonal,
  });
  const correcting = boardSubmissionCorrectionRequested({ submissionId: ABIM, profileVersion: 2 });
  const deleted = boardRecordDeleted({ submissionId: ABIM });
  const correctionRequested: BoardSubmissionTrigger = {
    type: 'CorrectionRequested',
    eventId: 'event-correction',
    submissionId: ABIM,
    learnerId: 'learner-1',
    attempt: 2,
  };
  const awaited: BoardSubmissionTrigger = {
    type: 'CorrectionAwaited',
    submissionId: ABIM,
    learnerId: 'learner-1',
  };
  const deleteAbim = {
    type: 'DeleteBoardRecord',
    submissionId: ABIM,
    board: 'ABIM',
    attempt: 2,
  } as const;
  const resubmission = submitToAbim({
    causationId: `correction/${ABIM}/2`,
    attempt: 2,
    identity: correctedPersonal,
    profileVersion: 2,
    correction: true,
  });

  describe('given a correction of an accepted record', () => {
    it("R8: the board's record is deleted first", () => {
      given(
        [...withDataSharingConsent(profile), research, claim, corrected],
        [requested, accepted, correcting],
      )
        .when(correctionRequested)
        .then([deleteAbim]);
    });

    it('R8: the deletion is recorded with an id derived from the attempt: a repeated deletion records nothing new', () => {
      given([], [])
        .when({
          type: 'BoardRecordDeleteAnswered',
          call: deleteAbim,
          answer: { outcome: 'deleted' },
        })
        .then([
          sendToAbim(`deleted/correction/${ABIM}/2`, {
            type: 'RecordBoardRecordDeleted',
            data: { occurredAt: TEST_NOW, attempt: 2 },
          }),
        ]);
    });

    it('R8: once deleted, the record is sent again under the same id with the corrected profile', () => {
      given(
        [...withDataSharingConsent(profile), research, claim, corrected],
        [requested, accepted, correcting, deleted],
      )
        .when(attemptRequested(2, 'event-deleted'))
        .then([resubmission]);
    });

    it('R8: a board outage during the deletion records nothing: the correction waits for the sweep', () => {
      given([], [])
        .when({
          type: 'BoardRecordDeleteAnswered',
          call: deleteAbim,
          answer: { outcome: 'unavailable', reason: 'PARS HTTP 503' },
        })
        .thenNothing();
    });

    it('R8: the sweep takes up a correction whose deletion did not reach the board', () => {
      given(
        [...withDataSharingConsent(profile), research, claim, corrected],
        [requested, accepted, correcting],
      )
        .when(awaited)
        .then([deleteAbim]);
    });

    it('R8: a board outage between the deletion and the resubmission fails nothing: the record is not lost, the sweep sends it again', () => {
      given([], [])
        .when({
          type: 'BoardAnswered',
          call: resubmission,
          answer: { outcome: 'unavailable', reason: 'PARS HTTP 503' },
        })
        .thenNothing();
      given(
        [...withDataSharingConsent(profile), research, claim, corrected],
        [requested, accepted, correcting, deleted],
      )
        .when(awaited)
        .then([resubmission]);
    });

    it("R8: the resubmission's acceptance is recorded for the correction's attempt", () => {
      given([], [])
        .when({ type: 'BoardAnswered', call: resubmission, answer: { outcome: 'accepted' } })
        .then([
          sendToAbim(`outcome/correction/${ABIM}/2`, {
            type: 'RecordSubmissionAccepted',
            data: { occurredAt: TEST_NOW, attempt: 2 },
          }),
        ]);
    });

    it('R8/R16: a correction whose profile lacks what the board needs fails before the deletion: the record stays', () => {
      const emptied = learnerProfileUpdated({
        profileVersion: 2,
        boards: ['ABIM'],
        personal: personalData({ boardIds: {} }),
      });
      const reactions = given(
        [...withDataSharingConsent(profile), research, claim, emptied],
        [requested, accepted, correcting],
      )
        .when(correctionRequested)
        .reactions();
      expect(reactions.map((r) => r.type)).toEqual(['SendCommand']);
      expect(reactions[0]).toMatchObject({
        command: { type: 'RecordSubmissionFailed', data: { retryable: true, attempt: 2 } },
      });
    });

    it('R8/R9: the corrected record is confirmed as its own attempt (a new command id)', () => {
      given(
        [],
        [
          requested,
          accepted,
          boardRecordConfirmed({ submissionId: ABIM }),
          correcting,
          deleted,
          boardSubmissionSucceeded({ submissionId: ABIM, attempt: 2 }),
        ],
      )
        .when({
          type: 'BoardRecordChecked',
          call: { type: 'CheckBoardRecord', submissionId: ABIM, board: 'ABIM' },
          record: { status: 'confirmed', confirmedAt: at('2025-06-13T09:00:00Z') },
        })
        .then([
          sendToAbim(`confirm/${ABIM}/2`, {
            type: 'ConfirmBoardRecord',
            data: { occurredAt: at('2025-06-13T09:00:00Z') },
          }),
        ]);
    });
  });

  describe('given the learner withdrew consent to share completion data (R7, A-21)', () => {
    const withdrawn = dataSharingConsentWithdrawn({ occurredAt: '2025-06-11T08:00:00.000Z' });
    const learner = [...withDataSharingConsent(profile), research, claim, corrected, withdrawn];
    const awaitConsent = sendToAbim(`await-consent/correction/${ABIM}/2/2025-06-11T08:00:00.000Z`, {
      type: 'AwaitConsent',
      data: { reason: AWAITING_CONSENT_REASON, occurredAt: TEST_NOW },
    });

    it('R7/R8: a correction waits for consent before its deletion: the board keeps the record it holds', () => {
      given(learner, [requested, accepted, correcting])
        .when(correctionRequested)
        .then([awaitConsent]);
      given(learner, [requested, accepted, correcting]).when(awaited).then([awaitConsent]);
    });

    it('R7/R8: a correction whose record is deleted waits for consent before its resubmission', () => {
      given(learner, [requested, accepted, correcting, deleted])
        .when(attemptRequested(2, 'event-deleted'))
        .then([awaitConsent]);
    });

    it('R7/R8: consent given again, the correction goes on where it stopped: the deletion, or the resubmission', () => {
      const again = [
        ...learner,
        dataSharingConsentGranted({ occurredAt: '2025-06-12T07:00:00.000Z' }),
      ];
      const waiting = boardSubmissionAwaitingConsent({ submissionId: ABIM, attempt: 2 });
      const resumed = boardSubmissionResumed({ submissionId: ABIM, attempt: 2, correcting: true });
      given(again, [requested, accepted, correcting, waiting, resumed])
        .when(attemptRequested(2, 'event-resumed'))
        .then([deleteAbim]);
      given(again, [requested, accepted, correcting, deleted, waiting, resumed])
        .when(attemptRequested(2, 'event-resumed'))
        .then([resubmission]);
    });
  });

  describe('given two claims of the same activity, board and day (A-12, A-22)', () => {
    const LATER_ABIM = boardSubmissionId('claim-2', 'ABIM');
    const later = creditClaimed({
      claimId: 'claim-2',
      occurredAt: '2025-06-10T09:00:00.000Z',
      boards: ['ABIM', 'ABPMR'],
      personal: personalData({ boardIds: { ABIM: '123456', ABPMR: '4321' } }),
      submissions: [
        // 20:00 UTC is 15:00 in Chicago: the same completion date as claim-1's 10:00 UTC.
        { board: 'ABIM', twelfths: '3', completedAt: '2025-06-01T20:00:00.000Z' },
        { board: 'ABPMR', twelfths: '3', completedAt: '2025-06-01T20:00:00.000Z' },
      ],
    });
    const laterRequested = boardSubmissionRequested({
      submissionId: LATER_ABIM,
      claimId: 'claim-2',
      twelfths: '3',
      completedAt: '2025-06-01T20:00:00.000Z',
      reportedWith: ABIM,
    });
    const combining = boardSubmissionCorrectionRequested({
      submissionId: ABIM,
      reason: 'combined-completion',
      twelfths: '9',
      combined: [{ submissionId: LATER_ABIM, claimId: 'claim-2', twelfths: '3', sinceAttempt: 2 }],
      profileVersion: 1,
    });
    const reportedWithOf = (reaction: BoardSubmissionReaction) =>
      reaction.type === 'SendCommand' && reaction.command.type === 'RequestBoardSubmission'
        ? [reaction.command.data.board, reaction.command.data.reportedWith]
        : undefined;

    it("R8: the later claim's submission is reported in the earlier claim's record for that board and day; another day's has its own", () => {
      const requests = given([...withDataSharingConsent(profile), research, claim, later])
        .when({
          type: 'CreditClaimed',
          eventId: 'event-claim-2',
          learnerId: 'learner-1',
          data: later.data,
        })
        .reactions()
        .map(reportedWithOf);
      expect(requests).toEqual([
        ['ABIM', ABIM],
        ['ABPMR', undefined],
      ]);
    });

    it("R8: the earlier claim's own requests are unchanged: it owns the day's record", () => {
      const requests = given([...withDataSharingConsent(profile), research, claim, later])
        .when(claimed())
        .reactions()
        .map(reportedWithOf);
      expect(requests).toEqual([
        ['ABIM', undefined],
        ['ABPMR', undefined],
      ]);
    });

    it("R8: its attempt corrects the day's record to carry its credit too, instead of a second record PARS would refuse as a duplicate", () => {
      given([...withDataSharingConsent(profile), research, claim, later], [laterRequested])
        .when({
          type: 'AttemptRequested',
          eventId: 'event-later',
          submissionId: LATER_ABIM,
          learnerId: 'learner-1',
          attempt: 1,
        })
        .then([
          {
            type: 'SendCommand',
            submissionId: ABIM,
            commandId: idOf(`combine/${LATER_ABIM}/1`),
            command: {
              type: 'CorrectBoardSubmission',
              data: {
                reason: 'combined-completion',
                occurredAt: TEST_NOW,
                profileVersion: 1,
                combine: { submissionId: LATER_ABIM, claimId: 'claim-2', twelfths: 3n },
              },
            },
          },
        ]);
    });

    it("R8/R4: the corrected record carries both claims' credit, each once", () => {
      given(
        [...withDataSharingConsent(profile), research, claim, later],
        [requested, accepted, combining, deleted],
      )
        .when(attemptRequested(2, 'event-deleted'))
        .then([
          submitToAbim({
            causationId: `correction/${ABIM}/2`,
            attempt: 2,
            twelfths: 9n,
            credits: '0.75',
            correction: true,
          }),
        ]);
    });

    it("R8/R9: what the board answers for the day's record is followed by the later submission, from the attempt that carried it", () => {
      const history = [requested, accepted, combining];
      given([], history)
        .when({
          type: 'RecordAnswered',
          eventId: 'event-accepted-2',
          submissionId: ABIM,
          attempt: 2,
          outcome: 'accepted',
        })
        .then([
          {
            type: 'SendCommand',
            submissionId: LATER_ABIM,
            commandId: idOf(`follow/event-accepted-2/${LATER_ABIM}`),
            command: {
              type: 'FollowCombinedRecord',
              data: { outcome: 'accepted', occurredAt: TEST_NOW },
            },
          },
        ]);
      // The answer to attempt 1 was not about the later credit.
      given([], history)
        .when({
          type: 'RecordAnswered',
          eventId: 'event-accepted-1',
          submissionId: ABIM,
          attempt: 1,
          outcome: 'accepted',
        })
        .thenNothing();
    });

    it("R9: the later submission is not looked up at the board under its own id: it follows the day's record", () => {
      given(
        [],
        [
          laterRequested,
          boardSubmissionSucceeded({ submissionId: LATER_ABIM, claimId: 'claim-2' }),
        ],
      )
        .when({ type: 'ConfirmationAwaited', submissionId: LATER_ABIM })
        .thenNothing();
    });
  });
});
