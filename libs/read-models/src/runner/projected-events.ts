import {
  boardSubmissionEventCodec,
  learnerEventCodec,
  LEARNER_STREAM_PREFIX,
} from '@ledger/ledger';
import type { RecordedEvent } from '@ledger/event-store';
import type { ProjectedEvent } from '../projection';

const learnerCodec = learnerEventCodec();
const submissionCodec = boardSubmissionEventCodec();
const SUBMISSION_PREFIX = 'board-submission-';

/**
 * Stored events as projections see them: the domain event when the type is known, without
 * personal data (read models never hold it), and the learner concerned.
 */
export async function toProjected(recorded: RecordedEvent): Promise<ProjectedEvent> {
  if (recorded.streamName.startsWith(LEARNER_STREAM_PREFIX)) {
    return {
      recorded,
      event: await learnerCodec.decode(recorded),
      learnerId: recorded.streamName.slice(LEARNER_STREAM_PREFIX.length),
    };
  }
  if (recorded.streamName.startsWith(SUBMISSION_PREFIX)) {
    const event = await submissionCodec.decode(recorded);
    return { recorded, event, learnerId: event?.data.learnerId };
  }
  return { recorded, event: undefined, learnerId: undefined };
}
