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

  it("read from a snapshot's columns, holds the same facts, sums and ids, and grows the same way", () => {
    const facts = [research('r', 2025), answer('q-1'), answer('q-2', 2027)];
    const folded = EarnedFacts.of(facts);
    const read = EarnedFacts.fromColumns(folded.columns());
    expect(read).toEqual(folded);
    expect(read.has('ipoc', 'r')).toBe(true);
    expect(read.has('nejm-board-review', 'r')).toBe(false);
    expect(read.earnedByYear('nejm-board-review')).toEqual(
      folded.earnedByYear('nejm-board-review'),
    );
    expect(read.with(answer('q-3'))).toEqual(folded.with(answer('q-3')));
    expect(read.with(answer('q-3')).columns()).toEqual(folded.with(answer('q-3')).columns());
    // Equality is about the facts: other facts, or other amounts, are not equal.
    expect(read).not.toEqual(
      EarnedFacts.of([research('r', 2025), answer('q-1'), answer('q-9', 2027)]),
    );
    expect(read).not.toEqual(EarnedFacts.of(facts.slice(0, 2)));
    // A value older than the columns' end, grown: a log of its own, the columns shared.
    const older = read.with(answer('q-4'));
    const fork = read.with(answer('q-5'));
    expect(older.toArray().map((f) => f.sourceId)).toEqual(['r', 'q-1', 'q-2', 'q-4']);
    expect(fork.toArray().map((f) => f.sourceId)).toEqual(['r', 'q-1', 'q-2', 'q-5']);
    expect(fork.has('nejm-board-review', 'q-4')).toBe(false);
  });

  it('keeps every field of every fact through its columns: activities interleaved, times out of order, amounts and years changing', () => {
    const at = (iso: string) => new Date(iso);
    const facts: EarnedCredit[] = [
      { ...answer('q-1'), occurredAt: at('2026-06-01T12:00:00.007Z') },
      { ...answer('q-2'), occurredAt: at('2026-06-01T12:00:00.007Z') },
      { ...research('r-1'), occurredAt: at('2026-05-30T08:00:00Z') },
      { ...answer('q-3', 2025, 3n), occurredAt: at('2025-12-31T23:59:59.999Z') },
      { ...answer('q-1'), occurredAt: at('2026-06-02T00:00:00Z') },
      { ...research('r-2', 2027), occurredAt: at('1970-01-01T00:00:00Z') },
    ];
    const columns = EarnedFacts.of(facts).columns();
    // Through JSON, as a snapshot stores them.
    const read = EarnedFacts.fromColumns(JSON.parse(JSON.stringify(columns)));
    expect(read.toArray()).toEqual(facts);
    expect(read.earnedByYear('nejm-board-review')).toEqual(
      new Map([
        [2026, 6n],
        [2025, 3n],
      ]),
    );
    expect(read.earnedByYear('ipoc')).toEqual(
      new Map([
        [2026, 6n],
        [2027, 6n],
      ]),
    );
    // Alike facts share a run: 50,000 answers alike are one run and one time step.
    const many = EarnedFacts.of(
      Array.from({ length: 50_000 }, (_, i) => answer(`q${i}`)),
    ).columns();
    expect(many.runs).toEqual([1, 2026, '2', 50_000]);
    expect(many.at).toEqual([Date.parse('2026-06-01T12:00:00Z'), 1, 0, 49_999]);
  });

  it('reads each field of every fact by index as the fact holds it, from a snapshot and after it', () => {
    const at = (iso: string) => new Date(iso);
    const facts: EarnedCredit[] = [
      { ...answer('q-1', 2025, 3n), occurredAt: at('2025-12-31T23:59:59.999Z') },
      { ...research('r-1', 2027), occurredAt: at('1970-01-01T00:00:00Z') },
      { ...answer('q-2'), occurredAt: at('2026-06-01T12:00:00.007Z') },
      { ...research('r-2'), occurredAt: at('2026-05-30T08:00:00Z') },
    ];
    const kept = EarnedFacts.fromColumns(
      JSON.parse(JSON.stringify(EarnedFacts.of(facts.slice(0, 2)).columns())),
    );
    for (const value of [EarnedFacts.of(facts), kept.withAll(facts.slice(2))]) {
      const fields = facts.map((_, i) => ({
        activity: value.activityAt(i),
        earnedYear: value.earnedYearAt(i),
        twelfths: value.twelfthsAt(i),
        occurredAt: new Date(value.timeAt(i)),
      }));
      expect(fields).toEqual(facts.map(({ sourceId: _, ...rest }) => rest));
      expect(value.toArray()).toEqual(facts);
    }
    // An older value sharing the log reads none of the facts added after it.
    const older = EarnedFacts.of(facts.slice(0, 1));
    older.with(facts[1] as EarnedCredit);
    expect(() => older.timeAt(1)).toThrow(RangeError);
  });

  it('R1/R2: knows ids read from columns by their exact text, whatever characters they hold', () => {
    const ids = ['q', 'q-1', 'q-10', '', 'line\nbreak', 'back\\slash', 'back\\nslash', 'é', 'z'];
    const facts = EarnedFacts.of(ids.map((id) => answer(id)));
    const read = EarnedFacts.fromColumns(JSON.parse(JSON.stringify(facts.columns())));
    for (const id of ids) expect(read.has('nejm-board-review', id)).toBe(true);
    for (const id of ['q-', 'q-100', 'line', 'break', 'back\\', 'back\nslash', 'e', 'zz', ' '])
      expect(read.has('nejm-board-review', id)).toBe(false);
    expect(read.has('ipoc', 'q-1')).toBe(false);
    expect(read.toArray().map((f) => f.sourceId)).toEqual(ids);
    // Grown and written again: the ids it had and the ones added, each searched the same way.
    const grown = read.withAll([answer('a-new'), answer('q-1'), research('line\nbreak')]);
    const again = EarnedFacts.fromColumns(JSON.parse(JSON.stringify(grown.columns())));
    expect(again).toEqual(grown);
    for (const id of [...ids, 'a-new']) expect(again.has('nejm-board-review', id)).toBe(true);
    expect(again.has('ipoc', 'line\nbreak')).toBe(true);
    expect(again.has('ipoc', 'q-1')).toBe(false);
  });

  it('refuses columns that do not agree (a snapshot this code did not write)', () => {
    const columns = EarnedFacts.of([answer('q-1'), answer('q-2')]).columns();
    expect(() => EarnedFacts.fromColumns({ ...columns, ids: '\nq-1' })).toThrow(
      /columns do not agree: 2 facts in runs, 1 ids, 2 times/,
    );
    expect(() => EarnedFacts.fromColumns({ ...columns, runs: [1, 2026, '2'] })).toThrow(
      /a run is cut short/,
    );
    expect(() => EarnedFacts.fromColumns({ ...columns, runs: [1, 2026, 2, 2] })).toThrow(
      /run 0 is not \[code, year, twelfths, count\]/,
    );
  });
});
