import {
  boardSubmissionId,
  boardSubmissionStreamName,
  currentCreditTotals,
  evolveBoardSubmission,
  foldLearner,
  initialBoardSubmissionState,
  INSTANT_FORMAT,
  learnerStreamName,
  mocPoints,
  parseInstant,
  type AcceptedCredit,
  type BoardSubmissionEvent,
  type BoardSubmissionState,
  type LearnerEvent,
  type LearnerState,
} from '@ledger/domain';
import type { EventStore, RecordedEvent } from '@ledger/event-store';
import { boardSubmissionEventCodec, learnerEventCodec } from '@ledger/ledger';
import { creditsViewOf, type CreditsView } from '@ledger/read-models';

/**
 * As-of replay: a learner's balances rebuilt from the events alone, as they stood at an instant
 * (the events recorded by then: what the ledger knew) or at a global position (the events at or
 * below it). No read model is read.
 */
export type AsOf = { kind: 'instant'; at: Date } | { kind: 'position'; position: bigint };

export class InvalidAsOfError extends Error {
  override readonly name = 'InvalidAsOfError';
}

const POSITION = /^(0|[1-9][0-9]{0,18})$/;

/** `1042` → a position; `2026-03-14T09:30:00Z` (an instant with its zone) → an instant. */
export function parseAsOf(text: string): AsOf {
  if (POSITION.test(text)) {
    const position = BigInt(text);
    if (position > 0x7fff_ffff_ffff_ffffn) throw new InvalidAsOfError('a position has 64 bits');
    return { kind: 'position', position };
  }
  const at = parseInstant(text);
  if (!at) {
    throw new InvalidAsOfError(
      `must be a global position (digits) or an instant that exists, ${INSTANT_FORMAT}`,
    );
  }
  return { kind: 'instant', at };
}

/** The same shape as the live credits query (`learnerCredits`), plus what was replayed. */
export interface CreditsAsOfView extends CreditsView {
  replay: {
    mode: AsOf['kind'];
    /** How many events of the learner's stream and of its board submissions were folded. */
    events: number;
    /** The learner's stream and the board-submission streams read. */
    streams: number;
  };
}

/** What the events say at the instant or position asked. */
export interface LearnerReplay {
  learner: LearnerState;
  /** The learner's board submissions (R8), one per claim and board, as they stood. */
  submissions: BoardSubmissionState[];
  events: number;
  streams: number;
  /** The highest position among the events folded (0 when none). */
  lastPosition: bigint;
  /** The latest recorded-at among the events folded. */
  lastRecordedAt: Date | undefined;
}

const learnerCodec = learnerEventCodec();
const submissionCodec = boardSubmissionEventCodec();

const included = (asOf: AsOf) =>
  asOf.kind === 'instant'
    ? (e: RecordedEvent) => e.recordedAt.getTime() <= asOf.at.getTime()
    : (e: RecordedEvent) => e.position <= asOf.position;

async function readStream(
  store: Pick<EventStore, 'readStream'>,
  streamName: string,
  keep: (e: RecordedEvent) => boolean,
): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  const pageSize = 1000;
  let fromRevision = 0n;
  for (;;) {
    const page = await store.readStream(streamName, { fromRevision, maxCount: pageSize });
    for (const e of page) if (keep(e)) out.push(e);
    const last = page[page.length - 1];
    if (!last || page.length < pageSize) return out;
    fromRevision = last.revision + 1n;
  }
}

/**
 * Folds the learner's stream and the streams of its claims' board submissions (their ids derive
 * from claim and board), keeping only the events recorded by the instant, or at or below the
 * position. Personal data is never decrypted: replay needs none.
 */
export async function replayLearner(
  store: Pick<EventStore, 'readStream'>,
  learnerId: string,
  asOf: AsOf,
): Promise<LearnerReplay> {
  const keep = included(asOf);
  let events = 0;
  let lastPosition = 0n;
  let lastRecordedAt: Date | undefined;
  const seen = (e: RecordedEvent): void => {
    events += 1;
    if (e.position > lastPosition) lastPosition = e.position;
    if (!lastRecordedAt || e.recordedAt > lastRecordedAt) lastRecordedAt = e.recordedAt;
  };

  const decodedLearner: LearnerEvent[] = [];
  for (const recorded of await readStream(store, learnerStreamName(learnerId), keep)) {
    seen(recorded);
    const event = await learnerCodec.decode(recorded);
    if (event) decodedLearner.push(event);
  }
  const learner = foldLearner(decodedLearner);

  const submissionStreams = [...learner.claims.values()].flatMap((claim) =>
    claim.boards.map((board) => boardSubmissionStreamName(boardSubmissionId(claim.claimId, board))),
  );
  const submissions = await Promise.all(
    submissionStreams.map(async (streamName) => {
      let state: BoardSubmissionState = initialBoardSubmissionState();
      for (const recorded of await readStream(store, streamName, keep)) {
        seen(recorded);
        const event: BoardSubmissionEvent | undefined = await submissionCodec.decode(recorded);
        if (event) state = evolveBoardSubmission(state, event);
      }
      return state;
    }),
  );
  return {
    learner,
    submissions,
    events,
    streams: 1 + submissionStreams.length,
    lastPosition,
    lastRecordedAt,
  };
}

/**
 * R12/R13 from a replay, computed the way the live query computes them from its read models:
 * every earned and claimed fact folded counts, and a year's unclaimed credit shows as expired
 * once its claim window closed by `at` (R5); MOC points from credit a MOC board accepted;
 * non-US equivalents from credit claimed with an AMA PRA Category 1 certificate.
 */
export function creditsFromReplay(
  learnerId: string,
  replay: LearnerReplay,
  at: Date,
  timeZone: string,
  mode: AsOf['kind'],
  position: bigint,
): CreditsAsOfView {
  const totals = currentCreditTotals(replay.learner, at, timeZone);
  const accepted: AcceptedCredit[] = replay.submissions.flatMap((s) => {
    if (s.status !== 'accepted' && s.status !== 'confirmed') return [];
    const claim = replay.learner.claims.get(s.claimId);
    return claim
      ? [
          {
            board: s.board,
            claimId: s.claimId,
            certificate: claim.certificate,
            twelfths: s.twelfths,
          },
        ]
      : [];
  });
  return {
    learnerId,
    position: position.toString(),
    asOf: at.toISOString(),
    ...creditsViewOf(totals, mocPoints(accepted)),
    replay: { mode, events: replay.events, streams: replay.streams },
  };
}

/**
 * The learner's balances as they stood at the instant or position: for an instant, expiry is
 * judged at that instant; for a position, at the recorded-at of the event at that position
 * (or, when none is stored there, of the latest event folded).
 */
export async function learnerCreditsAsOf(
  store: Pick<EventStore, 'readStream' | 'readAll'>,
  learnerId: string,
  asOf: AsOf,
  options: { timeZone: string; now: () => Date },
): Promise<CreditsAsOfView> {
  const replay = await replayLearner(store, learnerId, asOf);
  if (asOf.kind === 'instant') {
    return creditsFromReplay(
      learnerId,
      replay,
      asOf.at,
      options.timeZone,
      'instant',
      replay.lastPosition,
    );
  }
  const atPosition =
    asOf.position > 0n
      ? (await store.readAll({ after: asOf.position - 1n, maxCount: 1 }))[0]
      : undefined;
  const at =
    atPosition?.position === asOf.position
      ? atPosition.recordedAt
      : (replay.lastRecordedAt ?? options.now());
  return creditsFromReplay(learnerId, replay, at, options.timeZone, 'position', asOf.position);
}
