import type { EarnedCredit } from './learner.state';
import { EarnedFacts } from './earned-facts';

const answer = (questionId: string, earnedYear = 2026, twelfths = 2n): EarnedCredit => ({
  activity: 'nejm-board-review',
  sourceId: questionId,
  earnedYear,
  twelfths,
  occurredAt: new Date(`${earnedYear}-06-01T12:00:00Z`),
});
const research = (researchId: string, earnedYear = 2026): EarnedCredit => ({
  activity: 'ipoc',
  sourceId: researchId,
  earnedYear,
  twelfths: 6n,
  occurredAt: new Date(`${earnedYear}-06-01T12:00:00Z`),
});

describe("EarnedFacts: a learner's earning facts as an immutable value (R1, R2, R12)", () => {
  it('R1/R2: knows a research id and a question id apart, by activity', () => {
    const facts = EarnedFacts.of([research('x'), answer('q-1')]);
    expect(facts.has('ipoc', 'x')).toBe(true);
    expect(facts.has('nejm-board-review', 'x')).toBe(false);
    expect(facts.has('nejm-board-review', 'q-1')).toBe(true);
    expect(facts.length).toBe(2);
  });

  it('R12: sums the twelfths per activity and earned year as facts are added', () => {
    const facts = EarnedFacts.of([
      answer('q-1', 2025),
      answer('q-2', 2026),
      research('r', 2026),
    ]).with(answer('q-3', 2026, 2n));
    expect(facts.earnedByYear('nejm-board-review')).toEqual(
      new Map([
        [2025, 2n],
        [2026, 4n],
      ]),
    );
    expect(facts.earnedByYear('ipoc')).toEqual(new Map([[2026, 6n]]));
  });

  it('adding a fact never changes the value it was added to', () => {
    const before = EarnedFacts.of([answer('q-1')]);
    const after = before.with(answer('q-2'));
    expect(before.length).toBe(1);
    expect(before.has('nejm-board-review', 'q-2')).toBe(false);
    expect([...before].map((f) => f.sourceId)).toEqual(['q-1']);
    expect(before.earnedByYear('nejm-board-review').get(2026)).toBe(2n);
    expect(after.has('nejm-board-review', 'q-2')).toBe(true);
    expect(after.at(1)?.sourceId).toBe('q-2');
    expect(before.at(1)).toBeUndefined();
  });

  it('two values added to one older value each hold only their own facts', () => {
    const base = EarnedFacts.of([answer('q-1')]);
    const left = base.with(answer('q-left'));
    const right = base.withAll([answer('q-right'), answer('q-left-not', 2027)]);
    const leftAgain = left.with(answer('q-more'));
    expect(left.toArray().map((f) => f.sourceId)).toEqual(['q-1', 'q-left']);
    expect(right.toArray().map((f) => f.sourceId)).toEqual(['q-1', 'q-right', 'q-left-not']);
    expect(leftAgain.toArray().map((f) => f.sourceId)).toEqual(['q-1', 'q-left', 'q-more']);
    expect(right.has('nejm-board-review', 'q-left')).toBe(false);
    expect(left.has('nejm-board-review', 'q-right')).toBe(false);
    expect(base.has('nejm-board-review', 'q-left')).toBe(false);
    expect(right.earnedByYear('nejm-board-review')).toEqual(
      new Map([
        [2026, 4n],
        [2027, 2n],
      ]),
    );
    expect(left.earnedByYear('nejm-board-review')).toEqual(new Map([[2026, 4n]]));
  });

  it('a question answered correctly twice in the log is held from its first fact on', () => {
    const facts = EarnedFacts.of([answer('q-1'), answer('q-2'), answer('q-1')]);
    const first = EarnedFacts.of([answer('q-1')]);
    expect(facts.has('nejm-board-review', 'q-1')).toBe(true);
    expect(first.has('nejm-board-review', 'q-1')).toBe(true);
  });

  it("read from a snapshot's rows, holds the same facts, sums and ids, and grows the same way", () => {
    const facts = [research('r', 2025), answer('q-1'), answer('q-2', 2027)];
    const folded = EarnedFacts.of(facts);
    const read = EarnedFacts.fromRows(folded.rows());
    expect(read).toEqual(folded);
    expect(read.has('ipoc', 'r')).toBe(true);
    expect(read.earnedByYear('nejm-board-review')).toEqual(
      folded.earnedByYear('nejm-board-review'),
    );
    expect(read.with(answer('q-3'))).toEqual(folded.with(answer('q-3')));
    expect(read.with(answer('q-3')).rows()).toEqual([
      ...folded.rows(),
      ...EarnedFacts.of([answer('q-3')]).rows(),
    ]);
    // Equality is about the facts: other facts, or other amounts, are not equal.
    expect(read).not.toEqual(
      EarnedFacts.of([research('r', 2025), answer('q-1'), answer('q-9', 2027)]),
    );
    expect(read).not.toEqual(EarnedFacts.of(facts.slice(0, 2)));
    // A value older than the rows' end, grown: a log of its own, rows included.
    const older = read.with(answer('q-4'));
    const fork = read.with(answer('q-5'));
    expect(older.toArray().map((f) => f.sourceId)).toEqual(['r', 'q-1', 'q-2', 'q-4']);
    expect(fork.toArray().map((f) => f.sourceId)).toEqual(['r', 'q-1', 'q-2', 'q-5']);
    expect(fork.has('nejm-board-review', 'q-4')).toBe(false);
  });
});
