import type { BoardSubmissionEvent } from '@ledger/domain';
import { boardSubmissionFixtures as b } from '@ledger/domain/testing';
import { foldSubmission, type SubmissionRow } from './claims.projection';

const fold = (events: BoardSubmissionEvent[], from?: SubmissionRow) =>
  events.reduce<SubmissionRow | undefined>(foldSubmission, from);

describe("the claims projection's row of a board submission (the domain's fold)", () => {
  it('R8: nothing is kept for answers to a submission never requested', () => {
    expect(fold([b.boardSubmissionSucceeded()])).toBeUndefined();
  });

  it('R8/R16: a failure shows its reason until a retry; the retry is the current attempt', () => {
    const failed = fold([b.boardSubmissionRequested(), b.boardSubmissionFailed()]);
    expect(failed).toMatchObject({
      status: 'failed',
      attempt: 1,
      reason: 'ABIM does not know this ABIM ID',
      retryable: true,
      failed_at: new Date('2025-06-10T08:00:05.000Z'),
      twelfths: '6',
    });
    const retried = fold([b.boardSubmissionRetryRequested({ attempt: 2 })], failed);
    expect(retried).toMatchObject({
      status: 'requested',
      attempt: 2,
      reason: null,
      retryable: null,
      failed_at: null,
      requested_at: new Date('2025-06-11T08:00:00.000Z'),
    });
  });

  it('R9: folding from a stored row gives what folding the whole history gives', () => {
    const history = [
      b.boardSubmissionRequested(),
      b.boardSubmissionSucceeded(),
      b.boardSubmissionFlaggedForFollowUp(),
      b.boardRecordConfirmed(),
    ];
    const stored = fold(history.slice(0, 2));
    expect(fold(history.slice(2), stored)).toEqual(fold(history));
    expect(fold(history)).toMatchObject({
      status: 'confirmed',
      flagged_for_follow_up: true,
      accepted_at: new Date('2025-06-10T08:00:05.000Z'),
      confirmed_at: new Date('2025-06-11T09:00:00.000Z'),
      reason: null,
    });
  });
});
