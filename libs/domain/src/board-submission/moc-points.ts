import { findBoard } from '../boards/board-catalogue';

/** Credit a board accepted (BoardSubmissionSucceeded, or confirmed later). */
export interface AcceptedCredit {
  readonly board: string;
  readonly twelfths: bigint;
}

export interface MocPoints {
  readonly total: bigint;
  readonly byBoard: Readonly<Record<string, bigint>>;
}

/**
 * R12: MOC points, in twelfths, counted from credit that a board awarding MOC accepted
 * (one credit, one point). Credit accepted by state boards earns no MOC point.
 */
export function mocPoints(accepted: readonly AcceptedCredit[]): MocPoints {
  const byBoard: Record<string, bigint> = {};
  let total = 0n;
  for (const credit of accepted) {
    if (findBoard(credit.board)?.awardsMoc !== true) continue;
    byBoard[credit.board] = (byBoard[credit.board] ?? 0n) + credit.twelfths;
    total += credit.twelfths;
  }
  return { total, byBoard };
}
