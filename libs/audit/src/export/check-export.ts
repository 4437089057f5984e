import {
  chainLink,
  contentDigest,
  genesisHash,
  type EventStore,
  type RecordedEvent,
} from '@ledger/event-store';
import { LogDigest, type LogDigestReport } from '../log-digest';
import { readLogPages } from '../log-reader';
import { exportLines } from './export-lines';

export type ExportProblemKind =
  /** The line is not an event record. */
  | 'malformed'
  /** A line's position is not greater than the line before it. */
  | 'out-of-order'
  /** A stream's revision is missing. */
  | 'removed'
  /** A stream's revision appears again, or out of order. */
  | 'reordered'
  /** The event does not match its link: content or link altered. */
  | 'altered'
  /** With a ledger to compare: the event at this place of the ledger's log is another one. */
  | 'differs-from-ledger'
  /** With a ledger to compare: the ledger's log ends before this event. */
  | 'missing-from-ledger';

export interface ExportProblem {
  /** 1-based line number in the export. */
  line: number;
  kind: ExportProblemKind;
  eventId: string | null;
  streamName: string | null;
  revision: string | null;
  position: string | null;
  detail: string;
}

export interface ExportCheckReport {
  /** Well-formed, every chain verifies, the digest matches (when given) and so does the ledger. */
  ok: boolean;
  lines: number;
  events: number;
  streams: number;
  /**
   * Streams whose first exported event is not their first (an export that starts after a
   * position): their chain is checked from that event on.
   */
  streamsStartingMidway: number;
  log: LogDigestReport;
  comparison?: { expectedDigest: string; matches: boolean };
  /** With a ledger to compare: how many events agreed before the first difference (if any). */
  ledger?: { eventsCompared: number; matches: boolean };
  /** The first problem of each stream, and any malformed or misplaced line (at most 100). */
  problems: ExportProblem[];
  problemsTruncated: boolean;
}

export interface CheckExportOptions {
  /** The digest the auditor stored for this range (integrity endpoint or `ledger digest`). */
  expectedDigest?: string;
  /** The position the export started after (0: a whole export, every stream from revision 0). */
  after?: bigint;
  /** Compare event by event with this ledger's log, from `after`: names the first difference. */
  ledger?: Pick<EventStore, 'readAll'>;
}

const MAX_PROBLEMS = 100;

/**
 * Checks an export on its own (each stream's hash chain recomputed from the exported content,
 * lines in log order) and computes its digest, to compare with the one the auditor stored.
 * Memory: one line at a time plus the last link of each stream.
 */
export async function checkExport(
  lines: AsyncIterable<string>,
  options: CheckExportOptions = {},
): Promise<ExportCheckReport> {
  const after = options.after ?? 0n;
  const digest = new LogDigest(after);
  // Each stream's last link as its hex text (the line's own string): a Buffer per stream would
  // hold a slice of a shared 8 KiB pool, and with many streams keep most of those pools alive.
  const chains = new Map<string, { next: bigint; link: string } | 'broken'>();
  const problems: ExportProblem[] = [];
  let problemCount = 0;
  let lineNo = 0;
  let lastPosition: bigint | undefined;
  let midway = 0;
  const ledger = options.ledger ? ledgerCursor(options.ledger, after) : undefined;
  let ledgerCompared = 0;
  let ledgerMatches = true;

  const problem = (p: ExportProblem): void => {
    problemCount += 1;
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };
  const at = (e: RecordedEvent, kind: ExportProblemKind, detail: string): ExportProblem => ({
    line: lineNo,
    kind,
    eventId: e.id,
    streamName: e.streamName,
    revision: e.revision.toString(),
    position: e.position.toString(),
    detail,
  });

  for await (const read of exportLines(lines)) {
    lineNo = read.line;
    if ('malformed' in read) {
      problem({
        line: lineNo,
        kind: 'malformed',
        eventId: null,
        streamName: null,
        revision: null,
        position: null,
        detail: read.malformed,
      });
      continue;
    }
    const e = read.event;
    // The canonical text is serialized and hashed once, for the digest and the chain alike.
    const content = contentDigest(e);
    digest.add(e, content);
    if (lastPosition !== undefined && e.position <= lastPosition) {
      problem(at(e, 'out-of-order', `position ${e.position} follows position ${lastPosition}`));
    }
    lastPosition = e.position;

    const chain = chains.get(e.streamName);
    if (chain !== 'broken') {
      const broken = checkLink(e, content, chain, after, () => (midway += 1));
      if (broken) {
        chains.set(e.streamName, 'broken');
        problem(at(e, broken.kind, broken.detail));
      } else {
        chains.set(e.streamName, { next: e.revision + 1n, link: e.hash });
      }
    }

    if (ledger && ledgerMatches) {
      const theirs = await ledger.next(e.position);
      if (theirs === undefined) {
        ledgerMatches = false;
        problem(at(e, 'missing-from-ledger', `the ledger's log ends before event ${e.id}`));
      } else if (!sameEvent(e, content, theirs)) {
        ledgerMatches = false;
        problem(
          at(
            e,
            'differs-from-ledger',
            `the ledger holds event ${theirs.id} (${theirs.streamName} revision ${theirs.revision}, ` +
              `position ${theirs.position}) where the export holds ${e.id} (${e.streamName} revision ${e.revision}): ` +
              describeDifference(e, theirs),
          ),
        );
      } else {
        ledgerCompared += 1;
      }
    }
  }

  const log = digest.report();
  const report: ExportCheckReport = {
    ok: problemCount === 0,
    lines: lineNo,
    events: log.events,
    streams: chains.size,
    streamsStartingMidway: midway,
    log,
    problems,
    problemsTruncated: problemCount > problems.length,
  };
  if (options.expectedDigest !== undefined) {
    const expected = options.expectedDigest.toLowerCase();
    report.comparison = { expectedDigest: expected, matches: expected === log.digest };
    report.ok = report.ok && report.comparison.matches;
  }
  if (ledger) report.ledger = { eventsCompared: ledgerCompared, matches: ledgerMatches };
  return report;
}

function checkLink(
  e: RecordedEvent,
  content: Buffer,
  chain: { next: bigint; link: string } | undefined,
  after: bigint,
  startsMidway: () => void,
): { kind: ExportProblemKind; detail: string } | undefined {
  let previous: Buffer;
  if (chain === undefined) {
    if (e.revision === 0n) {
      previous = genesisHash(e.streamName);
    } else if (after > 0n) {
      // A partial export: the link before this event is not in it; chain from this one on.
      startsMidway();
      return undefined;
    } else {
      return {
        kind: 'removed',
        detail: `the stream's first event in a whole export is at revision ${e.revision}: revisions 0 to ${e.revision - 1n} are missing`,
      };
    }
  } else if (e.revision !== chain.next) {
    return e.revision > chain.next
      ? {
          kind: 'removed',
          detail: `revision ${chain.next} is missing: the next exported event has revision ${e.revision}`,
        }
      : {
          kind: 'reordered',
          detail: `revision ${e.revision} appears where ${chain.next} was expected`,
        };
  } else {
    previous = Buffer.from(chain.link, 'hex');
  }
  const link = chainLink(previous, e.revision, content).toString('hex');
  if (link !== e.hash) {
    return {
      kind: 'altered',
      detail: `event ${e.id} at revision ${e.revision} does not match its hash: content or link altered`,
    };
  }
  return undefined;
}

function sameEvent(a: RecordedEvent, aContent: Buffer, b: RecordedEvent): boolean {
  return (
    a.id === b.id &&
    a.streamName === b.streamName &&
    a.revision === b.revision &&
    a.hash === b.hash &&
    aContent.equals(contentDigest(b))
  );
}

function describeDifference(a: RecordedEvent, b: RecordedEvent): string {
  if (a.id !== b.id)
    return 'another event is at this place of the log (removed, added or reordered)';
  if (a.streamName !== b.streamName || a.revision !== b.revision)
    return 'the event moved to another stream or revision';
  if (a.hash !== b.hash) return 'its hash-chain link differs';
  return 'its content differs (type, data, metadata or recorded-at)';
}

/**
 * The ledger's log from `after`, one event at a time, read in pages. `next(through)` is told the
 * export's position: where the pages end before it, they are read once more, from the last event
 * read, knowing that the ledger should hold that position (see readLogPages: the end of a page
 * can be the readable horizon held back for a moment, not the log's end).
 */
function ledgerCursor(
  store: Pick<EventStore, 'readAll'>,
  after: bigint,
): { next(through: bigint): Promise<RecordedEvent | undefined> } {
  let pages = readLogPages(store, { after });
  let page: RecordedEvent[] = [];
  let index = 0;
  let last = after;
  let readAgain = true;
  return {
    async next(through) {
      while (index >= page.length) {
        const result = await pages.next();
        if (result.done) {
          if (!readAgain) return undefined;
          readAgain = false;
          pages = readLogPages(store, { after: last, through });
          continue;
        }
        page = result.value;
        index = 0;
        readAgain = true;
      }
      const e = page[index] as RecordedEvent;
      index += 1;
      last = e.position;
      return e;
    },
  };
}
