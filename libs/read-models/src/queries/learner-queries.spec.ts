import type { SubmissionRow } from '../projections/claims.projection';
import { submissionView } from './learner-queries';

const row = (overrides: Partial<SubmissionRow>): SubmissionRow => ({
  submission_id: '5b3d1f0e-7a2c-5e4b-9c1d-2f3a4b5c6d7e',
  claim_id: '0f8e2d4c-1b3a-4c5d-8e9f-a0b1c2d3e4f5',
  learner_id: 'ada',
  board: 'ABIM',
  activity: 'ipoc',
  twelfths: '6',
  claimed_at: new Date('2026-06-01T10:00:00Z'),
  completed_at: new Date('2026-05-30T10:00:00Z'),
  status: 'accepted',
  attempt: 1,
  reason: null,
  retryable: null,
  requested_at: new Date('2026-06-01T10:00:01Z'),
  accepted_at: new Date('2026-06-01T10:00:02Z'),
  confirmed_at: null,
  failed_at: null,
  flagged_for_follow_up: false,
  ...overrides,
});

describe('a board submission as the learner reads it', () => {
  const now = new Date('2026-06-05T10:00:00Z');

  it('R9: a flagged submission needs follow-up until the board confirms it, then no more', () => {
    expect(submissionView(row({ flagged_for_follow_up: true }), now, 'UTC').needsFollowUp).toBe(
      true,
    );
    const confirmed = row({
      flagged_for_follow_up: true,
      status: 'confirmed',
      confirmed_at: new Date('2026-06-04T10:00:00Z'),
    });
    expect(submissionView(confirmed, now, 'UTC').needsFollowUp).toBe(false);
  });

  it('R8: shows what the board receives and the completion date it is given', () => {
    expect(submissionView(row({}), now, 'UTC')).toMatchObject({
      credits: { credits: '0.50', twelfths: 6 },
      completedAt: '2026-05-30T10:00:00.000Z',
    });
  });
});
