import {
  boardRecordConfirmed,
  boardSubmissionFailed,
  boardSubmissionRequested,
  boardSubmissionRetryRequested,
  boardSubmissionSucceeded,
} from '../testing/board-submission.builders';
import type { BoardSubmissionEvent } from './board-submission.events';
import { evolveBoardSubmission, initialBoardSubmissionState } from './board-submission.decider';
import { boardStatusWord, claimTag } from './claim-tag';

const statusAfter = (board: string, events: BoardSubmissionEvent[]) => {
  const state = events.reduce(evolveBoardSubmission, initialBoardSubmissionState());
  if (state.status === 'not-requested') throw new Error('no submission');
  return { board, status: state.status };
};

describe('R8: claim tags', () => {
  describe('given a claim made with no board selected', () => {
    it('R8: the tag is "Not submitted"', () => {
      expect(claimTag([], [])).toBe('Not submitted');
    });
  });

  describe('given a claim made with ABIM and ABP selected', () => {
    const boards = ['ABIM', 'ABP'];

    it('R8: while a submission is in flight or not yet requested the tag is "Pending"', () => {
      expect(claimTag(boards, [])).toBe('Pending');
      expect(claimTag(boards, [{ board: 'ABIM', status: 'accepted' }])).toBe('Pending');
      expect(
        claimTag(boards, [
          { board: 'ABIM', status: 'accepted' },
          { board: 'ABP', status: 'requested' },
        ]),
      ).toBe('Pending');
    });

    it('R8: when every board accepted (or confirmed) the tag is "Submitted"', () => {
      expect(
        claimTag(boards, [
          { board: 'ABIM', status: 'accepted' },
          { board: 'ABP', status: 'confirmed' },
        ]),
      ).toBe('Submitted');
    });

    it('R8: when a board did not accept it the tag is "Rejected", even if the other accepted', () => {
      expect(
        claimTag(boards, [
          { board: 'ABIM', status: 'confirmed' },
          { board: 'ABP', status: 'failed' },
        ]),
      ).toBe('Rejected');
    });

    it('R7/R8: a board waiting for the learner\'s consent makes the tag "Awaiting consent"; a rejection still reads "Rejected"', () => {
      expect(
        claimTag(boards, [
          { board: 'ABIM', status: 'accepted' },
          { board: 'ABP', status: 'awaiting-consent' },
        ]),
      ).toBe('Awaiting consent');
      expect(
        claimTag(boards, [
          { board: 'ABIM', status: 'failed' },
          { board: 'ABP', status: 'awaiting-consent' },
        ]),
      ).toBe('Rejected');
    });

    it('R8: a board not selected at claim time does not change the tag', () => {
      expect(
        claimTag(boards, [
          { board: 'ABIM', status: 'accepted' },
          { board: 'ABP', status: 'accepted' },
          { board: 'ABS', status: 'failed' },
        ]),
      ).toBe('Submitted');
    });
  });

  describe('given per-board statuses folded from submission histories', () => {
    const abimFailed = [boardSubmissionRequested(), boardSubmissionFailed()];
    const abpAccepted = [
      boardSubmissionRequested({ board: 'ABP' }),
      boardSubmissionSucceeded({ board: 'ABP' }),
      boardRecordConfirmed({ board: 'ABP' }),
    ];

    it('R8/R16: rejected after a failure, pending once retried, submitted once the retry is accepted', () => {
      const boards = ['ABIM', 'ABP'];
      const abp = statusAfter('ABP', abpAccepted);
      expect(claimTag(boards, [statusAfter('ABIM', abimFailed), abp])).toBe('Rejected');
      const retried = [...abimFailed, boardSubmissionRetryRequested({ attempt: 2 })];
      expect(claimTag(boards, [statusAfter('ABIM', retried), abp])).toBe('Pending');
      const acceptedOnRetry = [...retried, boardSubmissionSucceeded({ attempt: 2 })];
      expect(claimTag(boards, [statusAfter('ABIM', acceptedOnRetry), abp])).toBe('Submitted');
    });
  });
});

describe('R8: each board as the certificate lists it', () => {
  it('R8/R9: accepted reads Submitted, confirmed says so, failed reads Rejected, otherwise Pending', () => {
    expect(boardStatusWord('accepted')).toBe('Submitted');
    expect(boardStatusWord('confirmed')).toBe('Submitted (confirmed by the board)');
    expect(boardStatusWord('failed')).toBe('Rejected');
    expect(boardStatusWord('requested')).toBe('Pending');
    expect(boardStatusWord(undefined)).toBe('Pending');
    expect(boardStatusWord('awaiting-consent')).toBe('Awaiting consent');
  });
});
