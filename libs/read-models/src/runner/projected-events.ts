import { isBoardSubmissionStream, learnerIdOfStream } from '@ledger/domain';
import { boardSubmissionEventCodec, learnerEventCodec } from '@ledger/ledger';
import type { RecordedEvent } from '@ledger/event-store';
import type { ProjectedEvent } from '../projection';

const learnerCodec = learnerEventCodec();
const submissionCodec = boardSubmissionEventCodec();

/**
 * Stored events as projections see them: the domain event when the type is known, without
 * personal data (read models never hold it), and the learner concerned.
 */
export async function toProjected(recorded: RecordedEvent): Promise<ProjectedEvent> {
  const learnerId = learnerIdOfStream(recorded.streamName);
  if (learnerId !== undefined) {
    return { recorded, event: await learnerCodec.decode(recorded), learnerId };
  }
  if (isBoardSubmissionStream(recorded.streamName)) {
    const event = await submissionCodec.decode(recorded);
    return { recorded, event, learnerId: event?.data.learnerId };
  }
  return { recorded, event: undefined, learnerId: undefined };
}
