import type { Activity } from './activity';

/**
 * R4: credit amounts are exact integers of twelfths of a credit, `bigint` in memory and
 * decimal strings in event data. No floating point anywhere.
 */
export const TWELFTHS_PER_CREDIT = 12n;
/** R3: certificates and board-review claims count in quarter credits (3/12). */
export const QUARTER_CREDIT_TWELFTHS = 3n;

const CANONICAL_TWELFTHS = /^(0|[1-9][0-9]*)$/;

/** Reads the decimal string of twelfths that event data carries ("6" → 6n). */
export function parseTwelfths(text: string): bigint {
  if (!CANONICAL_TWELFTHS.test(text)) {
    throw new RangeError(`"${text}" is not a non-negative whole number of twelfths`);
  }
  return BigInt(text);
}

/** Writes an amount for event data (plain JSON): 6n → "6". */
export const twelfthsToJson = (twelfths: bigint): string => twelfths.toString();

/**
 * The exact amount in credits with two decimals (18n → "1.50"). Only amounts that are whole
 * quarters have an exact two-decimal form; anything else (1/12 = 0.0833…) is refused rather
 * than silently rounded: use `boardReviewDisplay` for the R3 rounding.
 */
export function formatCredits(twelfths: bigint): string {
  if (twelfths % QUARTER_CREDIT_TWELFTHS !== 0n) {
    throw new RangeError(
      `${twelfths}/12 credit has no exact two-decimal form; round it with boardReviewDisplay`,
    );
  }
  const sign = twelfths < 0n ? '-' : '';
  const magnitude = twelfths < 0n ? -twelfths : twelfths;
  const whole = magnitude / TWELFTHS_PER_CREDIT;
  // The remainder is 0, 3, 6 or 9 twelfths: 0, 25, 50 or 75 hundredths.
  const hundredths = ((magnitude % TWELFTHS_PER_CREDIT) * 100n) / TWELFTHS_PER_CREDIT;
  return `${sign}${whole}.${hundredths.toString().padStart(2, '0')}`;
}

/** R3/R6: rounds a non-negative amount down to a whole quarter credit (10n → 9n). */
export function floorToQuarter(twelfths: bigint): bigint {
  if (twelfths < 0n) throw new RangeError(`a credit amount cannot be negative: ${twelfths}`);
  return twelfths - (twelfths % QUARTER_CREDIT_TWELFTHS);
}

/** R3: how a board-review amount shows on a certificate: 10n (5 answers) → "0.75". */
export const boardReviewDisplay = (twelfths: bigint): string =>
  formatCredits(floorToQuarter(twelfths));

/** How the API shows an amount: a decimal string plus its exact twelfths (R4). */
export interface AmountView {
  credits: string;
  twelfths: number;
}

/**
 * The API view of an amount of one activity: board review shows the R3 quarter-floored
 * credits, IPoC its exact value (always a multiple of 1/2). `twelfths` stays exact.
 */
export function amountView(twelfths: bigint, activity: Activity): AmountView {
  const exact = apiTwelfths(twelfths);
  const credits =
    activity === 'nejm-board-review' ? boardReviewDisplay(twelfths) : formatCredits(twelfths);
  return { credits, twelfths: exact };
}

/** The exact twelfths as the API's JSON number, within its range. */
function apiTwelfths(twelfths: bigint): number {
  if (twelfths < 0n || twelfths > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`${twelfths} twelfths is outside the range an API amount can show`);
  }
  // Display only: a validated amount within Number.MAX_SAFE_INTEGER converts exactly, and the
  // API shape carries twelfths as a JSON number. Arithmetic never leaves bigint.
  return Number(twelfths);
}

/**
 * R4: an amount exactly, for lines that are parts of a claim (a claim's earned-year
 * breakdown): two decimals when it is whole quarters ("0.75"), otherwise in twelfths ("5/12"),
 * never rounded, so the parts add up to the claim. Only what a certificate and a board
 * receive is rounded (R3).
 */
export function exactCredits(twelfths: bigint): string {
  return twelfths % QUARTER_CREDIT_TWELFTHS === 0n ? formatCredits(twelfths) : `${twelfths}/12`;
}

/** The API view of a part of a claim, exact (see `exactCredits`). */
export const exactAmountView = (twelfths: bigint): AmountView => ({
  credits: exactCredits(twelfths),
  twelfths: apiTwelfths(twelfths),
});
