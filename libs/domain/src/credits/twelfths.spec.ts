import {
  amountView,
  boardReviewDisplay,
  floorToQuarter,
  formatCredits,
  parseTwelfths,
  twelfthsToJson,
} from './twelfths';
import { BOARD_REVIEW_TWELFTHS_PER_CORRECT_ANSWER, IPOC_TWELFTHS_PER_RESEARCH } from './activity';

describe('credit arithmetic in twelfths', () => {
  describe('R3: a board-review amount of n first correct answers shows as floor(4n/6)/4 credits', () => {
    // design.md's whole table, plus 0 and the first multiples of 6.
    it.each([
      [0, '0.00'],
      [1, '0.00'],
      [2, '0.25'],
      [3, '0.50'],
      [4, '0.50'],
      [5, '0.75'],
      [6, '1.00'],
      [7, '1.00'],
      [11, '1.75'],
      [12, '2.00'],
    ])('R3: %i correct answer(s) show as %s credit', (answers, shown) => {
      expect(boardReviewDisplay(BigInt(answers) * BOARD_REVIEW_TWELFTHS_PER_CORRECT_ANSWER)).toBe(
        shown,
      );
    });

    it('R3: rounding down to a quarter keeps whole quarters and drops only the rest', () => {
      expect([0n, 1n, 2n, 3n, 10n, 11n, 12n, 22n].map(floorToQuarter)).toEqual([
        0n,
        0n,
        0n,
        3n,
        9n,
        9n,
        12n,
        21n,
      ]);
    });
  });

  describe('R4: amounts are exact integers of twelfths', () => {
    it('R4: one research earns 6/12 and one first correct answer 2/12', () => {
      expect(IPOC_TWELFTHS_PER_RESEARCH).toBe(6n);
      expect(BOARD_REVIEW_TWELFTHS_PER_CORRECT_ANSWER).toBe(2n);
    });

    it.each([
      [0n, '0.00'],
      [3n, '0.25'],
      [6n, '0.50'],
      [9n, '0.75'],
      [12n, '1.00'],
      [18n, '1.50'],
      [123456789012345678901n * 12n + 9n, '123456789012345678901.75'],
    ])('R4: %p twelfths format exactly as %s credits', (twelfths, credits) => {
      expect(formatCredits(twelfths)).toBe(credits);
    });

    it('R4: an amount with no exact two-decimal form is refused, not rounded', () => {
      expect(() => formatCredits(2n)).toThrow(RangeError);
      expect(() => formatCredits(10n)).toThrow(/boardReviewDisplay/);
    });

    it('R4: event data carries twelfths as canonical decimal strings, read back exactly', () => {
      expect(twelfthsToJson(18n)).toBe('18');
      expect(parseTwelfths('18')).toBe(18n);
      expect(parseTwelfths('90071992547409930')).toBe(90071992547409930n);
      for (const bad of ['', '1.5', '-1', '01', ' 6', '6e1', '0x6']) {
        expect(() => parseTwelfths(bad)).toThrow(RangeError);
      }
    });
  });

  describe('API amount view', () => {
    it('R3/R4: board review shows quarter-floored credits with its exact twelfths (design.md example)', () => {
      expect(amountView(10n, 'nejm-board-review')).toEqual({ credits: '0.75', twelfths: 10 });
    });

    it('R4: IPoC shows its exact credits (design.md example)', () => {
      expect(amountView(18n, 'ipoc')).toEqual({ credits: '1.50', twelfths: 18 });
    });

    it('R4: refuses an amount a JSON number could not carry exactly', () => {
      expect(() => amountView(BigInt(Number.MAX_SAFE_INTEGER) + 3n, 'ipoc')).toThrow(RangeError);
      expect(() => amountView(-6n, 'ipoc')).toThrow(RangeError);
    });
  });
});
