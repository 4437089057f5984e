import type { StreamProblem, StreamVerifier } from './stream-verifier';
import { learnerStreamName } from '@ledger/domain';

/** What a balance answer says of the stream it comes from. */
export type StreamVerificationNote =
  { ok: true; streamName: string } | ({ ok: false; warning: string } & StreamProblem);

/**
 * Verifies the learner's stream (once per process, as the command side does) and says so in
 * the answer: figures from a stream that failed verification are still shown, marked.
 */
export async function learnerVerification(
  verifier: StreamVerifier,
  learnerId: string,
): Promise<StreamVerificationNote> {
  const streamName = learnerStreamName(learnerId);
  const problem = await verifier.check(streamName);
  return problem
    ? {
        ok: false,
        warning:
          'these figures come from a stream that failed verification: its history is not the one the ledger recorded and signed',
        ...problem,
      }
    : { ok: true, streamName };
}
