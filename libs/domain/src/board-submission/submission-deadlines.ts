import { findBoard } from '../boards/board-catalogue';
import { earnedYear as calendarYear, startOfYear } from '../credits/claim-window';

/** R17: a board submission is due within 30 days of the claim. */
export const SUBMISSION_DUE_DAYS = 30;
/** R17: how close to a deadline a submission that has not reached its board is "at risk". */
export const AT_RISK_WARNING_DAYS = 7;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface SubmissionDeadlines {
  /** R17: claim time + 30 days. */
  readonly dueBy: Date;
  /** R17: for a MOC board, the end of 31 December of the claim year (exclusive instant). */
  readonly mocYearEnd: Date | undefined;
  readonly mocYear: number | undefined;
}

export function submissionDeadlines(
  board: string,
  claimedAt: Date,
  timeZone: string,
): SubmissionDeadlines {
  const dueBy = new Date(claimedAt.getTime() + SUBMISSION_DUE_DAYS * DAY_MS);
  if (findBoard(board)?.awardsMoc !== true)
    return { dueBy, mocYearEnd: undefined, mocYear: undefined };
  const mocYear = calendarYear(claimedAt, timeZone);
  return { dueBy, mocYearEnd: startOfYear(mocYear + 1, timeZone), mocYear };
}

export type AtRiskCode =
  'submission-due-soon' | 'submission-overdue' | 'moc-year-end-soon' | 'moc-year-end-missed';

export interface AtRiskReason {
  readonly rule: 'R17';
  readonly code: AtRiskCode;
  readonly deadline: Date;
  readonly message: string;
}

export interface AtRiskInput {
  readonly board: string;
  readonly claimedAt: Date;
  /** When the board accepted the credit (BoardSubmissionSucceeded); undefined while it has not. */
  readonly reachedBoardAt: Date | undefined;
  readonly now: Date;
  readonly timeZone: string;
  readonly warnWithinDays?: number;
}

/**
 * R17: why a submission is at risk of missing (or has missed) its deadlines: due within 30
 * days of the claim; for MOC, at the board by 31 December of the claim year. Empty when it
 * reached the board in time, or when no deadline is near.
 */
export function submissionAtRisk(input: AtRiskInput): AtRiskReason[] {
  const { dueBy, mocYearEnd, mocYear } = submissionDeadlines(
    input.board,
    input.claimedAt,
    input.timeZone,
  );
  const warnMs = (input.warnWithinDays ?? AT_RISK_WARNING_DAYS) * DAY_MS;
  const reasons: AtRiskReason[] = [];
  const check = (deadline: Date, missed: AtRiskCode, soon: AtRiskCode, what: string): void => {
    const reached = input.reachedBoardAt;
    if (reached !== undefined) {
      if (reached.getTime() >= deadline.getTime()) {
        reasons.push({
          rule: 'R17',
          code: missed,
          deadline,
          message: `${what}: it reached ${input.board} only at ${reached.toISOString()}`,
        });
      }
      return;
    }
    if (input.now.getTime() >= deadline.getTime()) {
      reasons.push({
        rule: 'R17',
        code: missed,
        deadline,
        message: `${what}: it has not reached ${input.board}`,
      });
    } else if (input.now.getTime() >= deadline.getTime() - warnMs) {
      reasons.push({
        rule: 'R17',
        code: soon,
        deadline,
        message: `${what}: it has not reached ${input.board} yet`,
      });
    }
  };
  check(
    dueBy,
    'submission-overdue',
    'submission-due-soon',
    `due by ${dueBy.toISOString()} (30 days after the claim)`,
  );
  if (mocYearEnd !== undefined) {
    check(
      mocYearEnd,
      'moc-year-end-missed',
      'moc-year-end-soon',
      `MOC credit must reach ${input.board} by 31 December ${mocYear} (${input.timeZone}) to count for ${mocYear}`,
    );
  }
  return reasons;
}
