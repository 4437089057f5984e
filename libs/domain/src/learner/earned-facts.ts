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
 * Earning facts as a snapshot keeps them: columns, not one row per fact, so that reading a
 * learner with 50,000 facts parses a few arrays and strings (not 50,000 small arrays) and builds
 * nothing: its sums are counted from runs, its ids searched where they lie, its facts made only
 * when one is read. Facts alike in a field that follow one another share a run.
 *
 * Ids are kept as text: each id after a line break, a line break or a backslash within an id
 * written as a backslash and `n` or two backslashes (see `idText`).
 */
export interface EarnedFactColumns {
  /**
   * Runs of facts alike in activity code (0 IPoC, 1 board review), earned year and twelfths
   * (decimal text), flat: `code, earnedYear, twelfths, count, code, earnedYear, …`.
   */
  readonly runs: readonly (number | string)[];
  /** Per fact, in stream order: the research id or question id that earned it. */
  readonly ids: string;
  /**
   * Per activity code: the ids of its facts, each once, in the order of their text (UTF-16 code
   * units): searched by bisection, so that a command asks `has` with no index made.
   */
  readonly sortedIds: readonly [string, string];
  /**
   * Business time (epoch ms) as steps from the fact before (the first from 0), in runs of equal
   * steps, flat: `step, count, step, count, …`.
   */
  readonly at: readonly number[];
}

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

/** Twelfths earned per activity code, then per earned year. */
type Sums = readonly [ReadonlyMap<number, bigint>, ReadonlyMap<number, bigint>];

function addTo(
  sums: [Map<number, bigint>, Map<number, bigint>],
  code: number,
  year: number,
  twelfths: bigint,
): void {
  const byYear = sums[code === 0 ? 0 : 1];
  byYear.set(year, (byYear.get(year) ?? 0n) + twelfths);
}

/** An id as the columns' text writes it (see EarnedFactColumns). */
const idText = (id: string): string =>
  id.includes('\n') || id.includes('\\')
    ? id.replace(/[\n\\]/g, (c) => (c === '\n' ? '\\n' : '\\\\'))
    : id;

const idOf = (text: string): string =>
  text.includes('\\') ? text.replace(/\\(n|\\)/g, (_, c) => (c === 'n' ? '\n' : '\\')) : text;

/** The written ids of a text of ids (each after a line break). */
const entriesOf = (text: string): string[] => (text === '' ? [] : text.slice(1).split('\n'));

/** How many ids a text of ids holds. */
function countEntries(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) count += 1;
  return count;
}

/** Whether a sorted text of ids holds the written id `id`: bisection over its characters. */
function holds(sorted: string, id: string): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    // The entry around the middle: from the line break that starts it to the next.
    const start = sorted.lastIndexOf('\n', (lo + hi) >>> 1);
    let end = sorted.indexOf('\n', start + 1);
    if (end < 0) end = sorted.length;
    const entry = sorted.slice(start + 1, end);
    if (entry === id) return true;
    if (entry < id) lo = end;
    else hi = start;
  }
  return false;
}

/** Columns written a fact at a time, each run grown while the facts are alike. */
class ColumnWriter {
  private readonly runs: (number | string)[];
  private ids: string;
  /** Per activity code: the written ids that `from`'s sorted ids do not hold. */
  private readonly added: [string[], string[]] = [[], []];
  private readonly at: number[];

  constructor(
    private readonly from: EarnedFactColumns,
    /** The business time of the last fact in `from` (0 when none). */
    private lastMs: number,
  ) {
    this.runs = [...from.runs];
    this.ids = from.ids;
    this.at = [...from.at];
  }

  add(fact: EarnedCredit): void {
    const { runs, at } = this;
    const code = codeOf(fact.activity);
    const twelfths = fact.twelfths.toString();
    const r = runs.length - 4;
    if (r >= 0 && runs[r] === code && runs[r + 1] === fact.earnedYear && runs[r + 2] === twelfths)
      runs[r + 3] = (runs[r + 3] as number) + 1;
    else runs.push(code, fact.earnedYear, twelfths, 1);
    const text = idText(fact.sourceId);
    this.ids += `\n${text}`;
    if (!holds(this.from.sortedIds[code], text)) this.added[code].push(text);
    const ms = fact.occurredAt.getTime();
    const step = ms - this.lastMs;
    this.lastMs = ms;
    if (at.length >= 2 && at[at.length - 2] === step)
      at[at.length - 1] = (at[at.length - 1] as number) + 1;
    else at.push(step, 1);
  }

  columns(): EarnedFactColumns {
    const sorted = (code: 0 | 1): string => {
      const kept = this.from.sortedIds[code];
      const added = this.added[code];
      if (added.length === 0) return kept;
      // Array sort orders strings by UTF-16 code units, as `<` compares them in `holds`.
      const all = [...new Set([...entriesOf(kept), ...added])].sort();
      return `\n${all.join('\n')}`;
    };
    return { runs: this.runs, ids: this.ids, sortedIds: [sorted(0), sorted(1)], at: this.at };
  }
}

const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

const malformed = (what: string): Error =>
  new RangeError(`earning facts' columns do not agree: ${what}`);

/** A fact's fields by index, without making the fact (see EarnedFacts.activityAt). */
interface FactFields {
  activityAt(index: number): Activity;
  earnedYearAt(index: number): number;
  twelfthsAt(index: number): bigint;
  timeAt(index: number): number;
}

/** A fact's twelfths, shared by the facts of one amount (2 and 6, mostly): a few, compared. */
const sharedAmounts: bigint[] = [];
const shared = (amount: bigint): bigint => {
  for (const known of sharedAmounts) if (known === amount) return known;
  if (sharedAmounts.length < 16) sharedAmounts.push(amount);
  return amount;
};

/**
 * Facts a column per field: an id, a number for the activity and earned year, a shared bigint
 * and a time in epoch ms each; a fact's object (and its Date) is made when it is read. About a
 * third of the heap of one object per fact, and a learner's folded state is what the command
 * executor's cache holds (see learner-state-weight.ts). The facts folded after a snapshot's
 * are kept so, and a snapshot's own once read (its columns, run-length coded, cannot be read
 * by index).
 */
class AddedFacts implements FactFields {
  constructor(
    private readonly ids: string[] = [],
    /** Activity code + 2 × earned year. */
    private readonly kinds: number[] = [],
    private readonly amounts: bigint[] = [],
    private readonly times: number[] = [],
  ) {}

  get length(): number {
    return this.ids.length;
  }

  push(fact: EarnedCredit): void {
    this.add(
      fact.sourceId,
      codeOf(fact.activity),
      fact.earnedYear,
      fact.twelfths,
      fact.occurredAt.getTime(),
    );
  }

  add(sourceId: string, code: 0 | 1, earnedYear: number, twelfths: bigint, ms: number): void {
    this.ids.push(sourceId);
    this.kinds.push(code + 2 * earnedYear);
    this.amounts.push(shared(twelfths));
    this.times.push(ms);
  }

  at(index: number): EarnedCredit | undefined {
    const sourceId = this.ids[index];
    if (sourceId === undefined) return undefined;
    return {
      activity: this.activityAt(index),
      sourceId,
      earnedYear: this.earnedYearAt(index),
      twelfths: this.twelfthsAt(index),
      occurredAt: new Date(this.timeAt(index)),
    };
  }

  activityAt(index: number): Activity {
    return ACTIVITIES[(this.kinds[index] as number) & 1] as Activity;
  }

  earnedYearAt(index: number): number {
    const kind = this.kinds[index] as number;
    return (kind - (kind & 1)) / 2;
  }

  twelfthsAt(index: number): bigint {
    return this.amounts[index] as bigint;
  }

  timeAt(index: number): number {
    return this.times[index] as number;
  }

  /** The first `count` facts, in columns of their own. */
  firstOf(count: number): AddedFacts {
    return new AddedFacts(
      this.ids.slice(0, count),
      this.kinds.slice(0, count),
      this.amounts.slice(0, count),
      this.times.slice(0, count),
    );
  }
}

/**
 * The facts a snapshot kept, as its columns: their sums are counted from the runs, their ids
 * searched in the sorted text, and the facts themselves made on the first `at` (a command on a
 * long stream asks `has` and the sums, and reads no fact).
 */
class KeptFacts implements FactFields {
  readonly length: number;
  /** The business time of the last fact (0 when none): where appended steps start from. */
  readonly lastMs: number;
  readonly sums: Sums;
  /** The facts one field a column, made on the first read (see AddedFacts). */
  private facts: AddedFacts | undefined;

  constructor(readonly columns: EarnedFactColumns) {
    const { runs, ids, sortedIds, at } = columns;
    if (
      !Array.isArray(runs) ||
      typeof ids !== 'string' ||
      !Array.isArray(sortedIds) ||
      sortedIds.length !== 2 ||
      typeof sortedIds[0] !== 'string' ||
      typeof sortedIds[1] !== 'string' ||
      !Array.isArray(at)
    )
      throw malformed('not runs, ids, sorted ids per activity and times');
    if (runs.length % 4 !== 0 || at.length % 2 !== 0) throw malformed('a run is cut short');
    const sums: [Map<number, bigint>, Map<number, bigint>] = [new Map(), new Map()];
    let length = 0;
    for (let r = 0; r < runs.length; r += 4) {
      const [code, year, twelfths, count] = [runs[r], runs[r + 1], runs[r + 2], runs[r + 3]];
      if (
        (code !== 0 && code !== 1) ||
        typeof year !== 'number' ||
        typeof twelfths !== 'string' ||
        !isCount(count)
      )
        throw malformed(`run ${r / 4} is not [code, year, twelfths, count]`);
      addTo(sums, code, year, amountOf(twelfths) * BigInt(count));
      length += count;
    }
    let timed = 0;
    let lastMs = 0;
    for (let a = 0; a < at.length; a += 2) {
      const [step, count] = [at[a], at[a + 1]];
      if (typeof step !== 'number' || !isCount(count))
        throw malformed(`time run ${a / 2} is not [step, count]`);
      lastMs += step * count;
      timed += count;
    }
    const idCount = countEntries(ids);
    if (idCount !== length || timed !== length)
      throw malformed(`${length} facts in runs, ${idCount} ids, ${timed} times`);
    this.length = length;
    this.lastMs = lastMs;
    this.sums = sums;
  }

  static readonly none = new KeptFacts({ runs: [], ids: '', sortedIds: ['', ''], at: [] });

  has(code: 0 | 1, sourceId: string): boolean {
    return this.length > 0 && holds(this.columns.sortedIds[code], idText(sourceId));
  }

  at(index: number): EarnedCredit | undefined {
    return index >= 0 && index < this.length ? this.expanded(index).at(index) : undefined;
  }

  activityAt(index: number): Activity {
    return this.expanded(index).activityAt(index);
  }

  earnedYearAt(index: number): number {
    return this.expanded(index).earnedYearAt(index);
  }

  twelfthsAt(index: number): bigint {
    return this.expanded(index).twelfthsAt(index);
  }

  timeAt(index: number): number {
    return this.expanded(index).timeAt(index);
  }

  private expanded(index: number): AddedFacts {
    if (!(index >= 0 && index < this.length))
      throw new RangeError(`no kept earning fact at ${index} of ${this.length}`);
    this.facts ??= this.makeFacts();
    return this.facts;
  }

  private makeFacts(): AddedFacts {
    const { runs, at } = this.columns;
    const ids = entriesOf(this.columns.ids);
    const facts = new AddedFacts();
    let ms = 0;
    let a = 0;
    let stepsLeft = 0;
    for (let r = 0; r < runs.length; r += 4) {
      const code = runs[r] === 1 ? 1 : 0;
      const earnedYear = runs[r + 1] as number;
      const twelfths = amountOf(runs[r + 2] as string);
      for (let n = runs[r + 3] as number; n > 0; n--) {
        while (stepsLeft === 0) {
          stepsLeft = at[a + 1] as number;
          a += 2;
        }
        ms += at[a - 2] as number;
        stepsLeft -= 1;
        facts.add(idOf(ids[facts.length] as string), code, earnedYear, twelfths, ms);
      }
    }
    return facts;
  }
}

/**
 * The facts one state shares with the states folded from it. Facts are only ever appended, so
 * a state is a length over this log: it sees the facts before its length and nothing after.
 * A log read from a snapshot starts with the snapshot's facts, kept as its columns (`kept`,
 * shared by every log made from it: never changed).
 */
interface FactLog {
  readonly kept: KeptFacts;
  /** The facts after `kept`. */
  readonly facts: AddedFacts;
  /** Per activity code: research or question id → index of its first fact after `kept`. */
  readonly firstAt: readonly [Map<string, number>, Map<string, number>];
}

const logSize = (log: FactLog): number => log.kept.length + log.facts.length;

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
    /** How many of the log's facts this value holds (never fewer than `log.kept`'s). */
    readonly length: number,
    sums: Sums,
  ) {
    // Not enumerable: two values holding the same facts are equal (deep equality compares the
    // facts, by iteration, and `length`), whatever their shared logs hold past them.
    Object.defineProperties(this, { log: { value: log }, sums: { value: sums } });
  }

  static empty(): EarnedFacts {
    return EarnedFacts.fromKept(KeptFacts.none);
  }

  static of(facts: Iterable<EarnedCredit>): EarnedFacts {
    return EarnedFacts.empty().withAll([...facts]);
  }

  /**
   * The facts a snapshot kept (see `columns`), read lazily. Throws a RangeError when the
   * columns do not agree with one another (then the snapshot is not one this code wrote).
   */
  static fromColumns(columns: EarnedFactColumns): EarnedFacts {
    return EarnedFacts.fromKept(new KeptFacts(columns));
  }

  private static fromKept(kept: KeptFacts): EarnedFacts {
    return new EarnedFacts(
      { kept, facts: new AddedFacts(), firstAt: [new Map(), new Map()] },
      kept.length,
      kept.sums,
    );
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
    const code = codeOf(activity);
    if (this.log.kept.has(code, sourceId)) return true;
    const at = this.log.firstAt[code].get(sourceId);
    return at !== undefined && at < this.length;
  }

  /** The fact at `index` (stream order), if this value holds one there. */
  at(index: number): EarnedCredit | undefined {
    if (index < 0 || index >= this.length) return undefined;
    const { kept, facts } = this.log;
    return index < kept.length ? kept.at(index) : facts.at(index - kept.length);
  }

  /*
   * The fields of the fact at `index` (0 ≤ index < length) that sums and claims read over every
   * fact, without making the fact (its object and Date): R5/R6's allocation and as-of lots.
   */
  activityAt(index: number): Activity {
    return this.partOf(index).activityAt(this.inPart(index));
  }

  earnedYearAt(index: number): number {
    return this.partOf(index).earnedYearAt(this.inPart(index));
  }

  twelfthsAt(index: number): bigint {
    return this.partOf(index).twelfthsAt(this.inPart(index));
  }

  /** Business time of the fact at `index`, epoch ms. */
  timeAt(index: number): number {
    return this.partOf(index).timeAt(this.inPart(index));
  }

  /** The part of the log that holds the fact at `index`: the snapshot's, or the facts after. */
  private partOf(index: number): FactFields {
    // The log may hold facts past this value's length (another value's): never read them.
    if (!(index >= 0 && index < this.length))
      throw new RangeError(`no earning fact at ${index} of ${this.length}`);
    return index < this.log.kept.length ? this.log.kept : this.log.facts;
  }

  private inPart(index: number): number {
    const { kept } = this.log;
    return index < kept.length ? index : index - kept.length;
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

  /** The facts as a snapshot keeps them (the columns read from one, and the facts after). */
  columns(): EarnedFactColumns {
    const { kept, facts } = this.log;
    const added = this.length - kept.length;
    if (added === 0) return kept.columns;
    const writer = new ColumnWriter(kept.columns, kept.lastMs);
    for (let i = 0; i < added; i++) writer.add(facts.at(i) as EarnedCredit);
    return writer.columns();
  }

  private ownCopy(): FactLog {
    const { kept } = this.log;
    const facts = this.log.facts.firstOf(this.length - kept.length);
    const firstAt: [Map<string, number>, Map<string, number>] = [new Map(), new Map()];
    for (let i = 0; i < facts.length; i++) {
      const fact = facts.at(i) as EarnedCredit;
      const ids = firstAt[codeOf(fact.activity)];
      if (!ids.has(fact.sourceId)) ids.set(fact.sourceId, kept.length + i);
    }
    return { kept, facts, firstAt };
  }
}
