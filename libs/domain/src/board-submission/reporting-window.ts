import { calendarDate, earnedYear, startOfLocalDay } from '../credits/claim-window';

/**
 * R8/R17: PARS's reporting window. ACCME takes a year's learner completions until 31 March of
 * the following year (docs/pars-assumptions.md A-16), read in ACCME's time zone; after that a
 * completion of that year can no longer be reported, so the ledger fails it with a reason
 * instead of sending it, and the at-risk report warns before the window closes.
 */

/** The time zone PARS reads dates in: ACCME's, in Chicago. */
export const PARS_TIME_ZONE = 'America/Chicago';

/**
 * the completion date a board's record carries (a calendar date in PARS's zone). A
 * board keeps one record per learner, activity and completion date.
 */
export const boardRecordDate = (completedAt: Date): string =>
  calendarDate(completedAt, PARS_TIME_ZONE);

export interface ReportingWindow {
  /** The completion year, in PARS's time zone. */
  readonly year: number;
  /** The first instant the window is closed: 1 April of year + 1, 00:00 in PARS's zone. */
  readonly closesAt: Date;
}

export function reportingWindow(completedAt: Date): ReportingWindow {
  const year = earnedYear(completedAt, PARS_TIME_ZONE);
  return { year, closesAt: startOfLocalDay(year + 1, 4, 1, PARS_TIME_ZONE) };
}

/** Why a completion can no longer be reported at `now`; undefined while its window is open. */
export function reportingWindowClosed(
  board: string,
  completedAt: Date,
  now: Date,
): string | undefined {
  const { year, closesAt } = reportingWindow(completedAt);
  if (now.getTime() < closesAt.getTime()) return undefined;
  return (
    `PARS took completions of ${year} until 31 March ${year + 1}; this credit can no longer be ` +
    `reported to ${board}: download the certificate and send it to the board yourself`
  );
}
