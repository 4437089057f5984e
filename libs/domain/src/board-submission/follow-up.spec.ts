import { at } from '../testing/fixed-clock';
import { dueForFollowUpFlag, needsFollowUp } from './follow-up';

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
