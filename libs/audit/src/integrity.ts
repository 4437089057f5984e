import type { ChainBreak, EventStore } from '@ledger/event-store';
import type { LogDigestReport } from './log-digest';
import { digestLog, type LogRange } from './log-reader';

/** A broken link of a stream's hash chain, as JSON (positions and revisions as strings). */
export interface ChainBreakView {
  streamName: string;
  kind: ChainBreak['kind'];
  /** The revision where the chain first breaks. */
  revision: string;
  eventId: string | null;
  position: string | null;
  detail: string;
}

export interface IntegrityReport {
  /** Every chain verifies and, when a digest was given to compare, it matches. */
  ok: boolean;
  verification: {
    ok: boolean;
    streamsChecked: number;
    eventsChecked: number;
    /** The first broken link of each broken stream: which event, and how it broke. */
    breaks: ChainBreakView[];
  };
  log: LogDigestReport;
  /** Present when the caller gave the digest it stored earlier for the same range. */
  comparison?: { expectedDigest: string; matches: boolean; detail: string };
}

export const chainBreakView = (b: ChainBreak): ChainBreakView => ({
  streamName: b.streamName,
  kind: b.kind,
  revision: b.revision.toString(),
  eventId: b.eventId ?? null,
  position: b.position?.toString() ?? null,
  detail: b.detail,
});

/**
 * Verifies every stream's hash chain (the store walks one stream at a time) and digests the
 * log's range page by page: memory stays bounded by a page and one stream, not by the log.
 */
export async function checkIntegrity(
  store: Pick<EventStore, 'readAll' | 'verifyAll'>,
  options: LogRange & { expectedDigest?: string } = {},
): Promise<IntegrityReport> {
  const verification = await store.verifyAll();
  const log = await digestLog(store, options);
  const report: IntegrityReport = {
    ok: verification.ok,
    verification: {
      ok: verification.ok,
      streamsChecked: verification.streamsChecked,
      eventsChecked: verification.eventsChecked,
      breaks: verification.breaks.map(chainBreakView),
    },
    log,
  };
  if (options.expectedDigest !== undefined) {
    const expected = options.expectedDigest.toLowerCase();
    const matches = expected === log.digest;
    report.comparison = {
      expectedDigest: expected,
      matches,
      detail: matches
        ? `the ${log.events} events up to position ${log.upToPosition} are the history that digest was taken of`
        : `the ${log.events} events up to position ${log.upToPosition} differ from the history that digest was taken of: ` +
          'an event was altered, removed, added or reordered (the chain breaks above name it when a chain no longer verifies; ' +
          'otherwise compare a kept export with `ledger check-export --against-ledger`)',
    };
    report.ok = report.ok && matches;
  }
  return report;
}
