/**
 * R8: the tag of a claim, from the statuses of its boards' submissions. This module imports
 * nothing: the decider, the follow-up and deadline rules, the claims projection and the API
 * all read a submission's status and a claim's tag from here.
 */

/**
 * `requested`: an attempt is in flight (R8 Pending); `failed`: the last attempt failed;
 * `awaiting-consent`: the attempt waits for the learner's consent to share (R7), nothing sent;
 * `correcting`: the board's record is being deleted and sent again (R8 Pending).
 */
export type BoardSubmissionStatus =
  'requested' | 'accepted' | 'failed' | 'confirmed' | 'awaiting-consent' | 'correcting';

/** R8: the tags of a claim, as the FAQ words them, and `Awaiting consent` (R7). */
export const CLAIM_TAGS = [
  'Not submitted',
  'Pending',
  'Submitted',
  'Rejected',
  'Awaiting consent',
] as const;
export type ClaimTag = (typeof CLAIM_TAGS)[number];

export interface BoardStatus {
  readonly board: string;
  readonly status: BoardSubmissionStatus;
}

/**
 * R8: no board selected at claim time → Not submitted; a board whose latest attempt failed
 * (and was not retried since) → Rejected; a board whose attempt (or correction) waits for the
 * learner's consent to share (R7) → Awaiting consent; every board accepted (or confirmed) →
 * Submitted; otherwise (an attempt in flight, a correction, or not requested yet) → Pending.
 * Statuses of boards not
 * selected at claim time do not count.
 */
export function claimTag(
  boardsAtClaim: readonly string[],
  statuses: readonly BoardStatus[],
): ClaimTag {
  if (boardsAtClaim.length === 0) return 'Not submitted';
  const statusByBoard = new Map(statuses.map((s) => [s.board, s.status]));
  const atClaim = boardsAtClaim.map((board) => statusByBoard.get(board));
  if (atClaim.some((status) => status === 'failed')) return 'Rejected';
  if (atClaim.some((status) => status === 'awaiting-consent')) return 'Awaiting consent';
  if (atClaim.every((status) => status === 'accepted' || status === 'confirmed'))
    return 'Submitted';
  return 'Pending';
}

/**
 * R8/R9: how one board's submission reads to the learner (the certificate lists it per board):
 * the claim tag's words for that board alone, with a board's confirmation said outright.
 * Takes a `BoardSubmissionStatus` as the read side stores it; anything else reads Pending.
 */
export function boardStatusWord(status: string | undefined): string {
  switch (status) {
    case 'accepted':
      return 'Submitted';
    case 'confirmed':
      return 'Submitted (confirmed by the board)';
    case 'failed':
      return 'Rejected';
    case 'awaiting-consent':
      return 'Awaiting consent';
    case 'correcting':
      return 'Pending (correction in progress)';
    default:
      return 'Pending';
  }
}
