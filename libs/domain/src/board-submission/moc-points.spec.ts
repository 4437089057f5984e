import { mocPoints, type AcceptedCredit } from './moc-points';

const accepted = (
  board: string,
  claimId: string,
  twelfths: bigint,
  certificate: AcceptedCredit['certificate'] = 'ama-pra-category-1',
): AcceptedCredit => ({ board, claimId, twelfths, certificate });

describe('R12: MOC points', () => {
  describe('given credit accepted by ABIM twice, by ABP and by the Medical Board of California', () => {
    it('R12: counts the credit MOC boards accepted, in total and per board; state boards award none', () => {
      expect(
        mocPoints([
          accepted('ABIM', 'c1', 6n),
          accepted('ABIM', 'c2', 9n),
          accepted('ABP', 'c3', 3n),
          accepted('CA-MBC', 'c4', 12n),
        ]),
      ).toEqual({ total: 18n, byBoard: { ABIM: 15n, ABP: 3n } });
    });
  });

  it('R12: one claim accepted by two MOC boards counts once in the total, and for each board', () => {
    expect(mocPoints([accepted('ABIM', 'c1', 12n), accepted('ABP', 'c1', 12n)])).toEqual({
      total: 12n,
      byBoard: { ABIM: 12n, ABP: 12n },
    });
  });

  it('R12: a claim whose newer part only ABPMR took counts as its whole accepted credit, once', () => {
    expect(mocPoints([accepted('ABIM', 'c1', 12n), accepted('ABPMR', 'c1', 6n)])).toEqual({
      total: 12n,
      byBoard: { ABIM: 12n, ABPMR: 6n },
    });
  });

  it("R11/R12: a participation certificate's credit is never MOC points, even if a board accepted it", () => {
    expect(mocPoints([accepted('ABIM', 'c1', 12n, 'participation')])).toEqual({
      total: 0n,
      byBoard: {},
    });
  });

  it('R12: no accepted credit, no MOC points', () => {
    expect(mocPoints([])).toEqual({ total: 0n, byBoard: {} });
  });
});
