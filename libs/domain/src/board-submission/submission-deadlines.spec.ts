import { at } from '../testing/fixed-clock';
import { submissionAtRisk, type AtRiskInput } from './submission-deadlines';

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
