import type { EventStore, RecordedEvent } from '@ledger/event-store';
import { LogDigest, type LogDigestReport } from './log-digest';

export interface LogRange {
  /** Exclusive start: events with a greater position. Default: the start of the log. */
  after?: bigint;
  /** Inclusive end. Default: the end of the log as it is read (it may grow meanwhile). */
  upTo?: bigint;
  /** Events per page read; memory holds one page at a time. */
  pageSize?: number;
}

/**
 * Events per page. Pages of a few thousand keep the round trips few, and each page short-lived
 * enough to die young in V8's nursery (pages of 5,000, two in memory with the read ahead,
 * outlived it and made the collector's work the largest cost).
 */
export const DEFAULT_PAGE_SIZE = 2000;

/** A range whose end lies before its start. */
export class InvalidLogRangeError extends Error {
  override readonly name = 'InvalidLogRangeError';
}

/** What is wrong with a range (`upTo` below `after`), or undefined when it reads a range. */
export function logRangeProblem(range: Pick<LogRange, 'after' | 'upTo'>): string | undefined {
  const { after, upTo } = range;
  if (after !== undefined && upTo !== undefined && upTo < after) {
    return `upTo (${upTo}) must not be less than after (${after}): the range would end before it starts`;
  }
  return undefined;
}

/**
 * How long a reader waits, in all, for the log's readable horizon to pass a position it knows
 * is there (see readLogPages): the waits between reads, doubling.
 */
const HORIZON_WAITS_MS = [10, 20, 40, 80, 160, 320];

/**
 * The log in position order, one page at a time (bounded memory: the page given and the one
 * being read). Stops at `upTo`, or when a page comes back short: the end of what the store lets
 * a reader see at that moment. While the caller works on a page, the next one is already being
 * read, so the store's time and the caller's overlap instead of adding up.
 *
 * A short page is not always the log's end. The PostgreSQL store lets a reader see only below
 * its readable horizon, and a transaction open elsewhere on the server holds that horizon until
 * the store has seen it for a moment and found that it cannot append. So where the caller knows
 * the log holds more (`upTo` not reached, `through` not reached, `maxEvents` not read), a short
 * page is read again a few times, about 0.6 s in all, before it counts as the end. Without
 * that, an import's own verification, a digest up to a position an auditor kept, or a
 * verification against a checkpoint's size could stop short and report a difference (or a
 * truncation) that is not there.
 */
export async function* readLogPages(
  store: Pick<EventStore, 'readAll'>,
  range: LogRange & {
    /** Read at most this many events (the pages stop there: nothing past it is read). */
    maxEvents?: number;
    /**
     * The log is known to hold an event at this position or after it (the pages do not stop
     * there): a short page before it is read again, as before `upTo`.
     */
    through?: bigint;
  } = {},
): AsyncGenerator<RecordedEvent[]> {
  const problem = logRangeProblem(range);
  if (problem) throw new InvalidLogRangeError(problem);
  const pageSize = range.pageSize ?? DEFAULT_PAGE_SIZE;
  const upTo = range.upTo;
  const expected = range.through ?? upTo;
  let left = range.maxEvents ?? Infinity;
  let lastPosition = range.after ?? 0n;
  const read = (after: bigint): { asked: number; page: Promise<RecordedEvent[]> } => {
    const asked = Math.min(pageSize, left);
    const page = store.readAll({ after, maxCount: asked });
    // Awaited below; a caller that stops early leaves it to settle unobserved.
    page.catch(() => undefined);
    return { asked, page };
  };
  const moreExpected = (): boolean =>
    left > 0 &&
    ((expected !== undefined && lastPosition < expected) || range.maxEvents !== undefined);
  let waits = 0;
  let next = left > 0 ? read(lastPosition) : undefined;
  while (next) {
    const { asked, page: reading } = next;
    const page = await reading;
    const inRange = upTo === undefined ? page : page.filter((e) => e.position <= upTo);
    left -= inRange.length;
    const last = page[page.length - 1];
    if (last !== undefined) lastPosition = last.position;
    const pastUpTo = inRange.length < page.length || (upTo !== undefined && lastPosition >= upTo);
    const full = page.length >= asked;
    if (page.length > 0) waits = 0;
    let readAgainIn: number | undefined;
    if (full && !pastUpTo && left > 0) {
      next = read(lastPosition);
    } else {
      next = undefined;
      if (!full && !pastUpTo && moreExpected()) readAgainIn = HORIZON_WAITS_MS[waits++];
    }
    if (inRange.length > 0) yield inRange;
    if (readAgainIn !== undefined) {
      await new Promise((resolve) => setTimeout(resolve, readAgainIn));
      next = read(lastPosition);
    }
  }
}

/** The digest of the log's range (see log-digest.ts), read in pages. */
export async function digestLog(
  store: Pick<EventStore, 'readAll'>,
  range: LogRange = {},
): Promise<LogDigestReport> {
  const digest = new LogDigest(range.after ?? 0n);
  for await (const page of readLogPages(store, range)) {
    for (const e of page) digest.add(e);
  }
  return digest.report();
}
