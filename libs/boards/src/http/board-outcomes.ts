import {
  BoardRequestRefusedError,
  BoardUnavailableError,
  type BoardSubmissionResult,
} from '../board-gateway.port';
import type { Outcome } from './retrying-http';

/**
 * What a channel's retried submission came to, as the port answers it: accepted with the
 * board's record id, rejected (refused for good), or unavailable (the retries ran out; the
 * reason names `channel`, where the answer came from).
 */
export function submissionResultOf(
  outcome: Outcome<string>,
  channel: string,
): BoardSubmissionResult {
  switch (outcome.kind) {
    case 'done':
      return { outcome: 'accepted', boardRecordId: outcome.value };
    case 'refused':
      return { outcome: 'rejected', reason: outcome.reason };
    case 'exhausted':
      return { outcome: 'unavailable', reason: `${channel} ${outcome.reason}` };
    default:
      return unreachable(outcome);
  }
}

/**
 * A retried call's value, or the port's error: refused for good is `BoardRequestRefusedError`,
 * retries run out `BoardUnavailableError` (the reason naming `channel`).
 */
export function valueOrThrow<T>(outcome: Outcome<T>, board: string, channel: string): T {
  switch (outcome.kind) {
    case 'done':
      return outcome.value;
    case 'refused':
      throw new BoardRequestRefusedError(board, outcome.status, outcome.reason);
    case 'exhausted':
      throw new BoardUnavailableError(board, `${channel} ${outcome.reason}`);
    default:
      return unreachable(outcome);
  }
}

export function unreachable(value: never): never {
  throw new Error(`unexpected outcome ${JSON.stringify(value)}`);
}
