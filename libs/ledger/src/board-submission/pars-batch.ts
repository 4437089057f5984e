import {
  calendarDate,
  completionRecord,
  NotReportableThroughPars,
  PARS_TIME_ZONE,
  type BoardLearnerIdentity,
  type ParsCompletion,
} from '@ledger/boards';
import {
  boardSubmissionDecider,
  consentsToDataSharing,
  floorToQuarter,
  formatCredits,
  learnerDecider,
  learnerStreamName,
  type ActiveBoardSubmission,
  type BoardSubmissionEvent,
  type BoardSubmissionState,
  type LearnerEvent,
  type LearnerState,
  type PersonalData,
} from '@ledger/domain';
import type { EventStore } from '@ledger/event-store';
import type { EventCodec } from '../command-handling/stream-command-executor';

/** A submission the batch file leaves out, and why (said without personal data). */
export interface BatchOmission {
  submissionId: string;
  board: string;
  reason: string;
}

export interface ParsBatch {
  records: ParsCompletion[];
  omitted: BatchOmission[];
}

const PAGE = 1000;

/**
 * R8, the batch path: every board submission whose completion date (in PARS's time zone) lies
 * from `from` to `to` (YYYY-MM-DD, both included) as PARS's learner record, with the identity
 * the submission's latest attempt sends (R7: the claim's snapshot; R16: after a retry, the
 * corrected profile). Read from the log alone, personal data decrypted just in time; a
 * submission whose learner was erased, or whose board PARS does not reach, is omitted and said.
 */
export async function parsBatch(
  store: EventStore,
  codecs: { learner: EventCodec<LearnerEvent>; submission: EventCodec<BoardSubmissionEvent> },
  range: { from: string; to: string; timeZone?: string },
): Promise<ParsBatch> {
  const timeZone = range.timeZone ?? PARS_TIME_ZONE;
  const submissions = new Map<string, BoardSubmissionState>();
  for (let after: bigint | undefined = undefined; ;) {
    const page = await store.readAll({ ...(after === undefined ? {} : { after }), maxCount: PAGE });
    for (const recorded of page) {
      if (!recorded.streamName.startsWith('board-submission-')) continue;
      const event = await codecs.submission.decode(recorded);
      if (event === undefined) continue;
      const id = event.data.submissionId;
      const state = submissions.get(id) ?? boardSubmissionDecider.initialState();
      submissions.set(id, boardSubmissionDecider.evolve(state, event));
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1]!.position;
  }
  const inRange = [...submissions.values()]
    .filter((s): s is ActiveBoardSubmission => s.status !== 'not-requested')
    .map((s) => ({ submission: s, date: calendarDate(s.completedAt ?? s.claimedAt, timeZone) }))
    .filter(({ date }) => date >= range.from && date <= range.to)
    .sort(
      (a, b) =>
        a.date.localeCompare(b.date) ||
        a.submission.submissionId.localeCompare(b.submission.submissionId),
    );
  const learners = new Map<string, LearnerState>();
  const learnerState = async (learnerId: string): Promise<LearnerState> => {
    const known = learners.get(learnerId);
    if (known !== undefined) return known;
    let state = learnerDecider.initialState();
    for (const recorded of await store.readStream(learnerStreamName(learnerId))) {
      const event = await codecs.learner.decode(recorded);
      if (event !== undefined) state = learnerDecider.evolve(state, event);
    }
    learners.set(learnerId, state);
    return state;
  };
  const batch: ParsBatch = { records: [], omitted: [] };
  for (const { submission } of inRange) {
    const learner = await learnerState(submission.learnerId);
    const personal =
      submission.attempt === 1
        ? learner.claims.get(submission.claimId)?.identity
        : learner.profile?.personal;
    const omit = (reason: string): void => {
      batch.omitted.push({
        submissionId: submission.submissionId,
        board: submission.board,
        reason,
      });
    };
    if (personal === undefined) {
      omit('the learner identity is not available (erased, or no profile)');
      continue;
    }
    // R7/R8: no consent to share, no record, by file as by web service.
    if (!consentsToDataSharing(learner)) {
      omit('the learner has not consented to share completion data with the boards');
      continue;
    }
    try {
      batch.records.push(
        completionRecord(
          {
            submissionId: submission.submissionId,
            board: submission.board,
            attempt: submission.attempt,
            learner: identityAt(personal, submission.board),
            activity: submission.activity,
            twelfths: submission.twelfths.toString(),
            credits: formatCredits(floorToQuarter(submission.twelfths)),
            completedAt: (submission.completedAt ?? submission.claimedAt).toISOString(),
          },
          undefined,
          timeZone,
        ),
      );
    } catch (error) {
      if (error instanceof NotReportableThroughPars) omit(error.message);
      else throw error;
    }
  }
  return batch;
}

/** What a board matches the learner by, from the decrypted personal data. */
export function identityAt(p: PersonalData, board: string): BoardLearnerIdentity {
  const learnerBoardId = p.boardIds[board];
  return {
    ...(learnerBoardId ? { learnerBoardId } : {}),
    firstName: p.firstName,
    lastName: p.lastName,
    birthMonth: p.birthMonth,
    birthDay: p.birthDay,
    licenses: p.licenses.map((l) => ({ state: l.state, licenseNumber: l.licenseNumber })),
    ...(p.npi ? { npi: p.npi } : {}),
  };
}
