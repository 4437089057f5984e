import { mocPoints } from './moc-points';

describe('R12: MOC points', () => {
  describe('given credit accepted by ABIM twice, by ABP and by the Medical Board of California', () => {
    it('R12: counts the credit MOC boards accepted, in total and per board; state boards award none', () => {
      expect(
        mocPoints([
          { board: 'ABIM', twelfths: 6n },
          { board: 'ABIM', twelfths: 9n },
          { board: 'ABP', twelfths: 3n },
          { board: 'CA-MBC', twelfths: 12n },
        ]),
      ).toEqual({ total: 18n, byBoard: { ABIM: 15n, ABP: 3n } });
    });
  });

  it('R12: no accepted credit, no MOC points', () => {
    expect(mocPoints([])).toEqual({ total: 0n, byBoard: {} });
  });
});
