import type { Activity } from '../credits/activity';

/** One earning fact: a research (R1) or a first correct answer (R2). */
export interface EarnedCredit {
  readonly activity: Activity;
  /** The research id or question id that earned it. */
  readonly sourceId: string;
  readonly earnedYear: number;
  readonly twelfths: bigint;
  readonly occurredAt: Date;
}

/**
 * One earning fact as a snapshot keeps it: activity code (0 IPoC, 1 board review), research or
 * question id, earned year, twelfths (decimal text), business time (epoch ms).
 */
export type EarnedFactRow = readonly [
  code: number,
  sourceId: string,
  earnedYear: number,
  twelfths: string,
  occurredAtMs: number,
];

const ACTIVITIES: readonly Activity[] = ['ipoc', 'nejm-board-review'];
const codeOf = (activity: Activity): 0 | 1 => (activity === 'ipoc' ? 0 : 1);

/** Twelfths as text → bigint, for the few amounts facts carry (2 and 6, mostly). */
const amounts = new Map<string, bigint>();
const amountOf = (text: string): bigint => {
  let amount = amounts.get(text);
  if (amount === undefined) {
    amount = BigInt(text);
    if (amounts.size < 64) amounts.set(text, amount);
  }
  return amount;
};

const rowOf = (fact: EarnedCredit): EarnedFactRow => [
  codeOf(fact.activity),
  fact.sourceId,
  fact.earnedYear,
  fact.twelfths.toString(),
  fact.occurredAt.getTime(),
];

const factOf = ([code, sourceId, earnedYear, twelfths, ms]: EarnedFactRow): EarnedCredit => ({
  activity: ACTIVITIES[code] ?? 'ipoc',
  sourceId,
  earnedYear,
  twelfths: amountOf(twelfths),
  occurredAt: new Date(ms),
});

/**
 * The facts one state shares with the states folded from it. Facts are only ever appended, so
 * a state is a length over this log: it sees the facts before its length and nothing after.
 * A log read from a snapshot starts with the snapshot's rows, made into facts only when read
 * (a command on a long stream reads none of them: it asks `has` and the sums).
 */
interface FactLog {
  /** The first facts, as a snapshot kept them (never changed). */
  readonly rows: readonly EarnedFactRow[];
  /** `rows` made into facts, as they are read. */
  readonly made: (EarnedCredit | undefined)[];
  /** The facts after `rows`. */
  readonly facts: EarnedCredit[];
  /** Per activity code: research or question id → index of its first fact. */
  readonly firstAt: readonly [Map<string, number>, Map<string, number>];
}

/** Twelfths earned per activity code, then per earned year. */
type Sums = readonly [ReadonlyMap<number, bigint>, ReadonlyMap<number, bigint>];

const logSize = (log: FactLog): number => log.rows.length + log.facts.length;

function addTo(
  sums: [Map<number, bigint>, Map<number, bigint>],
  code: number,
  year: number,
  twelfths: bigint,
): void {
  const byYear = sums[code === 0 ? 0 : 1];
  byYear.set(year, (byYear.get(year) ?? 0n) + twelfths);
}

/**
 * R1/R2/R12: a learner's earning facts, in stream order: an immutable value that folds one more
 * fact in constant time (amortised), so that a command on a learner with years of history costs
 * what it costs on a new one.
 *
 * Appending to the value at the log's end (the usual case: each state is folded from the last)
 * pushes onto the shared log; the values before it keep their length and never see the new
 * fact. Appending to an older value (two folds from one state: an import's decision, then the
 * stream's fold) copies its facts into a log of its own first. Either way no value changes.
 */
export class EarnedFacts implements Iterable<EarnedCredit> {
  declare private readonly log: FactLog;
  declare private readonly sums: Sums;

  private constructor(
    log: FactLog,
    /** How many of the log's facts this value holds. */
    readonly length: number,
    sums: Sums,
  ) {
    // Not enumerable: two values holding the same facts are equal (deep equality compares the
    // facts, by iteration, and `length`), whatever their shared logs hold past them.
    Object.defineProperties(this, { log: { value: log }, sums: { value: sums } });
  }

  static empty(): EarnedFacts {
    return EarnedFacts.fromRows([]);
  }

  static of(facts: Iterable<EarnedCredit>): EarnedFacts {
    return EarnedFacts.empty().withAll([...facts]);
  }

  /** The facts a snapshot kept (see `rows`), read lazily. */
  static fromRows(rows: readonly EarnedFactRow[]): EarnedFacts {
    const firstAt: [Map<string, number>, Map<string, number>] = [new Map(), new Map()];
    const sums: [Map<number, bigint>, Map<number, bigint>] = [new Map(), new Map()];
    rows.forEach(([code, sourceId, earnedYear, twelfths], index) => {
      const ids = firstAt[code === 0 ? 0 : 1];
      if (!ids.has(sourceId)) ids.set(sourceId, index);
      addTo(sums, code, earnedYear, amountOf(twelfths));
    });
    return new EarnedFacts({ rows, made: [], facts: [], firstAt }, rows.length, sums);
  }

  /** This value and one more fact. */
  with(fact: EarnedCredit): EarnedFacts {
    return this.withAll([fact]);
  }

  /** Several facts at once: one copy of the sums, however many facts. */
  withAll(facts: readonly EarnedCredit[]): EarnedFacts {
    if (facts.length === 0) return this;
    const log = this.length === logSize(this.log) ? this.log : this.ownCopy();
    const sums: [Map<number, bigint>, Map<number, bigint>] = [
      new Map(this.sums[0]),
      new Map(this.sums[1]),
    ];
    let length = this.length;
    for (const fact of facts) {
      const code = codeOf(fact.activity);
      const ids = log.firstAt[code];
      if (!ids.has(fact.sourceId)) ids.set(fact.sourceId, length);
      log.facts.push(fact);
      addTo(sums, code, fact.earnedYear, fact.twelfths);
      length += 1;
    }
    return new EarnedFacts(log, length, sums);
  }

  /** R1/R2: whether a fact of this activity and source id (research or question) is held. */
  has(activity: Activity, sourceId: string): boolean {
    const at = this.log.firstAt[codeOf(activity)].get(sourceId);
    return at !== undefined && at < this.length;
  }

  /** The fact at `index` (stream order), if this value holds one there. */
  at(index: number): EarnedCredit | undefined {
    if (index < 0 || index >= this.length) return undefined;
    const { rows, made, facts } = this.log;
    if (index >= rows.length) return facts[index - rows.length];
    return (made[index] ??= factOf(rows[index] as EarnedFactRow));
  }

  /** R12: twelfths earned per earned year of one activity, over every fact held. */
  earnedByYear(activity: Activity): Map<number, bigint> {
    return new Map(this.sums[codeOf(activity)]);
  }

  *[Symbol.iterator](): Iterator<EarnedCredit> {
    for (let i = 0; i < this.length; i++) yield this.at(i) as EarnedCredit;
  }

  toArray(): EarnedCredit[] {
    return [...this];
  }

  /** The facts as a snapshot keeps them (the rows it was read from are handed back as they are). */
  rows(): EarnedFactRow[] {
    const { rows, facts } = this.log;
    const kept = rows.slice(0, Math.min(rows.length, this.length));
    for (let i = 0; i < this.length - rows.length; i++) kept.push(rowOf(facts[i] as EarnedCredit));
    return kept;
  }

  private ownCopy(): FactLog {
    const { rows, made } = this.log;
    const keptRows = rows.slice(0, Math.min(rows.length, this.length));
    const facts = this.log.facts.slice(0, Math.max(0, this.length - rows.length));
    const firstAt: [Map<string, number>, Map<string, number>] = [new Map(), new Map()];
    keptRows.forEach(([code, sourceId], index) => {
      const ids = firstAt[code === 0 ? 0 : 1];
      if (!ids.has(sourceId)) ids.set(sourceId, index);
    });
    facts.forEach((fact, i) => {
      const ids = firstAt[codeOf(fact.activity)];
      if (!ids.has(fact.sourceId)) ids.set(fact.sourceId, keptRows.length + i);
    });
    return { rows: keptRows, made: made.slice(0, keptRows.length), facts, firstAt };
  }
}
