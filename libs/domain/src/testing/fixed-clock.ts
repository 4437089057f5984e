import { DEFAULT_MAX_CLOCK_SKEW_MS, type DecisionContext } from '../decision-context';

/**
 * Rule tests date facts months or years before TEST_NOW (claim windows span three years), so
 * their context allows that; the R15 tests of the backdate bound set their own.
 */
export const TEST_MAX_BACKDATE_MS = 10 * 366 * 24 * 60 * 60 * 1000;

/** The fixed "now" of domain tests: every default time of the builders is before it. */
export const TEST_NOW = new Date('2025-06-15T12:00:00.000Z');

export const testDecisionContext = (overrides: Partial<DecisionContext> = {}): DecisionContext => ({
  now: TEST_NOW,
  timeZone: 'UTC',
  maxClockSkewMs: DEFAULT_MAX_CLOCK_SKEW_MS,
  maxBackdateMs: TEST_MAX_BACKDATE_MS,
  ...overrides,
});

/** An instant from an ISO string, for readable test data. */
export const at = (iso: string): Date => {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new RangeError(`not an ISO instant: ${iso}`);
  return date;
};
