import { findBoard } from '../boards/board-catalogue';
import type { CertificateKind } from '../learner/clinical-role';

/** Credit a board accepted (BoardSubmissionSucceeded, or confirmed later). */
export interface AcceptedCredit {
  readonly board: string;
  /** The claim it came from (a claim is unique per learner). */
  readonly claimId: string;
  /** R11: the claim's certificate: only AMA PRA Category 1 Credit™ counts for MOC. */
  readonly certificate: CertificateKind;
  readonly twelfths: bigint;
}

export interface MocPoints {
  readonly total: bigint;
  readonly byBoard: Readonly<Record<string, bigint>>;
}

/**
 * R12: MOC points, in twelfths, counted from AMA PRA Category 1 credit that a board awarding
 * MOC accepted (one credit, one point); state boards award none, and a participation
 * certificate's credit is not MOC credit. Per board, each board's points; in total, each
 * credit once: a claim accepted by two MOC boards counts once, as its largest accepted part
 * (the parts boards take are nested: a board with a start date takes the newer credit only).
 */
export function mocPoints(accepted: readonly AcceptedCredit[]): MocPoints {
  const byBoard: Record<string, bigint> = {};
  const byClaim = new Map<string, bigint>();
  for (const credit of accepted) {
    if (findBoard(credit.board)?.awardsMoc !== true) continue;
    if (credit.certificate !== 'ama-pra-category-1') continue;
    byBoard[credit.board] = (byBoard[credit.board] ?? 0n) + credit.twelfths;
    const counted = byClaim.get(credit.claimId) ?? 0n;
    if (credit.twelfths > counted) byClaim.set(credit.claimId, credit.twelfths);
  }
  let total = 0n;
  for (const twelfths of byClaim.values()) total += twelfths;
  return { total, byBoard };
}
