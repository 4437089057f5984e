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

export const DEFAULT_PAGE_SIZE = 5000;

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
 * The log in position order, one page at a time (bounded memory). Stops at `upTo`, or when a
 * page comes back short: the end of what the store lets a reader see at that moment.
 */
export async function* readLogPages(
  store: Pick<EventStore, 'readAll'>,
  range: LogRange = {},
): AsyncGenerator<RecordedEvent[]> {
  const problem = logRangeProblem(range);
  if (problem) throw new InvalidLogRangeError(problem);
  const pageSize = range.pageSize ?? DEFAULT_PAGE_SIZE;
  let after = range.after ?? 0n;
  for (;;) {
    const page = await store.readAll({ after, maxCount: pageSize });
    const upTo = range.upTo;
    const inRange = upTo === undefined ? page : page.filter((e) => e.position <= upTo);
    if (inRange.length > 0) yield inRange;
    const last = page[page.length - 1];
    if (!last || page.length < pageSize || inRange.length < page.length) return;
    if (upTo !== undefined && last.position >= upTo) return;
    after = last.position;
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
