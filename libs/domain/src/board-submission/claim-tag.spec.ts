import { at } from '../testing/fixed-clock';
import {
  boardRecordConfirmed,
  boardSubmissionFailed,
  boardSubmissionRequested,
  boardSubmissionRetryRequested,
  boardSubmissionSucceeded,
} from '../testing/board-submission.builders';
import type { BoardSubmissionEvent } from './board-submission.events';
import { evolveBoardSubmission, initialBoardSubmissionState } from './board-submission.decider';
import {
  claimTag,
  dueForFollowUpFlag,
  needsFollowUp,
  submissionAtRisk,
  type AtRiskInput,
} from './claim-tag';

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

describe('R9: follow-up of accepted submissions', () => {
  const acceptedAt = at('2025-06-10T08:00:00Z');

  it('R9: an accepted submission is not due for follow-up until more than 24 hours have passed', () => {
    expect(needsFollowUp({ status: 'accepted', acceptedAt }, at('2025-06-11T08:00:00Z'))).toBe(
      false,
    );
    expect(needsFollowUp({ status: 'accepted', acceptedAt }, at('2025-06-11T08:00:00.001Z'))).toBe(
      true,
    );
  });

  it('R9: a confirmed or not yet accepted submission needs no follow-up', () => {
    const dayLater = at('2025-06-12T08:00:00Z');
    expect(needsFollowUp({ status: 'confirmed', acceptedAt }, dayLater)).toBe(false);
    expect(needsFollowUp({ status: 'requested' }, dayLater)).toBe(false);
  });

  it('R9: a flagged submission needs follow-up until the board confirms, then no more', () => {
    const dayLater = at('2025-06-12T08:00:00Z');
    const flagged = { acceptedAt, flaggedForFollowUp: true };
    expect(needsFollowUp({ status: 'accepted', ...flagged }, dayLater)).toBe(true);
    expect(needsFollowUp({ status: 'confirmed', ...flagged }, dayLater)).toBe(false);
  });

  it('R9: the sweep flags a submission once: an already flagged one is not due again', () => {
    const dayLater = at('2025-06-12T08:00:00Z');
    expect(dueForFollowUpFlag({ status: 'accepted', acceptedAt }, dayLater)).toBe(true);
    expect(
      dueForFollowUpFlag({ status: 'accepted', acceptedAt, flaggedForFollowUp: true }, dayLater),
    ).toBe(false);
  });
});

describe('R17: reporting deadlines', () => {
  const codes = (input: Partial<AtRiskInput>) =>
    submissionAtRisk({
      board: 'ABIM',
      claimedAt: at('2025-06-10T08:00:00Z'),
      reachedBoardAt: undefined,
      now: at('2025-06-11T00:00:00Z'),
      timeZone: 'UTC',
      ...input,
    }).map((reason) => reason.code);

  describe('given a state-board completion of 20 December 2025 claimed on 15 March 2026 (R8: PARS window)', () => {
    const input = {
      board: 'CA-MBC',
      claimedAt: at('2026-03-15T12:00:00Z'),
      completedAt: at('2025-12-20T12:00:00Z'),
    };

    it('R17: within 7 days of 31 March 2026 and not at the board, it is at risk of missing the window', () => {
      expect(codes({ ...input, now: at('2026-03-25T12:00:00Z') })).toEqual([
        'reporting-window-closing',
      ]);
    });

    it('R17: the window closes at the start of 1 April in Chicago, not UTC', () => {
      expect(codes({ ...input, now: at('2026-04-01T04:59:59Z') })).toEqual([
        'reporting-window-closing',
      ]);
      expect(codes({ ...input, now: at('2026-04-01T05:00:00Z') })).toEqual([
        'reporting-window-closed',
      ]);
    });

    it('R17: accepted by PARS before the window closed, it is not at risk', () => {
      expect(
        codes({
          ...input,
          now: at('2026-03-30T12:00:00Z'),
          reachedBoardAt: at('2026-03-16T12:00:00Z'),
        }),
      ).toEqual([]);
    });
  });

  describe('given a claim on 10 June 2025 submitted to ABIM', () => {
    it('R17: far from any deadline it is not at risk', () => {
      expect(codes({ now: at('2025-07-02T00:00:00Z') })).toEqual([]);
    });

    it('R17: within 7 days of its 30-day due date and not at the board, it is at risk', () => {
      expect(codes({ now: at('2025-07-03T08:00:00Z') })).toEqual(['submission-due-soon']);
    });

    it('R17: 30 days after the claim without reaching the board, it is overdue', () => {
      expect(codes({ now: at('2025-07-10T08:00:00Z') })).toEqual(['submission-overdue']);
    });

    it('R17: once the board accepted it in time, it is not at risk', () => {
      expect(
        codes({ now: at('2025-07-10T08:00:00Z'), reachedBoardAt: at('2025-06-11T00:00:00Z') }),
      ).toEqual([]);
    });

    it('R17: the reason says the deadline and what to do about it', () => {
      const [reason] = submissionAtRisk({
        board: 'ABIM',
        claimedAt: at('2025-06-10T08:00:00Z'),
        reachedBoardAt: undefined,
        now: at('2025-07-04T00:00:00Z'),
        timeZone: 'UTC',
      });
      expect(reason).toMatchObject({ rule: 'R17', deadline: at('2025-07-10T08:00:00Z') });
      expect(reason?.message).toContain('has not reached ABIM');
    });
  });

  describe('given a claim on 28 December 2025 for MOC', () => {
    const claimedAt = at('2025-12-28T12:00:00Z');

    it('R17: MOC credit not at ABIM near 31 December is at risk of missing the year', () => {
      expect(codes({ claimedAt, now: claimedAt })).toEqual(['moc-year-end-soon']);
    });

    it('R17: MOC credit reaching ABIM on 1 January missed the year', () => {
      expect(
        codes({
          claimedAt,
          now: at('2026-01-02T00:00:00Z'),
          reachedBoardAt: at('2026-01-01T00:00:00Z'),
        }),
      ).toEqual(['moc-year-end-missed']);
    });

    it('R17: the year end is read in the configured zone: 04:00 UTC on 1 January is still 2025 in New York', () => {
      const reachedInNewYork = {
        claimedAt,
        now: at('2026-01-02T00:00:00Z'),
        reachedBoardAt: at('2026-01-01T04:00:00Z'),
      };
      expect(codes({ ...reachedInNewYork, timeZone: 'America/New_York' })).toEqual([]);
      expect(codes(reachedInNewYork)).toEqual(['moc-year-end-missed']);
    });

    it('R17: a state board awards no MOC, so only the 30-day due date applies', () => {
      expect(codes({ board: 'CA-MBC', claimedAt, now: claimedAt })).toEqual([]);
    });
  });
});
